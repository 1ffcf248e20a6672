"""The real-vs-synthetic discriminator of the quality report."""

from __future__ import annotations

import math

import numpy as np

from synthohive_lib.validation.discriminator import discriminator_auc
from synthohive_lib.validation.encoded import EncodedColumn


def test_a_column_null_in_every_row_of_a_fold_does_not_stop_the_discriminator() -> None:
    # bakeoff bakers.first_date_us: null in 100 of 108 rows; a fold with no value in it
    # made scikit-learn raise "window shape cannot be larger than input array shape"
    rng = np.random.default_rng(0)
    age = EncodedColumn("age", "numerical", floats=(rng.normal(40, 9, 108), rng.normal(40, 9, 108)))
    empty = np.full(108, np.nan)
    us_date = EncodedColumn("first_date_us", "datetime", floats=(empty, empty.copy()))
    result = discriminator_auc({"age": age, "first_date_us": us_date})
    assert 0.0 <= result.auc <= 1.0


def test_no_usable_feature_gives_no_auc_rather_than_an_error() -> None:
    empty = np.full(50, np.nan)
    only = EncodedColumn("x", "numerical", floats=(empty, empty.copy()))
    assert math.isnan(discriminator_auc({"x": only}).auc)
