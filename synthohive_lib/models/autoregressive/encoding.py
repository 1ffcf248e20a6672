"""A table <-> integer tokens, one or two token columns ("sub-columns") per table column.

The autoregressive model predicts discrete tokens, so every column becomes categories:

* categoricals and booleans: their category slot, with null and the pooled 'other' as slots
  of their own (the :class:`CategoricalEncoder` of the CTGAN transformer does exactly this);
* numbers and datetimes with at most ``max_exact_values`` distinct values (ages, ratings,
  counts): the value itself, so every real value comes back exactly;
* other numbers and datetimes: a *coarse* token and a *fine* token. Values that hold at least
  one bin's share of the rows on their own (Adult's 92 % of ``capital-gain = 0``) are atoms,
  one coarse token each, decoded to exactly that value. The remaining values are split into
  equal-mass quantile bins (the coarse token) and each bin again into ``fine_bins`` equal-mass
  sub-bins (the fine token, the within-bin value); decoding draws uniformly inside the sub-bin
  between its two quantiles. Nulls are one more coarse token.

Type handling (datetimes as text or native, time zones, rounding, declared bounds, dtypes,
nullability errors) is the CTGAN transformer's: :class:`NumericEncoder` turns a column into
floats and back, :class:`CategoricalEncoder` into slots and back. Free-text columns get the
same character model (:class:`MarkovText`) as in CTGAN and are generated independently.

The fitted state is JSON plus NumPy arrays (the quantile tables), so it saves without pickle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import EmptyTableError, ModelError
from synthohive_lib.transform.encoders import BooleanEncoder, CategoricalEncoder, NumericEncoder
from synthohive_lib.transform.modes import ModeNormalizer
from synthohive_lib.transform.specs import NUMERIC_KINDS, ColumnKind, ColumnSpec, infer_column_specs
from synthohive_lib.transform.text import MarkovText, pack_text_models, unpack_text_models


@dataclass(frozen=True)
class SubColumn:
    """One token column: which table column it belongs to and how many token values it has."""

    column: str
    part: str  # "value" (categories, atoms + coarse bins) or "fine" (within-bin position)
    vocab: int


class NumberTokens:
    """A number or datetime column as (coarse, fine) tokens; see the module docstring."""

    def __init__(
        self,
        spec: ColumnSpec,
        *,
        bins: int,
        fine_bins: int,
        max_exact_values: int,
        table: str | None,
    ) -> None:
        self.spec = spec
        self.bins = bins
        self.fine_bins = fine_bins
        self.max_exact_values = max_exact_values
        self.output = NumericEncoder(spec, ModeNormalizer(), table=table)

    def fit(self, series: pd.Series) -> NumberTokens:
        real = self.output.fit_output(series)
        values, counts = np.unique(real, return_counts=True)
        if len(values) <= self.max_exact_values:
            self.atoms_ = values
            self.quantiles_ = np.zeros(0)
        else:
            heavy = counts >= max(2.0, len(real) / self.bins)
            self.atoms_ = values[heavy]
            rest = real[~np.isin(real, self.atoms_)]
            n_bins = max(1, min(self.bins - len(self.atoms_), len(np.unique(rest)) // 2))
            grid = np.linspace(0.0, 1.0, n_bins * self.fine_bins + 1)
            self.quantiles_ = np.quantile(rest, grid) if len(rest) else np.zeros(0)
        self.has_nulls_ = self.output.has_nulls_
        return self

    @property
    def n_bins(self) -> int:
        return max(len(self.quantiles_) - 1, 0) // self.fine_bins

    @property
    def has_fine(self) -> bool:
        return self.n_bins > 0

    @property
    def null_token(self) -> int:
        return len(self.atoms_) + self.n_bins

    def sub_columns(self) -> list[SubColumn]:
        name = self.spec.name
        out = [SubColumn(name, "value", len(self.atoms_) + self.n_bins + int(self.has_nulls_))]
        if self.has_fine:
            out.append(SubColumn(name, "fine", self.fine_bins))
        return out

    def encode(self, series: pd.Series) -> list[np.ndarray]:
        values, nulls = self.output.to_float(series)
        tokens = np.zeros(len(values), dtype=np.int64)
        fine = np.zeros(len(values), dtype=np.int64)
        atom = np.zeros(len(values), dtype=bool)
        if len(self.atoms_):
            pos = np.clip(np.searchsorted(self.atoms_, values), 0, len(self.atoms_) - 1)
            atom = self.atoms_[pos] == values
            if not self.has_fine:  # exact values only: an unseen value takes the nearest one
                left = np.clip(pos - 1, 0, len(self.atoms_) - 1)
                nearer = np.abs(self.atoms_[left] - values) < np.abs(self.atoms_[pos] - values)
                pos = np.where(nearer, left, pos)
                atom[:] = True
            tokens = np.where(atom, pos, tokens)
        if self.has_fine:
            cells = len(self.quantiles_) - 1
            cell = np.clip(np.searchsorted(self.quantiles_, values, side="right") - 1, 0, cells - 1)
            tokens = np.where(atom, tokens, len(self.atoms_) + cell // self.fine_bins)
            fine = np.where(atom, 0, cell % self.fine_bins)
        if nulls.any():
            tokens = np.where(nulls, self.null_token, tokens)
            fine = np.where(nulls, 0, fine)
        return [tokens, fine] if self.has_fine else [tokens]

    def decode(self, parts: list[np.ndarray], rng: np.random.Generator) -> pd.Series:
        tokens = parts[0]
        nulls = tokens == self.null_token if self.has_nulls_ else np.zeros(len(tokens), bool)
        n_atoms = len(self.atoms_)
        values = np.zeros(len(tokens), dtype=np.float64)
        if n_atoms:
            is_atom = tokens < n_atoms
            values = np.where(is_atom, self.atoms_[np.minimum(tokens, n_atoms - 1)], values)
        if self.has_fine:
            binned = (tokens >= n_atoms) & ~nulls
            cell = (np.clip(tokens - n_atoms, 0, self.n_bins - 1)) * self.fine_bins + parts[1]
            low, high = self.quantiles_[cell], self.quantiles_[cell + 1]
            inside = low + rng.random(len(tokens)) * (high - low)
            values = np.where(binned, inside, values)
        return self.output.from_float(values, nulls)

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {"output": self.output.output_state(), "has_nulls": self.has_nulls_}
        return meta, {"atoms": self.atoms_, "quantiles": self.quantiles_}

    def load_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> NumberTokens:
        self.output.load_output_state(meta["output"])
        self.has_nulls_ = bool(meta["has_nulls"])
        self.atoms_ = np.asarray(arrays["atoms"], dtype=np.float64)
        self.quantiles_ = np.asarray(arrays["quantiles"], dtype=np.float64)
        return self


class CategoryTokens:
    """A categorical or boolean column as its category slot (null and 'other' included)."""

    def __init__(self, spec: ColumnSpec, *, max_categories: int, table: str | None) -> None:
        self.spec = spec
        if spec.kind is ColumnKind.BOOLEAN:
            self.encoder: CategoricalEncoder = BooleanEncoder(spec, table=table)
        else:
            self.encoder = CategoricalEncoder(spec, max_categories=max_categories, table=table)

    def fit(self, series: pd.Series) -> CategoryTokens:
        self.encoder.fit(series, np.random.default_rng(0))
        return self

    def sub_columns(self) -> list[SubColumn]:
        return [SubColumn(self.spec.name, "value", self.encoder.width)]

    def encode(self, series: pd.Series) -> list[np.ndarray]:
        return [self.encoder.codes(series)]

    def decode(self, parts: list[np.ndarray], rng: np.random.Generator) -> pd.Series:
        return self.encoder.inverse_codes(parts[0], rng)

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return self.encoder.state()

    def load_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> CategoryTokens:
        self.encoder.load_state(meta, arrays)
        return self


ColumnTokens = NumberTokens | CategoryTokens


class TokenEncoder:
    """Every column of a table as token sub-columns (see the module docstring).

    ``bins`` coarse tokens (atoms included) and ``fine_bins`` within-bin tokens per number,
    ``max_exact_values`` distinct values below which a number is kept exact, ``max_categories``
    categories beyond which rare ones are pooled.
    """

    def __init__(
        self,
        specs: list[ColumnSpec] | None = None,
        *,
        bins: int = 64,
        fine_bins: int = 16,
        max_exact_values: int = 128,
        max_categories: int = 500,
        table: str | None = None,
    ) -> None:
        self.specs = specs
        self.bins = bins
        self.fine_bins = fine_bins
        self.max_exact_values = max_exact_values
        self.max_categories = max_categories
        self.table = table

    def _make(self, spec: ColumnSpec) -> ColumnTokens:
        if spec.kind in NUMERIC_KINDS:
            return NumberTokens(
                spec,
                bins=self.bins,
                fine_bins=self.fine_bins,
                max_exact_values=self.max_exact_values,
                table=self.table,
            )
        return CategoryTokens(spec, max_categories=self.max_categories, table=self.table)

    def fit(self, df: pd.DataFrame, rng: np.random.Generator) -> TokenEncoder:
        if df.shape[0] == 0 or df.shape[1] == 0:
            raise EmptyTableError(
                f"cannot fit on a frame of shape {df.shape}",
                table=self.table,
                fix="pass at least one row and one column",
            )
        if self.specs is None:
            self.specs = infer_column_specs(df, table=self.table)
        self._check_columns(df)
        self.source_columns_ = list(df.columns)
        self.columns_: dict[str, ColumnTokens] = {}
        self.text_: dict[str, MarkovText] = {}
        for spec in self.specs:
            if df[spec.name].isna().all():
                raise ModelError(
                    "column has only nulls, so its distribution cannot be learned",
                    table=self.table,
                    column=spec.name,
                    fix="drop the column or fill it before fitting",
                )
            if spec.kind is ColumnKind.TEXT:
                self.text_[spec.name] = MarkovText().fit(df[spec.name], rng)
            else:
                self.columns_[spec.name] = self._make(spec).fit(df[spec.name])
        return self

    def _check_columns(self, df: pd.DataFrame) -> None:
        expected = [s.name for s in self.specs or []]
        missing = [c for c in expected if c not in df.columns]
        extra = [c for c in df.columns if c not in expected]
        if missing or extra:
            raise ModelError(
                f"columns do not match the declared ones (missing {missing}, unexpected {extra})",
                table=self.table,
                column=(missing or extra)[0],
                fix="pass exactly the columns the model was fitted on",
            )

    @property
    def sub_columns(self) -> list[SubColumn]:
        return [sub for tokens in self.columns_.values() for sub in tokens.sub_columns()]

    @property
    def column_of_sub(self) -> np.ndarray:
        """Index (among the tokenised columns) of the column each sub-column belongs to."""
        return np.array(
            [i for i, tokens in enumerate(self.columns_.values()) for _ in tokens.sub_columns()],
            dtype=np.int64,
        )

    def encode(self, df: pd.DataFrame) -> np.ndarray:
        """Tokens of ``df``, shape ``(rows, sub-columns)``."""
        self._check_columns(df)
        parts = [part for name, t in self.columns_.items() for part in t.encode(df[name])]
        if not parts:
            return np.zeros((len(df), 0), dtype=np.int64)
        return np.stack(parts, axis=1).astype(np.int64)

    def decode(self, tokens: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
        """The table from its tokens (text columns generated by their own models)."""
        n = tokens.shape[0]
        out: dict[str, pd.Series] = {}
        offset = 0
        for name, column in self.columns_.items():
            width = len(column.sub_columns())
            parts = [tokens[:, offset + k] for k in range(width)]
            out[name] = column.decode(parts, rng).reset_index(drop=True)
            offset += width
        for name, model in self.text_.items():
            out[name] = pd.Series(model.sample(n, rng, column=name), name=name, dtype=object)
        return pd.DataFrame({name: out[name] for name in self.source_columns_}, copy=False)

    # -- persistence ----------------------------------------------------------------------
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        text_meta, arrays = pack_text_models(self.text_)
        columns: dict[str, Any] = {}
        for i, (name, column) in enumerate(self.columns_.items()):
            meta, own = column.state()
            columns[name] = {"key": f"col{i}", "state": meta}
            arrays.update({f"col{i}_{k}": v for k, v in own.items()})
        meta = {
            "params": {
                "bins": self.bins,
                "fine_bins": self.fine_bins,
                "max_exact_values": self.max_exact_values,
                "max_categories": self.max_categories,
                "table": self.table,
            },
            "specs": [s.to_dict() for s in self.specs or []],
            "source_columns": self.source_columns_,
            "columns": columns,
            "text": text_meta,
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> TokenEncoder:
        specs = [ColumnSpec.from_dict(d) for d in meta["specs"]]
        self = cls(specs, **meta["params"])
        self.source_columns_ = list(meta["source_columns"])
        self.columns_ = {}
        for spec in specs:
            if spec.kind is ColumnKind.TEXT:
                continue
            entry = meta["columns"][spec.name]
            prefix = f"{entry['key']}_"
            own = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            self.columns_[spec.name] = self._make(spec).load_state(entry["state"], own)
        self.text_ = unpack_text_models(meta["text"], arrays)
        return self
