"""Sniffing: what a column's values say about its semantic type, format, range and PII."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import MixedTypeColumnError
from synthohive_lib.schema.model import ColumnType, PiiKind, StorageType
from synthohive_lib.schema.sniff import (
    detect_datetime_format,
    detect_pii,
    iban_valid,
    luhn_valid,
    name_tokens,
    observed_decimals,
    pii_kind_from_name,
    pii_value_shares,
    sniff_column,
    storage_from_values,
)


def test_text_dates_are_datetimes_with_their_strftime_format() -> None:
    s = pd.Series(["2009-01-01 00:00:00", "2013-12-22 14:05:00", None])
    out = sniff_column(s, "InvoiceDate", storage=StorageType.STRING)
    assert out.type is ColumnType.DATETIME
    assert out.datetime_format == "%Y-%m-%d %H:%M:%S"
    assert (out.min, out.max) == ("2009-01-01 00:00:00", "2013-12-22 14:05:00")


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["2024-01-31", "2023-02-01"], "%Y-%m-%d"),
        (["2024-01-31T10:00:00", "2023-02-01T11:30:59"], "%Y-%m-%dT%H:%M:%S"),
        (["31/01/2024", "01/02/2023"], "%d/%m/%Y"),
        (["12/31/2024", "01/25/2023"], "%m/%d/%Y"),
        (["31.01.2024", "01.02.2023"], "%d.%m.%Y"),
    ],
)
def test_common_date_formats_are_recognised(values: list[str], fmt: str) -> None:
    assert detect_datetime_format(pd.Series(values)) == fmt


def test_numbers_and_words_are_not_dates() -> None:
    assert detect_datetime_format(pd.Series(["20240131", "20230201"])) is None
    assert detect_datetime_format(pd.Series(["Rock", "Jazz"])) is None
    assert detect_datetime_format(pd.Series(["2024-01-31", "not a date"])) is None


def test_datetime_bounds_are_iso_even_for_day_first_text() -> None:
    out = sniff_column(pd.Series(["15/01/2020", "02/03/2020"]), "d", storage=StorageType.STRING)
    assert out.datetime_format == "%d/%m/%Y"
    assert (out.min, out.max) == ("2020-01-15 00:00:00", "2020-03-02 00:00:00")


def test_few_repeated_values_are_categorical_and_unique_strings_text() -> None:
    countries = pd.Series(["Brazil", "Germany", "Canada", "USA"] * 25)
    titles = pd.Series([f"Album title number {i}" for i in range(100)])
    assert sniff_column(countries, "Country").type is ColumnType.CATEGORICAL
    assert sniff_column(titles, "Title").type is ColumnType.TEXT


def test_short_codes_are_categorical_even_when_mostly_distinct() -> None:
    # Chinook's Customer.State: 25 distinct values in 49 rows, all but one a 2-3 letter code.
    codes = ["SP", "QC", "RJ", "DF", "AB", "BC", "CA", "WA", "NY", "NV", "FL", "MA", "IL",
             "WI", "TX", "AZ", "UT", "ON", "NS", "MB", "NT", "Dublin", "RM", "VV", "NSW"]
    states = pd.Series(codes * 2)[:49]
    assert sniff_column(states, "State").type is ColumnType.CATEGORICAL
    # the same spread of distinct values as words stays free text
    words = pd.Series([f"Region number {c}" for c in codes] * 2)[:49]
    assert sniff_column(words, "Region").type is ColumnType.TEXT


def test_many_distinct_values_are_text_even_when_repeated() -> None:
    composers = pd.Series([f"Composer {i % 400}" for i in range(2000)])
    assert sniff_column(composers, "Composer").type is ColumnType.TEXT


def test_keys_are_ids_and_id_named_unique_columns_too() -> None:
    ints = pd.Series(range(1, 50))
    assert sniff_column(ints, "ArtistId", is_key=True).type is ColumnType.ID
    assert sniff_column(ints, "external_id").type is ColumnType.ID
    assert sniff_column(pd.Series([f"u-{i}" for i in range(9)]), "user_uuid").type is (
        ColumnType.ID
    )


def test_numbers_get_type_range_and_observed_decimals() -> None:
    prices = pd.Series([0.99, 1.99, 0.99, None])
    out = sniff_column(prices, "UnitPrice", storage=StorageType.FLOAT)
    assert (out.type, out.decimals, out.min, out.max) == (ColumnType.FLOAT, 2, 0.99, 1.99)
    ints = sniff_column(pd.Series([3, 7, 5]), "Quantity")
    assert (ints.type, ints.storage, ints.min, ints.max) == (
        ColumnType.INTEGER,
        StorageType.INTEGER,
        3,
        7,
    )
    assert observed_decimals(np.array([0.1234567, 1.0])) is None
    assert observed_decimals(np.array([1.0, 2.0])) == 0


def test_declared_decimal_scale_wins_over_observed_digits() -> None:
    out = sniff_column(
        pd.Series([1.5, 2.0]), "amount", storage=StorageType.DECIMAL, decimals_hint=4
    )
    assert (out.type, out.decimals) == (ColumnType.FLOAT, 4)


def test_booleans_from_storage_text_tokens_and_zero_one_integers() -> None:
    assert sniff_column(pd.Series([True, False]), "flag").type is ColumnType.BOOLEAN
    assert sniff_column(pd.Series(["yes", "no", "yes"]), "x").type is ColumnType.BOOLEAN
    assert sniff_column(pd.Series([0, 1, 1]), "active").type is ColumnType.BOOLEAN
    assert sniff_column(pd.Series([1, 1, 1]), "Quantity").type is ColumnType.INTEGER


def test_floats_holding_whole_numbers_with_nulls_are_integer_storage() -> None:
    assert storage_from_values(pd.Series([1.0, None, 3.0])) is StorageType.INTEGER
    assert storage_from_values(pd.Series([1.5, None])) is StorageType.FLOAT


def test_an_empty_column_is_typed_from_its_storage() -> None:
    empty = pd.Series([], dtype=object)
    assert sniff_column(empty, "Name", storage=StorageType.STRING).type is ColumnType.TEXT
    assert sniff_column(empty, "n", storage=StorageType.INTEGER).type is ColumnType.INTEGER
    assert sniff_column(empty, "d", storage=StorageType.DATETIME).type is ColumnType.DATETIME
    assert sniff_column(empty, "Email").pii is not None  # the name alone still says e-mail


def test_python_type_mixes_raise_a_typed_error_naming_the_column() -> None:
    with pytest.raises(MixedTypeColumnError) as err:
        storage_from_values(pd.Series([1, "two", 3.0], dtype=object), "t", "c")
    assert (err.value.table, err.value.column) == ("t", "c")
    assert "Fix:" in str(err.value)


def test_mostly_numeric_text_from_a_file_is_refused_when_strict() -> None:
    s = pd.Series(["1", "2", "3", "abc"])
    with pytest.raises(MixedTypeColumnError, match="abc"):
        sniff_column(s, "amount", "orders", strict_text=True)
    # postal codes legitimately mix digits and letters
    zips = pd.Series(["70174", "14700", "T6G 2C7"])
    assert sniff_column(zips, "PostalCode", strict_text=True).type is ColumnType.TEXT


def test_name_tokens_split_camel_case_and_separators() -> None:
    assert name_tokens("BillingPostalCode") == ["billing", "postal", "code"]
    assert name_tokens("customer_e-mail") == ["customer", "e", "mail"]
    assert name_tokens("IPAddress") == ["ip", "address"]


@pytest.mark.parametrize(
    ("column", "table", "kind"),
    [
        ("Email", "", PiiKind.EMAIL),
        ("FirstName", "", PiiKind.FIRST_NAME),
        ("surname", "", PiiKind.LAST_NAME),
        ("full_name", "", PiiKind.PERSON_NAME),
        ("name", "customers", PiiKind.PERSON_NAME),
        ("Fax", "", PiiKind.PHONE),
        ("BillingAddress", "", PiiKind.ADDRESS),
        ("BillingCity", "", PiiKind.CITY),
        ("zip_code", "", PiiKind.POSTAL_CODE),
        ("Company", "", PiiKind.COMPANY),
        ("ip_address", "", PiiKind.IP_ADDRESS),
        ("credit_card_number", "", PiiKind.CREDIT_CARD),
        ("ssn", "", PiiKind.NATIONAL_ID),
        ("iban", "", PiiKind.IBAN),
        ("BirthDate", "", PiiKind.DATE_OF_BIRTH),
    ],
)
def test_pii_kinds_are_recognised_by_column_name(column: str, table: str, kind: PiiKind) -> None:
    found = pii_kind_from_name(column, table)
    assert found is not None and found[0] is kind


def test_harmless_names_are_not_pii() -> None:
    for column, table in [("Name", "Genre"), ("Title", "Album"), ("Total", "Invoice")]:
        assert pii_kind_from_name(column, table) is None


def test_luhn_and_iban_checks_are_vectorised_and_correct() -> None:
    cards = pd.Series(["4111111111111111", "4111111111111112", "5500005555555559"])
    assert luhn_valid(cards).tolist() == [True, False, True]
    ibans = pd.Series(
        ["GB82WEST12345698765432", "GB82WEST12345698765433", "DE89370400440532013000"]
    )
    assert iban_valid(ibans).tolist() == [True, False, True]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["a@example.com", "b.c@example.org"], PiiKind.EMAIL),
        (["+1 (780) 428-9482", "+49 0711 2842222"], PiiKind.PHONE),
        (["192.168.0.1", "10.0.0.254"], PiiKind.IP_ADDRESS),
        (["4111 1111 1111 1111", "5500-0055-5555-5559"], PiiKind.CREDIT_CARD),
        (["123-45-6789", "234-56-7890"], PiiKind.NATIONAL_ID),
        (["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"], PiiKind.IBAN),
    ],
)
def test_pii_is_recognised_by_values_under_a_neutral_name(values: list[str], kind: PiiKind) -> None:
    found = detect_pii(pd.Series(values), "col_a", "t")
    assert found is not None and found.kind is kind
    assert found.confidence >= 0.8


def test_name_and_values_agreeing_give_the_highest_confidence() -> None:
    both = detect_pii(pd.Series(["a@example.com"]), "Email", "t")
    name_only = detect_pii(pd.Series(["Lisbon"]), "City", "t")
    contradicted = detect_pii(pd.Series(["hello", "world"]), "email", "t")
    assert both is not None and both.confidence >= 0.95
    assert name_only is not None and 0.5 <= name_only.confidence < both.confidence
    assert contradicted is not None and contradicted.confidence < 0.5


def test_digits_of_other_scripts_do_not_break_the_checksums() -> None:
    """Arabic-Indic digits match ``\\d`` but are no card number: sniffing must not crash."""
    cards = pd.Series(["٤١١١١١١١١١١١١١١١", "4111 1111 1111 1111", "4012888888881881"])
    assert pii_value_shares(cards)[PiiKind.CREDIT_CARD] == pytest.approx(2 / 3)
    found = sniff_column(pd.concat([cards] * 3, ignore_index=True), "card_number").pii
    assert found is not None and found.kind is PiiKind.CREDIT_CARD
    ibans = pd.Series(["GB82WEST12345698765432", "GB٨٢WEST12345698765432"])
    assert pii_value_shares(ibans)[PiiKind.IBAN] == pytest.approx(0.5)
