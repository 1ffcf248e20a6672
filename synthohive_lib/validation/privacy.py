"""Privacy: is the synthetic data a copy of the training data, or merely like it?

Three measures, all comparing synthetic rows with the *training* rows and, when a real holdout
exists, the holdout with the same training rows as the yardstick (a holdout row was never seen
by the generator, so synthetic rows should be no closer to training than holdout rows are):

* exact-copy rate: share of synthetic rows equal to some training row on every non-key column;
* DCR, distance to the closest training record, and the DCR share: the share of synthetic rows
  closer to training than to the holdout (about 0.5 when training and holdout are the same size
  and nothing was memorised; clearly above 0.5 means memorisation);
* NNDR, nearest-neighbour distance ratio d1 / d2 in training: near 0 means a synthetic row sits
  on top of one training row, i.e. could single it out.

Distance on mixed data (documented because every number above depends on it). Each row is
embedded in a Euclidean space so that, for two rows a and b,

    d(a, b)^2 = sum over numeric columns ((a - b) / range_real)^2      (range = p99 - p1)
              + sum over numeric columns [null(a) != null(b)]          (null indicator)
              + sum over categorical columns [a != b]                  (null is a category)

Numbers are scaled by the real 1st-99th percentile range (robust to outliers), nulls are imputed
with the real median plus an indicator, and categories are one-hot coded scaled by 1/sqrt(2) so a
mismatch adds exactly 1, the same as a full-range numeric difference. Rare categories beyond the
top 30 share one "other" code. Key and text columns are left out: generated keys and free text
are never copied by design and would only add noise. Distances are computed on at most
``max_rows`` sampled rows per side (brute force nearest neighbours, vectorised in BLAS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from synthohive_lib.validation.kinds import ORDERED_KINDS, SCORED_KINDS, to_float

_TOP_CATEGORIES = 30


@dataclass(frozen=True)
class Privacy:
    """Privacy measures of one synthetic table (holdout fields are None without a holdout)."""

    exact_copy_rate: float
    dcr_synthetic_median: float
    dcr_synthetic_p05: float
    nndr_synthetic_p05: float
    dcr_holdout_median: float | None = None
    dcr_holdout_p05: float | None = None
    nndr_holdout_p05: float | None = None
    dcr_share: float | None = None  # share of synthetic rows closer to training than holdout
    holdout_exact_copy_rate: float | None = None
    rows_compared: int = 0
    #: share of real rows equal to another real row on the same columns: the copies faithful
    #: data has by construction, the baseline the privacy gate judges the exact copies by
    natural_copy_rate: float | None = None
    #: the columns exact copies are judged on (keys and replaced PII left out)
    copy_columns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return asdict(self)


def exact_copy_rate(
    real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str] | None = None
) -> float:
    """Share of synthetic rows identical to at least one real row on ``columns`` (default all).

    Rows are hashed once per frame (``pd.util.hash_pandas_object``), so this is linear time.
    Numbers are compared as float64 so that 3 and 3.0 are the same value.
    """
    if len(synthetic) == 0:
        return 0.0
    cols = list(real.columns if columns is None else columns)
    if not cols:
        return 0.0
    real_hash = row_hashes(real[cols])
    syn_hash = row_hashes(synthetic[cols])
    return float(np.isin(syn_hash, real_hash).mean())


def natural_copy_rate(real: pd.DataFrame, columns: list[str] | None = None) -> float:
    """Share of real rows identical to another real row on ``columns`` (default all).

    This is the copy rate that faithful data has by construction: when the columns span a
    small space (a country and a state code), distinct people share a row, and a perfect
    generator's rows equal real rows just as often. A privacy gate therefore judges the
    *excess* of :func:`exact_copy_rate` over this, not the raw rate.
    """
    cols = list(real.columns if columns is None else columns)
    if len(real) < 2 or not cols:
        return 0.0
    hashes = pd.Series(row_hashes(real[cols]))
    return float(hashes.duplicated(keep=False).mean())


@dataclass(frozen=True)
class CopyRateCheck:
    """Exact copies judged against the copies faithful data has anyway (the privacy gate)."""

    rate: float
    natural: float
    limit: float

    @property
    def excess(self) -> float:
        """Copies beyond what the real data repeats of itself."""
        return max(0.0, self.rate - self.natural)

    @property
    def passed(self) -> bool:
        return self.excess <= self.limit

    def describe(self) -> str:
        return (
            f"{self.rate:.1%} of the synthetic rows copy a real row; the real rows repeat "
            f"each other {self.natural:.1%} of the time, so the excess is {self.excess:.1%} "
            f"(limit {self.limit:.0%})"
        )


#: DCR share above this fails: synthetic rows sit closer to training than unseen rows do
MAX_DCR_SHARE = 0.6
#: synthetic NNDR (5th percentile) below this share of the holdout's fails
MIN_NNDR_RATIO = 0.5


@dataclass(frozen=True)
class PrivacyTest:
    """One privacy test of a table: passed, failed, or not measurable (``passed`` None)."""

    name: str
    passed: bool | None
    value: float | None
    threshold: str
    detail: str

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return asdict(self)


def privacy_tests(privacy: Privacy, copy_limit: float) -> list[PrivacyTest]:
    """Pass/fail per test, for the report's privacy verdict.

    * exact copies: their excess over the natural copy rate within ``copy_limit`` (the same
      rule as the ``privacy_gate`` check);
    * DCR share: at most :data:`MAX_DCR_SHARE` of the synthetic rows closer to the training
      rows than to the holdout (0.5 is ideal); needs a holdout;
    * NNDR: the synthetic rows' 5th-percentile NNDR at least :data:`MIN_NNDR_RATIO` of the
      holdout's (no synthetic row singles out one training row more than unseen real rows
      do); needs a holdout.
    """
    natural = privacy.natural_copy_rate or 0.0
    check = CopyRateCheck(privacy.exact_copy_rate, natural, copy_limit)
    out = [
        PrivacyTest(
            "exact copies",
            check.passed,
            privacy.exact_copy_rate,
            f"excess over the natural {natural:.1%} <= {copy_limit:.0%}",
            check.describe(),
        )
    ]
    share = privacy.dcr_share
    out.append(
        PrivacyTest(
            "DCR share",
            None if share is None or np.isnan(share) else bool(share <= MAX_DCR_SHARE),
            share,
            f"<= {MAX_DCR_SHARE} (0.5 ideal)",
            "share of synthetic rows closer to a training row than to any holdout row"
            if share is not None
            else "needs a holdout (validation.holdout)",
        )
    )
    syn, hold = privacy.nndr_synthetic_p05, privacy.nndr_holdout_p05
    measurable = hold is not None and not np.isnan(hold) and not np.isnan(syn)
    out.append(
        PrivacyTest(
            "NNDR",
            bool(syn >= MIN_NNDR_RATIO * hold) if measurable else None,
            syn,
            f">= {MIN_NNDR_RATIO} x holdout"
            + (f" ({MIN_NNDR_RATIO * hold:.3f})" if measurable else ""),
            "5th percentile of d(nearest) / d(second nearest) training row"
            if measurable
            else "needs a holdout (validation.holdout)",
        )
    )
    return out


def check_copy_rate(
    real: pd.DataFrame, synthetic: pd.DataFrame, limit: float, columns: list[str] | None = None
) -> CopyRateCheck:
    """Exact-copy rate of ``synthetic`` and its excess over :func:`natural_copy_rate`."""
    return CopyRateCheck(
        rate=exact_copy_rate(real, synthetic, columns),
        natural=natural_copy_rate(real, columns),
        limit=limit,
    )


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One uint64 per row of ``frame``, numbers as float64 (3 and 3.0 hash alike): equal rows
    hash alike whether the frame is a whole table or one of its blocks."""
    normal = {}
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            normal[c] = s.astype("float64")
        else:  # strings, categories, datetimes hash by value as they are
            normal[c] = s
    return pd.util.hash_pandas_object(pd.DataFrame(normal), index=False).to_numpy()


class MixedEmbedding:
    """Fits the scaling on real data and embeds frames so that Euclidean distance = d above."""

    def __init__(self, kinds: Mapping[str, str]) -> None:
        self.kinds = dict(kinds)

    def fit(self, real: pd.DataFrame) -> MixedEmbedding:
        """Learn medians, ranges and top categories from the real (training) rows."""
        self.numeric_: list[tuple[str, float, float]] = []
        self.categorical_: list[tuple[str, pd.Index]] = []
        for c in real.columns:
            kind = self.kinds.get(c)
            if kind in ORDERED_KINDS:
                v = to_float(real[c], kind)
                v = v[~np.isnan(v)]
                if v.size == 0:
                    continue
                lo, hi = np.percentile(v, [1, 99])
                span = float(hi - lo) or float(v.max() - v.min()) or 1.0
                self.numeric_.append((c, float(np.median(v)), span))
            elif kind in SCORED_KINDS:
                top = real[c].value_counts(dropna=True).index[:_TOP_CATEGORIES]
                self.categorical_.append((c, pd.Index(top)))
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Embed ``frame`` (float32 matrix, one row per input row)."""
        blocks: list[np.ndarray] = []
        for c, median, span in self.numeric_:
            v = to_float(frame[c], self.kinds[c])
            null = np.isnan(v)
            blocks.append(((np.where(null, median, v) - median) / span)[:, None])
            blocks.append(null.astype(float)[:, None])
        for c, top in self.categorical_:
            codes = top.get_indexer(frame[c])  # fixed positions, learnt in fit
            codes = np.where(codes < 0, len(top), codes)  # rare or unseen -> "other"
            codes = np.where(frame[c].isna().to_numpy(), len(top) + 1, codes)
            onehot = np.zeros((len(frame), len(top) + 2))
            onehot[np.arange(len(frame)), codes] = 1.0 / np.sqrt(2.0)
            blocks.append(onehot)
        if not blocks:
            return np.zeros((len(frame), 1), dtype=np.float32)
        return np.hstack(blocks).astype(np.float32)


def privacy_metrics(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    kinds: Mapping[str, str],
    holdout: pd.DataFrame | None = None,
    max_rows: int = 5_000,
    seed: int = 0,
    copy_columns: list[str] | None = None,
) -> Privacy:
    """Exact copies, DCR and NNDR of ``synthetic`` (and ``holdout``) vs ``real`` training rows.

    Exact copies are judged on ``copy_columns`` (default: every non-key column, free text
    included; the privacy gate's columns), distances on the scored kinds only.
    """
    cols = [c for c in real.columns if kinds.get(c) in SCORED_KINDS]
    same = (
        list(copy_columns)
        if copy_columns is not None
        else [c for c in real.columns if kinds.get(c) != "id"]
    )
    copies = exact_copy_rate(real, synthetic, same)
    hold_copies = exact_copy_rate(real, holdout, same) if holdout is not None else None
    natural = natural_copy_rate(real, same)
    rng = np.random.default_rng(seed)
    train = _sample(real[cols], max_rows, rng)
    syn = _sample(synthetic[cols], max_rows, rng)
    if len(train) < 2 or len(syn) == 0:
        nan = float("nan")
        return Privacy(
            copies,
            nan,
            nan,
            nan,
            holdout_exact_copy_rate=hold_copies,
            natural_copy_rate=natural,
            copy_columns=tuple(same),
        )
    emb = MixedEmbedding(kinds).fit(train)
    nn_train = NearestNeighbors(n_neighbors=2, algorithm="brute").fit(emb.transform(train))
    d_syn, _ = nn_train.kneighbors(emb.transform(syn))
    result = {
        "exact_copy_rate": copies,
        "dcr_synthetic_median": float(np.median(d_syn[:, 0])),
        "dcr_synthetic_p05": float(np.percentile(d_syn[:, 0], 5)),
        "nndr_synthetic_p05": float(np.percentile(_nndr(d_syn), 5)),
        "holdout_exact_copy_rate": hold_copies,
        "rows_compared": len(syn),
        "natural_copy_rate": natural,
        "copy_columns": tuple(same),
    }
    if holdout is not None and len(holdout) > 0:
        hold = _sample(holdout[cols], max_rows, rng)
        e_hold = emb.transform(hold)
        d_hold, _ = nn_train.kneighbors(e_hold)
        d_syn_to_hold, _ = (
            NearestNeighbors(n_neighbors=1, algorithm="brute")
            .fit(e_hold)
            .kneighbors(emb.transform(syn))
        )
        closer = d_syn[:, 0] < d_syn_to_hold[:, 0]
        ties = d_syn[:, 0] == d_syn_to_hold[:, 0]
        result |= {
            "dcr_holdout_median": float(np.median(d_hold[:, 0])),
            "dcr_holdout_p05": float(np.percentile(d_hold[:, 0], 5)),
            "nndr_holdout_p05": float(np.percentile(_nndr(d_hold), 5)),
            "dcr_share": float(closer.mean() + 0.5 * ties.mean()),
        }
    return Privacy(**result)


def _nndr(dist: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = dist[:, 0] / dist[:, 1]
    return np.where(dist[:, 1] > 0, ratio, 0.0)


def _sample(frame: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(frame) <= n:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), size=n, replace=False))]
