"""The quality gate raises a typed error naming every failing column and its score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import QualityGateError, SynthoHiveError
from synthohive_lib.validation import (
    check_quality_gate,
    check_report_gate,
    schema_report,
    table_quality,
)

REAL = pd.DataFrame({"x": np.arange(100.0), "c": list("ab") * 50, "ok": list("xyz") * 33 + ["x"]})


def test_identical_data_passes_and_the_threshold_is_inclusive() -> None:
    check_quality_gate(REAL, REAL, threshold=1.0)  # identical data scores exactly 1.0
    shifted = REAL.assign(x=REAL["x"] + 10)  # x: KS 0.1, so its score is 0.9
    score = table_quality(REAL, shifted, privacy=False, plots=False).column_scores()["x"]
    assert score == pytest.approx(0.9)
    check_quality_gate(REAL, shifted, threshold=score)  # a score equal to the bar passes
    with pytest.raises(QualityGateError) as info:
        check_quality_gate(REAL, shifted, threshold=float(np.nextafter(score, 1.0)))
    assert info.value.failing == {"x": score}


def test_failing_columns_are_listed_worst_first_with_scores() -> None:
    synthetic = REAL.assign(x=REAL["x"] + 50, c="a")  # x: KS 0.5; c: TVD 0.5
    with pytest.raises(QualityGateError) as info:
        check_quality_gate(REAL, synthetic, threshold=0.8, table="orders")
    err = info.value
    assert isinstance(err, SynthoHiveError)
    assert set(err.failing) == {"x", "c"}
    assert err.failing["x"] == pytest.approx(0.5) and err.failing["c"] == pytest.approx(0.5)
    assert err.table == "orders" and "[orders]" in str(err)
    assert "x=0.500" in str(err) and "c=0.500" in str(err) and "ok" not in err.failing


def test_threshold_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="threshold"):
        check_quality_gate(REAL, REAL, threshold=1.5)


def test_report_gate_names_table_and_column() -> None:
    report = schema_report({"t": REAL}, {"t": REAL.assign(c="a")}, privacy=False)
    with pytest.raises(QualityGateError) as info:
        check_report_gate(report, threshold=0.9)
    assert list(info.value.failing) == ["t.c"]
