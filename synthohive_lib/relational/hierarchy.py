"""Self-references as a hierarchy: ``Employee.ReportsTo → Employee``.

Assigning a self-referencing foreign key at random would create cycles (A reports to B who
reports to A), lose the roots (the NULLs of the top of the tree) and flatten the depth. The
model instead learns the *shape* of the real forest:

* the share of roots (rows whose reference is NULL, dangling or points at themselves),
* the depth histogram (how many rows sit at depth 0, 1, 2, ...),
* the fan-out per depth (the children of each node at depth ``d``, zeros included),

and generates level by level: level sizes from the depth histogram, then every row of level
``d + 1`` is dealt to a parent of level ``d`` by the same "slots" shuffle as secondary foreign
keys (targets from the real fan-out). A parent is always one level higher than its children,
so the result is acyclic by construction. Each level is one vectorised step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.atomic import read_json, write_json
from synthohive_lib.errors import ArtifactError, ModelError, SynthoHiveError
from synthohive_lib.relational._frames import locate
from synthohive_lib.relational._tree import class_probabilities, fit_class_tree
from synthohive_lib.relational.affinity import ParentAffinity, assign_groups, deal_slots
from synthohive_lib.relational.cardinality import rescale_counts
from synthohive_lib.relational.context import ContextEncoder
from synthohive_lib.schema.graph import Relation

FORMAT = "synthohive.hierarchy/1"


def node_depths(parent_pos: np.ndarray, *, table: str | None = None) -> np.ndarray:
    """Depth of every node given the position of its parent (-1 for a root).

    Pointer chasing, one vectorised step per level: ``O(n * depth)``. A cycle in the real data
    has no depth and is reported, naming how many rows are caught in it.
    """
    n = len(parent_pos)
    depth = np.zeros(n, dtype=np.int64)
    ancestor = parent_pos.copy()
    for _ in range(n + 1):
        active = ancestor >= 0
        if not active.any():
            return depth
        depth[active] += 1
        ancestor[active] = parent_pos[ancestor[active]]
    stuck = int((ancestor >= 0).sum())
    raise SynthoHiveError(
        f"the self-reference forms a cycle: {stuck} row(s) never reach a root",
        table=table,
        fix="break the cycle in the source (set the reference of one row to NULL)",
    )


class HierarchyModel:
    """Root share, depth histogram and per-depth fan-out of one self-referencing relation.

    With ``attributes`` (columns of the table such as ``Title``), the model also learns
    ``P(depth | attributes)`` with a small classification tree, and generation puts each row
    at a depth drawn from it within the level sizes (a "General Manager" at the top, "IT
    Staff" at the bottom) instead of at random. With a ``label`` (a categorical column, e.g.
    ``Title``) each row is also placed under the kind of manager its real look-alikes had
    (IT Staff under the IT Manager): a
    :class:`~synthohive_lib.relational.affinity.ParentAffinity` of the self-reference.
    """

    def __init__(
        self,
        *,
        attributes: tuple[str, ...] = (),
        label: str | None = None,
        max_depth: int = 4,
        min_leaf: int | None = None,
    ) -> None:
        self.attributes = tuple(attributes)
        self.label = label
        self.max_depth = max_depth
        self.min_leaf = min_leaf

    def fit(self, df: pd.DataFrame, relation: Relation) -> HierarchyModel:
        if relation.parent != relation.child:
            raise ModelError(
                f"{relation} is not a self-reference",
                table=relation.child,
                fix="use CardinalityModel for relations between two tables",
            )
        if len(df) == 0:
            raise ModelError("cannot learn a hierarchy from an empty table", table=relation.child)
        parent_pos = locate(
            df, relation.parent_columns, df, relation.child_columns, table=relation.child
        )
        parent_pos[parent_pos == np.arange(len(df))] = -1  # a row pointing at itself is a root
        depth = node_depths(parent_pos, table=relation.child)
        n_levels = int(depth.max()) + 1
        children = np.bincount(parent_pos[parent_pos >= 0], minlength=len(df))
        self.relation_ = relation
        self.n_rows_ = len(df)
        self.root_rate_ = float((parent_pos < 0).mean())
        self.depth_probs_ = (np.bincount(depth, minlength=n_levels) / len(df)).tolist()
        self.fanout_: list[list[int]] = [
            np.sort(children[depth == d]).tolist() for d in range(n_levels - 1)
        ]
        self.affinity_: ParentAffinity | None = None
        if self.label is not None and self.label in df.columns and n_levels > 1:
            self.affinity_ = ParentAffinity(
                self.label,
                min_leaf=1,
                max_unique_ratio=1.0,
                exclude=tuple(c for c in df.columns if c not in self.attributes),
            ).fit(df, df, relation)
        present = [c for c in self.attributes if c in df.columns]
        self.encoder_ = ContextEncoder(max_unique_ratio=1.0).fit(df[present])
        min_leaf = self.min_leaf or max(1, len(df) // 20)
        self.depth_tree_, self.depth_probs_by_leaf_ = fit_class_tree(
            self.encoder_.transform(df),
            depth,
            n_levels,
            max_depth=self.max_depth,
            min_leaf=min_leaf,
        )
        return self

    def _level_order(
        self, n: int, sizes: np.ndarray, attributes: pd.DataFrame | None, rng: np.random.Generator
    ) -> np.ndarray:
        """Rows in level order (roots first); each row's level drawn from P(depth | attributes)
        within the level sizes when the model learnt one, else at random."""
        perm = rng.permutation(n)
        if attributes is None or self.depth_tree_ is None or len(sizes) < 2:
            return perm
        probs = class_probabilities(
            self.depth_tree_, self.depth_probs_by_leaf_, self.encoder_.transform(attributes)
        )
        last = len(sizes) - 1
        folded = np.concatenate([probs[:, :last], probs[:, last:].sum(axis=1, keepdims=True)], 1)
        levels = assign_groups(folded, sizes, rng)
        return perm[np.argsort(levels[perm], kind="stable")]

    # ------------------------------------------------------------------ generate
    def level_sizes(self, n: int) -> np.ndarray:
        """Rows per depth for ``n`` rows: the real histogram, largest remainders, >= 1 root."""
        self._check_fitted()
        probs = np.asarray(self.depth_probs_)
        raw = probs * n
        sizes = np.floor(raw).astype(np.int64)
        short = n - int(sizes.sum())
        if short:
            sizes[np.argsort(-(raw - sizes), kind="stable")[:short]] += 1
        if n and sizes[0] == 0:
            sizes[int(np.flatnonzero(sizes)[-1])] -= 1  # the deepest level gives one row
            sizes[0] = 1
        # a level cannot exist under an empty one: fold everything below a gap into the last
        # non-empty level
        empty = np.flatnonzero(sizes == 0)
        if len(empty) and empty[0] < len(sizes):
            gap = int(empty[0])
            sizes[gap - 1] += int(sizes[gap:].sum())
            sizes = sizes[:gap]
        return sizes

    def generate(
        self,
        keys: pd.DataFrame,
        seed: int | np.random.Generator | None = None,
        *,
        rank: np.ndarray | None = None,
        attributes: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """The self-reference columns for rows whose own keys are ``keys`` (in row order).

        ``rank`` (optional, one value per row) decides who sits higher: the lowest ranks
        become roots (e.g. the earliest hire date). Otherwise the rows' ``attributes``
        (row-aligned) choose their depth when the model learnt how, or levels are drawn at
        random. Roots get NULL.
        """
        self._check_fitted()
        rng = np.random.default_rng(seed)
        n = len(keys)
        sizes = self.level_sizes(n)
        if rank is not None:
            order = np.argsort(rank, kind="stable")
        else:
            order = self._level_order(n, sizes, attributes, rng)
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        parent_row = np.full(n, -1, dtype=np.int64)
        for d in range(len(sizes) - 1):
            upper = order[bounds[d] : bounds[d + 1]]
            lower = order[bounds[d + 1] : bounds[d + 2]]
            fanout = np.asarray(self.fanout_[d] if d < len(self.fanout_) else self.fanout_[-1])
            targets = rng.choice(fanout, size=len(upper))
            high = max(int(fanout.max()), -(-len(lower) // len(upper)))
            low = min(int(fanout.min()), len(lower) // len(upper))
            counts = rescale_counts(targets, len(lower), low, high, rng, table=self.relation_.child)
            if self.affinity_ is not None and attributes is not None:
                probs = self.affinity_.probabilities(attributes.iloc[lower])
                groups = self.affinity_.group_of(attributes.iloc[upper])
                parent_row[lower] = upper[deal_slots(counts, groups, probs, rng)]
            else:
                parent_row[lower] = rng.permutation(np.repeat(upper, counts))
        return self._references(keys, parent_row)

    def _references(self, keys: pd.DataFrame, parent_row: np.ndarray) -> pd.DataFrame:
        rel = self.relation_
        out = pd.DataFrame(index=keys.index)
        linked = parent_row >= 0
        for child_col, parent_col in zip(rel.child_columns, rel.parent_columns, strict=True):
            values = keys[parent_col].to_numpy()
            dtype = "Int64" if pd.api.types.is_integer_dtype(keys[parent_col]) else object
            col = pd.Series(pd.NA, index=keys.index, dtype=dtype)
            col.iloc[np.flatnonzero(linked)] = values[parent_row[linked]]
            out[child_col] = col
        return out

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        rel = self.relation_
        return {
            "format": FORMAT,
            "relation": [rel.parent, rel.child, list(rel.child_columns), list(rel.parent_columns)],
            "n_rows": self.n_rows_,
            "root_rate": self.root_rate_,
            "depth_probs": self.depth_probs_,
            "fanout": self.fanout_,
            "params": {
                "attributes": list(self.attributes),
                "label": self.label,
                "max_depth": self.max_depth,
                "min_leaf": self.min_leaf,
            },
            "affinity": None if self.affinity_ is None else self.affinity_.to_dict(),
            "encoder": self.encoder_.to_dict(),
            "depth_tree": self.depth_tree_,
            "depth_leaf_probs": {str(k): v for k, v in self.depth_probs_by_leaf_.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HierarchyModel:
        if data.get("format") != FORMAT:
            raise ArtifactError(
                f"not a hierarchy model artifact (format {data.get('format')!r})",
                fix=f"load a file written by HierarchyModel.save ({FORMAT})",
            )
        try:
            params = data["params"]
            model = cls(
                attributes=tuple(params["attributes"]),
                label=params["label"],
                max_depth=int(params["max_depth"]),
                min_leaf=params["min_leaf"],
            )
            model.affinity_ = (
                None if data["affinity"] is None else ParentAffinity.from_dict(data["affinity"])
            )
            parent, child, child_cols, parent_cols = data["relation"]
            model.relation_ = Relation(parent, child, tuple(child_cols), tuple(parent_cols))
            model.n_rows_ = int(data["n_rows"])
            model.root_rate_ = float(data["root_rate"])
            model.depth_probs_ = [float(p) for p in data["depth_probs"]]
            model.fanout_ = [[int(v) for v in level] for level in data["fanout"]]
            model.encoder_ = ContextEncoder.from_dict(data["encoder"])
            model.depth_tree_ = data["depth_tree"]
            model.depth_probs_by_leaf_ = {
                int(k): [float(p) for p in v] for k, v in data["depth_leaf_probs"].items()
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(
                f"hierarchy model artifact is incomplete or altered: {exc!r}",
                fix="re-fit the self-reference and save it again",
            ) from exc
        return model

    def save(self, path: str | Path) -> Path:
        return write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path) -> HierarchyModel:
        return cls.from_dict(read_json(path, "hierarchy model"))

    def _check_fitted(self) -> None:
        if not hasattr(self, "depth_probs_"):
            raise ModelError("the hierarchy model is not fitted", fix="call fit(df, relation)")
