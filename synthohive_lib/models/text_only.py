"""A model for tables whose only learnable attributes are free text (Chinook ``Artist``).

CTGAN trains a network on the encoded non-text columns; free text is generated beside it by a
character model per column (:class:`~synthohive_lib.transform.text.MarkovText`). A table whose
attributes are *all* free text (``Artist.Name``; ``Album.Title`` next to its foreign key)
leaves the network a zero-width input, which cannot be trained. This model implements the
same :class:`~synthohive_lib.models.base.GenerativeModel` contract with the text generator
alone: one independent character model per column, novel values only (real values are kept as
hashes, never stored), nulls at the real rate.

Parent context is accepted (a row-aligned frame, as for CTGAN) so the relational layer treats
both models alike, but it does not influence the text: a character model has no conditioning
input. One row is generated per context row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.models.persistence import Artifact, encode_arrays, encode_json, write_artifact
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec
from synthohive_lib.transform.text import MarkovText, pack_text_models, unpack_text_models

MODEL_NAME = "text"


class TextOnlyModel(GenerativeModel):
    """Independent character models, one per free-text column (see the module docstring).

    ``specs`` must all be of kind ``text`` (inferred as text when omitted); ``order`` is the
    Markov order; ``seed`` makes fitting repeatable (sampling takes its own seed).
    """

    def __init__(
        self,
        *,
        specs: list[ColumnSpec] | None = None,
        table: str | None = None,
        order: int = 3,
        seed: int | None = None,
    ) -> None:
        self.specs = specs
        self.table = table
        self.order = order
        self.seed = seed

    def fit(self, data: pd.DataFrame, context: pd.DataFrame | None = None) -> Self:
        """Learn one character model per column of ``data`` (``context`` is not used)."""
        self._check_fit_input(data, context)
        specs = self.specs or [
            ColumnSpec(str(c), ColumnKind.TEXT, nullable=True) for c in data.columns
        ]
        wrong = [s.name for s in specs if s.kind is not ColumnKind.TEXT]
        if wrong:
            raise self._error(
                "the text-only model generates free-text columns only",
                column=wrong[0],
                fix="use CTGAN for tables with numeric, categorical or datetime attributes",
            )
        missing = [s.name for s in specs if s.name not in data.columns]
        if missing:
            raise self._error(
                "column missing from the data",
                column=missing[0],
                fix="pass every column named by the specs",
            )
        rng = np.random.default_rng(self.seed)
        self.specs = specs
        self.models_ = {s.name: MarkovText(order=self.order).fit(data[s.name], rng) for s in specs}
        self.with_context_ = context is not None
        return self

    def sample(
        self, n: int | None = None, context: pd.DataFrame | None = None, seed: int | None = None
    ) -> pd.DataFrame:
        """``n`` rows, or one per ``context`` row; every value novel (never a real one)."""
        if not hasattr(self, "models_"):
            raise self._error("the model is not fitted", fix="call fit() or load() first")
        if context is not None:
            if n is not None and n != len(context):
                raise self._error(
                    f"n={n} but context has {len(context)} rows; one row is made per parent row",
                    fix="omit n or pass exactly n context rows",
                )
            n = len(context)
        if n is None or n < 0:
            raise self._error("n must be a non-negative number of rows", fix="pass n >= 0")
        rng = np.random.default_rng(seed)
        return pd.DataFrame(
            {
                name: pd.Series(model.sample(n, rng, column=name), dtype=object)
                for name, model in self.models_.items()
            }
        )

    def save(self, path: str | Path) -> Path:
        """Manifest plus, per column, JSON metadata and NumPy arrays (written atomically)."""
        if not hasattr(self, "models_"):
            raise self._error("the model is not fitted", fix="call fit() first")
        meta, arrays = pack_text_models(self.models_)
        manifest = {
            "table": self.table,
            "order": self.order,
            "with_context": self.with_context_,
            "column_specs": [s.to_dict() for s in self.specs or []],
        }
        files = {"text.json": encode_json(meta), "text.npz": encode_arrays(arrays)}
        return write_artifact(path, MODEL_NAME, manifest, files)

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read a verified artifact written by :meth:`save` (no code is executed)."""
        artifact = Artifact(path, expected_model=MODEL_NAME)
        manifest = artifact.manifest
        with artifact.reading():
            specs = [ColumnSpec.from_dict(d) for d in manifest["column_specs"]]
            model = cls(specs=specs, table=manifest.get("table"), order=int(manifest["order"]))
            meta, arrays = artifact.json("text.json"), artifact.arrays("text.npz")
            models = unpack_text_models(meta, arrays)
            model.models_ = {spec.name: models[spec.name] for spec in specs}
            model.with_context_ = bool(manifest.get("with_context", False))
        return model
