"""A cheap marginal-fidelity score for best-epoch selection during training.

It must be fast enough to run every few epochs on a small sample, so it only compares
marginals: 1 - Kolmogorov-Smirnov statistic for numbers and datetimes, 1 - total variation
distance for everything else, averaged over columns (same definitions as SDMetrics'
KSComplement / TVComplement, re-implemented vectorised). Free-text columns are skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthohive_lib.transform.specs import NUMERIC_KINDS, ColumnKind, ColumnSpec


def ks_complement(real: np.ndarray, synthetic: np.ndarray) -> float:
    """1 - max |F_real - F_synth| over the pooled support (nulls dropped)."""
    real, synthetic = real[~np.isnan(real)], synthetic[~np.isnan(synthetic)]
    if len(real) == 0 or len(synthetic) == 0:
        return 0.0
    real, synthetic = np.sort(real), np.sort(synthetic)
    grid = np.concatenate([real, synthetic])
    cdf_r = np.searchsorted(real, grid, side="right") / len(real)
    cdf_s = np.searchsorted(synthetic, grid, side="right") / len(synthetic)
    return float(1.0 - np.abs(cdf_r - cdf_s).max())


def tv_complement(real: pd.Series, synthetic: pd.Series) -> float:
    """1 - total variation distance between category frequencies (null is a category)."""
    p = real.astype(object).fillna("<null>").value_counts(normalize=True)
    q = synthetic.astype(object).fillna("<null>").value_counts(normalize=True)
    p, q = p.align(q, fill_value=0.0)
    return float(1.0 - 0.5 * np.abs(p.to_numpy() - q.to_numpy()).sum())


def _as_float(series: pd.Series, spec: ColumnSpec) -> np.ndarray:
    if spec.kind is ColumnKind.DATETIME:
        stamps = pd.to_datetime(series, format=spec.datetime_format, errors="coerce")
        seconds = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        return np.where(stamps.isna().to_numpy(), np.nan, seconds)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def marginal_fidelity(
    real: pd.DataFrame, synthetic: pd.DataFrame, specs: list[ColumnSpec]
) -> float:
    """Average per-column marginal similarity in [0, 1] (higher is better)."""
    scores = []
    for spec in specs:
        if spec.kind is ColumnKind.TEXT:
            continue
        if spec.kind in NUMERIC_KINDS:
            scores.append(
                ks_complement(
                    _as_float(real[spec.name], spec), _as_float(synthetic[spec.name], spec)
                )
            )
        else:
            scores.append(tv_complement(real[spec.name], synthetic[spec.name]))
    return float(np.mean(scores)) if scores else 1.0
