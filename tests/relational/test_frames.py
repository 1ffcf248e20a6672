"""Finding each child's parent follows the library's one key-matching rule."""

from __future__ import annotations

import pandas as pd
import pytest

from synthohive_lib.errors import SynthoHiveError
from synthohive_lib.relational._frames import children_per_parent, locate


def test_float_references_with_nulls_find_integer_keys() -> None:
    parents = pd.DataFrame({"EmployeeId": [1, 2, 3]})
    children = pd.DataFrame({"ReportsTo": [2.0, None, 3.0, 9.0]})
    assert locate(parents, ["EmployeeId"], children, ["ReportsTo"]).tolist() == [1, -1, 2, -1]


def test_composite_references_count_children_per_parent_with_zeros() -> None:
    parents = pd.DataFrame({"OrderNo": ["a", "a", "b"], "LineNo": [1, 2, 1]})
    children = pd.DataFrame({"OrderNo": ["a", "b", "b", None], "LineNo": [2, 1, 1, 1]})
    counts = children_per_parent(parents, ["OrderNo", "LineNo"], children, ["OrderNo", "LineNo"])
    assert counts.tolist() == [0, 1, 2]


def test_a_duplicated_parent_key_is_an_error_naming_the_table() -> None:
    parents = pd.DataFrame({"GenreId": [1, 1]})
    with pytest.raises(SynthoHiveError, match=r"\[Genre\] parent key \['GenreId'\] is not unique"):
        locate(parents, ["GenreId"], pd.DataFrame({"GenreId": [1]}), ["GenreId"], table="Genre")
