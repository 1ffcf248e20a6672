"""CTGAN on PyTorch with parent context (the default :class:`GenerativeModel`).

Training follows Xu et al. (2019): mode-specific normalization, a conditional vector with
training-by-sampling, a PacGAN critic trained as WGAN-GP and a residual generator. Parent
context (a frame aligned row-wise with the data) is encoded by its own
:class:`DataTransformer` and concatenated to the inputs of both networks, so at sampling time
each generated row follows its given parent row.

Where the time goes is deliberate: batches are built from precomputed index arrays
(:class:`ConditionalSampler`), all output activations run as one fused op
(:class:`SpanActivation`), the critic step does not backpropagate into the generator, and the
generator step does not accumulate critic weight gradients.
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
import structlog
import torch

from synthohive_lib.errors import ArtifactError, ModelError
from synthohive_lib.models import ctgan_dp
from synthohive_lib.models.activation import SpanActivation
from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.models.config import CTGANConfig
from synthohive_lib.models.fidelity import marginal_fidelity
from synthohive_lib.models.networks import (
    Discriminator,
    GenerationPlan,
    Generator,
    gradient_penalty,
)
from synthohive_lib.models.persistence import (
    Artifact,
    encode_arrays,
    encode_json,
    encode_weights,
    write_artifact,
)
from synthohive_lib.models.progress import EpochProgress, TqdmProgress, fan_out
from synthohive_lib.models.sampler import CondDraw, ConditionalSampler
from synthohive_lib.models.weight_average import WeightAverage
from synthohive_lib.transform.specs import ColumnSpec
from synthohive_lib.transform.transformer import DataTransformer

log = structlog.get_logger(__name__)

MODEL_NAME = "ctgan"


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` multiplies bf16 matrices in hardware (not by emulation).

    On CPU that means AMX or AVX512-BF16; there a bf16 generator runs 2-3x faster than a
    float32 one with the same marginal fidelity (see benchmarks/RESULTS.md). Elsewhere bf16
    would be emulated and slower, so float32 is kept.
    """
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    try:
        capability = torch._C._cpu._get_cpu_capability()
    except (AttributeError, RuntimeError):  # private API: absent in other torch builds
        return False
    return bool(capability.get("amx_bf16") or capability.get("avx512_bf16"))


def generation_dtype(precision: str, mixed_precision: bool, device: torch.device) -> torch.dtype:
    """dtype of the inference-only generator: ``generation_precision``, resolving 'auto'."""
    if precision == "bfloat16" or (
        precision == "auto" and (mixed_precision or native_bf16(device))
    ):
        return torch.bfloat16
    return torch.float32


def matmul_precision(precision: str, device: torch.device) -> str:
    """torch's float32 matrix-product precision for ``precision``, resolving 'auto'.

    'medium' lets oneDNN multiply float32 matrices as bf16 with float32 accumulation on CPUs
    with AMX/AVX512-BF16 (the TF32 idea on CPU): 2-3x the float32 throughput, no cast in the
    model code, the training losses equal to 2-3 digits. CUDA gets TF32 ('high').
    """
    if precision != "auto":
        return precision
    if device.type == "cuda":
        return "high"
    return "medium" if native_bf16(device) else "highest"


@contextmanager
def _matmul_precision(precision: str) -> Iterator[None]:
    """Set torch's float32 matmul precision (a process-wide setting), restoring it after."""
    before = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision(precision)
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(before)


def resolve_device(name: str) -> torch.device:
    """'auto' picks CUDA when available, else CPU; anything else is passed to torch."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(
            f"device {name!r} requested but CUDA is not available",
            fix="use device='auto' or 'cpu'",
        )
    return device


@contextmanager
def _seeded(seed: int | None, device: torch.device) -> Iterator[None]:
    """Seed torch inside a forked RNG state so the caller's global RNG is left untouched."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        if seed is not None:
            torch.manual_seed(seed)
        yield


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """Set CPU intra-op threads (if asked) and flush denormals, restoring both afterwards.

    Denormal floats appear in late-training gradients and can slow CPU kernels many times.
    """
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)
        torch.set_num_threads(before)


class CTGAN(GenerativeModel):
    """Conditional tabular GAN; see :class:`CTGANConfig` for every hyper-parameter.

    ``specs`` / ``context_specs`` declare column kinds and constraints (inferred from the
    data when omitted). After :meth:`fit`: ``loss_history_`` (one dict per epoch),
    ``best_epoch_``, ``fit_seconds_`` and ``privacy_`` (with DP-SGD: the epsilon and delta
    spent, the noise and the sampling rate; else None).
    """

    def __init__(
        self,
        config: CTGANConfig | None = None,
        *,
        specs: list[ColumnSpec] | None = None,
        context_specs: list[ColumnSpec] | None = None,
        table: str | None = None,
        context_table: str | None = None,
        **overrides: Any,
    ) -> None:
        base = config.to_dict() if config is not None else {}
        self.config = CTGANConfig.from_dict({**base, **overrides})
        self.specs = specs
        self.context_specs = context_specs
        self.table = table
        self.context_table = context_table

    # -- helpers ------------------------------------------------------------------------

    def _make_transformer(
        self, specs: list[ColumnSpec] | None, *, context: bool = False
    ) -> DataTransformer:
        """The data transformer, or with ``context`` the parent context's: its errors name
        the parent's columns (``Parent.column``), not the child's."""
        c = self.config
        return DataTransformer(
            specs,
            max_modes=c.max_modes,
            gmm_sample_rows=c.gmm_sample_rows,
            gmm_max_iter=c.gmm_max_iter,
            max_categories=c.max_categories,
            pair_threshold=c.pair_threshold,
            determined_threshold=c.determined_threshold,
            null_min_gain=c.null_min_gain,
            table=(self.context_table or self.table) if context else self.table,
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "generator_"):
            raise self._error("the model is not fitted", fix="call fit() or load() first")

    def _build_networks(self, device: torch.device) -> None:
        c = self.config
        data_dim = self.transformer_.output_dim
        cond_dim, ctx_dim = self.sampler_.cond_dim, self.context_dim_
        self.generator_ = Generator(
            c.embedding_dim + cond_dim + ctx_dim, c.generator_dim, data_dim
        ).to(device)
        self.activation_ = SpanActivation(self.transformer_.spans, device)

    def _cond_tensor(
        self, draw: CondDraw | None, batch: int, keep: np.ndarray | None, device: torch.device
    ) -> torch.Tensor:
        cond = torch.zeros(batch, self.sampler_.cond_dim, device=device)
        if draw is not None:
            rows = np.arange(batch) if keep is None else np.flatnonzero(keep)
            cond[torch.from_numpy(rows), torch.from_numpy(draw.slot[rows])] = 1.0
        return cond

    def _autocast(self, device: torch.device) -> AbstractContextManager[Any]:
        """bf16 autocast of forward passes when ``mixed_precision`` is on (CUDA or CPU)."""
        if self.config.mixed_precision:
            return torch.autocast(device.type, dtype=torch.bfloat16)
        return nullcontext()

    # -- fit ----------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame, context: pd.DataFrame | None = None) -> Self:
        """Fit transformer(s) and networks on ``data`` (and parent ``context``, row-aligned)."""
        c = self.config
        self._check_fit_input(data, context)
        device = resolve_device(c.device)
        seed = c.seed if c.seed is not None else int(np.random.SeedSequence().entropy % 2**31)
        rng = np.random.default_rng(seed)
        started = time.perf_counter()

        self.transformer_ = self._make_transformer(self.specs).fit(data, rng)
        self.specs = self.transformer_.specs
        if self.transformer_.output_dim == 0:  # only free text: nothing for the networks
            raise self._error(
                "no column for the GAN to learn: every column is free text or a constant",
                fix="use synthohive_lib.models.TextOnlyModel for text-only tables",
            )
        matrix = self.transformer_.transform(data, rng)
        self.context_transformer_: DataTransformer | None = None
        ctx_matrix = np.zeros((len(data), 0), dtype=np.float32)
        if context is not None:
            self.context_transformer_ = self._make_transformer(
                self.context_specs, context=True
            ).fit(context.reset_index(drop=True), rng)
            self.context_specs = self.context_transformer_.specs
            if self.context_transformer_.text_models_:
                raise ModelError(
                    "free-text columns cannot be used as parent context",
                    table=self.context_table or self.table,
                    column=next(iter(self.context_transformer_.text_models_)),
                    fix="drop text columns from the context",
                )
            ctx_matrix = self.context_transformer_.transform(context.reset_index(drop=True))
        self.context_dim_ = ctx_matrix.shape[1]
        self.privacy_: dict[str, float] | None = None
        if c.privacy is not None:
            private = self._private_inputs(matrix, context, rng)
        else:
            self.sampler_ = ConditionalSampler(matrix, self.transformer_.spans, c.log_frequency)
        self.transform_seconds_ = time.perf_counter() - started
        log.info(
            "ctgan.transformed",
            table=self.table,
            rows=len(data),
            data_dim=matrix.shape[1],
            cond_dim=self.sampler_.cond_dim,
            context_dim=self.context_dim_,
            seconds=round(self.transform_seconds_, 3),
        )
        precision = matmul_precision(c.matmul_precision, device)
        with _threads(c.num_threads), _seeded(seed, device), _matmul_precision(precision):
            if c.privacy is not None:
                ctgan_dp.train_private(self, matrix, *private, rng, device, started)
            else:
                self._train(matrix, ctx_matrix, data, context, rng, device, started)
        self.device_ = str(device)
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _private_inputs(
        self, matrix: np.ndarray, context: pd.DataFrame | None, rng: np.random.Generator
    ) -> tuple[np.ndarray, float]:
        """DP-SGD's inputs (see :mod:`~synthohive_lib.models.ctgan_dp`): every row's
        condition slots and the noise of the count release; ``sampler_`` becomes one that
        holds only the noisy counts. Refuses what the guarantee would not cover."""
        c = self.config
        assert c.privacy is not None
        if context is not None:
            raise self._error(
                "privacy with parent context: CTGAN's generator step would read real parent "
                "rows outside the privacy accountant",
                fix="use model: autoregressive for this table (its DP-SGD covers the context), "
                "or fit without context",
            )
        if self.transformer_.text_models_:
            raise self._error(
                "privacy with a free-text column: its character model is fitted on the real "
                "text without noise",
                column=next(iter(self.transformer_.text_models_)),
                fix="declare the column as PII (replaced by the privacy layer) or drop it",
            )
        spans = self.transformer_.spans
        slots = ctgan_dp.row_slots(matrix, spans)
        widths = np.array([s.width for s in spans if s.discrete], dtype=np.int64)
        noise = ctgan_dp.count_noise_multiplier(c.privacy, len(matrix)) if len(widths) else 0.0
        self.sampler_ = ctgan_dp.private_sampler(slots, widths, c.log_frequency, noise, rng)
        return slots, noise

    def _train(
        self,
        matrix: np.ndarray,
        ctx_matrix: np.ndarray,
        data: pd.DataFrame,
        context: pd.DataFrame | None,
        rng: np.random.Generator,
        device: torch.device,
        started: float,
    ) -> None:
        """Train the networks; ``time_budget_s`` counts from ``started`` (the start of
        ``fit``, so the transformer's fit is inside the budget) and is checked after every
        generator step, so a fit ends within one step of its budget."""
        c = self.config
        self._build_networks(device)
        generator, activation, sampler = self.generator_, self.activation_, self.sampler_
        critic = Discriminator(
            matrix.shape[1] + sampler.cond_dim + self.context_dim_, c.discriminator_dim, c.pac
        ).to(device)
        opt_g = torch.optim.Adam(
            generator.parameters(), lr=c.generator_lr, betas=(0.5, 0.9),
            weight_decay=c.generator_decay, fused=device.type == "cpu" or None,
        )  # fmt: skip
        opt_d = torch.optim.Adam(
            critic.parameters(), lr=c.discriminator_lr, betas=(0.5, 0.9),
            weight_decay=c.discriminator_decay, fused=device.type == "cpu" or None,
        )  # fmt: skip
        real_all = torch.from_numpy(matrix).to(device)
        ctx_all = torch.from_numpy(ctx_matrix).to(device)
        has_ctx = self.context_dim_ > 0
        batch = c.train_batch_size(len(matrix))  # smaller for small tables: enough steps
        steps = c.train_steps(len(matrix))  # at least min_steps_per_epoch
        self.train_batch_size_, self.steps_per_epoch_ = batch, steps
        autocast = self._autocast(device)

        def conditions() -> tuple[
            CondDraw | None, np.ndarray, torch.Tensor, torch.Tensor | None, torch.Tensor | None
        ]:
            draw = sampler.sample_train(batch, rng)
            keep = None
            if draw is None:
                rows = sampler.uniform_rows(batch, rng)
            else:
                rows = draw.rows.copy()
                if has_ctx and c.cond_dropout > 0:
                    keep = rng.random(batch) >= c.cond_dropout
                    dropped = ~keep
                    rows[dropped] = sampler.uniform_rows(int(dropped.sum()), rng)
            cond = self._cond_tensor(draw, batch, keep, device)
            active = None if keep is None else torch.from_numpy(keep).to(device, torch.float32)
            slot = None
            if draw is not None:  # generator input: the slot (cond_dim = no condition)
                slots = draw.slot if keep is None else np.where(keep, draw.slot, sampler.cond_dim)
                slot = torch.from_numpy(slots).to(device)
            return draw, rows, cond, active, slot

        ema = WeightAverage(generator, c.generator_ema) if c.generator_ema else None
        eval_rows = rng.choice(len(data), min(c.eval_rows, len(data)), replace=False)
        eval_real = data.iloc[eval_rows].reset_index(drop=True)
        eval_ctx = None if context is None else context.iloc[eval_rows].reset_index(drop=True)
        verbose = c.verbose if c.verbose is not None else sys.stderr.isatty()
        report = fan_out(
            self.progress, TqdmProgress(desc=self.table or "ctgan") if verbose else None
        )
        budget = c.time_budget_s
        deadline = None if budget is None else started + budget
        self.loss_history_: list[dict[str, float]] = []
        self.best_epoch_: int | None = None
        self.stopped_by_: str | None = None
        best_score, best_state, stale = -np.inf, None, 0
        out_of_time = False
        for epoch in range(c.epochs):
            epoch_started = time.perf_counter()
            generator.train()
            critic.train()
            for _ in range(steps):
                if out_of_time:
                    break
                for _ in range(c.discriminator_steps):
                    _, rows, cond, _, slot = conditions()
                    rows_t = torch.from_numpy(rows).to(device)
                    perm = torch.from_numpy(rng.permutation(batch)).to(device)
                    ctx_fake = ctx_all[rows_t]
                    real_rows = rows_t[perm]
                    with autocast:
                        with torch.no_grad():
                            noise = torch.randn(batch, c.embedding_dim, device=device)
                            raw = generator.forward_slots(noise, slot, ctx_fake, sampler.cond_dim)
                            fake = activation(raw)
                        fake_in = torch.cat([fake.float(), cond, ctx_fake], 1)
                        real_in = torch.cat(
                            [real_all[real_rows], cond[perm], ctx_all[real_rows]], 1
                        )
                        scores = critic(torch.cat([fake_in, real_in], 0))
                        loss_d = scores[: batch // c.pac].mean() - scores[batch // c.pac :].mean()
                        penalty = gradient_penalty(critic, real_in, fake_in)
                    opt_d.zero_grad(set_to_none=True)
                    (loss_d + penalty).backward()
                    opt_d.step()

                draw, rows, cond, active, slot = conditions()
                ctx_rows = ctx_all[torch.from_numpy(rows).to(device)]
                critic.requires_grad_(False)
                with autocast:
                    noise = torch.randn(batch, c.embedding_dim, device=device)
                    raw = generator.forward_slots(noise, slot, ctx_rows, sampler.cond_dim)
                    fake = activation(raw)
                    score = critic(torch.cat([fake, cond, ctx_rows], 1)).mean()
                cond_loss = (
                    activation.conditional_loss(
                        raw.float(),
                        torch.from_numpy(draw.span).to(device),
                        torch.from_numpy(draw.category).to(device),
                        active,
                    )
                    if draw is not None
                    else torch.zeros((), device=device)
                )
                loss_g = cond_loss - score
                opt_g.zero_grad(set_to_none=True)
                loss_g.backward()
                opt_g.step()
                if ema is not None:
                    ema.update(generator)
                critic.requires_grad_(True)
                out_of_time = deadline is not None and time.perf_counter() >= deadline

            record = {
                "epoch": float(epoch + 1),
                "generator_loss": float(loss_g.detach()),
                "discriminator_loss": float((loss_d + penalty).detach()),
                "seconds": time.perf_counter() - epoch_started,
            }
            stop = False
            if c.eval_every and (epoch + 1) % c.eval_every == 0:
                with ema.swapped_in(generator) if ema is not None else nullcontext():
                    score_now = self._fidelity(eval_real, eval_ctx, int(rng.integers(2**31)))
                    state_now = generator.state_dict()
                record["fidelity"] = score_now
                if score_now > best_score:
                    best_score, stale = score_now, 0
                    best_state = copy.deepcopy(state_now)
                    self.best_epoch_ = epoch + 1
                else:
                    stale += 1
                    stop = bool(c.patience) and stale >= c.patience
            self.loss_history_.append(record)
            log.info("ctgan.epoch", table=self.table, **record)
            done = stop or out_of_time or epoch + 1 == c.epochs
            if report is not None:
                losses = {"g": record["generator_loss"], "d": record["discriminator_loss"]}
                if "fidelity" in record:
                    losses["fidelity"] = record["fidelity"]
                report(
                    EpochProgress.at(
                        epoch + 1, c.epochs, time.perf_counter() - started, losses,
                        table=self.table, budget_s=budget, done=done,
                    )
                )  # fmt: skip
            if stop or out_of_time:
                log.info("ctgan.stopped", table=self.table, epoch=epoch + 1, early=stop)
                self.stopped_by_ = "patience" if stop else "time_budget_s"
                break
        if best_state is not None:
            generator.load_state_dict(best_state)
        elif ema is not None:
            ema.copy_to(generator)
        generator.eval()

    def _fidelity(self, real: pd.DataFrame, context: pd.DataFrame | None, seed: int) -> float:
        """Marginal fidelity of a sample (generated for the real rows' parents, if any)."""
        with torch.random.fork_rng(devices=[]):
            synthetic = self._sample_frame(len(real), context, seed)
        self.generator_.train()
        return marginal_fidelity(real, synthetic, self.specs)

    # -- sample -------------------------------------------------------------------------
    def sample(
        self,
        n: int | None = None,
        context: pd.DataFrame | None = None,
        seed: int | None = None,
        *,
        quality_threshold: float | None = None,
        reference: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """``n`` new rows, or one per row of ``context`` (the parents of the rows to make).

        With ``quality_threshold``, the rows are scored against ``reference`` (real rows of the
        table: the model never keeps real rows itself) and a
        :class:`~synthohive_lib.errors.QualityGateError` listing every column whose shape
        score is below the threshold is raised instead of returning them.
        """
        self._check_fitted()
        if quality_threshold is not None and reference is None:
            raise self._error(
                "quality_threshold needs the real rows to compare with",
                fix="pass reference=<real rows of the table> (the model keeps no real rows)",
            )
        if self.context_transformer_ is not None and context is None:
            raise self._error(
                "this model was fitted with parent context; pass the parent rows as context",
                fix="call sample(context=parent_rows)",
            )
        if self.context_transformer_ is None and context is not None:
            raise self._error(
                "this model was fitted without parent context",
                fix="call sample(n) without context, or refit with context",
            )
        if context is not None:
            if n is not None and n != len(context):
                raise self._error(
                    f"n={n} but context has {len(context)} rows; one row is made per parent row",
                    fix="omit n or pass exactly n context rows",
                )
            n = len(context)
        if n is None or n < 0:
            raise self._error("n must be a non-negative number of rows", fix="pass n >= 0")
        seed = seed if seed is not None else int(np.random.SeedSequence().entropy % 2**31)
        device = next(self.generator_.parameters()).device
        # No matmul_precision here: generation has its own dtype (generation_precision).
        with _threads(self.config.num_threads), _seeded(seed, device):
            rows = self._sample_frame(n, context, seed)
        if quality_threshold is not None:
            from synthohive_lib.validation.gate import check_quality_gate

            check_quality_gate(reference, rows, quality_threshold, table=self.table)
        return rows

    def _sample_frame(self, n: int, context: pd.DataFrame | None, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        device = next(self.generator_.parameters()).device
        ctx_all = None
        if context is not None:
            assert self.context_transformer_ is not None
            ctx_all = torch.from_numpy(
                self.context_transformer_.transform(context.reset_index(drop=True))
            ).to(device)
        c = self.config
        self.generator_.eval()
        # bf16: the plan's weights are cast once (no autocast per call).
        dtype = generation_dtype(c.generation_precision, c.mixed_precision, device)
        plan = GenerationPlan(self.generator_, c.embedding_dim, self.sampler_.cond_dim, dtype)
        activation = self.activation_
        # Only what decoding reads is kept: the alpha of every scalar span and the chosen
        # slot of every one-hot span, filled chunk by chunk (no full output matrix).
        alphas = np.empty((n, len(activation.tanh_idx)), dtype=np.float32)
        codes = np.empty((n, activation.gather.shape[0]), dtype=np.int64)
        chunk = max(c.sample_batch_size, 1)
        with torch.inference_mode():
            for start in range(0, n, chunk):
                size = min(chunk, n - start)
                noise = torch.randn(size, c.embedding_dim, device=device)
                slot = None
                if ctx_all is None:
                    draw = self.sampler_.sample_original(size, rng)
                    if draw is not None:
                        slot = torch.from_numpy(draw.slot).to(device)
                    ctx = torch.zeros(size, 0, device=device)
                else:
                    ctx = ctx_all[start : start + size]
                raw = plan(noise.to(dtype), slot, ctx.to(dtype))
                alpha, code = activation.decode(raw.float(), rng)
                alphas[start : start + size] = alpha.cpu().numpy()
                codes[start : start + size] = code.cpu().numpy()
        return self.transformer_.inverse_from_codes(alphas, codes, rng)

    # -- persistence --------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write manifest, transformer state (JSON + NumPy) and generator weights."""
        self._check_fitted()
        meta, arrays = self.transformer_.state()
        files = {
            "transformer.json": encode_json(meta),
            "transformer.npz": encode_arrays(arrays),
            "sampler.npz": encode_arrays(self.sampler_.state()),
            "generator.pt": encode_weights(self.generator_.state_dict()),
        }
        if self.context_transformer_ is not None:
            ctx_meta, ctx_arrays = self.context_transformer_.state()
            files["context_transformer.json"] = encode_json(ctx_meta)
            files["context_transformer.npz"] = encode_arrays(ctx_arrays)
        config = self.config.to_dict()
        manifest = {
            "table": self.table,
            "context_table": self.context_table,
            "hyper_parameters": config,
            "column_specs": [s.to_dict() for s in self.specs or []],
            "context_specs": [s.to_dict() for s in self.context_specs or []],
            "context_dim": self.context_dim_,
            "trained_on": self.device_,
            "best_epoch": self.best_epoch_,
            "privacy": getattr(self, "privacy_", None),
            "loss_history": [
                {k: (v if np.isfinite(v) else None) for k, v in record.items()}
                for record in self.loss_history_
            ],  # JSON has no NaN/inf: a diverged loss is recorded as null
        }
        return write_artifact(path, MODEL_NAME, manifest, files)

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> Self:
        """Load a verified artifact; ``device`` overrides the configured one."""
        artifact = Artifact(path, expected_model=MODEL_NAME)
        manifest = artifact.manifest
        with artifact.reading():
            config = CTGANConfig.from_dict(manifest["hyper_parameters"])
            if device is not None:
                config.device = device
            model = cls(
                config, table=manifest.get("table"), context_table=manifest.get("context_table")
            )
            model.transformer_ = DataTransformer.from_state(
                artifact.json("transformer.json"), artifact.arrays("transformer.npz")
            )
            model.specs = model.transformer_.specs
            model.context_transformer_ = None
            if "context_transformer.json" in manifest["files"]:
                model.context_transformer_ = DataTransformer.from_state(
                    artifact.json("context_transformer.json"),
                    artifact.arrays("context_transformer.npz"),
                )
                model.context_specs = model.context_transformer_.specs
            model.context_dim_ = int(manifest["context_dim"])
            sampler = artifact.arrays("sampler.npz")
            model.sampler_ = ConditionalSampler.for_generation(sampler["widths"], sampler["counts"])
            target = resolve_device(config.device)
            model._build_networks(target)
            try:
                model.generator_.load_state_dict(artifact.weights("generator.pt"))
            except RuntimeError as exc:
                raise ArtifactError(
                    f"generator weights do not fit the recorded architecture: {exc}",
                    fix="the artifact is inconsistent; save the model again",
                ) from exc
        model.generator_.eval()
        model.loss_history_ = list(manifest.get("loss_history", []))
        model.best_epoch_ = manifest.get("best_epoch")
        model.privacy_ = manifest.get("privacy")
        model.device_ = str(target)
        return model
