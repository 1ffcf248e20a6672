"""Inherited columns: a child column that repeats a column of a secondary parent.

Denormalised schemas copy a parent's value into the child when the row is written:
``InvoiceLine.UnitPrice`` is ``Track.UnitPrice`` at the time of sale (equal on 100 % of
Chinook's lines). The child's model cannot know it — it never sees the secondary parent, whose
foreign key is dealt *after* the attributes are sampled — so a generated line would carry a
price unrelated to its synthetic track. :func:`detect_inherited` finds, on the real linked
rows, each child attribute equal to one column of a secondary parent in at least
``min_match`` of the rows and records the real share of equal rows; after the foreign key is
assigned, :func:`apply_inherited` copies the synthetic parent's value into just enough
children that the synthetic share of equal rows is the real one (the rows that already agree
count, the rest are picked at random), so the real mismatch rate (a discount, a price change)
is kept too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.relational._frames import locate
from synthohive_lib.schema.graph import Relation

#: Share of linked real rows on which child and parent values must agree.
MIN_MATCH = 0.95


@dataclass(frozen=True)
class InheritedColumn:
    """``child.column`` repeats ``relation.parent.parent_column`` on ``match_rate`` of rows."""

    relation: Relation
    column: str
    parent_column: str
    match_rate: float

    def to_dict(self) -> dict[str, Any]:
        rel = self.relation
        return {
            "relation": [rel.parent, rel.child, list(rel.child_columns), list(rel.parent_columns)],
            "column": self.column,
            "parent_column": self.parent_column,
            "match_rate": self.match_rate,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InheritedColumn:
        parent, child, child_cols, parent_cols = data["relation"]
        return cls(
            Relation(parent, child, tuple(child_cols), tuple(parent_cols)),
            str(data["column"]),
            str(data["parent_column"]),
            float(data["match_rate"]),
        )


def equal_values(child: pd.Series, parent: pd.Series) -> np.ndarray:
    """Row-wise equality that treats two NULLs as equal and numbers by value (``1`` = ``1.0``,
    float noise below 1e-9 ignored), so an integer column may repeat a float one."""
    a, b = child.reset_index(drop=True), parent.reset_index(drop=True)
    both_null = (a.isna() & b.isna()).to_numpy()
    if (
        pd.api.types.is_numeric_dtype(a)
        and pd.api.types.is_numeric_dtype(b)
        and not pd.api.types.is_bool_dtype(a)
        and not pd.api.types.is_bool_dtype(b)
    ):
        x = a.to_numpy(dtype=float, na_value=np.nan)
        y = b.to_numpy(dtype=float, na_value=np.nan)
        same = np.isclose(x, y, rtol=0.0, atol=1e-9)
    else:
        present = (a.notna() & b.notna()).to_numpy()
        same = present & (a.astype(str).to_numpy() == b.astype(str).to_numpy())
    return same | both_null


def detect_inherited(
    child_df: pd.DataFrame,
    child_columns: Sequence[str],
    parent_df: pd.DataFrame,
    parent_columns: Sequence[str],
    relation: Relation,
    *,
    min_match: float = MIN_MATCH,
) -> list[InheritedColumn]:
    """Child columns equal to a parent column on at least ``min_match`` of the linked real
    rows (the best-matching parent column each); none when no row is linked."""
    pos = locate(
        parent_df, relation.parent_columns, child_df, relation.child_columns, table=relation.child
    )
    linked = pos >= 0
    if not linked.any():
        return []
    children = child_df.loc[linked]
    parents = parent_df.iloc[pos[linked]]
    found = []
    for column in child_columns:
        rates = [
            (float(equal_values(children[column], parents[p]).mean()), p)
            for p in parent_columns
            if column in children.columns and p in parents.columns
        ]
        best = max(rates, default=(0.0, ""))
        if best[0] >= min_match:
            found.append(InheritedColumn(relation, column, best[1], best[0]))
    return found


def apply_inherited(
    frame: pd.DataFrame,
    parent_df: pd.DataFrame,
    inherited: InheritedColumn,
    rng: np.random.Generator,
) -> None:
    """Copy the assigned synthetic parent's value into ``frame[inherited.column]`` (in place)
    until the share of equal linked rows is the real ``match_rate``; NULL references keep
    their generated value."""
    rel = inherited.relation
    pos = locate(parent_df, rel.parent_columns, frame, rel.child_columns, table=rel.child)
    linked = np.flatnonzero(pos >= 0)
    if len(linked) == 0 or inherited.parent_column not in parent_df.columns:
        return
    source = parent_df[inherited.parent_column].iloc[pos[linked]]
    target = frame[inherited.column]
    same = equal_values(target.iloc[linked], source)
    wanted = round(inherited.match_rate * len(linked))
    missing = max(0, wanted - int(same.sum()))
    if missing == 0:
        return
    differ = np.flatnonzero(~same)
    pick = np.sort(rng.choice(len(differ), size=min(missing, len(differ)), replace=False))
    rows = linked[differ[pick]]
    values = target.to_numpy(dtype=object, copy=True)
    values[rows] = source.to_numpy(dtype=object)[differ[pick]]
    copied = pd.Series(values, index=frame.index)
    try:
        copied = copied.astype(target.dtype)
    except (TypeError, ValueError):  # e.g. an integer column receiving a NULL: widen it
        copied = copied.infer_objects()
    frame[inherited.column] = copied
