"""Binned accuracy (MOSTLY AI style): quantile bins, top-k categories, null bin, holdout ceiling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.validation import binned_accuracy
from synthohive_lib.validation.encoding import quantile_codes, top_k_codes


def test_identical_data_is_fully_accurate() -> None:
    real = pd.DataFrame({"x": np.arange(100.0), "c": list("abcd") * 25})
    acc = binned_accuracy(real, real, {"x": "numerical", "c": "categorical"})
    assert (acc.univariate, acc.bivariate) == (1.0, 1.0)


def test_ten_quantile_bins_fitted_on_real_data() -> None:
    real = np.arange(1.0, 101.0)  # ten values per decile
    codes = quantile_codes(real, np.full(50, 3.0))
    assert np.bincount(codes.codes[0]).tolist() == [10] * 10
    assert set(codes.codes[1]) == {0}  # all synthetic mass in the first bin


def test_known_univariate_accuracy() -> None:
    real = pd.DataFrame({"x": np.arange(1.0, 101.0)})
    squashed = pd.DataFrame({"x": np.tile(np.arange(1.0, 11.0), 10)})  # all in the first decile
    acc = binned_accuracy(real, squashed, {"x": "numerical"})
    assert acc.univariate == pytest.approx(0.1)  # TVD = 1 - 0.1
    assert np.isnan(acc.bivariate)  # one column, no pairs
    assert acc.overall == pytest.approx(0.1)


def test_null_bin() -> None:
    real = pd.DataFrame({"x": [*range(10), *[np.nan] * 10]})
    synthetic = pd.DataFrame({"x": [*range(10), *range(10)]})
    assert binned_accuracy(real, synthetic, {"x": "numerical"}).univariate == pytest.approx(0.5)


def test_top_ten_categories_plus_other() -> None:
    real = pd.Series(list("aaabbbcdefghijkl"))  # 12 categories; k and l are the rarest
    codes = top_k_codes(real, pd.Series(["zzz", "k", "a", None]), k=10)
    assert codes.n_levels == 12  # 10 kept + other + null
    other, null = 10, 11
    assert codes.codes[1].tolist()[:2] == [other, other]  # unseen and rare both pooled
    assert codes.codes[1][2] == 0 and codes.codes[1][3] == null


def test_holdout_gives_the_ceiling() -> None:
    rng = np.random.default_rng(1)
    real = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(list("abc"), 2000)})
    holdout = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(list("abc"), 2000)})
    bad = pd.DataFrame({"x": rng.normal(2, 1, size=2000), "c": ["a"] * 2000})
    acc = binned_accuracy(real, bad, {"x": "numerical", "c": "categorical"}, holdout=holdout)
    assert acc.univariate_holdout > 0.95 and acc.bivariate_holdout > 0.9
    assert acc.univariate < acc.univariate_holdout and acc.bivariate < acc.bivariate_holdout
    assert set(acc.per_column_holdout) == {"x", "c"}
