"""A configured context column is split into (parent, column) by one rule everywhere."""

from __future__ import annotations

from synthohive_lib.schema.graph import split_context_ref


def test_a_dotted_column_stays_whole_after_its_parent() -> None:
    assert split_context_ref("Customer.address.city", ["Customer", "Store"]) == (
        "Customer",
        "address.city",
    )


def test_a_schema_qualified_parent_keeps_its_dot() -> None:
    assert split_context_ref("sales.Customer.Country", ["sales.Customer", "sales"]) == (
        "sales.Customer",
        "Country",
    )


def test_a_bare_column_names_no_parent() -> None:
    assert split_context_ref("Country", ["Customer"]) == (None, "Country")


def test_an_unknown_parent_is_named_as_written() -> None:
    assert split_context_ref("Vendor.Country", ["Customer"]) == ("Vendor", "Country")
