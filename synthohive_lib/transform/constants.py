"""Numeric columns that hold one value apart from nulls: a null rate, not a distribution.

A column such as Lending Club's ``num_accounts_120d_past_due`` (``0`` or null) has nothing for a
mode-specific normalizer to learn: its only information is how often it is null. Fitting a
mixture on one value is degenerate, so the transformer takes such a column out of the model's
matrix and rebuilds it on the way back as the constant, null at the real rate, in the column's
dtype. Which rows are null is then settled together with the other columns by
:mod:`~synthohive_lib.transform.nulls` (a constant that is null exactly when another column is
null stays so).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.transform.specs import NUMERIC_KINDS, ColumnKind, ColumnSpec


@dataclass(frozen=True)
class ConstantColumn:
    """One numeric column's single value (ISO text for a native datetime), null rate, dtype."""

    column: str
    value: float | int | str
    null_rate: float
    dtype: str
    is_datetime: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConstantColumn:
        return cls(**data)

    def sample(self, n: int, rng: np.random.Generator) -> pd.Series:
        """``n`` values: the constant, each null with the real null rate."""
        nulls = rng.random(n) < self.null_rate if self.null_rate > 0 else np.zeros(n, bool)
        if self.is_datetime:
            stamps = pd.Series(np.full(n, pd.Timestamp(self.value)), name=self.column)
            stamps = pd.to_datetime(stamps)
            stamps[nulls] = pd.NaT
            try:
                return stamps.astype(self.dtype)
            except (TypeError, ValueError):
                return stamps
        values = np.full(n, self.value, dtype=object)
        values[nulls] = None
        out = pd.Series(values, name=self.column)
        dtype = self.dtype
        if nulls.any() and dtype.startswith(("int", "uint")):
            dtype = "Int64"
        try:
            return out.astype(dtype)
        except (TypeError, ValueError):
            return out.infer_objects()


def _scalar(value: Any) -> float | int | str:
    """A JSON-able form of one value (the datetime case is handled by the caller)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def detect_constant(spec: ColumnSpec, series: pd.Series) -> ConstantColumn | None:
    """The constant of a numeric ``series`` (nulls apart), or None when it varies.

    Only numeric kinds are concerned: a category with one value is an ordinary one-slot
    category. A column of nulls only is not a constant (the transformer refuses it).
    """
    if spec.kind not in NUMERIC_KINDS:
        return None
    present = series.dropna()
    if present.empty or present.nunique() != 1:
        return None
    value = present.iloc[0]
    native_datetime = spec.kind is ColumnKind.DATETIME and spec.datetime_format is None
    if native_datetime:
        value = pd.Timestamp(value).isoformat()
    return ConstantColumn(
        column=spec.name,
        value=_scalar(value),
        null_rate=float(series.isna().mean()),
        dtype=str(series.dtype),
        is_datetime=native_datetime,
    )
