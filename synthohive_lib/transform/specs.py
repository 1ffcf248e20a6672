"""Column specifications: the transformer's own small description of each column.

The transformer deliberately does not depend on the relational schema model: the relational
layer maps its schema columns onto :class:`ColumnSpec`, and notebooks can call
:func:`infer_column_specs` on a DataFrame. A spec says *what kind* of values a column holds and
which output constraints (rounding, bounds, text format of datetimes) must be honoured.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import EmptyTableError, ModelError

#: Text formats tried, in order, when a string column might hold datetimes.
DATETIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y%m%d",
)


class ColumnKind(StrEnum):
    """How a column is encoded; each kind has exactly one encoder."""

    CONTINUOUS = "continuous"
    INTEGER = "integer"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"
    IDENTIFIER = "identifier"  # regenerated in the real format, never copied (.identifiers)


NUMERIC_KINDS = frozenset({ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME})


@dataclass(frozen=True)
class ColumnSpec:
    """What the transformer needs to know about one column.

    ``datetime_format`` is set for datetimes stored as text (``None`` means a native datetime
    column); ``decimals`` rounds continuous output; ``min``/``max`` are declared bounds that
    every generated value honours; ``nullable`` allows nulls (a non-nullable column that holds a
    null is an input error). ``true_value``/``false_value`` are the stored spellings of a
    boolean kept as text (``'Y'``/``'N'``): generated booleans are written back with them.
    """

    name: str
    kind: ColumnKind
    nullable: bool = False
    datetime_format: str | None = None
    decimals: int | None = None
    min: float | None = None
    max: float | None = None
    true_value: str | None = None
    false_value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, used in model manifests."""
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnSpec:
        """Inverse of :meth:`to_dict`."""
        return cls(**{**data, "kind": ColumnKind(data["kind"])})


def _infer_decimals(values: np.ndarray, max_decimals: int = 6) -> int | None:
    """Smallest number of decimals that represents every value exactly (None if > max)."""
    for decimals in range(max_decimals + 1):
        if np.allclose(values, np.round(values, decimals), rtol=0.0, atol=1e-9):
            return decimals
    return None


def detect_datetime_format(values: pd.Series) -> str | None:
    """The first format in :data:`DATETIME_FORMATS` that parses every non-null string."""
    text = values.dropna().astype(str)
    if text.empty:
        return None
    probe = text.iloc[:200]
    for fmt in DATETIME_FORMATS:
        if pd.to_datetime(probe, format=fmt, errors="coerce").notna().all() and (
            pd.to_datetime(text, format=fmt, errors="coerce").notna().all()
        ):
            return fmt
    return None


def _code_like(values: pd.Series) -> bool:
    """Strings without whitespace, at most 64 characters: codes rather than free text."""
    text = values.astype(str)
    return bool((text.str.len() <= 64).all() and not text.str.contains(r"\s").any())


def _infer_one(
    series: pd.Series, *, text_unique_ratio: float, text_min_unique: int, table: str | None
) -> ColumnSpec:
    name = str(series.name)
    non_null = series.dropna()
    nullable = bool(len(non_null) < len(series))
    if non_null.empty:
        raise ModelError(
            "column has only nulls, so its type and distribution cannot be learned",
            table=table,
            column=name,
            fix="drop the column or fill it before fitting",
        )
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ColumnSpec(name, ColumnKind.BOOLEAN, nullable)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return ColumnSpec(name, ColumnKind.DATETIME, nullable)
    if pd.api.types.is_numeric_dtype(dtype):
        values = non_null.to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            raise ModelError(
                "column holds infinite values",
                table=table,
                column=name,
                fix="replace inf/-inf with nulls or finite values",
            )
        low, high = float(values.min()), float(values.max())
        if pd.api.types.is_integer_dtype(dtype):
            return ColumnSpec(name, ColumnKind.INTEGER, nullable, min=low, max=high)
        decimals = _infer_decimals(values)
        return ColumnSpec(
            name, ColumnKind.CONTINUOUS, nullable, decimals=decimals, min=low, max=high
        )
    # Strings (object/string/category dtypes).
    if set(non_null.unique().tolist()) <= {True, False}:
        return ColumnSpec(name, ColumnKind.BOOLEAN, nullable)
    if not isinstance(dtype, pd.CategoricalDtype):
        fmt = detect_datetime_format(non_null)
        if fmt is not None:
            return ColumnSpec(name, ColumnKind.DATETIME, nullable, datetime_format=fmt)
        n_unique = non_null.nunique()
        if n_unique >= text_min_unique and n_unique >= text_unique_ratio * len(non_null):
            if n_unique >= 0.9 * len(non_null) and _code_like(non_null):
                return ColumnSpec(name, ColumnKind.IDENTIFIER, nullable)
            return ColumnSpec(name, ColumnKind.TEXT, nullable)
    return ColumnSpec(name, ColumnKind.CATEGORICAL, nullable)


def infer_column_specs(
    df: pd.DataFrame,
    *,
    text_unique_ratio: float = 0.5,
    text_min_unique: int = 20,
    table: str | None = None,
) -> list[ColumnSpec]:
    """Infer one :class:`ColumnSpec` per column of ``df``, in column order.

    Strings whose distinct values make up at least ``text_unique_ratio`` of the non-null rows
    (and at least ``text_min_unique`` of them) are free text: one-hot encoding them would both
    explode memory and memorise real values; when they are near-unique (90 %) codes without
    whitespace they are identifiers, regenerated in their format. Numeric bounds are the
    observed range, so the generator never invents values outside what was seen (override them
    from a schema).
    """
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise EmptyTableError(
            f"cannot infer column types from a frame of shape {df.shape}",
            table=table,
            fix="pass a frame with at least one row and one column",
        )
    return [
        _infer_one(
            df[column],
            text_unique_ratio=text_unique_ratio,
            text_min_unique=text_min_unique,
            table=table,
        )
        for column in df.columns
    ]
