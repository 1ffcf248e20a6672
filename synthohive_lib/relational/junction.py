"""Many-to-many link tables: unique pairs with realistic counts on both sides.

``PlaylistTrack(PlaylistId, TrackId)`` has no attributes of its own: it *is* the two
cardinalities (tracks per playlist, playlists per track) plus the rule that a pair appears at
most once. :class:`JunctionModel` keeps one
:class:`~synthohive_lib.relational.cardinality.CardinalityModel` per side and generates:

1. ``k_a`` — links of each synthetic left parent, from the left model (at most the number of
   right parents, since pairs are unique);
2. ``r_b`` — links of each synthetic right parent, from the right model, rescaled to the same
   total;
3. pairs with exactly these degrees on both sides (:func:`match_degrees`: configuration model
   with targeted rewiring, ``O(links)`` per round), so both per-side distributions are the
   learnt ones (on Chinook: KS < 0.01 for playlists per track).

When the right side's real range cannot absorb the left side's total, the right side becomes
a popularity weight instead (:func:`sample_pairs`: for each left parent, ``k_a`` distinct right
parents drawn ~ weight without replacement — Gumbel-top-k; sparse rows by a batch of draws,
de-duplication and a group rank, dense rows by a random-key matrix in memory-bounded chunks).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import ConfigError, ModelError
from synthohive_lib.relational.cardinality import CardinalityModel
from synthohive_lib.schema.graph import Relation
from synthohive_lib.schema.keys import key_codes

_DENSE_CELLS = 4_000_000  # random keys held at once by the dense path (~32 MB of float64)


def _dense_top_k(
    rows: np.ndarray, k: np.ndarray, weights: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """For each ``rows[i]``, ``k[i]`` distinct columns drawn ~ ``weights`` w/o replacement."""
    n_cols = len(weights)
    chunk = max(1, _DENSE_CELLS // max(n_cols, 1))
    out_rows: list[np.ndarray] = []
    out_cols: list[np.ndarray] = []
    log_w = np.log(weights)
    for start in range(0, len(rows), chunk):
        r, kk = rows[start : start + chunk], k[start : start + chunk]
        # Gumbel-top-k, equivalent to Efraimidis–Spirakis: largest log(w) + Gumbel noise
        keys = log_w[None, :] - np.log(-np.log(rng.random((len(r), n_cols))))
        order = np.argsort(-keys, axis=1)
        take = np.arange(n_cols)[None, :] < kk[:, None]
        out_rows.append(np.repeat(r, kk))
        out_cols.append(order[take])
    if not out_rows:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(out_rows), np.concatenate(out_cols)


def sample_pairs(
    k: np.ndarray,
    weights: np.ndarray,
    seed: int | np.random.Generator | None = None,
    *,
    oversample: float = 1.5,
    table: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unique (row, column) pairs: row ``i`` gets ``k[i]`` distinct columns ~ ``weights``.

    ``k`` is clipped to the number of columns. Returns row and column positions, sorted by
    row. Weights must be positive.
    """
    rng = np.random.default_rng(seed)
    weights = np.asarray(weights, dtype=float)
    if (weights <= 0).any() or not np.isfinite(weights).all():
        raise ModelError(
            "pair weights must be positive and finite",
            table=table,
            fix="pass one positive weight per right-side parent",
        )
    n_cols = len(weights)
    k = np.minimum(np.asarray(k, dtype=np.int64), n_cols)
    sparse = np.flatnonzero((k > 0) & (k * 8 <= n_cols))
    dense = np.flatnonzero((k > 0) & (k * 8 > n_cols))

    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    if len(sparse):
        draws = np.ceil(k[sparse] * oversample).astype(np.int64) + 4
        cand_rows = np.repeat(sparse, draws)
        cand_cols = rng.choice(n_cols, size=len(cand_rows), p=weights / weights.sum())
        pairs = pd.DataFrame({"r": cand_rows, "c": cand_cols}).drop_duplicates()
        rank = pairs.groupby("r", sort=False).cumcount().to_numpy()
        keep = rank < k[pairs["r"].to_numpy()]
        rows_out.append(pairs["r"].to_numpy()[keep])
        cols_out.append(pairs["c"].to_numpy()[keep])
        got = np.bincount(rows_out[0], minlength=len(k))
        short = sparse[got[sparse] < k[sparse]]
        if len(short):  # redo the few rows that collected too few distinct columns
            drop = np.isin(rows_out[0], short)
            rows_out[0], cols_out[0] = rows_out[0][~drop], cols_out[0][~drop]
            dense = np.concatenate([dense, short])
    if len(dense):
        r, c = _dense_top_k(dense, k[dense], weights, rng)
        rows_out.append(r)
        cols_out.append(c)
    if not rows_out:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    rows, cols = np.concatenate(rows_out), np.concatenate(cols_out)
    order = np.lexsort((cols, rows))
    return rows[order], cols[order]


def match_degrees(
    k: np.ndarray,
    r: np.ndarray,
    seed: int | np.random.Generator | None = None,
    *,
    rounds: int = 100,
    proposals: int = 16,
    table: str | None = None,
    sides: tuple[str, str] = ("rows", "columns"),
) -> tuple[np.ndarray, np.ndarray]:
    """Unique (row, column) pairs where row ``i`` appears ``k[i]`` times and column ``j``
    ``r[j]`` times (``sum(k) == sum(r)``), as far as uniqueness allows.

    A configuration model with targeted rewiring: row slots are paired with shuffled column
    slots; each repeated pair ``(a, b)`` then trades its column with a random other pair
    ``(a', b')`` when neither ``(a, b')`` nor ``(a', b)`` exists yet. A trade swaps two column
    slots, so both degree sequences stay exact; ``proposals`` candidates per repeat and round
    keep this fast even next to rows holding nearly every column. Pairs still repeated after
    ``rounds`` are dropped.

    ``table`` (the link table) and ``sides`` (its two parents) name the tables in the typed
    :class:`~synthohive_lib.errors.ModelError` raised when the two degree sequences disagree.
    """
    rng = np.random.default_rng(seed)
    k, r = np.asarray(k, dtype=np.int64), np.asarray(r, dtype=np.int64)
    if k.sum() != r.sum() or (k < 0).any() or (r < 0).any():
        raise ModelError(
            f"links per {sides[0]} parent sum to {int(k.sum())}, links per {sides[1]} "
            f"parent to {int(r.sum())}: both sides must count the same links",
            table=table,
            fix="pass non-negative degree sequences with equal sums (JunctionModel.generate "
            "draws them so)",
        )
    rows = np.repeat(np.arange(len(k)), k)
    cols = rng.permutation(np.repeat(np.arange(len(r)), r))
    n_cols, total = max(len(r), 1), len(rows)
    for _ in range(rounds):
        keys = rows * n_cols + cols
        repeated = pd.Series(keys).duplicated().to_numpy()
        if not repeated.any():
            break
        existing = pd.Index(np.unique(keys))
        i = np.repeat(np.flatnonzero(repeated), proposals)
        j = rng.integers(0, total, len(i))
        ok = (
            (rows[i] != rows[j])
            & (existing.get_indexer(rows[i] * n_cols + cols[j]) < 0)
            & (existing.get_indexer(rows[j] * n_cols + cols[i]) < 0)
        )
        trades = pd.DataFrame({"i": i[ok], "j": j[ok]}).drop_duplicates("i").drop_duplicates("j")
        trades = trades[~trades["j"].isin(trades["i"])]
        ti, tj = trades["i"].to_numpy(), trades["j"].to_numpy()
        cols[ti], cols[tj] = cols[tj], cols[ti].copy()
    keep = ~pd.Series(rows * n_cols + cols).duplicated().to_numpy()
    rows, cols = rows[keep], cols[keep]
    order = np.lexsort((cols, rows))
    return rows[order], cols[order]


def shared_columns(left: Relation, right: Relation) -> list[str]:
    """Child columns both foreign keys of a link table use (in the left key's order)."""
    return [c for c in left.child_columns if c in set(right.child_columns)]


def _split_total(total: int | None, sizes: np.ndarray) -> list[int | None]:
    """``total`` split over groups in proportion to ``sizes`` (exact sum), or all None."""
    if total is None or len(sizes) == 0:
        return [None] * len(sizes)
    share = sizes / max(int(sizes.sum()), 1) * total
    out = np.floor(share).astype(np.int64)
    rest = int(total - out.sum())
    out[np.argsort(-(share - out), kind="stable")[:rest]] += 1
    return [int(v) for v in out]


class JunctionModel:
    """Per-side cardinalities of a many-to-many link table; generates unique pairs."""

    def __init__(self, **cardinality_params: Any) -> None:
        self.cardinality_params = cardinality_params

    def fit(
        self,
        junction_df: pd.DataFrame,
        left_parent_df: pd.DataFrame,
        right_parent_df: pd.DataFrame,
        left: Relation,
        right: Relation,
    ) -> JunctionModel:
        """Learn links per left parent (``left``) and per right parent (``right``)."""
        if left.child != right.child:
            raise ModelError(
                f"{left} and {right} belong to different tables",
                table=left.child,
                fix="pass the two foreign keys of the same link table",
            )
        self.left_ = CardinalityModel(**self.cardinality_params).fit(
            left_parent_df, junction_df, left
        )
        self.right_ = CardinalityModel(**self.cardinality_params).fit(
            right_parent_df, junction_df, right
        )
        return self

    def generate(
        self,
        left_parents: pd.DataFrame,
        right_parents: pd.DataFrame,
        seed: int | np.random.Generator | None = None,
        *,
        total: int | None = None,
    ) -> pd.DataFrame:
        """Link rows between synthetic parents: unique pairs, real-like counts on both sides.

        ``total`` fixes the number of links (within what the left side's real range allows).
        """
        if not hasattr(self, "left_"):
            raise ModelError("the junction model is not fitted", fix="call fit(...) first")
        rng = np.random.default_rng(seed)
        shared = shared_columns(self.left_.relation_, self.right_.relation_)
        if shared:
            return self._generate_within(left_parents, right_parents, rng, total, shared)
        return self._generate(left_parents, right_parents, rng, total)

    def _generate(
        self,
        left_parents: pd.DataFrame,
        right_parents: pd.DataFrame,
        rng: np.random.Generator,
        total: int | None,
    ) -> pd.DataFrame:
        left, right = self.left_.relation_, self.right_.relation_
        # Degrees consistent by construction, whatever the two parent tables' sizes: the
        # left side is capped by the number of right parents (pairs are unique), and the
        # right side is drawn for exactly the left side's total, each capped by the number
        # of left parents; when it cannot be, the right side only weights a draw.
        k = np.minimum(self.left_.sample_counts(left_parents, rng, total=total), len(right_parents))
        try:
            r = self.right_.sample_counts(right_parents, rng, total=int(k.sum()))
        except ConfigError:  # the right side's real range cannot absorb these links
            r = None
        if r is not None and r.max(initial=0) <= len(left_parents):
            rows, cols = match_degrees(
                k, r, rng, table=left.child, sides=(left.parent, right.parent)
            )
        else:
            popularity = self.right_.sample_counts(right_parents, rng).astype(float)
            rows, cols = sample_pairs(k, popularity + 1e-3, rng, table=left.child)
        out = pd.DataFrame(index=range(len(rows)))
        for child_col, parent_col in zip(left.child_columns, left.parent_columns, strict=True):
            out[child_col] = left_parents[parent_col].to_numpy()[rows]
        for child_col, parent_col in zip(right.child_columns, right.parent_columns, strict=True):
            out[child_col] = right_parents[parent_col].to_numpy()[cols]
        return out

    def _generate_within(
        self,
        left_parents: pd.DataFrame,
        right_parents: pd.DataFrame,
        rng: np.random.Generator,
        total: int | None,
        shared: list[str],
    ) -> pd.DataFrame:
        """Links whose two foreign keys share columns (``challenges(series, episode, baker)``
        → ``episodes(series, episode)`` and ``bakers(series, baker)``): pairs are made
        within each value of the shared columns, so both keys resolve. (Made across them,
        the right side's ``series`` overwrote the left's and the left key pointed nowhere.)
        """
        left, right = self.left_.relation_, self.right_.relation_
        lmap = dict(zip(left.child_columns, left.parent_columns, strict=True))
        rmap = dict(zip(right.child_columns, right.parent_columns, strict=True))
        lcodes, rcodes = key_codes(
            left_parents.reset_index(drop=True),
            [lmap[c] for c in shared],
            right_parents.reset_index(drop=True),
            [rmap[c] for c in shared],
        )
        groups = [g for g in np.unique(lcodes[lcodes >= 0]) if (rcodes == g).any()]
        sizes = np.array([(lcodes == g).sum() for g in groups], dtype=np.int64)
        targets = _split_total(total, sizes)
        parts = []
        for g, target in zip(groups, targets, strict=True):
            sub_left = left_parents.iloc[np.flatnonzero(lcodes == g)].reset_index(drop=True)
            sub_right = right_parents.iloc[np.flatnonzero(rcodes == g)].reset_index(drop=True)
            try:
                parts.append(self._generate(sub_left, sub_right, rng, target))
            except ConfigError:  # this group cannot hold its share: its own counts
                parts.append(self._generate(sub_left, sub_right, rng, None))
        if not parts:
            return self._generate(left_parents.iloc[:0], right_parents.iloc[:0], rng, None)
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return {"left": self.left_.to_dict(), "right": self.right_.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JunctionModel:
        model = cls()
        model.left_ = CardinalityModel.from_dict(data["left"])
        model.right_ = CardinalityModel.from_dict(data["right"])
        return model
