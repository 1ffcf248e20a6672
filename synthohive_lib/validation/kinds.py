"""Column kinds: which metric applies to which column.

Metrics need to know whether a column is a number (KS, correlation, quantile bins), a category
(TV, contingency, top-k bins), or something that must not be compared as a distribution at all
(keys and free text). The schema package declares this per column; to keep this module usable on
bare DataFrames (notebooks, benchmarks) the kind is inferred from the dtype when not given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["numerical", "datetime", "categorical", "boolean", "id", "text"]

#: Schema ``Column.type`` values mapped onto metric kinds (integers and floats are both numbers).
SCHEMA_TYPE_TO_KIND: dict[str, Kind] = {
    "integer": "numerical",
    "float": "numerical",
    "numerical": "numerical",
    "categorical": "categorical",
    "boolean": "boolean",
    "datetime": "datetime",
    "id": "id",
    "text": "text",
}

#: Kinds compared as ordered numbers (KS, correlation, quantile bins).
ORDERED_KINDS: frozenset[str] = frozenset({"numerical", "datetime"})
#: Kinds compared as unordered categories (TV, contingency, top-k bins).
DISCRETE_KINDS: frozenset[str] = frozenset({"categorical", "boolean"})
#: Kinds that carry a distribution worth comparing at all.
SCORED_KINDS: frozenset[str] = ORDERED_KINDS | DISCRETE_KINDS

# An object column whose distinct values exceed this share of its rows (and this count) is
# free text or a natural key: comparing its frequency table would only measure noise.
_TEXT_UNIQUE_SHARE = 0.5
_TEXT_MIN_UNIQUE = 50


def infer_kind(series: pd.Series) -> Kind:
    """Guess a column's kind from its dtype (and, for strings, its cardinality)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numerical"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    non_null = series.dropna()
    n_unique = non_null.nunique()
    if n_unique > _TEXT_MIN_UNIQUE and n_unique > _TEXT_UNIQUE_SHARE * len(non_null):
        return "text"
    return "categorical"


def resolve_kinds(
    frame: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    id_columns: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Kind]:
    """Kind per column: declared kinds win, key columns are ``id``, the rest is inferred.

    Declared kinds may use the schema's vocabulary (``integer``, ``float`` ...); they are
    normalised to metric kinds here so the rest of the package only sees :data:`Kind`.
    """
    declared = dict(kinds or {})
    out: dict[str, Kind] = {}
    for name in frame.columns:
        if name in declared:
            raw = str(declared[name]).lower()
            if raw not in SCHEMA_TYPE_TO_KIND:
                raise ValueError(f"unknown column kind {raw!r} for column {name!r}")
            out[name] = SCHEMA_TYPE_TO_KIND[raw]
        elif name in id_columns:
            out[name] = "id"
        else:
            out[name] = infer_kind(frame[name])
    return out


def to_float(series: pd.Series, kind: str) -> np.ndarray:
    """Ordered column as float64 with NaN for nulls (datetimes as nanoseconds since epoch).

    Text columns declared ``datetime`` (SQLite stores dates as TEXT) are parsed here; values
    that do not parse become nulls rather than errors, so they are scored as missing.
    """
    if kind == "datetime":
        if not pd.api.types.is_datetime64_any_dtype(series.dtype):
            series = _parse_dates(series)
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        values = series.to_numpy(dtype="datetime64[ns]")
        out = values.astype("int64").astype("float64")
        out[np.isnat(values)] = np.nan
        return out
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64").to_numpy()
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()


def ordered_floats(values: pd.Series | np.ndarray) -> np.ndarray:
    """An ordered column of unknown kind as float64: datetimes by their dtype, else numbers.

    For the SDMetrics-compatible single metrics, which take bare columns without a kind.
    """
    series = pd.Series(values)
    kind = "datetime" if pd.api.types.is_datetime64_any_dtype(series.dtype) else "numerical"
    return to_float(series, kind)


def _parse_dates(series: pd.Series) -> pd.Series:
    """Parse text dates: the fast vectorised ISO 8601 path first, per-value inference if needed."""
    parsed = pd.to_datetime(series, errors="coerce", format="ISO8601")
    if parsed.isna().sum() > series.isna().sum():
        parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    return parsed
