"""Matching foreign-key values to primary-key values: the one implementation.

Schema validation (orphan counts and ``on_orphan`` policies) and the validation report
(referential integrity, children per parent, parent-child joins) must agree on whether a child
row finds its parent, so both call :func:`key_codes`. Keys of one or many columns are mapped to
one integer per row in a space shared by child and parent, so the comparison is a vectorised
``isin``/``bincount`` rather than a per-row lookup.

What counts as the same key value, column pair by column pair:

* numbers with numbers: integral numbers compare exactly as ``Int64`` (a ``float64`` column
  that is only float because of nulls still matches an ``int64`` key, and ids beyond 2**53 are
  not rounded into each other); otherwise as floats;
* anything else compares as text: ``7`` matches ``"7"`` and a float-with-nulls ``7.0`` also
  matches ``"7"`` (it is the integer 7), but booleans are text too, so ``True`` never matches
  the id ``1``;
* a row with a null in any key column references nothing (SQL's MATCH SIMPLE): its code is -1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def _normalised(series: pd.Series) -> pd.Series:
    """Integral numbers as ``Int64``, other numbers as ``float64``, everything else unchanged."""
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        return series
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.astype("Int64")
    values = series.dropna().to_numpy(dtype=float)
    if np.isfinite(values).all() and (values == np.round(values)).all():
        return series.astype("Int64")
    return series.astype("float64")


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


def _as_text(series: pd.Series) -> pd.Series:
    """Non-null values as ``str``; nulls stay null (so they factorise to the sentinel)."""
    return series.astype(object).where(series.isna(), series.astype(str))


def _pair_values(child: pd.Series, parent: pd.Series) -> pd.Series:
    """Child then parent values of one key column, in one comparable dtype."""
    c, p = _normalised(child).reset_index(drop=True), _normalised(parent).reset_index(drop=True)
    if _is_number(c) and _is_number(p):
        if not (isinstance(c.dtype, pd.Int64Dtype) and isinstance(p.dtype, pd.Int64Dtype)):
            c, p = c.astype("float64"), p.astype("float64")
        return pd.concat([c, p], ignore_index=True)
    return pd.concat([_as_text(c), _as_text(p)], ignore_index=True)


def key_codes(
    child: pd.DataFrame,
    fk: Sequence[str],
    parent: pd.DataFrame,
    pk: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """One integer per row for child FK and parent PK values in a shared space; -1 where null.

    Equal codes mean equal keys under the rules of the module docstring.
    """
    if len(fk) != len(pk) or not fk:
        raise ValueError(f"key columns do not pair up: {list(fk)} -> {list(pk)}")
    n_child = len(child)
    combined: np.ndarray | None = None
    null = np.zeros(n_child + len(parent), dtype=bool)
    for f, p in zip(fk, pk, strict=True):
        codes, uniques = pd.factorize(_pair_values(child[f], parent[p]), use_na_sentinel=True)
        null |= codes < 0
        codes = codes.astype(np.int64)
        if combined is None:
            combined = codes
        else:  # mixed radix, re-factorised each step so the numbers never overflow
            combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
            combined = combined.astype(np.int64)
    assert combined is not None
    combined = np.where(null, -1, combined)
    return combined[:n_child], combined[n_child:]


def orphan_mask(
    child: pd.DataFrame, fk: Sequence[str], parent: pd.DataFrame, pk: Sequence[str]
) -> np.ndarray:
    """True for child rows whose complete (null-free) key matches no parent row."""
    c_codes, p_codes = key_codes(child, fk, parent, pk)
    return (c_codes >= 0) & ~np.isin(c_codes, p_codes[p_codes >= 0])
