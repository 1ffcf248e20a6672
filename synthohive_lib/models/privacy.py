"""Differential privacy settings shared by the models (DP-SGD with Opacus' accountant).

A model trained with DP-SGD clips every real row's gradient to ``max_grad_norm`` and adds
Gaussian noise before each step; Opacus' RDP accountant turns the noise, the sampling rate
and the number of steps into the (epsilon, delta) spent. Training stops before a step would
spend more than ``epsilon``. The guarantee covers the network weights; the column encodings
(category lists, quantile tables, value ranges) are fitted on the real data without noise, as
in every DP-SGD tabular generator, and are listed as such in docs/models.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from synthohive_lib.errors import ArtifactError, ModelError


@dataclass(frozen=True)
class PrivacyConfig:
    """``epsilon`` budget, ``delta`` (None: 1 / (10 * rows)), per-row ``max_grad_norm``."""

    epsilon: float
    delta: float | None = 1e-5
    max_grad_norm: float = 1.0

    def __post_init__(self) -> None:
        for key in ("epsilon", "delta", "max_grad_norm"):
            value = getattr(self, key)
            if key == "delta" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ModelError(
                    f"privacy.{key} must be a number, got {value!r}",
                    fix="privacy: {epsilon: 5, delta: 1e-5, max_grad_norm: 1}",
                )
        if not self.epsilon > 0:
            raise ModelError(
                f"privacy.epsilon must be > 0, got {self.epsilon}", fix="e.g. epsilon: 5"
            )
        if self.delta is not None and not 0 < self.delta < 1:
            raise ModelError(
                f"privacy.delta must be in (0, 1), got {self.delta}", fix="e.g. delta: 1e-5"
            )
        if not self.max_grad_norm > 0:
            raise ModelError(
                f"privacy.max_grad_norm must be > 0, got {self.max_grad_norm}",
                fix="e.g. max_grad_norm: 1",
            )

    def delta_for(self, rows: int) -> float:
        return self.delta if self.delta is not None else 1.0 / (10 * max(rows, 1))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_value(cls, value: PrivacyConfig | dict[str, Any] | None) -> PrivacyConfig | None:
        if value is None or isinstance(value, PrivacyConfig):
            return value
        if not isinstance(value, dict):
            raise ModelError(
                f"privacy must be a mapping, got {type(value).__name__}",
                fix="privacy: {epsilon: 5, delta: 1e-5, max_grad_norm: 1}",
            )
        unknown = sorted(set(value) - {"epsilon", "delta", "max_grad_norm"})
        if unknown:
            raise ModelError(
                f"privacy settings: unknown key(s) {unknown}; the keys are epsilon, delta, "
                "max_grad_norm",
                fix="privacy: {epsilon: 5, delta: 1e-5, max_grad_norm: 1}",
            )
        if "epsilon" not in value:
            raise ModelError(
                "privacy settings: privacy.epsilon is required (the budget training stops at)",
                fix="privacy: {epsilon: 5, delta: 1e-5, max_grad_norm: 1}",
            )
        return cls(**value)


def release_noise_multiplier(config: PrivacyConfig, rows: int, share: float) -> float:
    """Noise multiplier of a one-off Gaussian release (noise ``z x`` its L2 sensitivity) that
    would spend ``share`` of epsilon on its own; composed with the training steps in
    :class:`PrivacyBudget` it costs them less than that share."""
    from opacus.accountants.utils import get_noise_multiplier

    with warnings.catch_warnings():  # "optimal order is the largest alpha": a looser bound
        warnings.simplefilter("ignore")
        return float(
            get_noise_multiplier(
                target_epsilon=share * config.epsilon,
                target_delta=config.delta_for(rows),
                sample_rate=1.0,
                steps=1,
                accountant="rdp",
            )
        )


class PrivacyBudget:
    """Opacus' RDP accountant for one training run with a fixed noise and sampling rate.

    ``noise_multiplier`` is chosen so that ``planned_steps`` steps spend exactly ``epsilon``;
    :meth:`can_step` tells the loop whether one more step stays within the budget (a run that
    stops early, on time or patience, simply spends less).

    ``releases`` are Gaussian mechanisms run once before training, as (noise multiplier,
    sampling rate, count) entries of the accountant's history (CTGAN's noisy category
    counts: ``(z, 1.0, 1)``); they are composed with the training steps, so the steps' noise
    is solved for what the releases leave of the budget.
    """

    def __init__(
        self,
        config: PrivacyConfig,
        *,
        rows: int,
        sample_rate: float,
        steps: int,
        releases: tuple[tuple[float, float, int], ...] = (),
    ):
        from opacus.accountants.utils import get_noise_multiplier

        self.config = config
        self.delta = config.delta_for(rows)
        self.sample_rate = min(sample_rate, 1.0)
        self.releases = tuple(releases)
        self.planned_steps = max(steps, 1)
        if self.releases:
            self.noise_multiplier = self._solve_noise()
        else:
            with warnings.catch_warnings():  # "optimal order is the largest alpha": looser
                warnings.simplefilter("ignore")
                self.noise_multiplier = float(
                    get_noise_multiplier(
                        target_epsilon=config.epsilon,
                        target_delta=self.delta,
                        sample_rate=self.sample_rate,
                        steps=self.planned_steps,
                        accountant="rdp",
                    )
                )
        self.steps = 0

    def _epsilon(self, noise_multiplier: float, steps: int) -> float:
        from opacus.accountants import RDPAccountant

        probe = RDPAccountant()
        probe.history = [*self.releases]
        if steps:
            probe.history.append((noise_multiplier, self.sample_rate, steps))
        if not probe.history:
            return 0.0
        with warnings.catch_warnings():  # "optimal order is the largest alpha": a looser bound
            warnings.simplefilter("ignore")
            return float(probe.get_epsilon(self.delta))

    def _solve_noise(self) -> float:
        """The smallest noise (to 1 %) whose planned steps, after the releases, spend at most
        epsilon (bisection on the accountant, as Opacus' ``get_noise_multiplier`` does)."""
        target = self.config.epsilon
        if self._epsilon(1e6, self.planned_steps) > target:
            raise ModelError(
                f"the one-off releases alone spend more than epsilon {target}",
                fix="raise privacy.epsilon",
            )
        low, high = 0.0, 10.0
        while self._epsilon(high, self.planned_steps) > target:
            low, high = high, high * 2
        while high - low > 0.01 * high:
            mid = (low + high) / 2
            if self._epsilon(mid, self.planned_steps) > target:
                low = mid
            else:
                high = mid
        return high

    def epsilon_after(self, steps: int) -> float:
        return self._epsilon(self.noise_multiplier, steps)

    def can_step(self) -> bool:
        """epsilon grows with the steps, and the noise spends the budget in planned_steps."""
        return self.steps < self.planned_steps

    def step(self) -> None:
        self.steps += 1

    @property
    def spent_epsilon(self) -> float:
        return self.epsilon_after(self.steps)

    def report(self) -> dict[str, float]:
        return {
            "epsilon": self.spent_epsilon,
            "delta": self.delta,
            "epsilon_budget": self.config.epsilon,
            "noise_multiplier": self.noise_multiplier,
            "max_grad_norm": self.config.max_grad_norm,
            "sample_rate": self.sample_rate,
            "steps": float(self.steps),
            **{f"release_{i}_noise_multiplier": z for i, (z, _, _) in enumerate(self.releases)},
        }


def spent_privacy(source: str | Path | Mapping[str, Any]) -> dict[str, float] | None:
    """The privacy a model spent, from its artifact directory or its manifest; None when the
    model was trained without DP-SGD.

    For reports and metadata that show epsilon without loading the model: the directory is
    read through :class:`~synthohive_lib.models.persistence.Artifact`, so a tampered manifest
    is an :class:`~synthohive_lib.errors.ArtifactError`, never a number that was not spent.
    The result has at least ``epsilon`` (spent), ``delta`` and ``epsilon_budget``.
    """
    if isinstance(source, Mapping):
        manifest: Mapping[str, Any] = source
    else:
        from synthohive_lib.models.persistence import Artifact

        manifest = Artifact(source).manifest
    record = manifest.get("privacy")
    if record is None:
        return None
    required = {"epsilon", "delta", "epsilon_budget"}
    if (
        not isinstance(record, Mapping)
        or not required <= set(record)
        or not all(_is_number(value) for value in record.values())
    ):
        raise ArtifactError(
            f"the manifest's privacy record is malformed (needs numbers {sorted(required)})",
            fix="the artifact is inconsistent; train and save the model again",
        )
    return {str(key): float(value) for key, value in record.items()}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
