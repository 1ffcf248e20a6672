"""Our metrics agree with SDMetrics (within 0.01) on Adult and on two Chinook tables.

SDMetrics is the reference implementation people know; agreeing with it on the shared
metrics (KSComplement, TVComplement, CorrelationSimilarity, ContingencySimilarity) means our
scores can be read the same way. The synthetic side is a resampled, perturbed copy of the real
data, so scores land well inside (0, 1) where disagreements would show.
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sdmetrics.column_pairs as sdm_pairs  # a pinned dev dependency: missing means broken
import sdmetrics.single_column as sdm_single

from synthohive_lib.validation import column_shape, pair_trends, resolve_kinds
from synthohive_lib.validation.kinds import ORDERED_KINDS, to_float
from tests.conftest import unavailable

REPO = Path(__file__).resolve().parents[2]
ADULT_SAMPLE = REPO / "tests" / "data" / "adult_sample_3000.csv"  # see tests/data/README.md
CHINOOK = REPO / "examples" / "chinook" / "chinook.sqlite"
TOLERANCE = 0.01


def _need(path: Path) -> Path:
    if not path.exists():
        unavailable(f"dataset not found: {path}")
    return path


def perturb(real: pd.DataFrame, kinds: dict[str, str], seed: int) -> pd.DataFrame:
    """Resample rows, jitter numbers and dates, reshuffle 15% of each categorical column."""
    rng = np.random.default_rng(seed)
    out = real.sample(len(real), replace=True, random_state=seed).reset_index(drop=True)
    for col, kind in kinds.items():
        if kind == "numerical":
            scale = float(np.nanstd(out[col].astype(float))) or 1.0
            out[col] = out[col] + rng.normal(0, 0.1 * scale, len(out))
        elif kind == "datetime":
            out[col] = out[col] + pd.to_timedelta(rng.integers(-20, 20, len(out)), "D")
        elif kind == "categorical":
            flip = rng.random(len(out)) < 0.15
            out.loc[flip, col] = rng.permutation(out[col].to_numpy())[: flip.sum()]
    return out


def assert_agreement(real: pd.DataFrame, kinds: dict[str, str], seed: int) -> int:
    """Compare every column shape and column pair; return how many comparisons were made."""
    synthetic = perturb(real, kinds, seed)
    checked = 0
    for col, kind in kinds.items():
        ours = column_shape(real[col], synthetic[col], kind)
        metric = sdm_single.KSComplement if kind in ORDERED_KINDS else sdm_single.TVComplement
        theirs = metric.compute(real[col], synthetic[col])
        assert ours.values_score == pytest.approx(theirs, abs=TOLERANCE), col
        if real[col].notna().all() and synthetic[col].notna().all():
            assert ours.score == pytest.approx(theirs, abs=TOLERANCE), col
        checked += 1

    trends, _ = pair_trends(real, synthetic, kinds)
    # SDMetrics' quality report feeds datetimes to the pair metrics as numbers; do the same.
    as_num = {c: to_float(real[c], k) if k == "datetime" else real[c] for c, k in kinds.items()}
    as_num_s = {
        c: to_float(synthetic[c], k) if k == "datetime" else synthetic[c] for c, k in kinds.items()
    }
    r_num, s_num = pd.DataFrame(as_num), pd.DataFrame(as_num_s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t in trends:
            cols = [t.column_a, t.column_b]
            if t.metric == "CorrelationSimilarity":
                theirs = sdm_pairs.CorrelationSimilarity.compute(r_num[cols], s_num[cols])
            else:
                continuous = [c for c in cols if kinds[c] in ORDERED_KINDS]
                theirs = sdm_pairs.ContingencySimilarity.compute(
                    r_num[cols], s_num[cols], continuous_column_names=continuous or None
                )
            assert t.score == pytest.approx(theirs, abs=TOLERANCE), cols
            checked += 1
    return checked


def test_adult_sample() -> None:
    adult = pd.read_csv(_need(ADULT_SAMPLE))
    adult = adult.reset_index(drop=True)
    kinds = resolve_kinds(adult)
    assert sum(k == "numerical" for k in kinds.values()) == 6
    assert assert_agreement(adult, kinds, seed=1) == 15 + 105


@pytest.fixture(scope="module")
def chinook() -> sqlite3.Connection:
    con = sqlite3.connect(_need(CHINOOK))
    yield con
    con.close()


def test_chinook_track(chinook: sqlite3.Connection) -> None:
    track = pd.read_sql(
        'SELECT MediaTypeId, GenreId, Composer, Milliseconds, Bytes, UnitPrice FROM "Track"',
        chinook,
    )
    kinds = {
        "MediaTypeId": "categorical",
        "GenreId": "categorical",
        "Composer": "categorical",
        "Milliseconds": "numerical",
        "Bytes": "numerical",
        "UnitPrice": "numerical",
    }
    assert track["Composer"].isna().any()  # nulls take part in the comparison
    assert assert_agreement(track, kinds, seed=2) == 6 + 15


def test_chinook_invoice(chinook: sqlite3.Connection) -> None:
    invoice = pd.read_sql(
        'SELECT InvoiceDate, BillingCity, BillingState, BillingCountry, Total FROM "Invoice"',
        chinook,
    )
    invoice["InvoiceDate"] = pd.to_datetime(invoice["InvoiceDate"])
    kinds = {
        "InvoiceDate": "datetime",
        "BillingCity": "categorical",
        "BillingState": "categorical",
        "BillingCountry": "categorical",
        "Total": "numerical",
    }
    assert assert_agreement(invoice, kinds, seed=3) == 5 + 10
