"""Structure: does the synthetic data obey the rules a database relies on?

Diagnostics in SDMetrics' sense (boundary and category adherence, key uniqueness, referential
integrity) plus the relational fidelity metrics (children per parent, intertable trends).
Keys of one or many columns are matched by :func:`synthohive_lib.schema.keys.key_codes`, the
same function schema validation counts orphans with, so an ``int64`` key in one table and a
``float64`` key (from nulls) in the other still match, and the check is a vectorised ``isin``
rather than a per-row lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from synthohive_lib.schema.keys import key_codes
from synthohive_lib.validation.encoded import EncodedColumn, encode_column
from synthohive_lib.validation.encoding import category_codes
from synthohive_lib.validation.kinds import ORDERED_KINDS, SCORED_KINDS, to_float
from synthohive_lib.validation.pairs import PairTrend, pair_trends
from synthohive_lib.validation.relations import Relation
from synthohive_lib.validation.shapes import ks_statistic


@dataclass(frozen=True)
class KeyUniqueness:
    """Share of rows whose key is present and unique (1.0 = a valid primary key)."""

    score: float
    duplicate_rows: int  # rows repeating a key seen earlier
    null_rows: int  # rows with a null in any key column

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return asdict(self)


@dataclass(frozen=True)
class ReferentialIntegrity:
    """Share of child rows with a non-null key that find their parent (1.0 = every FK resolves)."""

    score: float
    orphan_rows: int
    null_fk_rows: int  # not orphans: a null foreign key references nothing
    checked_rows: int

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return asdict(self)


@dataclass(frozen=True)
class ChildrenPerParent:
    """KS complement of the children-per-parent counts (parents without children count as 0)."""

    score: float
    real_counts: np.ndarray = field(repr=False)
    synthetic_counts: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON: the score plus summary statistics of both count distributions."""

        def summary(c: np.ndarray) -> dict[str, float]:
            if c.size == 0:
                return {"parents": 0}
            return {
                "parents": int(c.size),
                "mean": float(c.mean()),
                "max": float(c.max()),
                "zero_share": float((c == 0).mean()),
            }

        return {
            "score": self.score,
            "real": summary(self.real_counts),
            "synthetic": summary(self.synthetic_counts),
        }


def boundary_adherence(real: pd.Series, synthetic: pd.Series, kind: str = "numerical") -> float:
    """Share of non-null synthetic values within the real [min, max] (BoundaryAdherence)."""
    ordered = kind if kind in ORDERED_KINDS else "numerical"
    return adherence_from_encoded(
        EncodedColumn(
            str(real.name), ordered, floats=(to_float(real, ordered), to_float(synthetic, ordered))
        )
    )[1]


def category_adherence(real: pd.Series, synthetic: pd.Series) -> float:
    """Share of synthetic values (null included) that occur in the real column."""
    codes = category_codes(real, synthetic)
    return adherence_from_encoded(EncodedColumn(str(real.name), "categorical", codes=codes))[1]


def key_uniqueness(frame: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> KeyUniqueness:
    """How far ``frame[columns]`` is from a valid primary key (unique, never null)."""
    cols = list(columns)
    n = len(frame)
    if n == 0:
        return KeyUniqueness(1.0, 0, 0)
    nulls = frame[cols].isna().any(axis=1).to_numpy()
    dups = frame.loc[~nulls, cols].duplicated(keep="first").to_numpy()
    n_null, n_dup = int(nulls.sum()), int(dups.sum())
    return KeyUniqueness(1.0 - (n_null + n_dup) / n, n_dup, n_null)


def referential_integrity(
    child: pd.DataFrame,
    parent: pd.DataFrame,
    fk_columns: list[str] | tuple[str, ...],
    pk_columns: list[str] | tuple[str, ...],
) -> ReferentialIntegrity:
    """Share of child rows whose (non-null) foreign key exists among the parent's keys."""
    c_codes, p_codes = key_codes(child, tuple(fk_columns), parent, tuple(pk_columns))
    has_key = c_codes >= 0
    found = np.isin(c_codes, p_codes[p_codes >= 0])
    checked = int(has_key.sum())
    orphans = int((has_key & ~found).sum())
    score = 1.0 if checked == 0 else 1.0 - orphans / checked
    return ReferentialIntegrity(score, orphans, int((~has_key).sum()), checked)


def children_counts(child: pd.DataFrame, parent: pd.DataFrame, relation: Relation) -> np.ndarray:
    """Children per parent row (0 for parents without children); orphans are not counted."""
    c_codes, p_codes = key_codes(child, relation.fk_columns, parent, relation.pk_columns)
    size = int(max(c_codes.max(initial=-1), p_codes.max(initial=-1))) + 1
    per_key = np.bincount(c_codes[c_codes >= 0], minlength=size)
    return per_key[p_codes[p_codes >= 0]]


def children_per_parent(
    real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame], relation: Relation
) -> ChildrenPerParent:
    """Compare the children-per-parent distributions (SDMetrics' CardinalityShapeSimilarity)."""
    rc = children_counts(real[relation.child], real[relation.parent], relation)
    sc = children_counts(synthetic[relation.child], synthetic[relation.parent], relation)
    stat = ks_statistic(rc.astype(float), sc.astype(float))
    score = 1.0 if rc.size == 0 and sc.size == 0 else 1.0 - stat
    return ChildrenPerParent(float(np.nan_to_num(score, nan=0.0)), rc, sc)


def joined(child: pd.DataFrame, parent: pd.DataFrame, relation: Relation) -> pd.DataFrame:
    """Child rows joined to their parent row; columns prefixed ``parent.`` and ``child.``."""
    c_codes, p_codes = key_codes(child, relation.fk_columns, parent, relation.pk_columns)
    first = pd.Index(p_codes).duplicated(keep="first") | (p_codes < 0)
    lookup = pd.Index(p_codes[~first])
    pos = lookup.get_indexer(c_codes)
    keep = (pos >= 0) & (c_codes >= 0)
    parent_rows = np.flatnonzero(~first)[pos[keep]]
    left = child.iloc[np.flatnonzero(keep)].reset_index(drop=True).add_prefix("child.")
    right = parent.iloc[parent_rows].reset_index(drop=True).add_prefix("parent.")
    return pd.concat([right, left], axis=1)


def intertable_trends(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    relation: Relation,
    kinds: Mapping[str, Mapping[str, str]],
    max_columns: int = 10,
) -> list[PairTrend]:
    """Pair trends between parent and child columns over the FK join, real vs synthetic."""
    pk, ck = kinds.get(relation.parent, {}), kinds.get(relation.child, {})
    p_cols = [c for c in real[relation.parent].columns if pk.get(c) in SCORED_KINDS][:max_columns]
    c_cols = [c for c in real[relation.child].columns if ck.get(c) in SCORED_KINDS][:max_columns]
    if not p_cols or not c_cols:
        return []
    jr = joined(real[relation.child], real[relation.parent], relation)
    js = joined(synthetic[relation.child], synthetic[relation.parent], relation)
    joined_kinds = {f"parent.{c}": pk[c] for c in p_cols} | {f"child.{c}": ck[c] for c in c_cols}
    pairs = [(f"parent.{p}", f"child.{c}") for p in p_cols for c in c_cols]
    trends, _ = pair_trends(jr, js, joined_kinds, pairs=pairs)
    return trends


def adherence(real: pd.Series, synthetic: pd.Series, kind: str) -> tuple[str, float] | None:
    """The adherence check that fits the kind: boundary for ordered, category for discrete."""
    enc = encode_column(str(real.name), [real, synthetic], kind)
    return adherence_from_encoded(enc) if enc is not None else None


def adherence_from_encoded(enc: EncodedColumn, other: int = 1) -> tuple[str, float]:
    """Boundary or category adherence of frame ``other`` against frame 0, from encoded arrays."""
    if enc.floats is not None:
        r, s = enc.floats[0], enc.floats[other]
        r, s = r[~np.isnan(r)], s[~np.isnan(s)]
        if s.size == 0:
            return "BoundaryAdherence", 1.0
        if r.size == 0:
            return "BoundaryAdherence", 0.0
        return "BoundaryAdherence", float(((s >= r.min()) & (s <= r.max())).mean())
    assert enc.codes is not None
    seen = np.bincount(enc.codes.codes[0], minlength=enc.codes.n_levels) > 0
    syn = enc.codes.codes[other]
    return "CategoryAdherence", float(seen[syn].mean()) if syn.size else 1.0
