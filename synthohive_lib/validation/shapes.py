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

from synthohive_lib.validation.encoded import EncodedColumn, encode_column
from synthohive_lib.validation.encoding import category_codes, tv_distance
from synthohive_lib.validation.kinds import ordered_floats


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
    values, with_nulls = _ks_both(np.asarray(real, dtype=float), np.asarray(synthetic, dtype=float))
    return with_nulls if nulls_as_value else values


def ks_complement(real: pd.Series | np.ndarray, synthetic: pd.Series | np.ndarray) -> float:
    """1 - KS statistic on non-null values (datetimes as timestamps); SDMetrics' KSComplement."""
    return 1.0 - ks_statistic(ordered_floats(real), ordered_floats(synthetic))


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
    enc = encode_column(str(real.name), [real, synthetic], kind)
    return shape_from_encoded(enc) if enc is not None else None


def shape_from_encoded(enc: EncodedColumn, other: int = 1) -> ColumnShape:
    """Shape score of frame ``other`` against frame 0 from an already encoded column."""
    if enc.floats is not None:
        r, s = enc.floats[0], enc.floats[other]
        values_stat, null_stat = _ks_both(r, s)
        miss = 1.0 - abs(_share(np.isnan(r)) - _share(np.isnan(s)))
        metric = "KSComplement"
    else:
        assert enc.codes is not None
        cr = np.bincount(enc.codes.codes[0], minlength=enc.codes.n_levels).astype(float)
        cs = np.bincount(enc.codes.codes[other], minlength=enc.codes.n_levels).astype(float)
        null_stat = 0.0 if cr.sum() == cs.sum() == 0 else _tvd(cr, cs)  # two empty columns
        values_stat = _tvd(cr[:-1], cs[:-1])  # the null level is the last one
        miss = 1.0 - abs(_ratio(cr[-1], cr.sum()) - _ratio(cs[-1], cs.sum()))
        metric = "TVComplement"
    score = 1.0 - null_stat
    return ColumnShape(enc.name, enc.kind, metric, _clip(score), _clip(1.0 - values_stat), miss)


def _ks_both(real: np.ndarray, synthetic: np.ndarray) -> tuple[float, float]:
    """KS statistic on non-null values and with nulls as a leading point mass, one sort each."""
    r_null, s_null = np.isnan(real), np.isnan(synthetic)
    r_vals, s_vals = np.sort(real[~r_null]), np.sort(synthetic[~s_null])
    off_r, off_s = int(r_null.sum()), int(s_null.sum())
    # Two sorted runs: a stable sort merges them in linear time, and sorted queries make
    # searchsorted cache-friendly (3x faster on 300k rows than unsorted ones).
    grid = np.sort(np.concatenate([r_vals, s_vals]), kind="stable")
    c_r = np.searchsorted(r_vals, grid, side="right")
    c_s = np.searchsorted(s_vals, grid, side="right")
    if r_vals.size and s_vals.size:
        values = float(np.max(np.abs(c_r / r_vals.size - c_s / s_vals.size)))
    else:
        values = float("nan")
    n_r, n_s = real.size, synthetic.size
    if n_r == 0 and n_s == 0:
        return values, 0.0
    if n_r == 0 or n_s == 0:
        return values, float("nan")
    gaps = np.abs((off_r + c_r) / n_r - (off_s + c_s) / n_s)
    nulls = max(float(gaps.max()) if gaps.size else 0.0, abs(off_r / n_r - off_s / n_s))
    return values, nulls


def _tvd(a: np.ndarray, b: np.ndarray) -> float:
    ta, tb = a.sum(), b.sum()
    if ta == 0 or tb == 0:
        return float("nan")
    return 0.5 * float(np.abs(a / ta - b / tb).sum())


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else 0.0


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x))) if not np.isnan(x) else float("nan")
