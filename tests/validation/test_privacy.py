"""Privacy: exact copies, DCR and NNDR with the documented mixed-data distance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.validation import exact_copy_rate, privacy_metrics
from synthohive_lib.validation.privacy import MixedEmbedding

KINDS = {"x": "numerical", "c": "categorical"}


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(list("abcdef"), n)})


def test_exact_copy_rate() -> None:
    real = pd.DataFrame({"x": [1, 2, 3, 4], "c": list("abcd")})
    assert exact_copy_rate(real, real) == 1.0
    synthetic = pd.DataFrame({"x": [1.0, 9.0, 9.0, 9.0], "c": list("aaaa")})  # 1 == 1.0
    assert exact_copy_rate(real, synthetic) == 0.25


def test_distance_category_mismatch_counts_one_and_full_range_counts_one() -> None:
    real = pd.DataFrame({"x": np.linspace(0, 100, 101), "c": ["a", "b"] * 50 + ["a"]})
    emb = MixedEmbedding(KINDS).fit(real)
    span = np.percentile(real["x"], 99) - np.percentile(real["x"], 1)
    rows = pd.DataFrame({"x": [10.0, 10.0, 10.0 + span, np.nan], "c": ["a", "b", "a", "a"]})
    e = emb.transform(rows)
    dist = np.linalg.norm(e[1:] - e[0], axis=1)
    assert dist[0] == pytest.approx(1.0)  # only the category differs
    assert dist[1] == pytest.approx(1.0, rel=1e-5)  # one real 1%-99% range apart
    assert dist[2] > 1.0  # null vs value: indicator (1) plus the median imputation gap


def test_copied_training_rows_are_closer_to_training_than_to_holdout() -> None:
    train, holdout = _frame(600, 1), _frame(600, 2)
    copied = privacy_metrics(train, train.copy(), KINDS, holdout=holdout)
    assert copied.exact_copy_rate == 1.0
    assert copied.dcr_synthetic_median == 0.0 and copied.nndr_synthetic_p05 == 0.0
    assert copied.dcr_share == 1.0
    fresh = privacy_metrics(train, _frame(600, 3), KINDS, holdout=holdout)
    assert fresh.exact_copy_rate == 0.0
    assert 0.35 < fresh.dcr_share < 0.65  # as close to training as real unseen rows are
    assert fresh.dcr_synthetic_median > 0 and fresh.dcr_holdout_median > 0


def test_without_holdout_the_holdout_fields_are_empty() -> None:
    result = privacy_metrics(_frame(50, 1), _frame(50, 2), KINDS)
    assert result.dcr_share is None and result.dcr_holdout_median is None
    assert result.rows_compared == 50


def test_rows_are_sampled_to_max_rows() -> None:
    result = privacy_metrics(_frame(400, 1), _frame(400, 2), KINDS, max_rows=100)
    assert result.rows_compared == 100


def test_natural_copy_rate_counts_real_rows_that_repeat() -> None:
    from synthohive_lib.validation import natural_copy_rate

    real = pd.DataFrame({"country": ["BR", "BR", "DE", "FR"], "state": ["SP", "SP", None, None]})
    assert natural_copy_rate(real) == 0.5  # the two Brazil/SP rows
    assert natural_copy_rate(real, ["state"]) == 1.0  # SP twice, null twice
    assert natural_copy_rate(real.iloc[:1]) == 0.0


def test_copy_rate_gate_judges_the_excess_over_natural_repeats() -> None:
    from synthohive_lib.validation import check_copy_rate

    real = pd.DataFrame({"country": ["BR", "BR", "DE", "FR"], "state": ["SP", "SP", None, None]})
    # three of four synthetic rows equal a real row; real rows repeat half of the time
    synthetic = pd.DataFrame(
        {"country": ["BR", "DE", "FR", "US"], "state": ["SP", None, None, "CA"]}
    )
    check = check_copy_rate(real, synthetic, limit=0.3)
    assert (check.rate, check.natural) == (0.75, 0.5)
    assert check.excess == 0.25 and check.passed
    assert not check_copy_rate(real, synthetic, limit=0.2).passed
    assert "excess is 25.0%" in check.describe()
