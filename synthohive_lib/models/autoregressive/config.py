"""Hyper-parameters of the autoregressive model, as one plain, JSON-serialisable dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from synthohive_lib.errors import ModelError
from synthohive_lib.models.privacy import PrivacyConfig


@dataclass
class AutoregressiveConfig:
    """Autoregressive-model hyper-parameters.

    Network: ``embedding_dim`` (one shared token embedding of this width), ``hidden_dim``
    (width of each column's two-layer head), ``dropout``.
    Training: ``epochs`` (upper bound), ``batch_size`` (None: about 2 % of the rows, 64-1024),
    ``lr``, ``weight_decay``, ``fixed_order_share`` (share of rows trained in the table's own
    column order; the rest in a random order, which is what lets :meth:`sample` condition on
    any subset of columns), ``val_share`` (rows held out to pick the best epoch; 0 = none),
    ``patience`` (epochs without a better validation loss before stopping; 0 = never),
    ``time_budget_s`` (seconds from the start of fit, checked at every step), ``seed``,
    ``device``, ``num_threads``, ``verbose`` (tqdm bar; None = when stderr is a terminal).
    Encoding: ``bins``, ``fine_bins``, ``max_exact_values``, ``max_categories`` (see
    :class:`~synthohive_lib.models.autoregressive.encoding.TokenEncoder`).
    Sampling: ``sample_batch_size`` rows per pass, ``temperature`` of every column's softmax.
    Privacy: ``privacy`` ({epsilon, delta, max_grad_norm}) turns on DP-SGD.
    """

    epochs: int = 200
    batch_size: int | None = None
    embedding_dim: int = 16
    hidden_dim: int = 96
    dropout: float = 0.1
    lr: float = 3e-3
    weight_decay: float = 1e-5
    fixed_order_share: float = 0.5
    val_share: float = 0.1
    patience: int = 8
    time_budget_s: float | None = None
    seed: int | None = None
    device: str = "auto"
    num_threads: int | None = None
    verbose: bool | None = None
    bins: int = 64
    fine_bins: int = 16
    max_exact_values: int = 128
    max_categories: int = 500
    sample_batch_size: int = 8_192
    temperature: float = 1.0
    privacy: PrivacyConfig | None = None

    def __post_init__(self) -> None:
        self.privacy = PrivacyConfig.from_value(self.privacy)  # type: ignore[arg-type]
        if self.epochs < 0:
            raise ModelError("epochs must be >= 0", fix="pass a non-negative number of epochs")
        if self.batch_size is not None and self.batch_size < 2:
            raise ModelError("batch_size must be >= 2", fix="pass batch_size >= 2 or None")
        if not 0.0 <= self.fixed_order_share <= 1.0:
            raise ModelError(
                "fixed_order_share must be in [0, 1]", fix="e.g. 0.5 (half the rows in order)"
            )
        if not 0.0 <= self.val_share < 0.5:
            raise ModelError("val_share must be in [0, 0.5)", fix="e.g. 0.1")
        if self.temperature <= 0:
            raise ModelError("temperature must be > 0", fix="e.g. 1.0")
        if self.bins < 2 or self.fine_bins < 1:
            raise ModelError("bins must be >= 2 and fine_bins >= 1", fix="e.g. bins=64")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["privacy"] = self.privacy.to_dict() if self.privacy is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AutoregressiveConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ModelError(
                f"unknown autoregressive hyper-parameter(s): {sorted(unknown)}",
                fix=f"use only {sorted(known)}",
            )
        return cls(**data)
