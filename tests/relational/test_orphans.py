"""Orphan rows in the source follow each foreign key's on_orphan policy."""

from __future__ import annotations

import pandas as pd
import pytest

from synthohive_lib.errors import SchemaValidationError
from synthohive_lib.relational.orphans import apply_orphan_policies, apply_orphan_policy
from synthohive_lib.schema.model import Column, ColumnType, ForeignKey, OrphanPolicy, Schema, Table

from .conftest import rel

INVOICE_LINE = rel("Invoice", "InvoiceLine", "InvoiceId")


def frames():
    invoices = pd.DataFrame({"InvoiceId": [1, 2, 3], "CustomerId": [10, 99, 10]})
    lines = pd.DataFrame({"InvoiceLineId": [1, 2, 3, 4], "InvoiceId": [1, 2, 7, None]})
    return invoices, lines


def test_raise_names_the_table_the_column_and_the_count() -> None:
    invoices, lines = frames()
    with pytest.raises(SchemaValidationError, match=r"InvoiceLine.InvoiceId: 1 row") as info:
        apply_orphan_policy(invoices, lines, INVOICE_LINE, "raise")
    assert info.value.codes() == {"orphan_rows"}


def test_drop_removes_only_the_orphans_and_keeps_null_references() -> None:
    invoices, lines = frames()
    kept, report = apply_orphan_policy(invoices, lines, INVOICE_LINE, OrphanPolicy.DROP)
    assert kept["InvoiceLineId"].tolist() == [1, 2, 4]
    assert report.orphans == 1
    assert len(lines) == 4  # the input is untouched


def test_null_keeps_the_row_without_a_parent() -> None:
    invoices, lines = frames()
    kept, _ = apply_orphan_policy(invoices, lines, INVOICE_LINE, OrphanPolicy.NULL)
    assert kept["InvoiceLineId"].tolist() == [1, 2, 3, 4]
    assert kept["InvoiceId"].isna().tolist() == [False, False, True, True]


def _schema(invoice_policy: str, line_policy: str) -> Schema:
    def table(name, cols, pk, fks):
        return Table(
            name=name,
            columns=[Column(name=c, type=ColumnType.ID, storage="integer") for c in cols],
            primary_key=pk,
            foreign_keys=fks,
        )

    return Schema(tables=[
        table("Customer", ["CustomerId"], ["CustomerId"], []),
        table("Invoice", ["InvoiceId", "CustomerId"], ["InvoiceId"], [ForeignKey(
            columns=["CustomerId"], references="Customer", referenced_columns=["CustomerId"],
            on_orphan=invoice_policy)]),
        table("InvoiceLine", ["InvoiceLineId", "InvoiceId"], ["InvoiceLineId"], [ForeignKey(
            columns=["InvoiceId"], references="Invoice", referenced_columns=["InvoiceId"],
            on_orphan=line_policy)]),
    ])


def test_dropping_a_parent_cascades_to_its_children_policy() -> None:
    invoices, lines = frames()
    tables = {"Customer": pd.DataFrame({"CustomerId": [10]}), "Invoice": invoices,
              "InvoiceLine": lines}
    out, reports = apply_orphan_policies(_schema("drop", "drop"), tables)
    assert out["Invoice"]["InvoiceId"].tolist() == [1, 3]  # invoice 2 had customer 99
    assert out["InvoiceLine"]["InvoiceLineId"].tolist() == [1, 4]  # its line went with it
    assert [r.orphans for r in reports] == [1, 2]


def test_every_raise_violation_is_reported_at_once() -> None:
    invoices, lines = frames()
    tables = {"Customer": pd.DataFrame({"CustomerId": [10]}), "Invoice": invoices,
              "InvoiceLine": lines}
    with pytest.raises(SchemaValidationError) as info:
        apply_orphan_policies(_schema("raise", "raise"), tables)
    assert [i.table for i in info.value.issues] == ["Invoice", "InvoiceLine"]


def test_real_chinook_has_no_orphans(chinook) -> None:
    for relation in (INVOICE_LINE, rel("Track", "InvoiceLine", "TrackId"),
                     rel("Album", "Track", "AlbumId")):
        _, report = apply_orphan_policy(
            chinook[relation.parent], chinook[relation.child], relation, "raise"
        )
        assert report.orphans == 0
