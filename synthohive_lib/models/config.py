"""Hyper-parameters of the CTGAN model, as one plain, JSON-serialisable dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from synthohive_lib.errors import ModelError
from synthohive_lib.models.privacy import PrivacyConfig

GENERATION_PRECISIONS = ("auto", "float32", "bfloat16")
MATMUL_PRECISIONS = ("auto", "highest", "high", "medium")


@dataclass
class CTGANConfig:
    """CTGAN hyper-parameters; defaults match the ``ctgan`` package where both have them.

    Training: ``epochs``, ``batch_size`` (a multiple of ``pac``), ``embedding_dim``,
    ``generator_dim``/``discriminator_dim``, ``pac``, learning rates and weight decays,
    ``discriminator_steps``, ``log_frequency`` (training-by-sampling with log frequencies),
    ``generator_ema`` (decay of the moving average of the generator's weights that sampling
    uses; None = the last step's weights).
    ``min_steps_per_epoch``: a table of fewer than ``min_steps_per_epoch × batch_size`` rows
    trains on smaller batches (a multiple of ``pac``, never below ``10 × pac`` nor above
    ``batch_size``) so that one epoch is about that many optimizer steps: at the default batch
    of 500 a 418-row table would otherwise get one step an epoch (50 steps at 50 epochs, far
    too few for a GAN) while a 26k-row one gets 52; where the batch floor leaves fewer steps
    than that an epoch still has ``min_steps_per_epoch`` batches, drawn with replacement; 0
    keeps ``batch_size`` and one pass for every table (:meth:`train_batch_size`,
    :meth:`train_steps`).
    Context: ``cond_dropout`` is the share of rows trained without a conditional vector when
    a parent context is given, so the model can generate from context alone.
    Runtime: ``device`` ('auto', 'cpu', 'cuda', 'cuda:1', ...); ``mixed_precision`` (bf16
    autocast of training passes on CUDA or on CPUs with bf16 support; off by default);
    ``generation_precision`` ('auto', 'float32', 'bfloat16': the dtype of the inference-only
    generator used by ``sample``; 'auto' = bfloat16 where the device multiplies bf16 natively
    (CUDA with bf16, or a CPU with AMX/AVX512-BF16), else float32); ``matmul_precision``
    ('auto', 'highest', 'high', 'medium': torch's float32 matrix-product precision while the
    model trains, restored afterwards; sampling uses ``generation_precision``; 'auto' =
    'medium' (bf16 products with float32 accumulation, no casts in the model code) on a CPU
    with native bf16, 'high' (TF32) on CUDA, 'highest' elsewhere);
    ``num_threads`` (CPU intra-op threads; None keeps torch's choice); ``seed``;
    ``time_budget_s`` (stop after the epoch that exceeds it); ``verbose`` (tqdm bar; None =
    only when stderr is a terminal); ``sample_batch_size`` (rows generated per forward pass).
    Best-epoch selection: every ``eval_every`` epochs (0 = off) a sample of ``eval_rows`` rows is
    scored against real rows with a marginal-fidelity metric; the best generator is kept and
    training stops after ``patience`` evaluations without improvement (0 = never stop early).
    Transformer: ``max_modes``, ``gmm_sample_rows``, ``gmm_max_iter``, ``max_categories``,
    ``pair_threshold`` (dependent numeric pairs; None = off) and ``determined_threshold``
    (columns derived from a categorical key; None = off) and ``null_min_gain`` (co-nullity
    rules enforced on the output; None = off), see :class:`DataTransformer`.
    Privacy: ``privacy`` ({epsilon, delta, max_grad_norm}) trains the critic with DP-SGD
    (:mod:`synthohive_lib.models.ctgan_dp`). It sets ``pac`` to 1 (the clipped unit is one
    real row: a group formed from a sampled batch would change with every other row's
    presence) and switches the transformer's rules learnt from real rows (dependent pairs,
    determined columns, co-nullity) off; ``eval_every`` must stay 0 (scoring epochs on real
    rows would spend privacy outside the accountant).
    """

    epochs: int = 300
    batch_size: int = 500
    embedding_dim: int = 128
    generator_dim: tuple[int, ...] = (256, 256)
    discriminator_dim: tuple[int, ...] = (256, 256)
    pac: int = 10
    generator_lr: float = 2e-4
    discriminator_lr: float = 2e-4
    generator_decay: float = 1e-6
    discriminator_decay: float = 1e-6
    discriminator_steps: int = 1
    min_steps_per_epoch: int = 8
    generator_ema: float | None = 0.999
    log_frequency: bool = True
    cond_dropout: float = 0.5
    device: str = "auto"
    mixed_precision: bool = False
    generation_precision: str = "auto"
    matmul_precision: str = "auto"
    num_threads: int | None = None
    seed: int | None = None
    time_budget_s: float | None = None
    verbose: bool | None = None
    eval_every: int = 0
    eval_rows: int = 2_000
    patience: int = 0
    max_modes: int = 10
    gmm_sample_rows: int = 20_000
    gmm_max_iter: int = 30
    max_categories: int = 100
    pair_threshold: float | None = 0.9
    determined_threshold: float | None = 0.995
    null_min_gain: float | None = 0.5
    sample_batch_size: int = 16_384
    privacy: PrivacyConfig | None = None

    def __post_init__(self) -> None:
        self.privacy = PrivacyConfig.from_value(self.privacy)  # type: ignore[arg-type]
        if self.privacy is not None:
            self.pac = 1  # DP-SGD clips one real row's gradient (see ctgan_dp)
            self.pair_threshold = self.determined_threshold = self.null_min_gain = None
            if self.eval_every:
                raise ModelError(
                    f"eval_every={self.eval_every} with privacy: picking epochs by their "
                    "score on real rows would spend privacy outside the accountant",
                    fix="leave eval_every at 0 (and patience unused) when privacy is set",
                )
        self.generator_dim = tuple(self.generator_dim)
        self.discriminator_dim = tuple(self.discriminator_dim)
        if self.batch_size <= 0 or self.batch_size % self.pac:
            raise ModelError(
                f"batch_size {self.batch_size} must be a positive multiple of pac {self.pac}",
                fix="choose batch_size divisible by pac",
            )
        if self.generation_precision not in GENERATION_PRECISIONS:
            raise ModelError(
                f"generation_precision {self.generation_precision!r} is not one of "
                f"{list(GENERATION_PRECISIONS)}",
                fix="use 'auto', 'float32' or 'bfloat16'",
            )
        if self.matmul_precision not in MATMUL_PRECISIONS:
            raise ModelError(
                f"matmul_precision {self.matmul_precision!r} is not one of "
                f"{list(MATMUL_PRECISIONS)}",
                fix="use 'auto', 'highest', 'high' or 'medium'",
            )
        if self.min_steps_per_epoch < 0:
            raise ModelError(
                "min_steps_per_epoch must be >= 0",
                fix="pass 0 (always batch_size) or a positive number of steps",
            )
        if self.epochs < 0:
            raise ModelError("epochs must be >= 0", fix="pass a non-negative number of epochs")

    def train_batch_size(self, n_rows: int) -> int:
        """The training batch for a table of ``n_rows``: ``batch_size``, lowered for small
        tables so an epoch is about ``min_steps_per_epoch`` steps (see the class docstring)."""
        if self.min_steps_per_epoch <= 0:
            return self.batch_size
        floor = min(self.batch_size, 10 * self.pac)
        fitted = (n_rows // self.min_steps_per_epoch) // self.pac * self.pac
        return max(floor, min(self.batch_size, fitted))

    def train_steps(self, n_rows: int) -> int:
        """Optimizer steps in one epoch for a table of ``n_rows``: one per batch, and at least
        ``min_steps_per_epoch``. Below ``min_steps_per_epoch × 10 × pac`` rows the batch is at
        its floor and a pass over the rows is fewer steps (371 rows, batches of 100: 3); the
        batches are drawn with replacement (training-by-sampling), so the epoch is made of
        ``min_steps_per_epoch`` of them instead: the gauntlet's pbc got 3 steps an epoch."""
        batch = self.train_batch_size(n_rows)
        return max(n_rows // batch, self.min_steps_per_epoch, 1)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["generator_dim"] = list(self.generator_dim)
        data["discriminator_dim"] = list(self.discriminator_dim)
        data["privacy"] = self.privacy.to_dict() if self.privacy is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CTGANConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ModelError(
                f"unknown CTGAN hyper-parameter(s): {sorted(unknown)}",
                fix=f"use only {sorted(known)}",
            )
        return cls(**data)
