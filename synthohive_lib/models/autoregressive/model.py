"""The autoregressive table model behind the :class:`GenerativeModel` contract.

It factorises a row's distribution column by column, ``p(x1) p(x2 | x1) ... p(xk | x<k)``,
each factor one small head over the columns' tokens (:mod:`.encoding`, :mod:`.network`). A GAN's
critic sees dependence between columns only through whole batches; here every head is trained
on the exact conditional it has to generate, so pair trends and downstream utility come from
the likelihood itself. Parent context (a frame aligned row-wise with the data) is encoded with
its own token encoder and is a prefix every head sees, so child rows follow their parents.

Beyond the contract, :meth:`AutoregressiveModel.sample` takes ``given``: a frame of some
columns' values, one row per row to make; those columns are fixed and the others generated
conditionally on them (training on random column orders is what makes any subset work).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
import torch

from synthohive_lib.errors import ArtifactError
from synthohive_lib.models.autoregressive.config import AutoregressiveConfig
from synthohive_lib.models.autoregressive.encoding import TokenEncoder
from synthohive_lib.models.autoregressive.network import AutoregressiveNetwork
from synthohive_lib.models.autoregressive.sampling import generate_tokens
from synthohive_lib.models.autoregressive.training import train_network
from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.models.ctgan import _seeded, _threads, resolve_device
from synthohive_lib.models.persistence import (
    Artifact,
    encode_arrays,
    encode_json,
    encode_weights,
    write_artifact,
)
from synthohive_lib.models.progress import ProgressCallback
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec

MODEL_NAME = "autoregressive"


class AutoregressiveModel(GenerativeModel):
    """Column-by-column model of a table; see :class:`AutoregressiveConfig`.

    ``specs`` / ``context_specs`` declare column kinds (inferred when omitted);
    ``context_table`` names the parent the context columns come from (for errors);
    ``progress`` gets an :class:`~synthohive_lib.models.progress.EpochProgress` per epoch.
    After :meth:`fit`: ``loss_history_`` (one dict per epoch), ``best_epoch_``,
    ``fit_seconds_``, ``transform_seconds_``, ``stopped_by_`` and ``privacy_`` (spent
    epsilon/delta when trained with DP-SGD, else None).
    """

    def __init__(
        self,
        config: AutoregressiveConfig | None = None,
        *,
        specs: list[ColumnSpec] | None = None,
        context_specs: list[ColumnSpec] | None = None,
        table: str | None = None,
        context_table: str | None = None,
        progress: ProgressCallback | None = None,
        **overrides: Any,
    ) -> None:
        base = config.to_dict() if config is not None else {}
        self.config = AutoregressiveConfig.from_dict({**base, **overrides})
        self.specs = specs
        self.context_specs = context_specs
        self.table = table
        self.context_table = context_table
        self.progress = progress

    def _encoder(self, specs: list[ColumnSpec] | None, *, context: bool = False) -> TokenEncoder:
        """A token encoder; a context one names its errors ``<context_table>.<column>``."""
        c = self.config
        return TokenEncoder(
            specs,
            bins=c.bins,
            fine_bins=c.fine_bins,
            max_exact_values=c.max_exact_values,
            max_categories=c.max_categories,
            table=(self.context_table or self.table) if context else self.table,
        )

    def _build_network(self, device: torch.device) -> None:
        c = self.config
        self.network_ = AutoregressiveNetwork(
            [s.vocab for s in self.encoder_.sub_columns],
            [s.vocab for s in self.context_encoder_.sub_columns] if self.context_encoder_ else [],
            embedding_dim=c.embedding_dim,
            hidden_dim=c.hidden_dim,
            dropout=c.dropout,
        ).to(device)

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise self._error("the model is not fitted", fix="call fit() or load() first")

    # -- fit ----------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame, context: pd.DataFrame | None = None) -> Self:
        """Fit the token encoder(s) and the network on ``data`` (given ``context``)."""
        c = self.config
        self._check_fit_input(data, context)
        device = resolve_device(c.device)
        seed = c.seed if c.seed is not None else int(np.random.SeedSequence().entropy % 2**31)
        rng = np.random.default_rng(seed)
        started = time.perf_counter()
        data = data.reset_index(drop=True)
        self.encoder_ = self._encoder(self.specs).fit(data, rng)
        self.specs = self.encoder_.specs
        if not self.encoder_.sub_columns:
            raise self._error(
                "no column for the network to learn: every column is free text",
                fix="use synthohive_lib.models.TextOnlyModel for text-only tables",
            )
        tokens = self.encoder_.encode(data)
        self.context_encoder_: TokenEncoder | None = None
        ctx_tokens = None
        if context is not None:
            context = context.reset_index(drop=True)
            self.context_encoder_ = self._encoder(self.context_specs, context=True).fit(
                context, rng
            )
            self.context_specs = self.context_encoder_.specs
            text = [s.name for s in self.context_specs if s.kind is ColumnKind.TEXT]
            if text:
                raise self._error(
                    "free-text columns cannot be used as parent context",
                    column=text[0],
                    fix="drop text columns from the context",
                )
            ctx_tokens = self.context_encoder_.encode(context)
        self.transform_seconds_ = time.perf_counter() - started
        with _threads(c.num_threads), _seeded(seed, device):
            self._build_network(device)
            result = train_network(
                self.network_,
                tokens,
                ctx_tokens,
                self.encoder_.column_of_sub,
                c,
                rng,
                device,
                table=self.table,
                progress=self.progress,
                started=started,
            )
        self.loss_history_ = result.history
        self.best_epoch_ = result.best_epoch
        self.privacy_ = result.privacy
        self.stopped_by_ = result.stopped_by
        self.device_ = str(device)
        self.fit_seconds_ = time.perf_counter() - started
        return self

    # -- sample -------------------------------------------------------------------------
    def sample(
        self,
        n: int | None = None,
        context: pd.DataFrame | None = None,
        seed: int | None = None,
        *,
        given: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """``n`` rows, or one per ``context`` row (their parents) or per ``given`` row.

        ``given`` holds values of some of the table's columns; they are kept as they are and
        the other columns are generated conditionally on them (imputation, what-if rows).
        """
        self._check_fitted()
        if self.context_encoder_ is not None and context is None:
            raise self._error(
                "this model was fitted with parent context; pass the parent rows as context",
                fix="call sample(context=parent_rows)",
            )
        if self.context_encoder_ is None and context is not None:
            raise self._error(
                "this model was fitted without parent context",
                fix="call sample(n) without context, or refit with context",
            )
        for frame, what in ((context, "context"), (given, "given")):
            if frame is None:
                continue
            if n is not None and n != len(frame):
                raise self._error(
                    f"n={n} but {what} has {len(frame)} rows; one row is made per {what} row",
                    fix=f"omit n or pass exactly n {what} rows",
                )
            n = len(frame)
        if n is None or n < 0:
            raise self._error("n must be a non-negative number of rows", fix="pass n >= 0")
        seed = seed if seed is not None else int(np.random.SeedSequence().entropy % 2**31)
        ctx_tokens = None
        if context is not None:
            assert self.context_encoder_ is not None
            ctx_tokens = self.context_encoder_.encode(context.reset_index(drop=True))
        fixed = self._given_tokens(given) if given is not None else {}
        with _threads(self.config.num_threads):
            tokens = generate_tokens(
                self.network_,
                n,
                seed=seed,
                context=ctx_tokens,
                given=fixed,
                batch_size=self.config.sample_batch_size,
                temperature=self.config.temperature,
            )
        rows = self.encoder_.decode(tokens, np.random.default_rng(seed))
        if given is not None:  # given values come back exactly as passed
            for name in given.columns:
                rows[name] = given[name].reset_index(drop=True)
        return rows

    def _given_tokens(self, given: pd.DataFrame) -> dict[int, np.ndarray]:
        names = list(self.encoder_.columns_)
        unknown = [c for c in given.columns if c not in names]
        if unknown:
            raise self._error(
                f"given columns {unknown} are not generated columns of this model",
                column=unknown[0],
                fix=f"give values only for {names}",
            )
        fixed: dict[int, np.ndarray] = {}
        offset = 0
        for name, column in self.encoder_.columns_.items():
            width = len(column.sub_columns())
            if name in given.columns:
                parts = column.encode(given[name].reset_index(drop=True))
                for i, part in enumerate(parts):
                    fixed[offset + i] = part
            offset += width
        return fixed

    # -- persistence --------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write manifest, token encoder state (JSON + NumPy) and network weights."""
        self._check_fitted()
        meta, arrays = self.encoder_.state()
        files = {
            "encoder.json": encode_json(meta),
            "encoder.npz": encode_arrays(arrays),
            "network.pt": encode_weights(self.network_.state_dict()),
        }
        if self.context_encoder_ is not None:
            ctx_meta, ctx_arrays = self.context_encoder_.state()
            files["context_encoder.json"] = encode_json(ctx_meta)
            files["context_encoder.npz"] = encode_arrays(ctx_arrays)
        manifest = {
            "table": self.table,
            "context_table": self.context_table,
            "hyper_parameters": self.config.to_dict(),
            "column_specs": [s.to_dict() for s in self.specs or []],
            "context_specs": [s.to_dict() for s in self.context_specs or []],
            "trained_on": self.device_,
            "best_epoch": self.best_epoch_,
            "privacy": self.privacy_,
            "loss_history": [
                {k: (v if np.isfinite(v) else None) for k, v in record.items()}
                for record in self.loss_history_
            ],
        }
        return write_artifact(path, MODEL_NAME, manifest, files)

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> Self:
        """Load a verified artifact; ``device`` overrides the configured one."""
        artifact = Artifact(path, expected_model=MODEL_NAME)
        manifest = artifact.manifest
        with artifact.reading():
            config = AutoregressiveConfig.from_dict(manifest["hyper_parameters"])
            if device is not None:
                config.device = device
            model = cls(
                config, table=manifest.get("table"), context_table=manifest.get("context_table")
            )
            model.encoder_ = TokenEncoder.from_state(
                artifact.json("encoder.json"), artifact.arrays("encoder.npz")
            )
            model.specs = model.encoder_.specs
            model.context_encoder_ = None
            if "context_encoder.json" in manifest["files"]:
                model.context_encoder_ = TokenEncoder.from_state(
                    artifact.json("context_encoder.json"), artifact.arrays("context_encoder.npz")
                )
                model.context_specs = model.context_encoder_.specs
            target = resolve_device(config.device)
            model._build_network(target)
            weights = artifact.weights("network.pt")
        try:
            model.network_.load_state_dict(weights)
        except RuntimeError as exc:
            raise ArtifactError(
                f"network weights do not fit the recorded architecture: {exc}",
                fix="the artifact is inconsistent; save the model again",
            ) from exc
        model.network_.eval()
        model.loss_history_ = list(manifest.get("loss_history", []))
        model.best_epoch_ = manifest.get("best_epoch")
        model.privacy_ = manifest.get("privacy")
        model.device_ = str(target)
        return model
