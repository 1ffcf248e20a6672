"""Shared integer encodings of real/synthetic columns: the engine of every frequency metric.

Every discrete metric (TV complement, contingency similarity, binned accuracy, intertable
trends) compares two frequency tables. Encoding a column once into small integer codes, with
*the same* mapping for the real and the other frame, turns each comparison into ``np.bincount``
calls instead of per-value Python work, which is what keeps 300k x 40 tables within seconds.

Null is always its own code (the last one), so missing values are compared like any other value.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Above this many joint cells a dense bincount would allocate too much; fall back to np.unique.
_DENSE_JOINT_LIMIT = 4_000_000


@dataclass(frozen=True)
class Codes:
    """Integer codes of one column in several frames, sharing one mapping.

    ``codes[i]`` holds the codes of frame ``i`` (real first); ``n_levels`` bounds every code;
    ``labels`` names each level (for plots), the null level labelled ``"(null)"``.
    """

    codes: tuple[np.ndarray, ...]
    n_levels: int
    labels: tuple[str, ...]
    edges: tuple[float, ...] = ()  # inner bin edges, for binned numbers only


def category_codes(*columns: pd.Series) -> Codes:
    """Encode categorical columns over the union of their values; null is the last level."""
    lengths = [len(c) for c in columns]
    combined = pd.concat([c.reset_index(drop=True) for c in columns], ignore_index=True)
    raw, uniques = pd.factorize(combined, use_na_sentinel=True)
    n_values = len(uniques)
    raw = np.where(raw < 0, n_values, raw).astype(np.int64)
    labels = (*tuple(str(u) for u in uniques), "(null)")
    return Codes(_split(raw, lengths), n_values + 1, labels)


def top_k_codes(real: pd.Series, *others: pd.Series, k: int = 10) -> Codes:
    """Encode to the real data's ``k`` most frequent categories, then ``other``, then null.

    This is MOSTLY AI's binning for categoricals: the long tail of rare categories is pooled, so
    the accuracy measures the bulk of the distribution rather than noise in singletons.
    """
    top = real.value_counts(dropna=True).index[:k]
    n_top = len(top)
    out = []
    for column in (real, *others):
        idx = pd.Index(top).get_indexer(column)
        idx = np.where(idx < 0, n_top, idx)  # not in top-k -> "other"
        idx = np.where(column.isna().to_numpy(), n_top + 1, idx)
        out.append(idx.astype(np.int64))
    labels = (*tuple(str(t) for t in top), "(other)", "(null)")
    return Codes(tuple(out), n_top + 2, labels)


def quantile_codes(real: np.ndarray, *others: np.ndarray, n_bins: int = 10) -> Codes:
    """Encode numbers into ``n_bins`` quantile bins fitted on the real values, plus a null bin.

    Quantile edges that coincide (heavy ties, e.g. a column that is mostly zero) are merged,
    so a constant column yields a single value bin rather than empty ones.
    """
    finite = real[~np.isnan(real)]
    if finite.size:
        inner = np.unique(np.quantile(finite, np.linspace(0, 1, n_bins + 1)[1:-1]))
    else:
        inner = np.array([], dtype=float)
    return _digitize(inner, (real, *others), _edge_labels(inner))


def equal_width_codes(real: np.ndarray, *others: np.ndarray, n_bins: int = 10) -> Codes:
    """Encode numbers into ``n_bins`` equal-width bins over the real range (SDMetrics' binning).

    The outer edges are open, so synthetic values beyond the real range land in the first or
    last bin, exactly as ``sdmetrics.utils.discretize_column`` does for contingency similarity.
    """
    finite = real[~np.isnan(real)]
    if finite.size:
        inner = np.histogram_bin_edges(finite, bins=n_bins)[1:-1]
    else:
        inner = np.array([], dtype=float)
    return _digitize(inner, (real, *others), _edge_labels(inner))


def _digitize(inner: np.ndarray, arrays: tuple[np.ndarray, ...], labels: list[str]) -> Codes:
    n_value_bins = len(inner) + 1
    out = []
    for values in arrays:
        codes = np.searchsorted(inner, values, side="right").astype(np.int64)
        codes[np.isnan(values)] = n_value_bins
        out.append(codes)
    return Codes(tuple(out), n_value_bins + 1, (*labels, "(null)"), tuple(inner.tolist()))


def _edge_labels(inner: np.ndarray) -> list[str]:
    edges = ["-inf", *(f"{e:.4g}" for e in inner), "inf"]
    return [f"[{lo}, {hi})" for lo, hi in itertools.pairwise(edges)]


def _split(values: np.ndarray, lengths: list[int]) -> tuple[np.ndarray, ...]:
    bounds = np.cumsum([0, *lengths])
    return tuple(values[a:b] for a, b in itertools.pairwise(bounds))


def frequencies(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """Relative frequency of each level (all zeros for an empty column)."""
    counts = np.bincount(codes, minlength=n_levels).astype(float)
    total = counts.sum()
    return counts / total if total else counts


def nanmean(values: list[float]) -> float:
    """Mean of the defined scores (NaN ones, e.g. of empty columns, are left out); NaN if none."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    return float(arr.mean()) if arr.size else float("nan")


def tv_distance(a: np.ndarray, b: np.ndarray, n_levels: int) -> float:
    """Total variation distance between the code distributions of ``a`` and ``b``.

    NaN when either side is empty: there is no distribution to compare.
    """
    if a.size == 0 or b.size == 0:
        return float("nan")
    return 0.5 * float(np.abs(frequencies(a, n_levels) - frequencies(b, n_levels)).sum())


def joint_codes(a: np.ndarray, b: np.ndarray, n_b: int) -> np.ndarray:
    """One code per row for the pair (a, b): a mixed-radix number ``a * n_b + b``."""
    return a * np.int64(n_b) + b


def joint_tv_distance(
    real: tuple[np.ndarray, np.ndarray],
    other: tuple[np.ndarray, np.ndarray],
    n_a: int,
    n_b: int,
) -> float:
    """TV distance between the joint distributions of two coded columns in two frames."""
    jr = joint_codes(real[0], real[1], n_b)
    jo = joint_codes(other[0], other[1], n_b)
    n_cells = n_a * n_b
    if n_cells > _DENSE_JOINT_LIMIT:
        cells, inverse = np.unique(np.concatenate([jr, jo]), return_inverse=True)
        jr, jo = inverse[: jr.size], inverse[jr.size :]
        n_cells = cells.size
    return tv_distance(jr, jo, n_cells)
