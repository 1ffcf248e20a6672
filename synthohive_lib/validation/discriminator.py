"""Discriminator AUC: can a classifier tell the synthetic rows from the real ones?

Column shapes and pair trends look at one or two columns at a time; a classifier looks at all
of them together. A histogram gradient-boosting classifier is trained to separate real from
synthetic rows (equal numbers of each, at most ``max_rows`` per side, 2,000 by default; 30
boosting rounds) and scored by ROC AUC on rows it did not see (2-fold cross-validation).
AUC 0.5 means the two are indistinguishable; 1.0 means every synthetic row gives itself away.
The report shows the AUC and the similarity ``1 - 2 * |AUC - 0.5|`` (1.0 is best, like every
other score on the page).

It runs on the columns already encoded for the other metrics (numbers and dates as floats
with NaN for null, categories as shared integer codes), so it adds no encoding of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from synthohive_lib.validation.encoded import EncodedColumn

_MAX_CATEGORY_CODE = 250  # HistGradientBoosting's native categorical limit is 255 levels


@dataclass(frozen=True)
class Discriminator:
    """Real-vs-synthetic classifier result of one table."""

    auc: float
    rows_per_side: int
    columns: int

    @property
    def similarity(self) -> float:
        """``1 - 2 * |AUC - 0.5|``: 1.0 indistinguishable, 0.0 perfectly separable."""
        if np.isnan(self.auc):
            return float("nan")
        return float(max(0.0, 1.0 - 2.0 * abs(self.auc - 0.5)))

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {**asdict(self), "similarity": self.similarity}


def discriminator_auc(
    encoded: Mapping[str, EncodedColumn], max_rows: int = 2_000, seed: int = 0
) -> Discriminator:
    """AUC of a classifier separating real (frame 0) from synthetic (frame 1) rows."""
    features, categorical = [], []
    for enc in encoded.values():
        if enc.floats is not None:
            features.append((enc.floats[0], enc.floats[1]))
            categorical.append(False)
        elif enc.codes is not None:
            real, syn = enc.codes.codes[0], enc.codes.codes[1]
            features.append(
                (
                    np.minimum(real, _MAX_CATEGORY_CODE).astype(float),
                    np.minimum(syn, _MAX_CATEGORY_CODE).astype(float),
                )
            )
            categorical.append(True)
    if not features:
        return Discriminator(float("nan"), 0, 0)
    n = min(len(features[0][0]), len(features[0][1]), max_rows)
    if n < 10:
        return Discriminator(float("nan"), n, len(features))
    rng = np.random.default_rng(seed)
    pick_r = rng.choice(len(features[0][0]), size=n, replace=False)
    pick_s = rng.choice(len(features[0][1]), size=n, replace=False)
    x = np.vstack(
        [
            np.column_stack([r[pick_r] for r, _ in features]),
            np.column_stack([s[pick_s] for _, s in features]),
        ]
    )
    y = np.r_[np.zeros(n), np.ones(n)]
    scores = np.zeros(len(y))
    folds = StratifiedKFold(n_splits=2, shuffle=True, random_state=seed)
    for train, test in folds.split(x, y):
        # a feature with no value at all in the training fold (a mostly-null column, e.g.
        # bakeoff bakers.first_date_us) carries nothing, and scikit-learn's binning raises
        # on it ("window shape cannot be larger than input array shape")
        usable = ~np.isnan(x[train]).all(axis=0)
        if not usable.any():
            return Discriminator(float("nan"), n, len(features))
        model = HistGradientBoostingClassifier(
            max_iter=30, categorical_features=np.array(categorical)[usable], random_state=seed
        )
        model.fit(x[train][:, usable], y[train])
        scores[test] = model.predict_proba(x[test][:, usable])[:, 1]
    return Discriminator(float(roc_auc_score(y, scores)), n, len(features))
