"""Column pair trends: does the synthetic table keep the relationships between columns?

Numeric pairs (numbers, datetimes) compare Pearson correlations, every other pair compares
contingency tables with numbers cut into 10 equal-width bins fitted on the real data, following
SDMetrics' quality report. All correlations of a table come from one pass of matrix products
(pairwise-complete, like dropping nulls pair by pair), and every column is encoded once, so a
pair costs two ``bincount`` calls rather than a group-by.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from synthohive_lib.validation.encoded import EncodedColumn, encode_frames
from synthohive_lib.validation.encoding import (
    Codes,
    equal_width_codes,
    joint_tv_distance,
)
from synthohive_lib.validation.kinds import ORDERED_KINDS, SCORED_KINDS, ordered_floats


@dataclass(frozen=True)
class PairTrend:
    """Similarity of one column pair's relationship in real vs synthetic data."""

    column_a: str
    column_b: str
    metric: str  # "CorrelationSimilarity" | "ContingencySimilarity"
    score: float
    real_correlation: float | None = None
    synthetic_correlation: float | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return asdict(self)


def pairwise_correlation(matrix: np.ndarray) -> np.ndarray:
    """Pearson correlation of every column pair over rows where both are non-null.

    Columns are standardised first so the sums stay well conditioned even for nanosecond
    timestamps; a pair with no variance among its shared rows gets NaN (correlation undefined).
    """
    x = np.asarray(matrix, dtype=float)
    if x.ndim != 2 or x.shape[1] == 0:
        return np.empty((0, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        present = ~np.isnan(x)
        counts_col = present.sum(axis=0)
        mean = np.where(counts_col > 0, np.nansum(x, axis=0) / np.maximum(counts_col, 1), 0.0)
        z = x - mean
        scale = np.sqrt(np.nansum(z * z, axis=0) / np.maximum(counts_col, 1))
        z = np.where(scale > 0, z / np.where(scale > 0, scale, 1.0), 0.0)
        z = np.where(present, z, 0.0)
        m = present.astype(float)
        n = m.T @ m
        sx = z.T @ m  # sx[i, j]: sum of column i over rows where i and j are present
        sxx = (z * z).T @ m
        sxy = z.T @ z
        cov = sxy - sx * sx.T / n
        var_x = sxx - sx * sx / n
        var_y = var_x.T
        corr = cov / np.sqrt(var_x * var_y)
        degenerate = (var_x <= 1e-12 * np.maximum(n, 1)) | (var_y <= 1e-12 * np.maximum(n, 1))
        corr[degenerate | (n < 2)] = np.nan
    return np.clip(corr, -1.0, 1.0)


def correlation_similarity(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """1 - |corr_real - corr_synthetic| / 2 for two columns (SDMetrics' CorrelationSimilarity)."""
    r = np.column_stack([ordered_floats(real[c]) for c in real.columns[:2]])
    s = np.column_stack([ordered_floats(synthetic[c]) for c in real.columns[:2]])
    cr, cs = pairwise_correlation(r)[0, 1], pairwise_correlation(s)[0, 1]
    return float(1.0 - abs(cr - cs) / 2.0)


def contingency_similarity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    continuous_columns: tuple[str, ...] | list[str] = (),
    n_bins: int = 10,
) -> float:
    """1 - TVD of the two-column contingency tables; SDMetrics' ContingencySimilarity.

    Columns named in ``continuous_columns`` are cut into ``n_bins`` equal-width bins over the
    real range first; nulls are a level of their own.
    """
    a, b = real.columns[:2]
    kinds = {c: "numerical" if c in continuous_columns else "categorical" for c in (a, b)}
    enc = encode_frames([real[[a, b]], synthetic[[a, b]]], kinds)
    ca, cb = _pair_codes(enc[a], n_bins), _pair_codes(enc[b], n_bins)
    d = joint_tv_distance(
        (ca.codes[0], cb.codes[0]), (ca.codes[1], cb.codes[1]), ca.n_levels, cb.n_levels
    )
    return float(1.0 - d)


def pair_trends(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    kinds: Mapping[str, str],
    n_bins: int = 10,
    max_columns: int = 60,
    pairs: list[tuple[str, str]] | None = None,
    encoded: Mapping[str, EncodedColumn] | None = None,
) -> tuple[list[PairTrend], dict[str, np.ndarray]]:
    """Every pair among the scored columns, plus the real and synthetic correlation matrices.

    ``max_columns`` bounds the quadratic cost on very wide tables (the first columns are kept);
    ``pairs`` restricts the work to given pairs (intertable trends compare only parent x child);
    ``encoded`` reuses columns already encoded by the caller (real = frame 0, synthetic = 1).
    The matrices (keys ``columns``, ``real``, ``synthetic``) are returned for the heatmaps.
    """
    if pairs is None:
        columns = [c for c in real.columns if kinds.get(c) in SCORED_KINDS][:max_columns]
        pairs = list(combinations(columns, 2))
    else:
        columns = list(dict.fromkeys(c for pair in pairs for c in pair))
    if encoded is None:
        encoded = encode_frames([real[columns], synthetic[columns]], kinds)
    ordered = [c for c in columns if kinds[c] in ORDERED_KINDS]
    if ordered:
        corr_r = pairwise_correlation(np.column_stack([encoded[c].floats[0] for c in ordered]))
        corr_s = pairwise_correlation(np.column_stack([encoded[c].floats[1] for c in ordered]))
    else:
        corr_r = corr_s = np.empty((0, 0))
    pos = {c: i for i, c in enumerate(ordered)}
    needs_codes = {c for a, b in pairs if not (a in pos and b in pos) for c in (a, b)}
    codes = {c: _pair_codes(encoded[c], n_bins) for c in columns if c in needs_codes}

    trends: list[PairTrend] = []
    for a, b in pairs:
        if a in pos and b in pos:
            r, s = corr_r[pos[a], pos[b]], corr_s[pos[a], pos[b]]
            score = 1.0 - abs(r - s) / 2.0
            trends.append(PairTrend(a, b, "CorrelationSimilarity", float(score), _opt(r), _opt(s)))
        else:
            ca, cb = codes[a], codes[b]
            d = joint_tv_distance(
                (ca.codes[0], cb.codes[0]), (ca.codes[1], cb.codes[1]), ca.n_levels, cb.n_levels
            )
            trends.append(PairTrend(a, b, "ContingencySimilarity", float(1.0 - d)))
    matrices = {"columns": np.array(ordered, dtype=object), "real": corr_r, "synthetic": corr_s}
    return trends, matrices


def _pair_codes(enc: EncodedColumn, n_bins: int) -> Codes:
    if enc.floats is not None:  # numbers, datetimes: equal-width bins over the real range
        return equal_width_codes(enc.floats[0], enc.floats[1], n_bins=n_bins)
    assert enc.codes is not None  # categories, booleans: every value a level
    return enc.codes


def _opt(x: float) -> float | None:
    return None if np.isnan(x) else float(x)
