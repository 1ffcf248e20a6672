"""Training progress, reported the same way by every model.

A model that trains in epochs calls its ``progress`` callback once per epoch with an
:class:`EpochProgress`: epoch *n* of *N*, seconds elapsed, an ETA and the losses. The caller
decides where it goes: a tqdm bar in a terminal (:class:`TqdmProgress`), Dagster's
``context.log`` in the pipeline, a list in a test. :func:`throttled` thins a callback to one
call every few seconds (plus the first and the last epoch), so a 0.1 s epoch does not flood
a run log. The module knows nothing of any model: CTGAN and the autoregressive model report
through it alike (see docs/models.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def _duration(seconds: float) -> str:
    """``45 s``, ``2 min``, ``1.5 h``: a human reading of a duration."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def estimate_eta(
    epoch: int, epochs: int, elapsed_s: float, budget_s: float | None = None
) -> float | None:
    """Seconds left: the mean epoch time so far times the epochs left, and never more than
    what is left of the time budget (training stops after the epoch that exceeds it).
    ``None`` before the first epoch, when nothing is known yet."""
    if epoch <= 0:
        return None
    left = max(epochs - epoch, 0) * elapsed_s / epoch
    if budget_s is not None:
        left = min(left, max(budget_s - elapsed_s, 0.0))
    return left


@dataclass(frozen=True)
class EpochProgress:
    """Where training stands after one epoch.

    ``losses`` maps a short name (``g``, ``d``, ``nll``...) to its value at the end of the
    epoch; ``done`` is True on the last report of a fit, whether it ran all ``epochs``, hit
    ``budget_s`` or stopped early.
    """

    epoch: int
    epochs: int
    elapsed_s: float
    eta_s: float | None
    losses: Mapping[str, float] = field(default_factory=dict)
    table: str | None = None
    budget_s: float | None = None
    done: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "losses", MappingProxyType(dict(self.losses)))

    @classmethod
    def at(
        cls,
        epoch: int,
        epochs: int,
        elapsed_s: float,
        losses: Mapping[str, float] | None = None,
        *,
        table: str | None = None,
        budget_s: float | None = None,
        done: bool = False,
    ) -> EpochProgress:
        """The report after ``epoch`` (1-based), with the ETA estimated from the pace so far."""
        eta = 0.0 if done else estimate_eta(epoch, epochs, elapsed_s, budget_s)
        return cls(epoch, epochs, elapsed_s, eta, dict(losses or {}), table, budget_s, done)

    def line(self) -> str:
        """``epoch 37/300 · 12.1 s elapsed · ETA 2 min · g=0.412 d=-0.088``."""
        parts = [f"epoch {self.epoch}/{self.epochs}", f"{self.elapsed_s:.1f} s elapsed"]
        if self.done:
            parts.append("done")
        elif self.eta_s is not None:
            parts.append(f"ETA {_duration(self.eta_s)}")
        if self.budget_s is not None:
            parts.append(f"budget {_duration(self.budget_s)}")
        if self.losses:
            parts.append(" ".join(f"{k}={v:.3f}" for k, v in self.losses.items()))
        prefix = f"{self.table}: " if self.table else ""
        return prefix + " · ".join(parts)


#: What a model calls once per epoch.
ProgressCallback = Callable[[EpochProgress], None]


def throttled(
    callback: ProgressCallback,
    every_s: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
) -> ProgressCallback:
    """``callback`` called for the first epoch, the last (``done``) and otherwise at most
    once every ``every_s`` seconds."""
    last: list[float] = []

    def report(progress: EpochProgress) -> None:
        now = clock()
        if not last or progress.done or now - last[0] >= every_s:
            last[:] = [now]
            callback(progress)

    return report


def fan_out(*callbacks: ProgressCallback | None) -> ProgressCallback | None:
    """One callback calling each given one in turn (``None`` entries skipped)."""
    present = [c for c in callbacks if c is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]

    def report(progress: EpochProgress) -> None:
        for callback in present:
            callback(progress)

    return report


class TqdmProgress:
    """A tqdm bar fed by progress reports: ``n/N`` epochs, ETA and losses; closed when done."""

    def __init__(self, desc: str = "train", **tqdm_options: Any) -> None:
        self.desc = desc
        self.options = tqdm_options
        self.bar: Any = None

    def __call__(self, progress: EpochProgress) -> None:
        from tqdm.auto import tqdm

        if self.bar is None:
            self.bar = tqdm(total=progress.epochs, desc=self.desc, unit="epoch", **self.options)
        self.bar.update(progress.epoch - self.bar.n)
        if progress.losses:
            self.bar.set_postfix({k: f"{v:.3f}" for k, v in progress.losses.items()})
        if progress.done:
            self.bar.close()
