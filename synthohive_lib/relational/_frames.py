"""Small, vectorised helpers to match key columns between frames.

Foreign keys may be composite and may mix dtypes across tables (``Employee.ReportsTo`` is a
float column because of its NULLs while ``EmployeeId`` is an integer), so every module of the
relational package locates child rows in their parent through these helpers instead of
re-implementing the matching (and its edge cases) each time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synthohive_lib.errors import SynthoHiveError


def key_index(df: pd.DataFrame, columns: Sequence[str]) -> pd.Index:
    """The key columns of ``df`` as an Index (one column) or a MultiIndex (several)."""
    cols = list(columns)
    if len(cols) == 1:
        return pd.Index(df[cols[0]])
    return pd.MultiIndex.from_frame(df[cols])


def null_key_mask(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """True where any key column is null: such a reference points at no parent by design."""
    return df[list(columns)].isna().any(axis=1).to_numpy()


def locate(
    parent_df: pd.DataFrame,
    parent_columns: Sequence[str],
    child_df: pd.DataFrame,
    child_columns: Sequence[str],
    *,
    table: str | None = None,
) -> np.ndarray:
    """Position of each child row's parent in ``parent_df``; -1 for null or orphan references.

    The parent key must be unique (it is a primary key); a duplicated key is reported as a
    typed error because every count and assignment downstream would silently be wrong.
    """
    pidx = key_index(parent_df, parent_columns)
    if not pidx.is_unique:
        raise SynthoHiveError(
            f"parent key {list(parent_columns)} is not unique",
            table=table,
            fix="deduplicate the parent table or declare its real primary key in the schema",
        )
    if len(child_df) == 0:
        return np.empty(0, dtype=np.int64)
    nulls = null_key_mask(child_df, child_columns)
    pos = np.full(len(child_df), -1, dtype=np.int64)
    if (~nulls).any():
        cidx = key_index(child_df.loc[~nulls], child_columns)
        pos[~nulls] = pidx.get_indexer(cidx)
    return pos


def children_per_parent(
    parent_df: pd.DataFrame,
    parent_columns: Sequence[str],
    child_df: pd.DataFrame,
    child_columns: Sequence[str],
    *,
    table: str | None = None,
) -> np.ndarray:
    """Number of child rows of each parent row (zeros included), aligned with ``parent_df``."""
    pos = locate(parent_df, parent_columns, child_df, child_columns, table=table)
    return np.bincount(pos[pos >= 0], minlength=len(parent_df)).astype(np.int64)
