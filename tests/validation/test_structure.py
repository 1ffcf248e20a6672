"""Structure: adherence, keys, referential integrity, children per parent, intertable trends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.validation import (
    Relation,
    boundary_adherence,
    category_adherence,
    children_per_parent,
    intertable_trends,
    key_uniqueness,
    referential_integrity,
)


def test_boundary_adherence_counts_non_null_values_inside_the_real_range() -> None:
    real = pd.Series([0.0, 10.0])
    synthetic = pd.Series([-1.0, 5.0, 11.0, np.nan, 10.0])  # 5 and 10 of 4 non-null
    assert boundary_adherence(real, synthetic) == 0.5


def test_category_adherence_counts_null_only_when_real_has_nulls() -> None:
    synthetic = pd.Series(["a", "c", None])
    assert category_adherence(pd.Series(["a", "b"]), synthetic) == pytest.approx(1 / 3)
    assert category_adherence(pd.Series(["a", "b", None]), synthetic) == pytest.approx(2 / 3)


def test_key_uniqueness_counts_duplicates_and_nulls() -> None:
    ku = key_uniqueness(pd.DataFrame({"k": [1, 1, 2, None]}), ["k"])
    assert (ku.score, ku.duplicate_rows, ku.null_rows) == (0.5, 1, 1)
    assert key_uniqueness(pd.DataFrame({"k": [1, 2]}), ["k"]).score == 1.0
    assert key_uniqueness(pd.DataFrame({"k": []}), ["k"]).score == 1.0


def test_composite_key_uniqueness() -> None:
    frame = pd.DataFrame({"a": [1, 1, 2], "b": [1, 2, 1]})
    assert key_uniqueness(frame, ["a", "b"]).score == 1.0
    assert key_uniqueness(frame, ["a"]).duplicate_rows == 1


def test_referential_integrity_orphans_and_null_keys() -> None:
    parent = pd.DataFrame({"id": [1, 2, 3]})
    child = pd.DataFrame({"pid": [1, 2, 3, None, 9]})  # 9 is an orphan, None references nothing
    ri = referential_integrity(child, parent, ["pid"], ["id"])
    assert (ri.score, ri.orphan_rows, ri.null_fk_rows, ri.checked_rows) == (0.75, 1, 1, 4)


def test_referential_integrity_composite_keys_across_dtypes() -> None:
    parent = pd.DataFrame({"a": [1, 1, 2], "b": ["x", "y", "x"]})
    child = pd.DataFrame({"fa": [1.0, 2.0, 2.0], "fb": ["y", "x", "y"]})  # (2, y) is missing
    ri = referential_integrity(child, parent, ["fa", "fb"], ["a", "b"])
    assert ri.orphan_rows == 1 and ri.score == pytest.approx(2 / 3)


def test_string_and_integer_keys_match() -> None:
    parent = pd.DataFrame({"id": [7, 8]})
    child = pd.DataFrame({"pid": ["7", "8", "9"]})
    assert referential_integrity(child, parent, ["pid"], ["id"]).orphan_rows == 1


def test_children_per_parent() -> None:
    rel = Relation("p", "c", ("pid",), ("id",))
    parents = pd.DataFrame({"id": [1, 2, 3]})
    real = {"p": parents, "c": pd.DataFrame({"pid": [1, 1, 2]})}  # counts 2, 1, 0
    assert children_per_parent(real, real, rel).score == 1.0
    skewed = {"p": parents, "c": pd.DataFrame({"pid": [1, 1, 1]})}  # counts 3, 0, 0
    result = children_per_parent(real, skewed, rel)
    # CDFs of [0, 1, 2] vs [0, 0, 3] differ by at most 1/3.
    assert result.score == pytest.approx(2 / 3)
    assert sorted(result.real_counts.tolist()) == [0, 1, 2]


def test_intertable_trends_compare_parent_and_child_columns_on_the_join() -> None:
    rel = Relation("p", "c", ("pid",), ("id",))
    parent = pd.DataFrame({"id": [1, 2], "tier": ["gold", "basic"]})
    child = pd.DataFrame({"pid": [1, 1, 2, 2], "amount": [100.0, 90.0, 10.0, 12.0]})
    kinds = {"p": {"id": "id", "tier": "categorical"}, "c": {"pid": "id", "amount": "numerical"}}
    same = intertable_trends({"p": parent, "c": child}, {"p": parent, "c": child}, rel, kinds)
    assert [(t.column_a, t.column_b, t.score) for t in same] == [
        ("parent.tier", "child.amount", 1.0)
    ]
    swapped = parent.assign(tier=["basic", "gold"])  # gold customers now spend little
    broken = intertable_trends({"p": parent, "c": child}, {"p": swapped, "c": child}, rel, kinds)
    assert broken[0].score == 0.0
