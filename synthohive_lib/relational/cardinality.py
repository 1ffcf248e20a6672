"""How many children does each parent get: a conditional count model per relation.

Real child counts are skewed, often zero-inflated and depend on the parent (an invoice from a
big country has more lines; a genre like "Rock" has a thousand tracks, "Opera" one). A
Poisson or negative-binomial fit would smooth those shapes away and invent counts never seen
(beyond the real maximum), so the model keeps the *empirical* count distribution, but
conditioned: a shallow regression tree over the encoded parent attributes
(:class:`~synthohive_lib.relational.context.ContextEncoder`) partitions parents into a few
leaves, and each leaf keeps the exact histogram of the counts of its real parents. Sampling
draws from the leaf of each synthetic parent, so

* parents without children stay possible (0 is just another count value),
* the real minimum and maximum are never exceeded,
* tiny tables (fewer than ``2 * min_leaf`` parents) or parents without usable attributes use
  one leaf: the plain empirical distribution;
* a lookup parent whose label nearly names its row (``Genre.Name``: "Rock" has 1297 tracks,
  "Opera" one) can give that label as ``label_column``: every known label becomes its own
  leaf, so a synthetic "Rock" gets Rock's count; unknown labels use the tree or the pooled
  distribution;
* a parent category whose real parents all have no child ('IT Staff' employees have no
  customers) gives its synthetic parents no child either.

The fitted state is plain numbers and lists, saved as JSON (no pickle): the tree is stored as
its node arrays and applied with vectorised NumPy, level by level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeRegressor

from synthohive_lib.atomic import read_json, write_json
from synthohive_lib.errors import ArtifactError, ModelError, UnreachableRowTargetError
from synthohive_lib.relational._frames import children_per_parent, null_key_mask
from synthohive_lib.relational._tree import apply_tree, tree_arrays
from synthohive_lib.relational.context import ContextEncoder, _CategoricalSpec
from synthohive_lib.schema.graph import Relation

FORMAT = "synthohive.cardinality/1"


class CardinalityModel:
    """Children-per-parent distribution of one relation, conditioned on parent attributes.

    Parameters are hyper-parameters only (scikit-learn style); fitted state ends in ``_``.

    ``max_depth``/``min_leaf`` bound the tree: at most ``2**max_depth`` leaves, each backed by
    at least ``min_leaf`` real parents, so every leaf histogram is estimated from enough rows.
    ``exclude`` lists parent columns that must not be used as context (other key columns);
    ``label_column`` names a parent label whose every value keeps its own count histogram.
    """

    def __init__(
        self,
        *,
        max_depth: int = 3,
        min_leaf: int = 30,
        exclude: tuple[str, ...] = (),
        max_categories: int = 10,
        label_column: str | None = None,
        match_marginal: bool = True,
    ) -> None:
        self.max_depth = max_depth
        self.min_leaf = min_leaf
        self.exclude = tuple(exclude)
        self.max_categories = max_categories
        self.label_column = label_column
        self.match_marginal = match_marginal

    # ------------------------------------------------------------------ fit
    def fit(
        self, parent_df: pd.DataFrame, child_df: pd.DataFrame, relation: Relation
    ) -> CardinalityModel:
        """Learn the counts of ``relation`` from real parent and child rows.

        Child rows with a NULL reference are not counted (their rate is kept in
        ``null_rate_``); orphan references are ignored here — apply the relation's orphan
        policy first (:func:`synthohive_lib.relational.orphans.apply_orphan_policy`).
        """
        if len(parent_df) == 0:
            if len(child_df) and not null_key_mask(child_df, relation.child_columns).all():
                raise ModelError(
                    "cannot learn children per parent from an empty parent table",
                    table=relation.parent,
                    fix="load the parent rows before fitting the relation",
                )
            return self._fit_empty(parent_df, child_df, relation)
        counts = children_per_parent(
            parent_df,
            relation.parent_columns,
            child_df,
            relation.child_columns,
            table=relation.parent,
        )
        self.relation_ = relation
        self.null_rate_ = (
            float(null_key_mask(child_df, relation.child_columns).mean()) if len(child_df) else 0.0
        )
        self.min_ = int(counts.min())
        self.max_ = int(counts.max())
        self.mean_ = float(counts.mean())
        self.n_parents_ = len(parent_df)
        self.n_children_ = int(counts.sum())

        self.encoder_ = ContextEncoder(max_categories=self.max_categories).fit(
            parent_df, exclude=(*relation.parent_columns, *self.exclude)
        )
        x = self.encoder_.transform(parent_df)
        self.tree_: dict[str, list[Any]] | None = None
        leaves = np.zeros(len(parent_df), dtype=np.int64)
        if x.shape[1] > 0 and len(parent_df) >= 2 * self.min_leaf and self.max_ > self.min_:
            tree = DecisionTreeRegressor(
                max_depth=self.max_depth, min_samples_leaf=self.min_leaf, random_state=0
            ).fit(x, np.log1p(counts))
            if tree.tree_.node_count > 1:
                self.tree_ = tree_arrays(tree.tree_)
                leaves = self._apply(x)
        self.labels_: list[str] = []
        if self.label_column is not None and self.label_column in parent_df.columns:
            text = _labels(parent_df[self.label_column])
            self.labels_ = sorted({str(v) for v in text if v is not None})
            leaves = self._with_labels(leaves, text)
        self.leaf_values_: dict[int, list[int]] = {}
        self.leaf_probs_: dict[int, list[float]] = {}
        for leaf in np.unique(leaves):
            self.leaf_values_[int(leaf)], self.leaf_probs_[int(leaf)] = _histogram(
                counts[leaves == leaf]
            )
        self.pooled_ = _histogram(counts)
        self.zero_categories_ = self._childless_categories(parent_df, counts)
        return self

    def _fit_empty(
        self, parent_df: pd.DataFrame, child_df: pd.DataFrame, relation: Relation
    ) -> CardinalityModel:
        """No parent and no linked child (e.g. both emptied by an orphan policy): every
        synthetic parent gets no child; a child with only NULL references keeps its rate."""
        self.relation_ = relation
        self.null_rate_ = 1.0 if len(child_df) else 0.0
        self.min_ = self.max_ = self.n_parents_ = self.n_children_ = 0
        self.mean_ = 0.0
        self.encoder_ = ContextEncoder(max_categories=self.max_categories).fit(
            parent_df, exclude=tuple(parent_df.columns)
        )
        self.tree_, self.labels_ = None, []
        self.leaf_values_, self.leaf_probs_ = {0: [0]}, {0: [1.0]}
        self.pooled_ = ([0], [1.0])
        self.zero_categories_ = {}
        return self

    def _childless_categories(
        self, parent_df: pd.DataFrame, counts: np.ndarray
    ) -> dict[str, list[str]]:
        """Per low-cardinality parent category, the values whose real parents *all* have no
        child (Chinook: only 'Sales Support Agent' employees have customers). A synthetic
        parent with such a value gets no child either, whatever leaf it falls in: the
        child's model never saw that value as context, and the real data says it has none."""
        out: dict[str, list[str]] = {}
        if self.min_ > 0:
            return out
        for spec in self.encoder_.specs_:
            if not isinstance(spec, _CategoricalSpec) or spec.name not in parent_df.columns:
                continue
            text = pd.Series(_labels(parent_df[spec.name]))
            totals = pd.Series(counts).groupby(text).sum()
            zero = [str(v) for v in totals.index[totals.to_numpy() == 0]]
            if zero and len(zero) < len(totals):
                out[spec.name] = sorted(zero)
        return out

    def _forced_zero(self, parent_df: pd.DataFrame) -> np.ndarray:
        forced = np.zeros(len(parent_df), dtype=bool)
        for column, values in getattr(self, "zero_categories_", {}).items():
            if column in parent_df.columns:
                forced |= pd.Series(_labels(parent_df[column])).isin(values).to_numpy()
        return forced

    def _with_labels(self, leaves: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Leaves overridden by label: a known label ``i`` is its own leaf ``-(i + 1)``."""
        idx = pd.Index(self.labels_, dtype=object).get_indexer(labels)
        return np.where(idx >= 0, -(idx + 1), leaves)

    @property
    def is_conditional(self) -> bool:
        """False when the model fell back to one empirical distribution for every parent."""
        return self.tree_ is not None or bool(self.labels_)

    def _apply(self, x: np.ndarray) -> np.ndarray:
        return apply_tree(self.tree_, x)

    # ------------------------------------------------------------------ sample
    def sample_counts(
        self,
        parent_df: pd.DataFrame,
        seed: int | np.random.Generator | None = None,
        *,
        total: int | None = None,
    ) -> np.ndarray:
        """Number of children for each row of ``parent_df`` (synthetic parents).

        With ``total`` the counts are rescaled to sum to exactly ``total`` while staying in
        the real ``[min, max]`` range; a target outside ``n_parents * [min, max]`` cannot be
        met and raises :class:`~synthohive_lib.errors.UnreachableRowTargetError`.
        """
        self._check_fitted()
        rng = np.random.default_rng(seed)
        n = len(parent_df)
        counts = np.zeros(n, dtype=np.int64)
        if n == 0:
            if total:
                raise UnreachableRowTargetError(
                    f"cannot place {total} child rows under zero parents",
                    table=self.relation_.child,
                    fix="generate at least one parent row or lower the child row target",
                )
            return counts
        leaves = self._apply(self.encoder_.transform(parent_df))
        if self.labels_ and self.label_column in parent_df.columns:
            leaves = self._with_labels(leaves, _labels(parent_df[self.label_column]))
        for leaf in np.unique(leaves):
            rows = np.flatnonzero(leaves == leaf)
            values = self.leaf_values_.get(int(leaf))
            probs = self.leaf_probs_.get(int(leaf))
            if values is None or probs is None:  # a leaf no real parent reached: pool all
                values, probs = self.pooled_
            counts[rows] = rng.choice(np.asarray(values), size=len(rows), p=np.asarray(probs))
        forced = self._forced_zero(parent_df)
        if self.match_marginal:
            counts = self._match_marginal(counts, forced, rng)
        else:
            counts[forced] = 0
        if total is not None:
            counts = self._rescale_total(counts, forced, int(total), rng)
        return counts

    def _rescale_total(
        self, counts: np.ndarray, forced: np.ndarray, total: int, rng: np.random.Generator
    ) -> np.ndarray:
        """``counts`` summing to exactly ``total``: the invariant every caller builds on.

        Parents of a childless kind get no child when the others can hold ``total`` within
        the real range; otherwise every parent shares it. (Rescaling only the free parents
        while keeping the forced parents' marginal counts made the sum exceed ``total``, and
        a link table's two sides then disagreed on the number of links.)
        """
        free = ~forced
        child = self.relation_.child
        if not free.any() and total:
            raise UnreachableRowTargetError(
                f"cannot place {total} child rows: no synthetic parent has a kind that "
                "has children in the real data",
                table=child,
                fix="generate more parent rows, or let the child size follow the parents",
            )
        out = counts.copy()
        if forced.any() and int(free.sum()) * self.max_ >= total >= int(free.sum()) * self.min_:
            out[forced] = 0
            out[free] = rescale_counts(counts[free], total, self.min_, self.max_, rng, table=child)
        else:
            out = rescale_counts(counts, total, self.min_, self.max_, rng, table=child)
        if int(out.sum()) != total:  # an invariant, not a user error
            raise ModelError(
                f"children per {self.relation_.parent} parent sum to {int(out.sum())}, "
                f"not the {total} asked for",
                table=child,
                fix="report this as a bug in synthohive_lib.relational.cardinality",
            )
        return out

    def _match_marginal(
        self, draws: np.ndarray, forced: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Counts with the real marginal distribution, dealt in the order of ``draws``.

        Conditional draws from a few leaves are right per parent on average, but the *set*
        of counts over a small synthetic parent table drifts far from the real one when the
        parents' attributes do (25 synthetic genres with three "Rock"s). So the counts are
        the pooled real distribution at the stratified quantiles ``(i + u) / n`` (exactly
        the real multiset when there are as many parents as real ones) and the largest go
        to the parents with the largest conditional draws (ties at random); parents of a
        childless category (:meth:`_childless_categories`) rank lowest, so they get the
        zeros first — all of them when the real share of zeros allows it.
        """
        n = len(draws)
        values, probs = (np.asarray(v) for v in self.pooled_)
        quantiles = (np.arange(n) + rng.random()) / n
        idx = np.searchsorted(np.cumsum(probs), quantiles, side="right")
        sorted_counts = values[np.minimum(idx, len(values) - 1)].astype(np.int64)
        key = np.where(forced, -1.0, draws.astype(float))
        order = np.lexsort((rng.random(n), key))
        out = np.empty(n, dtype=np.int64)
        out[order] = sorted_counts
        return out

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        rel = self.relation_
        return {
            "format": FORMAT,
            "params": {
                "max_depth": self.max_depth,
                "min_leaf": self.min_leaf,
                "exclude": list(self.exclude),
                "max_categories": self.max_categories,
                "label_column": self.label_column,
                "match_marginal": self.match_marginal,
            },
            "relation": {
                "parent": rel.parent,
                "child": rel.child,
                "child_columns": list(rel.child_columns),
                "parent_columns": list(rel.parent_columns),
            },
            "null_rate": self.null_rate_,
            "min": self.min_,
            "max": self.max_,
            "mean": self.mean_,
            "n_parents": self.n_parents_,
            "n_children": self.n_children_,
            "encoder": self.encoder_.to_dict(),
            "tree": self.tree_,
            "labels": self.labels_,
            "zero_categories": self.zero_categories_,
            "pooled": {"values": self.pooled_[0], "probs": self.pooled_[1]},
            "leaves": {
                str(k): {"values": v, "probs": self.leaf_probs_[k]}
                for k, v in self.leaf_values_.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CardinalityModel:
        if data.get("format") != FORMAT:
            raise ArtifactError(
                f"not a cardinality model artifact (format {data.get('format')!r})",
                fix=f"load a file written by CardinalityModel.save ({FORMAT})",
            )
        try:
            params = data["params"]
            model = cls(
                max_depth=int(params["max_depth"]),
                min_leaf=int(params["min_leaf"]),
                exclude=tuple(params["exclude"]),
                max_categories=int(params["max_categories"]),
                label_column=params.get("label_column"),
                match_marginal=bool(params.get("match_marginal", True)),
            )
            rel = data["relation"]
            model.relation_ = Relation(
                rel["parent"],
                rel["child"],
                tuple(rel["child_columns"]),
                tuple(rel["parent_columns"]),
            )
            model.null_rate_ = float(data["null_rate"])
            model.min_, model.max_ = int(data["min"]), int(data["max"])
            model.mean_ = float(data["mean"])
            model.n_parents_, model.n_children_ = int(data["n_parents"]), int(data["n_children"])
            model.encoder_ = ContextEncoder.from_dict(data["encoder"])
            model.tree_ = data["tree"]
            model.labels_ = [str(v) for v in data["labels"]]
            model.zero_categories_ = {
                str(k): [str(x) for x in v] for k, v in data.get("zero_categories", {}).items()
            }
            model.pooled_ = (list(data["pooled"]["values"]), list(data["pooled"]["probs"]))
            model.leaf_values_ = {int(k): list(v["values"]) for k, v in data["leaves"].items()}
            model.leaf_probs_ = {int(k): list(v["probs"]) for k, v in data["leaves"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(
                f"cardinality model artifact is incomplete or altered: {exc!r}",
                fix="re-fit the relation and save it again",
            ) from exc
        return model

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON atomically (temp file + rename)."""
        return write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path) -> CardinalityModel:
        return cls.from_dict(read_json(path, "cardinality model"))

    def _check_fitted(self) -> None:
        if not hasattr(self, "leaf_values_"):
            raise ModelError(
                "the cardinality model is not fitted", fix="call fit(parent_df, child_df, relation)"
            )


def _labels(column: pd.Series) -> np.ndarray:
    """Label values as text (NULL stays None, matching no label)."""
    return column.astype(str).where(column.notna(), None).to_numpy(dtype=object)


def _histogram(counts: np.ndarray) -> tuple[list[int], list[float]]:
    """Distinct counts and their frequencies, as plain lists for JSON."""
    values, freq = np.unique(counts, return_counts=True)
    return values.astype(int).tolist(), (freq / freq.sum()).tolist()


def rescale_counts(
    counts: np.ndarray,
    total: int,
    low: int,
    high: int,
    rng: np.random.Generator,
    *,
    table: str | None = None,
) -> np.ndarray:
    """Counts rescaled to sum to ``total`` exactly, each kept within ``[low, high]``.

    The shape is kept by multiplying every count by ``total / sum`` with stochastic rounding;
    the last few units left by rounding and clipping go, one each, to random parents that
    still have room (a handful of vectorised passes, never a loop over rows).
    """
    n = len(counts)
    if not n * low <= total <= n * high:
        raise UnreachableRowTargetError(
            f"{total} child rows cannot be spread over {n} parents with between {low} and "
            f"{high} children each (the real range)",
            table=table,
            fix="change the scale or row target so that it fits the real children-per-parent "
            "range, or generate more parent rows",
        )
    counts = np.asarray(counts, dtype=float)
    base = counts.sum()
    scaled = counts * (total / base) if base > 0 else np.full(n, total / n)
    floor = np.floor(scaled)
    out = (floor + (rng.random(n) < scaled - floor)).astype(np.int64)
    out = np.clip(out, low, high)
    for _ in range(64):
        diff = total - int(out.sum())
        if diff == 0:
            return out
        cap = (high - out) if diff > 0 else (out - low)
        room = np.flatnonzero(cap > 0)
        step = np.minimum(cap[room], abs(diff) // len(room))
        if step.sum() == 0:  # fewer units than parents with room: one each, at random
            step = np.zeros(len(room), dtype=np.int64)
            step[rng.choice(len(room), size=abs(diff), replace=False)] = 1
        out[room] += step if diff > 0 else -step
    raise ModelError("could not rescale counts to the target total", table=table)
