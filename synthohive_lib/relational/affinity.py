"""Which kind of secondary parent suits a child: slots dealt by the child's own attributes.

Dealing a secondary foreign key at random keeps each parent's number of children right but
forgets *who* the children are: a 40-minute track with the video price would as likely be
filed under "Opera" as under "TV Shows". :class:`ParentAffinity` learns, from the real rows,
``P(group of the parent | attributes of the child)``, where the group is a categorical
attribute of the parent (``Genre.Name``) or a few-valued number (``Track.UnitPrice``: 0.99 or
1.99), with a shallow classification tree over the encoded child attributes (saved as JSON
like every model here). Numeric groups are matched by the nearest real value, so a synthetic
price of 1.9899999 still files under 1.99.

:func:`deal_slots` then places the children under the synthetic parents so that

* every parent gets exactly its target number of children (the cardinality stays exact), and
* each child lands in a group drawn from its own ``P(group | attributes)`` as far as the
  groups' capacities allow: a capacity-constrained Gumbel-max assignment in a few vectorised
  rounds (each child proposes to its best group still open, each group keeps its best
  proposals up to its capacity; a group that fills up closes), then children and slots are
  matched group by group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import ModelError
from synthohive_lib.relational._frames import locate
from synthohive_lib.relational._tree import class_probabilities, fit_class_tree
from synthohive_lib.relational.context import ContextEncoder
from synthohive_lib.schema.graph import Relation


class ParentAffinity:
    """``P(parent group | child attributes)`` for one secondary relation.

    ``group_column`` is the parent's column that defines the groups (a category, or a number
    with at most ``max_groups`` values when ``numeric``);
    ``max_groups`` keeps its most frequent values (the rest share one "other" group);
    ``max_unique_ratio`` is the encoder's bound on near-unique child columns.
    """

    def __init__(
        self,
        group_column: str,
        *,
        max_depth: int = 6,
        min_leaf: int = 10,
        max_groups: int = 50,
        exclude: tuple[str, ...] = (),
        max_unique_ratio: float = 0.5,
        numeric: bool = False,
    ) -> None:
        self.group_column = group_column
        self.numeric = numeric
        self.max_depth = max_depth
        self.min_leaf = min_leaf
        self.max_groups = max_groups
        self.exclude = tuple(exclude)
        self.max_unique_ratio = max_unique_ratio

    def fit(
        self, child_df: pd.DataFrame, parent_df: pd.DataFrame, relation: Relation
    ) -> ParentAffinity:
        """Learn from real children linked to real parents (NULL and orphan rows skipped)."""
        pos = locate(
            parent_df,
            relation.parent_columns,
            child_df,
            relation.child_columns,
            table=relation.child,
        )
        linked = pos >= 0
        if not linked.any():
            raise ModelError(
                "no child row references a parent: nothing to learn the affinity from",
                table=relation.child,
                fix="fit on real rows whose references resolve",
            )
        values = parent_df[self.group_column].iloc[pos[linked]]
        if self.numeric:
            present = pd.to_numeric(values, errors="coerce").dropna()
            self.values_: list[float] = sorted(
                float(v) for v in present.value_counts().head(self.max_groups).index
            )
            self.groups_: list[str] = [repr(v) for v in self.values_]
        else:
            top = values.astype(str).value_counts().head(self.max_groups).index.tolist()
            self.groups_ = [str(g) for g in top]
        self.relation_ = relation
        y = self._group_index(values)
        excluded = (*relation.child_columns, *self.exclude)
        self.encoder_ = ContextEncoder(max_unique_ratio=self.max_unique_ratio).fit(
            child_df, exclude=excluded
        )
        x = self.encoder_.transform(child_df.loc[linked])
        self.tree_, self.leaf_probs_ = fit_class_tree(
            x, y, len(self.groups_) + 1, max_depth=self.max_depth, min_leaf=self.min_leaf
        )
        return self

    def probabilities(self, child_df: pd.DataFrame) -> np.ndarray:
        """(children, groups + 1) matrix of ``P(group | attributes)``; last column: other."""
        self._check_fitted()
        return class_probabilities(self.tree_, self.leaf_probs_, self.encoder_.transform(child_df))

    def group_of(self, parent_df: pd.DataFrame) -> np.ndarray:
        """Group index of each parent row (unknown or missing values: the "other" group;
        a numeric group takes the nearest real value)."""
        self._check_fitted()
        if self.group_column not in parent_df.columns:
            return np.full(len(parent_df), len(self.groups_), dtype=np.int64)
        return self._group_index(parent_df[self.group_column])

    def _group_index(self, values: pd.Series) -> np.ndarray:
        other = len(self.groups_)
        if self.numeric:
            x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            if not self.values_:
                return np.full(len(x), other, dtype=np.int64)
            grid = np.asarray(self.values_)
            if len(grid) == 1:
                nearest = np.zeros(len(x), dtype=np.int64)
            else:
                right = np.clip(np.searchsorted(grid, x), 1, len(grid) - 1)
                left = right - 1
                nearest = np.where(np.abs(x - grid[left]) <= np.abs(grid[right] - x), left, right)
            return np.where(np.isnan(x), other, nearest).astype(np.int64)
        idx = pd.Index(self.groups_).get_indexer(values.astype(str).to_numpy())
        return np.where(idx < 0, other, idx).astype(np.int64)

    def information(self, child_df: pd.DataFrame, parent_df: pd.DataFrame) -> float:
        """Share of the group's entropy that the child attributes explain on linked real
        rows (``1 - H(group | attributes) / H(group)``, 0 when the group never varies): how
        much dealing by this column can keep of the real child–parent dependence."""
        self._check_fitted()
        rel = self.relation_
        pos = locate(parent_df, rel.parent_columns, child_df, rel.child_columns, table=rel.child)
        linked = pos >= 0
        y = self.group_of(parent_df.iloc[pos[linked]])
        share = np.bincount(y, minlength=len(self.groups_) + 1) / max(len(y), 1)
        h_y = float(-(share[share > 0] * np.log(share[share > 0])).sum())
        if h_y <= 1e-12:
            return 0.0
        probs = self.probabilities(child_df.loc[linked])
        h_cond = float(-np.log(probs[np.arange(len(y)), y] + 1e-12).mean())
        return max(0.0, 1.0 - h_cond / h_y)

    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        rel = self.relation_
        return {
            "group_column": self.group_column,
            "params": {
                "max_depth": self.max_depth,
                "min_leaf": self.min_leaf,
                "max_groups": self.max_groups,
                "exclude": list(self.exclude),
                "max_unique_ratio": self.max_unique_ratio,
                "numeric": self.numeric,
            },
            "relation": [rel.parent, rel.child, list(rel.child_columns), list(rel.parent_columns)],
            "groups": self.groups_,
            **({"values": self.values_} if self.numeric else {}),
            "encoder": self.encoder_.to_dict(),
            "tree": self.tree_,
            "leaf_probs": {str(k): v for k, v in self.leaf_probs_.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParentAffinity:
        params = data["params"]
        model = cls(
            data["group_column"],
            max_depth=int(params["max_depth"]),
            min_leaf=int(params["min_leaf"]),
            max_groups=int(params["max_groups"]),
            exclude=tuple(params["exclude"]),
            max_unique_ratio=float(params.get("max_unique_ratio", 0.5)),
            numeric=bool(params.get("numeric", False)),  # absent in plans before numeric groups
        )
        parent, child, child_cols, parent_cols = data["relation"]
        model.relation_ = Relation(parent, child, tuple(child_cols), tuple(parent_cols))
        model.groups_ = [str(g) for g in data["groups"]]
        if model.numeric:
            model.values_ = [float(v) for v in data["values"]]
        model.encoder_ = ContextEncoder.from_dict(data["encoder"])
        model.tree_ = data["tree"]
        model.leaf_probs_ = {int(k): [float(p) for p in v] for k, v in data["leaf_probs"].items()}
        return model

    def _check_fitted(self) -> None:
        if not hasattr(self, "groups_"):
            raise ModelError("the parent affinity is not fitted", fix="call fit(...) first")


def assign_groups(probs: np.ndarray, capacity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Group of each child: drawn from its row of ``probs`` within the groups' capacities.

    Gumbel-max makes an unconstrained choice a draw from ``probs``; capacities are enforced
    in rounds — each unplaced child proposes to its best open group, each group keeps its best
    proposals up to what is left — so every round closes at least one group or ends.
    ``capacity`` must sum to the number of children.
    """
    m, n_groups = probs.shape
    if int(capacity.sum()) != m:
        raise ValueError(f"capacities sum to {int(capacity.sum())}, not to {m} children")
    score = np.log(probs + 1e-12) - np.log(-np.log(rng.random((m, n_groups))))
    left = capacity.astype(np.int64).copy()
    group = np.full(m, -1, dtype=np.int64)
    todo = np.arange(m)
    for _ in range(n_groups + 1):
        if len(todo) == 0:
            break
        s = np.where(left[None, :] > 0, score[todo], -np.inf)
        choice = np.argmax(s, axis=1)
        best = s[np.arange(len(todo)), choice]
        order = np.lexsort((-best, choice))  # by group, best proposal first
        ranked_choice = choice[order]
        starts = np.searchsorted(ranked_choice, ranked_choice, side="left")
        rank = np.arange(len(order)) - starts
        accepted = order[rank < left[ranked_choice]]
        group[todo[accepted]] = choice[accepted]
        left -= np.bincount(choice[accepted], minlength=n_groups)
        todo = np.setdiff1d(todo, todo[accepted], assume_unique=True)
    return group


def deal_slots(
    counts: np.ndarray,
    parent_groups: np.ndarray,
    probs: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Parent position of each child: exactly ``counts[p]`` children per parent ``p``,
    children placed in groups by their ``probs`` (columns = groups, see ``parent_groups``)."""
    n_groups = probs.shape[1]
    slots = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    slot_group = parent_groups[slots]
    capacity = np.bincount(slot_group, minlength=n_groups)
    child_group = assign_groups(probs, capacity, rng)
    out = np.empty(len(probs), dtype=np.int64)
    out[np.argsort(child_group, kind="stable")] = slots[np.argsort(slot_group, kind="stable")]
    return out
