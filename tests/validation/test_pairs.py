"""Column pair trends: correlation and contingency similarity, by hand and against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.validation import (
    contingency_similarity,
    correlation_similarity,
    pair_trends,
    pairwise_correlation,
)


def test_identical_correlation_scores_one_and_opposite_scores_zero() -> None:
    real = pd.DataFrame({"x": [1, 2, 3, 4], "y": [1, 2, 3, 4]})
    assert correlation_similarity(real, real) == 1.0
    flipped = real.assign(y=[4, 3, 2, 1])  # corr -1 vs +1: |1 - (-1)| / 2 = 1
    assert correlation_similarity(real, flipped) == 0.0


def test_pairwise_correlation_matches_pandas_with_nulls() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 4))
    x[:, 1] += x[:, 0]
    x[rng.random(x.shape) < 0.15] = np.nan
    np.testing.assert_allclose(pairwise_correlation(x), pd.DataFrame(x).corr(), atol=1e-10)


def test_constant_column_has_undefined_correlation() -> None:
    corr = pairwise_correlation(np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]]))
    assert np.isnan(corr[0, 1])


def test_known_contingency() -> None:
    real = pd.DataFrame({"a": list("aabb"), "b": list("xxyy")})
    assert contingency_similarity(real, real) == 1.0
    # real cells (a,x)=.5 (b,y)=.5; synthetic .75/.25: TVD .25
    assert (
        contingency_similarity(real, pd.DataFrame({"a": list("aaab"), "b": list("xxxy")})) == 0.75
    )
    swapped = pd.DataFrame({"a": list("aabb"), "b": list("yyxx")})  # disjoint cells
    assert contingency_similarity(real, swapped) == 0.0


def test_contingency_bins_numbers_on_real_equal_width_bins() -> None:
    real = pd.DataFrame({"n": [0.0, 10.0, 0.0, 10.0], "c": list("abab")})
    # 11 is beyond the real range and lands in the top bin with 10; 0.4 in the bottom bin with 0.
    synthetic = pd.DataFrame({"n": [0.4, 11.0, 0.0, 10.0], "c": list("abab")})
    assert contingency_similarity(real, synthetic, continuous_columns=["n"]) == 1.0


def test_pair_trends_picks_the_metric_by_kind_and_skips_keys() -> None:
    frame = pd.DataFrame(
        {"id": [1, 2, 3, 4], "x": [1.0, 2, 3, 4], "y": [2.0, 4, 6, 9], "c": list("abab")}
    )
    kinds = {"id": "id", "x": "numerical", "y": "numerical", "c": "categorical"}
    trends, matrices = pair_trends(frame, frame, kinds)
    assert {(t.column_a, t.column_b): t.metric for t in trends} == {
        ("x", "y"): "CorrelationSimilarity",
        ("x", "c"): "ContingencySimilarity",
        ("y", "c"): "ContingencySimilarity",
    }
    assert all(t.score == pytest.approx(1.0) for t in trends)
    assert list(matrices["columns"]) == ["x", "y"]
