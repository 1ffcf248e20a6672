"""Parent context as a numeric matrix: what the cardinality models condition on.

A parent's attributes (an album's artist-independent features, an invoice's country and
total, ...) explain how many children it has. The cardinality model is a small tree over these
attributes, so it needs a stable numeric encoding that can be re-applied to *synthetic*
parents and saved as JSON:

* numbers (and booleans) are kept as floats, NULLs replaced by the real median plus a
  missing-indicator column, so "no value" can carry its own signal;
* low-cardinality categories become one-hot columns of their most frequent values;
* identifiers (key columns, near-unique values) are left out: they name a row, they do not
  describe it, and synthetic keys never equal real ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class _NumericSpec:
    name: str
    fill: float
    has_nulls: bool
    datetime: bool = False
    kind: str = "numeric"


@dataclass
class _CategoricalSpec:
    name: str
    categories: list[str] = field(default_factory=list)
    kind: str = "categorical"


_Spec = _NumericSpec | _CategoricalSpec


@dataclass
class ContextEncoder:
    """Encode parent rows as floats; fit on real parents, apply to synthetic ones.

    ``max_categories`` bounds the one-hot width of a category column; ``max_unique_ratio``
    drops columns whose values are (nearly) all distinct, i.e. identifiers and free text.
    """

    max_categories: int = 10
    max_unique_ratio: float = 0.5
    specs_: list[_Spec] = field(default_factory=list)

    def fit(self, df: pd.DataFrame, exclude: Iterable[str] = ()) -> ContextEncoder:
        excluded = set(exclude)
        self.specs_ = []
        n = max(len(df), 1)
        for name in df.columns:
            if name in excluded:
                continue
            col = df[name]
            nunique = col.nunique(dropna=True)
            if nunique <= 1:
                continue
            is_datetime = pd.api.types.is_datetime64_any_dtype(col)
            if is_datetime or pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
                values = pd.Series(_as_float(col, is_datetime))
                if not is_datetime and _looks_like_identifier(values):
                    continue
                fill = float(values.median()) if values.notna().any() else 0.0
                self.specs_.append(
                    _NumericSpec(str(name), fill, bool(values.isna().any()), is_datetime)
                )
            elif nunique / n <= self.max_unique_ratio:
                top = col.astype(str).where(col.notna()).value_counts().head(self.max_categories)
                self.specs_.append(_CategoricalSpec(str(name), [str(c) for c in top.index]))
        return self

    @property
    def feature_names(self) -> list[str]:
        names: list[str] = []
        for spec in self.specs_:
            if isinstance(spec, _NumericSpec):
                names.append(spec.name)
                if spec.has_nulls:
                    names.append(f"{spec.name}__isnull")
            else:
                names += [f"{spec.name}=={c}" for c in spec.categories]
        return names

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        """A (rows, features) float matrix; columns missing from ``df`` encode as NULL."""
        blocks: list[np.ndarray] = []
        n = len(df)
        for spec in self.specs_:
            present = spec.name in df.columns
            if isinstance(spec, _NumericSpec):
                values = _as_float(df[spec.name], spec.datetime) if present else np.full(n, np.nan)
                isnull = np.isnan(values)
                blocks.append(np.where(isnull, spec.fill, values)[:, None])
                if spec.has_nulls:
                    blocks.append(isnull.astype(float)[:, None])
            else:
                if present:
                    col = df[spec.name]
                    text = col.astype(str).where(col.notna(), None).to_numpy(dtype=object)
                else:
                    text = np.full(n, None, dtype=object)
                cats = np.asarray(spec.categories, dtype=object)
                blocks.append((text[:, None] == cats[None, :]).astype(float))
        if not blocks:
            return np.zeros((n, 0))
        return np.hstack(blocks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_categories": self.max_categories,
            "max_unique_ratio": self.max_unique_ratio,
            "specs": [asdict(s) for s in self.specs_],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContextEncoder:
        enc = cls(int(data["max_categories"]), float(data["max_unique_ratio"]))
        for raw in data["specs"]:
            spec = dict(raw)
            kind = spec.pop("kind")
            made = _NumericSpec(**spec) if kind == "numeric" else _CategoricalSpec(**spec)
            enc.specs_.append(made)
        return enc


def _as_float(col: pd.Series, is_datetime: bool) -> np.ndarray:
    """Numbers as floats; datetimes (native or text) as seconds since the epoch; NULL: NaN."""
    if is_datetime:
        stamps = pd.to_datetime(col, errors="coerce")
        seconds = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 1e9
        return np.where(stamps.isna().to_numpy(), np.nan, seconds)
    if pd.api.types.is_bool_dtype(col):
        return col.astype(float).to_numpy()
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def _looks_like_identifier(values: pd.Series) -> bool:
    """An all-distinct integer column (1, 2, 3, ...) is a surrogate key, not an attribute."""
    present = values.dropna()
    if len(present) < 3 or not present.is_unique:
        return False
    return bool(np.all(np.mod(present.to_numpy(), 1) == 0))
