"""Constant and all-NULL columns: kept out of the model, restored exactly on output.

A column with one value (``InvoiceLine.Quantity`` is always 1) or none at all carries no
distribution to learn: the transformer refuses it (a typed ``ModelError`` for direct misuse),
and as parent context it would only add a dead input. The relational layer therefore records
such a column as a :class:`ConstantColumn` (its value, dtype and share of NULLs, as JSON) and
writes it back on every generated row, so the synthetic table keeps the real value and dtype.
A constant with some NULLs keeps its NULL share (drawn per row from the table's seeded RNG).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ConstantColumn:
    """One column whose non-NULL values are all equal (or that is entirely NULL)."""

    name: str
    value: Any  # JSON-native: str, int, float, bool, ISO text for datetimes, or None
    dtype: str
    null_rate: float = 0.0

    @classmethod
    def detect(cls, series: pd.Series) -> ConstantColumn | None:
        """The constant of ``series``, or None when it holds two or more distinct values."""
        present = series.dropna()
        if present.nunique() > 1:
            return None
        value: Any = None
        if len(present):
            first = present.iloc[0]
            if isinstance(first, pd.Timestamp):
                value = first.isoformat()
            elif isinstance(first, np.generic):
                value = first.item()
            else:
                value = first
        return cls(str(series.name), value, str(series.dtype), float(series.isna().mean()))

    def values(self, n: int, rng: np.random.Generator) -> pd.Series:
        """``n`` copies of the value in the real dtype, with NULLs at the real rate."""
        dtype = self.dtype
        if self.value is None:
            return pd.Series([None] * n, dtype=dtype if dtype != "object" else object)
        value = pd.Timestamp(self.value) if dtype.startswith("datetime64") else self.value
        out = pd.Series([value] * n)
        if self.null_rate > 0:
            nulls = rng.random(n) < self.null_rate
            if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                dtype = "Int64" if pd.api.types.is_integer_dtype(dtype) else "boolean"
            out = out.astype(object).where(~nulls, None)
        return out.astype(dtype) if dtype != "object" else out.astype(object)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConstantColumn:
        return cls(**data)


def detect_constants(frame: pd.DataFrame, columns: list[str]) -> list[ConstantColumn]:
    """The constant (or all-NULL) columns among ``columns`` of ``frame``, in order.

    An empty frame has no constants: with no rows there is nothing to say about a column.
    """
    if len(frame) == 0:
        return []
    found = (ConstantColumn.detect(frame[c]) for c in columns if c in frame.columns)
    return [c for c in found if c is not None]
