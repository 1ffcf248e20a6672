"""sample(..., quality_threshold=...): rows below the bar are refused, naming the columns."""

from __future__ import annotations

import pandas as pd
import pytest

from synthohive_lib.errors import ModelError, QualityGateError
from synthohive_lib.models import CTGAN


def test_a_threshold_no_sample_can_reach_lists_every_failing_column(
    fitted: tuple[CTGAN, pd.DataFrame],
) -> None:
    model, real = fitted
    # a reference from another world: every value of age and plan outside what was learnt
    shifted = real.assign(age=real["age"] + 1000, plan="enterprise")
    with pytest.raises(QualityGateError) as info:
        model.sample(200, seed=1, quality_threshold=0.5, reference=shifted)
    assert {"age", "plan"} <= set(info.value.failing)
    assert all(score < 0.5 for score in info.value.failing.values())
    assert "age" in str(info.value) and "plan" in str(info.value)


def test_a_reachable_threshold_returns_the_same_rows_as_an_ungated_sample(
    fitted: tuple[CTGAN, pd.DataFrame],
) -> None:
    model, real = fitted
    gated = model.sample(200, seed=1, quality_threshold=0.05, reference=real)
    pd.testing.assert_frame_equal(gated, model.sample(200, seed=1))


def test_a_threshold_without_real_rows_is_a_typed_error(
    fitted: tuple[CTGAN, pd.DataFrame],
) -> None:
    model, _ = fitted
    with pytest.raises(ModelError, match="reference"):
        model.sample(10, seed=1, quality_threshold=0.8)
