"""Key matching shared by schema validation (orphans) and the report (referential integrity)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.schema import Column, ForeignKey, OrphanPolicy, Schema, Table, validate_data
from synthohive_lib.schema.keys import key_codes, orphan_mask
from synthohive_lib.validation import referential_integrity


def _orphans(child: list[object], parent: list[object]) -> list[bool]:
    c, p = pd.DataFrame({"fk": child}), pd.DataFrame({"pk": parent})
    return orphan_mask(c, ["fk"], p, ["pk"]).tolist()


def test_float_key_with_nulls_matches_integer_key() -> None:
    assert _orphans([1.0, np.nan, 3.0], [1, 2]) == [False, False, True]


def test_integral_float_matches_digit_string_but_fraction_does_not() -> None:
    assert _orphans([7.0, np.nan, 9.0], ["7", "8"]) == [False, False, True]
    assert _orphans([7.0, 7.5], ["7", "7.5"]) == [True, False]  # a float column stays float
    assert _orphans(["7", "9"], [7, 8]) == [False, True]


def test_booleans_never_match_numeric_ids() -> None:
    assert _orphans([True, False], [1, 0]) == [True, True]


def test_large_ids_are_compared_exactly() -> None:
    big = 2**53
    assert _orphans([big + 1], [big]) == [True]
    assert _orphans([big + 1], [big + 1]) == [False]


def test_composite_key_with_a_null_part_references_nothing() -> None:
    child = pd.DataFrame({"a": [1, 1, None], "b": ["x", "z", "z"]})
    parent = pd.DataFrame({"a": [1, 2], "b": ["x", "z"]})
    c_codes, p_codes = key_codes(child, ["a", "b"], parent, ["a", "b"])
    assert c_codes[0] == p_codes[0] and c_codes[2] == -1
    assert c_codes[1] not in set(p_codes.tolist())
    assert orphan_mask(child, ["a", "b"], parent, ["a", "b"]).tolist() == [False, True, False]


def test_unpaired_key_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="pair"):
        key_codes(pd.DataFrame({"a": [1]}), ["a"], pd.DataFrame({"b": [1]}), [])


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ([1.0, np.nan, 3.0, 1.0], [1, 2]),
        ([True, False, None, True], [1, 0]),
        (["7", "9", None, "7"], [7, 8]),
        (pd.Series([2**53 + 1, 2**53, None, 5], dtype="Int64"), [2**53, 5]),
    ],
)
def test_schema_validation_and_report_count_the_same_orphans(
    child: list[object] | pd.Series, parent: list[object]
) -> None:
    child_frame, parent_frame = pd.DataFrame({"fk": child}), pd.DataFrame({"pk": parent})
    schema = Schema(
        name="s",
        tables=[
            Table(name="p", columns=[Column(name="pk", type="id")], primary_key=["pk"]),
            Table(
                name="c",
                columns=[Column(name="fk", type="id", nullable=True)],
                foreign_keys=[
                    ForeignKey(columns=["fk"], references="p", referenced_columns=["pk"],
                               on_orphan=OrphanPolicy.DROP)
                ],
            ),
        ],
    )
    report = validate_data(schema, {"p": parent_frame, "c": child_frame}, raise_on_error=False)
    expected = int(orphan_mask(child_frame, ["fk"], parent_frame, ["pk"]).sum())
    assert expected >= 1
    assert report.dropped_rows.get("c", 0) == expected
    ri = referential_integrity(child_frame, parent_frame, ["fk"], ["pk"])
    assert ri.orphan_rows == expected
