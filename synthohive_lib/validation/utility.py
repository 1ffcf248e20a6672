"""Utility: would a model trained on the synthetic table work on real data? (TSTR)

Train-on-synthetic / test-on-real with one fixed, fast learner (scikit-learn's histogram
gradient boosting, which handles nulls and categories natively). The same learner trained on
the real training rows and tested on the same real rows gives the baseline; the ratio says how
much usefulness the synthesis kept. Testing on the real *holdout* is the honest setup; without a
holdout the test rows are the training rows themselves, which flatters the baseline (noted in
the result).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import f1_score, r2_score

from synthohive_lib.validation.encoding import category_codes
from synthohive_lib.validation.kinds import ORDERED_KINDS, SCORED_KINDS, to_float

_MAX_TRAIN_ROWS = 50_000
_MAX_CATEGORIES = 250  # HistGradientBoosting's native categorical limit is 255 levels


@dataclass(frozen=True)
class Utility:
    """TSTR result for one target column."""

    target: str
    task: str  # "classification" | "regression"
    metric: str  # "macro_f1" | "r2"
    synthetic_score: float  # trained on synthetic, tested on real
    real_score: float  # trained on real, tested on real (the baseline)
    tested_on_holdout: bool

    @property
    def ratio(self) -> float:
        """synthetic_score / real_score, clipped to [0, 1] (NaN when the baseline is <= 0)."""
        if self.real_score <= 0 or np.isnan(self.real_score):
            return float("nan")
        return float(np.clip(self.synthetic_score / self.real_score, 0.0, 1.0))

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {**asdict(self), "ratio": self.ratio}


def tstr(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    target: str,
    kinds: Mapping[str, str],
    holdout: pd.DataFrame | None = None,
    seed: int = 0,
    max_iter: int = 100,
) -> Utility:
    """Train on synthetic, test on real (holdout if given), compared with train-on-real.

    ``max_iter`` is the number of boosting rounds; fewer is faster and a little less accurate
    for both sides alike, so the ratio stays meaningful.
    """
    test = holdout if holdout is not None else real
    features = [c for c in real.columns if c != target and kinds.get(c) in SCORED_KINDS]
    frames = [_cap(real, seed), _cap(synthetic, seed), test]
    matrices, cat_mask = _features(frames, features, kinds)
    classification = kinds.get(target) not in ORDERED_KINDS
    if classification:
        y_codes = category_codes(*(f[target] for f in frames)).codes
        ys = list(y_codes)
    else:
        ys = [to_float(f[target], kinds[target]) for f in frames]

    def fit_score(train_idx: int) -> float:
        x, y = matrices[train_idx], ys[train_idx]
        keep = ~np.isnan(y) if not classification else np.ones(len(y), dtype=bool)
        if keep.sum() < 2:
            return float("nan")
        model_cls = (
            HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
        )
        model = model_cls(
            max_iter=max_iter, random_state=seed, categorical_features=cat_mask or None
        )
        if classification and len(np.unique(y[keep])) < 2:
            pred = np.full(len(ys[2]), y[keep][0])
        else:
            model.fit(x[keep], y[keep])
            pred = model.predict(matrices[2])
        if classification:
            return float(f1_score(ys[2], pred, average="macro"))
        ok = ~np.isnan(ys[2])
        return float(r2_score(ys[2][ok], pred[ok]))

    return Utility(
        target,
        "classification" if classification else "regression",
        "macro_f1" if classification else "r2",
        fit_score(1),
        fit_score(0),
        holdout is not None,
    )


def _features(
    frames: list[pd.DataFrame], features: list[str], kinds: Mapping[str, str]
) -> tuple[list[np.ndarray], list[bool]]:
    cols: list[list[np.ndarray]] = [[] for _ in frames]
    cat_mask: list[bool] = []
    for c in features:
        if kinds[c] in ORDERED_KINDS:
            for i, f in enumerate(frames):
                cols[i].append(to_float(f[c], kinds[c]))
            cat_mask.append(False)
        else:
            codes = category_codes(*(f[c] for f in frames))
            native = codes.n_levels <= _MAX_CATEGORIES
            for i, code in enumerate(codes.codes):
                cols[i].append(code.astype(float))
            cat_mask.append(native)
    mats = [
        np.column_stack(c) if c else np.zeros((len(f), 1))
        for c, f in zip(cols, frames, strict=True)
    ]
    return mats, (cat_mask if any(cat_mask) else [])


def _cap(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    return (
        frame.sample(_MAX_TRAIN_ROWS, random_state=seed) if len(frame) > _MAX_TRAIN_ROWS else frame
    )
