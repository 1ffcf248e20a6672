"""Where each child row's parent is: positions, counts, NULL references.

Keys may be composite and dtypes may differ across tables (``Employee.ReportsTo`` is a float
column because of its NULLs while ``EmployeeId`` is an integer), so matching follows the one
implementation of the library, :func:`synthohive_lib.schema.keys.key_codes` — the same rules
as the orphan checks and the referential-integrity report, so the relational layer can never
disagree with them about whether a child has a parent.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synthohive_lib.errors import SynthoHiveError
from synthohive_lib.schema.keys import key_codes


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
    child_codes, parent_codes = key_codes(
        child_df, list(child_columns), parent_df, list(parent_columns)
    )
    # NULL parent keys match nothing: give each its own code below -1
    nulls = parent_codes < 0
    parent_codes = parent_codes.copy()
    parent_codes[nulls] = -2 - np.arange(int(nulls.sum()))
    index = pd.Index(parent_codes)
    if not index.is_unique:
        raise SynthoHiveError(
            f"parent key {list(parent_columns)} is not unique",
            table=table,
            fix="deduplicate the parent table or declare its real primary key in the schema",
        )
    positions = index.get_indexer(child_codes).astype(np.int64)
    positions[child_codes < 0] = -1
    return positions


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
