"""infer_column_specs: what kind each column is, and which inputs are refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import EmptyTableError, ModelError
from synthohive_lib.transform import ColumnKind, ColumnSpec, infer_column_specs


def test_every_kind_is_recognised(mixed_frame: pd.DataFrame) -> None:
    specs = {s.name: s for s in infer_column_specs(mixed_frame)}
    assert specs["age"].kind is ColumnKind.INTEGER
    assert specs["amount"].kind is ColumnKind.CONTINUOUS
    assert specs["amount"].decimals == 2 and specs["amount"].nullable
    assert specs["city"].kind is ColumnKind.CATEGORICAL and specs["city"].nullable
    assert specs["active"].kind is ColumnKind.BOOLEAN
    assert specs["joined"].kind is ColumnKind.DATETIME and specs["joined"].datetime_format is None
    assert specs["joined_text"].kind is ColumnKind.DATETIME
    assert specs["joined_text"].datetime_format == "%d/%m/%Y"
    assert specs["name"].kind is ColumnKind.TEXT


def test_numeric_bounds_are_the_observed_range() -> None:
    (spec,) = infer_column_specs(pd.DataFrame({"x": [3, 7, 5]}))
    assert (spec.min, spec.max) == (3.0, 7.0)


def test_spec_round_trips_through_a_plain_dict() -> None:
    spec = ColumnSpec("d", ColumnKind.DATETIME, True, datetime_format="%Y-%m-%d")
    assert ColumnSpec.from_dict(spec.to_dict()) == spec


def test_empty_frame_is_refused() -> None:
    with pytest.raises(EmptyTableError):
        infer_column_specs(pd.DataFrame({"a": []}))


def test_all_null_column_is_refused_by_name() -> None:
    with pytest.raises(ModelError) as info:
        infer_column_specs(pd.DataFrame({"ok": [1, 2], "empty": [None, None]}))
    assert info.value.column == "empty"


def test_infinite_numbers_are_refused_by_name() -> None:
    with pytest.raises(ModelError) as info:
        infer_column_specs(pd.DataFrame({"x": [1.0, np.inf, 2.0]}))
    assert info.value.column == "x"
