"""Type coercion shared by every connector: what is accepted, what is missing, what fails."""

from __future__ import annotations

import decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import MixedTypeColumnError
from synthohive_lib.io import open_connector
from synthohive_lib.io.dtypes import coerce_series, infer_text_storage
from synthohive_lib.schema.model import StorageType


def _obj(values: list[object]) -> pd.Series:
    return pd.Series(values, dtype=object, name="c")


def test_boolean_tokens_numbers_and_blanks() -> None:
    values = _obj([True, 1.0, None, " Yes ", np.int64(0), "f", "", "  ", np.nan, pd.NA, "N"])
    got = coerce_series(values, StorageType.BOOLEAN)
    assert got.dtype == "boolean"
    assert got.tolist() == [True, True, pd.NA, True, False, False, pd.NA, pd.NA, pd.NA, pd.NA,
                            False]


@pytest.mark.parametrize("bad", [b"1", 2, 0.5, "1.0", "maybe", decimal.Decimal("0.5")])
def test_boolean_refuses_anything_else_and_names_it(bad: object) -> None:
    with pytest.raises(MixedTypeColumnError, match="declared boolean but 1 value") as info:
        coerce_series(_obj(["true", bad, None]), StorageType.BOOLEAN, table="t")
    assert info.value.table == "t" and info.value.column == "c"


def test_numbers_from_text_with_white_space_and_blanks() -> None:
    values = _obj([" 1.5", "2 ", "\u00a03\u00a0", "", "   ", None, decimal.Decimal("2.5"), True])
    got = coerce_series(values, StorageType.FLOAT)
    assert got.dtype == "float64"
    assert got.tolist()[:3] == [1.5, 2.0, 3.0] and got.tolist()[6:] == [2.5, 1.0]
    assert got.isna().tolist() == [False] * 3 + [True] * 3 + [False] * 2


def test_integers_keep_nulls_and_refuse_fractions() -> None:
    got = coerce_series(_obj(["1", " 2 ", "", None]), StorageType.INTEGER)
    assert got.dtype == "Int64" and got.tolist() == [1, 2, pd.NA, pd.NA]
    with pytest.raises(MixedTypeColumnError, match=r"declared integer.*'1\.5'"):
        coerce_series(_obj(["1", "1.5"]), StorageType.INTEGER)


def test_numeric_text_failure_lists_only_the_bad_values() -> None:
    with pytest.raises(MixedTypeColumnError, match=r"2 value\(s\).*\['abc', 'x y'\]"):
        coerce_series(_obj(["1", "", "abc", " ", "x y"]), StorageType.FLOAT)


def test_datetimes_blank_text_is_missing_and_garbage_fails() -> None:
    got = coerce_series(_obj(["2024-01-02", "  ", None, ""]), StorageType.DATETIME)
    assert got.tolist()[0] == pd.Timestamp("2024-01-02") and got.isna().tolist()[1:] == [True] * 3
    with pytest.raises(MixedTypeColumnError, match=r"1 value\(s\).*'nope'"):
        coerce_series(_obj(["2024-01-02", " ", "nope"]), StorageType.DATETIME)


@pytest.mark.parametrize("storage", [StorageType.FLOAT, StorageType.INTEGER])
def test_pandas_string_dtype_blanks_are_missing_too(storage: StorageType) -> None:
    values = pd.Series(["1", " 2 ", "", "\u00a03", None], dtype="string", name="c")
    got = coerce_series(values, storage)
    assert got.isna().tolist() == [False, False, True, False, True]
    assert got.dropna().tolist() == [1, 2, 3]
    with pytest.raises(MixedTypeColumnError, match="'x'"):
        coerce_series(pd.Series(["1", "x"], dtype="string", name="c"), storage)


def test_csv_codes_with_leading_zeros_stay_text(tmp_path: Path) -> None:
    """Postal codes and phone numbers in a CSV read without a schema keep their zeros."""
    (tmp_path / "t.csv").write_text(
        "id,zip,phone,share,count\n1,02134,0049123,0.5,0\n2,10001,0049124,1.25,10\n"
        "3,00501,0049125,0.75,3\n", encoding="utf-8")
    frame = open_connector(tmp_path / "t.csv").read_table("t")
    assert frame["zip"].tolist() == ["02134", "10001", "00501"]
    assert frame["phone"].tolist() == ["0049123", "0049124", "0049125"]
    assert frame["share"].dtype == "float64" and frame["count"].dtype == "Int64"
    assert infer_text_storage(pd.Series(["0", "7", "-3"])) is StorageType.INTEGER
    assert infer_text_storage(pd.Series(["1", "-007"])) is StorageType.STRING
