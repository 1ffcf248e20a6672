"""A model for tiny root tables (lookups, a handful of employees): a smoothed bootstrap.

A GAN cannot learn 8 or 25 rows: on Chinook's ``Genre`` (25 distinct names), ``Playlist`` and
``Employee`` (8 rows) CTGAN at 300 epochs still scores below the pipeline's fidelity gate,
because a few hundred gradient steps on a handful of rows neither cover the labels nor place
the dates. For such tables the empirical distribution *is* the best estimate, so this model:

* deals real rows by stratified resampling (every real row once per ``m`` generated rows,
  in random order), so category columns keep their exact frequencies at 1x scale;
* jitters numbers and datetimes with Gaussian noise of a fraction of the column's spread
  (a kernel-smoothed bootstrap), rounded to the column's unit and clipped to the real range,
  and redraws the noise of any row that still equals a real row;
* generates free-text columns with the character model (never a real value), as
  :class:`~synthohive_lib.models.text_only.TextOnlyModel` does, and identifier columns in
  their real format (:mod:`~synthohive_lib.transform.identifiers`, never a real value).

It keeps the real rows of the (non-PII) attribute columns in its artifact (JSON), which is
acceptable only for tables this small; the relational factory uses it for root tables of at
most ``max_rows`` rows (see ``relational.modelling.ctgan_factory``). Parent context is not
supported: a table under a parent has its children-per-parent structure to learn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd

from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.models.persistence import Artifact, encode_arrays, encode_json, write_artifact
from synthohive_lib.transform.identifiers import IdentifierModel
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec, infer_column_specs
from synthohive_lib.transform.text import MarkovText, pack_text_models, unpack_text_models

MODEL_NAME = "small_table"
_NUMERIC = (ColumnKind.INTEGER, ColumnKind.CONTINUOUS, ColumnKind.DATETIME)


class SmallTableModel(GenerativeModel):
    """Smoothed bootstrap of a tiny table (see the module docstring).

    ``bandwidth`` is the noise scale as a share of each numeric column's standard deviation;
    ``seed`` makes fitting (the text models) repeatable.
    """

    def __init__(
        self,
        *,
        specs: list[ColumnSpec] | None = None,
        table: str | None = None,
        bandwidth: float = 0.15,
        seed: int | None = None,
    ) -> None:
        self.specs = specs
        self.table = table
        self.bandwidth = bandwidth
        self.seed = seed

    def fit(self, data: pd.DataFrame, context: pd.DataFrame | None = None) -> Self:
        """Keep the rows (numbers as floats, datetimes as ns) and fit the text models."""
        self._check_fit_input(data, None)
        if context is not None:
            raise self._error(
                "the small-table model takes no parent context",
                fix="use CTGAN for tables generated under a parent",
            )
        specs = self.specs or infer_column_specs(data, table=self.table)
        rng = np.random.default_rng(self.seed)
        self.specs = specs
        self.columns_ = [s.name for s in specs]
        self.dtypes_ = {s.name: str(data[s.name].dtype) for s in specs}
        self.text_ = {
            s.name: MarkovText().fit(data[s.name], rng) for s in specs if s.kind is ColumnKind.TEXT
        }
        self.identifiers_ = {
            s.name: IdentifierModel().fit(data[s.name], rng)
            for s in specs
            if s.kind is ColumnKind.IDENTIFIER
        }
        self.values_: dict[str, list[Any]] = {}
        for spec in specs:
            if spec.kind in (ColumnKind.TEXT, ColumnKind.IDENTIFIER):
                continue
            col = data[spec.name]
            if spec.kind in _NUMERIC:
                numbers = _to_number(col, spec)
                self.values_[spec.name] = [None if np.isnan(v) else float(v) for v in numbers]
            else:
                self.values_[spec.name] = [None if pd.isna(v) else _plain(v) for v in col]
        self.n_rows_ = len(data)
        return self

    def sample(
        self, n: int | None = None, context: pd.DataFrame | None = None, seed: int | None = None
    ) -> pd.DataFrame:
        """``n`` rows: stratified real rows, jittered numbers, novel text."""
        if not hasattr(self, "values_"):
            raise self._error("the model is not fitted", fix="call fit() or load() first")
        if context is not None:
            raise self._error("the small-table model takes no parent context")
        if n is None or n < 0:
            raise self._error("n must be a non-negative number of rows", fix="pass n >= 0")
        rng = np.random.default_rng(seed)
        m = self.n_rows_
        rows = (
            np.concatenate([rng.permutation(m) for _ in range(-(-n // m))])[:n]
            if n
            else np.zeros(0, dtype=np.int64)
        )
        out: dict[str, Any] = {}
        for spec in self.specs or []:
            if spec.kind is ColumnKind.TEXT:
                out[spec.name] = pd.Series(
                    self.text_[spec.name].sample(n, rng, column=spec.name), dtype=object
                )
            elif spec.kind is ColumnKind.IDENTIFIER:
                out[spec.name] = self.identifiers_[spec.name].sample(n, rng, column=spec.name)
            elif spec.kind in _NUMERIC:
                out[spec.name] = self._jitter(spec, rows, rng)
            else:
                values = np.asarray(self.values_[spec.name], dtype=object)[rows]
                out[spec.name] = pd.Series(values, dtype=object).infer_objects()
        return pd.DataFrame({c: _restore(out[c], self.dtypes_[c]) for c in self.columns_})

    def _jitter(self, spec: ColumnSpec, rows: np.ndarray, rng: np.random.Generator) -> pd.Series:
        real = np.asarray([np.nan if v is None else v for v in self.values_[spec.name]])
        present = real[~np.isnan(real)]
        values = real[rows]
        if len(present) > 1 and np.ptp(present) > 0:
            unit = _unit(spec, present)
            scale = self.bandwidth * float(np.std(present))
            lo, hi = float(present.min()), float(present.max())
            todo = np.flatnonzero(~np.isnan(values))
            for _ in range(10):  # redraw the noise of rows that land on a real value
                noisy = np.clip(values[todo] + rng.normal(0.0, scale, len(todo)), lo, hi)
                values[todo] = np.round(noisy / unit) * unit
                todo = todo[np.isin(values[todo], present)]
                if len(todo) == 0:
                    break
        return _from_number(values, spec)

    def save(self, path: str | Path) -> Path:
        if not hasattr(self, "values_"):
            raise self._error("the model is not fitted", fix="call fit() first")
        text_meta, arrays = pack_text_models(self.text_)
        identifiers = {}
        for i, (name, identifier) in enumerate(self.identifiers_.items()):
            ident_meta, ident_arrays = identifier.state()
            identifiers[name] = {**ident_meta, "key": f"ident{i}"}
            arrays[f"ident{i}_real_hashes"] = ident_arrays["real_hashes"]
        state = {
            "values": self.values_,
            "dtypes": self.dtypes_,
            "n_rows": self.n_rows_,
            "columns": self.columns_,
            "text": text_meta,
            "identifiers": identifiers,
        }
        manifest = {
            "table": self.table,
            "bandwidth": self.bandwidth,
            "column_specs": [s.to_dict() for s in self.specs or []],
        }
        files = {"state.json": encode_json(state), "text.npz": encode_arrays(arrays)}
        return write_artifact(path, MODEL_NAME, manifest, files)

    @classmethod
    def load(cls, path: str | Path) -> Self:
        artifact = Artifact(path, expected_model=MODEL_NAME)
        manifest = artifact.manifest
        with artifact.reading():
            specs = [ColumnSpec.from_dict(d) for d in manifest["column_specs"]]
            model = cls(
                specs=specs, table=manifest.get("table"), bandwidth=float(manifest["bandwidth"])
            )
            state, arrays = artifact.json("state.json"), artifact.arrays("text.npz")
            model.values_ = state["values"]
            model.dtypes_ = state["dtypes"]
            model.n_rows_ = int(state["n_rows"])
            model.columns_ = list(state["columns"])
            model.text_ = unpack_text_models(state["text"], arrays)
            model.identifiers_ = {  # artifacts written before identifiers existed have none
                name: IdentifierModel.from_state(
                    meta, {"real_hashes": arrays[f"{meta['key']}_real_hashes"]}
                )
                for name, meta in state.get("identifiers", {}).items()
            }
        return model


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _to_number(col: pd.Series, spec: ColumnSpec) -> np.ndarray:
    """Numbers as floats; datetimes (native or text in ``datetime_format``) as ns."""
    if spec.kind is ColumnKind.DATETIME:
        stamps = pd.to_datetime(col, format=spec.datetime_format, errors="coerce")
        ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
        return np.where(stamps.isna().to_numpy(), np.nan, ns)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def _unit(spec: ColumnSpec, present: np.ndarray) -> float:
    """Rounding unit: whole days/seconds for datetimes, 1 for integers, 10**-decimals."""
    if spec.kind is ColumnKind.DATETIME:
        day = 86_400e9
        return day if np.all(np.mod(present, day) == 0) else 1e9
    if spec.kind is ColumnKind.INTEGER:
        return 1.0
    return 10.0**-spec.decimals if spec.decimals is not None else 1e-9


def _from_number(values: np.ndarray, spec: ColumnSpec) -> pd.Series:
    if spec.kind is ColumnKind.DATETIME:
        stamps = pd.to_datetime(pd.Series(values), unit="ns", errors="coerce")
        if spec.datetime_format is not None:
            return stamps.dt.strftime(spec.datetime_format).astype(object)
        return stamps
    if spec.kind is ColumnKind.INTEGER:
        return pd.Series(values).round().astype("Int64")
    return pd.Series(values, dtype=float)


def _restore(series: pd.Series, dtype: str) -> pd.Series:
    """Back to the real dtype where the values allow it (NULLs keep a nullable dtype)."""
    if dtype.startswith(("int", "uint")) and series.isna().any():
        return series.astype("Int64")
    try:
        return series.astype(dtype)
    except (TypeError, ValueError):
        return series
