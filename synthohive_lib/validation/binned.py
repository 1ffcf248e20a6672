"""Binned accuracy in MOSTLY AI's style, with a real holdout as the ceiling.

Every column is cut on the *real training* data only: numbers and datetimes into 10 quantile
bins plus a null bin, categories into the top 10 plus ``other`` plus null. Accuracy is
1 - total variation distance between the binned distributions, per column (univariate) and per
column pair (bivariate). The same numbers computed for a real holdout against the training data
say how close *real* data gets; a synthetic score near that ceiling is as good as it can be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from synthohive_lib.validation.encoded import EncodedColumn, encode_frames, top_k_from_codes
from synthohive_lib.validation.encoding import (
    Codes,
    joint_tv_distance,
    nanmean,
    quantile_codes,
    tv_distance,
)


@dataclass(frozen=True)
class BinnedAccuracy:
    """Univariate and bivariate accuracies, each with its holdout ceiling when a holdout exists."""

    univariate: float
    bivariate: float
    univariate_holdout: float | None = None
    bivariate_holdout: float | None = None
    per_column: dict[str, float] = field(default_factory=dict)
    per_column_holdout: dict[str, float] = field(default_factory=dict)

    @property
    def overall(self) -> float:
        """Mean of univariate and bivariate accuracy (bivariate alone is NaN for one column)."""
        parts = [x for x in (self.univariate, self.bivariate) if not np.isnan(x)]
        return float(np.mean(parts)) if parts else float("nan")

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {**asdict(self), "overall": self.overall}


def bin_columns(
    real: pd.DataFrame,
    others: list[pd.DataFrame],
    kinds: Mapping[str, str],
    n_bins: int = 10,
    top_k: int = 10,
    encoded: Mapping[str, EncodedColumn] | None = None,
) -> dict[str, Codes]:
    """Bin every scored column of ``real`` and each frame in ``others`` on the real data's bins.

    ``encoded`` reuses columns the caller already encoded over ``[real, *others]``.
    """
    if encoded is None:
        encoded = encode_frames([real, *others], kinds)
    out: dict[str, Codes] = {}
    for column, enc in encoded.items():
        if enc.floats is not None:
            out[column] = quantile_codes(*enc.floats, n_bins=n_bins)
        elif enc.codes is not None:
            out[column] = top_k_from_codes(enc.codes, k=top_k)
    return out


def binned_accuracy(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    kinds: Mapping[str, str],
    holdout: pd.DataFrame | None = None,
    n_bins: int = 10,
    top_k: int = 10,
    max_columns: int = 60,
    encoded: Mapping[str, EncodedColumn] | None = None,
) -> BinnedAccuracy:
    """Univariate and bivariate binned accuracy of ``synthetic`` (and ``holdout``) vs ``real``."""
    others = [synthetic] if holdout is None else [synthetic, holdout]
    codes = bin_columns(real, others, kinds, n_bins=n_bins, top_k=top_k, encoded=encoded)
    columns = list(codes)[:max_columns]

    def univariate(idx: int) -> dict[str, float]:
        return {
            c: 1.0 - tv_distance(codes[c].codes[0], codes[c].codes[idx], codes[c].n_levels)
            for c in columns
        }

    def bivariate(idx: int) -> float:
        scores = [
            1.0
            - joint_tv_distance(
                (codes[a].codes[0], codes[b].codes[0]),
                (codes[a].codes[idx], codes[b].codes[idx]),
                codes[a].n_levels,
                codes[b].n_levels,
            )
            for a, b in combinations(columns, 2)
        ]
        return nanmean(scores)

    per_col = univariate(1)
    result = BinnedAccuracy(nanmean(list(per_col.values())), bivariate(1), per_column=per_col)
    if holdout is not None:
        per_hold = univariate(2)
        result = BinnedAccuracy(
            result.univariate,
            result.bivariate,
            nanmean(list(per_hold.values())),
            bivariate(2),
            per_col,
            per_hold,
        )
    return result
