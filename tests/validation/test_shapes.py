"""Column shapes on cases small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.validation import (
    column_shape,
    ks_complement,
    ks_statistic,
    missing_similarity,
    tv_complement,
)

NAN = float("nan")


def test_identical_numbers_score_one() -> None:
    x = pd.Series([3.0, 1.0, 2.0, 2.0])
    assert ks_complement(x, x.sample(frac=1.0, random_state=0)) == 1.0


def test_disjoint_numbers_score_zero() -> None:
    assert ks_complement(pd.Series([1, 2, 3]), pd.Series([10, 11])) == 0.0


def test_known_ks_statistic() -> None:
    # F_real(2) = 2/4, F_synthetic(2) = 0: the largest gap is 0.5.
    assert ks_statistic(np.array([1, 2, 3, 4.0]), np.array([3, 4, 5, 6.0])) == 0.5
    assert ks_complement(pd.Series([1, 2, 3, 4]), pd.Series([3, 4, 5, 6])) == 0.5


def test_known_tvd() -> None:
    # real a/b = 1/2 each, synthetic 3/4 and 1/4: TVD = (0.25 + 0.25) / 2 = 0.25.
    real, synthetic = pd.Series(list("aabb")), pd.Series(list("aaab"))
    assert tv_complement(real, synthetic) == pytest.approx(0.75)


def test_disjoint_categories_score_zero() -> None:
    assert tv_complement(pd.Series(list("ab")), pd.Series(list("cc"))) == 0.0


def test_nulls_are_ignored_by_the_sdmetrics_scores_but_scored_by_column_shape() -> None:
    real = pd.Series([1.0, 2.0, NAN, NAN], name="x")
    synthetic = pd.Series([1.0, 2.0, 1.0, 2.0], name="x")
    shape = column_shape(real, synthetic, "numerical")
    assert shape.values_score == 1.0  # the non-null values match exactly
    assert shape.score == 0.5  # half the real column is null, none of the synthetic
    assert shape.missing_similarity == 0.5


def test_null_category_is_a_level() -> None:
    real = pd.Series(["a", None], name="c")
    synthetic = pd.Series(["a", "a"], name="c")
    shape = column_shape(real, synthetic, "categorical")
    assert shape.values_score == 1.0
    assert shape.score == pytest.approx(0.5)


def test_single_row_tables() -> None:
    one = pd.Series([5.0], name="x")
    assert column_shape(one, one, "numerical").score == 1.0
    assert column_shape(one, pd.Series([6.0], name="x"), "numerical").score == 0.0


def test_constant_column_equal_and_shifted() -> None:
    const = pd.Series([7] * 10, name="k")
    assert column_shape(const, const, "numerical").score == 1.0
    assert column_shape(const, const + 1, "numerical").score == 0.0
    assert column_shape(const.astype(str), const.astype(str), "categorical").score == 1.0


def test_all_null_on_both_sides_is_a_perfect_match() -> None:
    empty = pd.Series([NAN, NAN], name="x")
    assert column_shape(empty, empty, "numerical").score == 1.0
    assert np.isnan(column_shape(empty, empty, "numerical").values_score)


def test_datetimes_compare_as_timestamps_and_text_dates_are_parsed() -> None:
    days = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]))
    later = days + pd.Timedelta(days=2)
    assert ks_complement(days, later) == 0.5
    as_text = days.dt.strftime("%Y-%m-%d %H:%M:%S").rename("d")
    assert column_shape(as_text, later.dt.strftime("%Y-%m-%d").rename("d"), "datetime").score == 0.5


def test_keys_and_text_are_not_scored_as_distributions() -> None:
    s = pd.Series([1, 2, 3], name="id")
    assert column_shape(s, s, "id") is None
    assert column_shape(s.astype(str), s.astype(str), "text") is None


def test_missing_similarity() -> None:
    assert missing_similarity(pd.Series([1, None, None, 4]), pd.Series([1, 2, 3, None])) == 0.75
