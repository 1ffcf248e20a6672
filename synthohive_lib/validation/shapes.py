"""Column shapes: how well each synthetic column reproduces its real marginal distribution.

Numbers and datetimes use the Kolmogorov-Smirnov complement, categories the total-variation
complement, as in SDMetrics' quality report. ``ks_complement`` and ``tv_complement`` reproduce
SDMetrics exactly (nulls dropped) so the scores can be cross-checked; ``column_shape`` is what
the report uses: it scores nulls too, as one more value (placed before every number for KS), so
a generator that drops or invents missing values is penalised rather than ignored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from synthohive_lib.validation.encoding import category_codes, tv_distance
from synthohive_lib.validation.kinds import DISCRETE_KINDS, ORDERED_KINDS, to_float


@dataclass(frozen=True)
class ColumnShape:
    """Marginal similarity of one column (1.0 = same distribution, 0.0 = disjoint)."""

    column: str
    kind: str
    metric: str  # "KSComplement" | "TVComplement"
    score: float  # null-aware score, what the report and gate use
    values_score: float  # SDMetrics-compatible score on non-null values only
    missing_similarity: float  # 1 - |null share real - null share synthetic|

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return asdict(self)


def ks_statistic(real: np.ndarray, synthetic: np.ndarray, *, nulls_as_value: bool = False) -> float:
    """Two-sample KS statistic, max |F_real - F_synthetic| over all observed values.

    Identical to ``scipy.stats.ks_2samp(...).statistic`` on the non-null values; with
    ``nulls_as_value`` the null share is a point mass below every number. NaN when a side has
    nothing to compare.
    """
    real = np.asarray(real, dtype=float)
    synthetic = np.asarray(synthetic, dtype=float)
    r_null, s_null = np.isnan(real), np.isnan(synthetic)
    r_vals, s_vals = np.sort(real[~r_null]), np.sort(synthetic[~s_null])
    if nulls_as_value:
        n_r, n_s = real.size, synthetic.size
        off_r, off_s = int(r_null.sum()), int(s_null.sum())
    else:
        n_r, n_s = r_vals.size, s_vals.size
        off_r = off_s = 0
    if n_r == 0 or n_s == 0:
        return float("nan")
    grid = np.concatenate([r_vals, s_vals])
    cdf_r = (off_r + np.searchsorted(r_vals, grid, side="right")) / n_r
    cdf_s = (off_s + np.searchsorted(s_vals, grid, side="right")) / n_s
    stat = float(np.max(np.abs(cdf_r - cdf_s))) if grid.size else 0.0
    return max(stat, abs(off_r / n_r - off_s / n_s))


def ks_complement(real: pd.Series | np.ndarray, synthetic: pd.Series | np.ndarray) -> float:
    """1 - KS statistic on non-null values (datetimes as timestamps); SDMetrics' KSComplement."""
    return 1.0 - ks_statistic(_ordered(real), _ordered(synthetic))


def tv_complement(real: pd.Series, synthetic: pd.Series) -> float:
    """1 - total variation distance of category shares, nulls dropped; SDMetrics' TVComplement."""
    real, synthetic = pd.Series(real).dropna(), pd.Series(synthetic).dropna()
    codes = category_codes(real, synthetic)
    return 1.0 - tv_distance(codes.codes[0], codes.codes[1], codes.n_levels)


def missing_similarity(real: pd.Series, synthetic: pd.Series) -> float:
    """1 - |difference of null shares|; 1.0 for two empty columns."""
    p_r = float(real.isna().mean()) if len(real) else 0.0
    p_s = float(synthetic.isna().mean()) if len(synthetic) else 0.0
    return 1.0 - abs(p_r - p_s)


def column_shape(real: pd.Series, synthetic: pd.Series, kind: str) -> ColumnShape | None:
    """Null-aware shape score for one column, or None for kinds with no distribution (id, text)."""
    name = str(real.name)
    miss = missing_similarity(real, synthetic)
    if kind in ORDERED_KINDS:
        r, s = to_float(real, kind), to_float(synthetic, kind)
        values = 1.0 - ks_statistic(r, s)
        score = 1.0 - ks_statistic(r, s, nulls_as_value=True)
        metric = "KSComplement"
    elif kind in DISCRETE_KINDS:
        codes = category_codes(real, synthetic)  # null is its own level here
        score = 1.0 - tv_distance(codes.codes[0], codes.codes[1], codes.n_levels)
        values = tv_complement(real, synthetic)
        metric = "TVComplement"
    else:
        return None
    if np.isnan(score) and len(real) == 0 and len(synthetic) == 0:
        score = 1.0
    return ColumnShape(name, kind, metric, _clip(score), _clip(values), miss)


def _ordered(values: pd.Series | np.ndarray) -> np.ndarray:
    series = pd.Series(values)
    kind = "datetime" if pd.api.types.is_datetime64_any_dtype(series.dtype) else "numerical"
    return to_float(series, kind)


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x))) if not np.isnan(x) else float("nan")
