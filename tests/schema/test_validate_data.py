"""Data validation: keys, nulls and orphans counted, orphan policies applied, all at once."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import SchemaValidationError
from synthohive_lib.profile.source import validate_against_source
from synthohive_lib.schema.model import OrphanPolicy, Schema
from synthohive_lib.schema.validate import validate_data


def shop(policy: str = "raise", line_policy: str = "raise", boss_policy: str = "raise") -> Schema:
    """customer <- orders <- line (composite FK to a composite-keyed stock); employee tree."""
    return Schema.model_validate(
        {
            "name": "shop",
            "tables": [
                {"name": "customer", "primary_key": ["id"], "columns": [
                    {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "name", "type": "text", "nullable": False},
                ]},
                {"name": "orders", "primary_key": ["id"], "columns": [
                    {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "customer_id", "type": "id", "storage": "integer"},
                ], "foreign_keys": [
                    {"columns": ["customer_id"], "references": "customer",
                     "referenced_columns": ["id"], "on_orphan": policy},
                ]},
                {"name": "stock", "primary_key": ["sku", "site"], "columns": [
                    {"name": "sku", "type": "id", "storage": "string", "nullable": False},
                    {"name": "site", "type": "id", "storage": "integer", "nullable": False},
                ]},
                {"name": "line", "primary_key": ["order_id", "n"], "columns": [
                    {"name": "order_id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "n", "type": "integer", "storage": "integer", "nullable": False},
                    {"name": "sku", "type": "id", "storage": "string"},
                    {"name": "site", "type": "id", "storage": "integer"},
                ], "foreign_keys": [
                    {"columns": ["order_id"], "references": "orders", "referenced_columns": ["id"],
                     "on_orphan": line_policy},
                    {"columns": ["sku", "site"], "references": "stock",
                     "referenced_columns": ["sku", "site"], "on_orphan": line_policy},
                ]},
                {"name": "employee", "primary_key": ["id"], "columns": [
                    {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "boss", "type": "id", "storage": "integer"},
                ], "foreign_keys": [
                    {"columns": ["boss"], "references": "employee", "referenced_columns": ["id"],
                     "on_orphan": boss_policy},
                ]},
            ],
        }
    )  # fmt: skip


def frames() -> dict[str, pd.DataFrame]:
    return {
        "customer": pd.DataFrame({"id": [1, 2, 3], "name": ["a", "b", "c"]}),
        "orders": pd.DataFrame({"id": [10, 11, 12], "customer_id": [1, 2, None]}),
        "stock": pd.DataFrame({"sku": ["x", "x", "y"], "site": [1, 2, 1]}),
        "line": pd.DataFrame(
            {
                "order_id": [10, 10, 11, 12],
                "n": [1, 2, 1, 1],
                "sku": ["x", "y", "x", None],
                "site": [2, 1, 1, 5],  # the last row's key is incomplete: not an orphan
            }
        ),
        "employee": pd.DataFrame({"id": [1, 2, 3, 4], "boss": [None, 1, 2, 2]}),
    }


def test_consistent_data_is_valid_and_returned_unchanged() -> None:
    data = frames()
    report = validate_data(shop(), data)
    assert report.ok and report.orphans == [] and report.warnings == []
    assert report.row_counts == {
        "customer": 3, "orders": 3, "stock": 3, "line": 4, "employee": 4,
    }  # fmt: skip
    for name, frame in data.items():
        pd.testing.assert_frame_equal(report.frames[name], frame)


def test_missing_table_and_column_are_issues_extra_ones_warnings() -> None:
    data = frames()
    del data["stock"]
    data["customer"] = data["customer"].drop(columns=["name"]).assign(extra=1)
    data["audit"] = pd.DataFrame({"x": [1]})
    report = validate_data(shop(), data, raise_on_error=False)
    assert {(i.code, i.table, i.column) for i in report.issues} == {
        ("missing_table", "stock", None),
        ("missing_column", "customer", "name"),
    }
    assert {(w.code, w.table, w.column) for w in report.warnings} == {
        ("extra_table", "audit", None),
        ("extra_column", "customer", "extra"),
    }


def test_duplicate_and_null_primary_keys_are_counted() -> None:
    data = frames()
    data["customer"] = pd.DataFrame({"id": [1, 1, 2, 2, 2, None], "name": list("abcdef")})
    data["line"].loc[1, "n"] = 1  # composite key (10, 1) now twice
    report = validate_data(shop(), data, raise_on_error=False)
    assert report.duplicate_primary_keys == {"customer": 5, "line": 2}
    assert report.null_primary_keys == {"customer": 1}
    messages = {i.code: i.message for i in report.issues if i.table == "customer"}
    assert "5 rows share 2 primary-key value(s)" in messages["duplicate_primary_key"]
    assert "1 row(s)" in messages["null_primary_key"]


def test_nulls_in_non_nullable_columns_are_counted() -> None:
    data = frames()
    data["customer"].loc[0, "name"] = None
    report = validate_data(shop(), data, raise_on_error=False)
    assert [(i.code, i.column) for i in report.issues] == [("null_not_allowed", "name")]
    assert "1 null value(s)" in report.issues[0].message


def test_orphans_under_raise_are_one_issue_per_relation_with_counts() -> None:
    data = frames()
    data["orders"] = data["orders"].assign(customer_id=[1, 7, 8])
    data["line"].loc[0, "site"] = 9  # (x, 9) is no stock row
    data["employee"].loc[3, "boss"] = 42
    with pytest.raises(SchemaValidationError) as err:
        validate_data(shop(), data)
    orphan_issues = [i for i in err.value.issues if i.code == "orphan_foreign_key"]
    assert sorted((i.table, i.column) for i in orphan_issues) == [
        ("employee", "boss"),
        ("line", "sku"),
        ("orders", "customer_id"),
    ]
    assert any("2 row(s)" in i.message for i in orphan_issues)
    assert all("on_orphan" in (i.fix or "") for i in orphan_issues)


def test_drop_removes_orphans_and_cascades_to_their_children() -> None:
    data = frames()
    data["orders"] = data["orders"].assign(customer_id=[1, 7, None])  # order 11: orphan
    report = validate_data(shop(policy="drop", line_policy="drop"), data)
    assert report.frames["orders"]["id"].tolist() == [10, 12]
    # line rows of order 11 become orphans in turn and are dropped by their own policy
    assert report.frames["line"]["order_id"].tolist() == [10, 10, 12]
    assert report.dropped_rows == {"orders": 1, "line": 1}
    assert [(o.child, o.count, o.policy) for o in report.orphans] == [
        ("orders", 1, OrphanPolicy.DROP),
        ("line", 1, OrphanPolicy.DROP),
    ]
    assert len(data["orders"]) == 3, "the input frames are never modified"


def test_null_clears_the_key_of_orphans_and_keeps_the_rows() -> None:
    data = frames()
    data["orders"] = pd.DataFrame({"id": [10, 11, 12], "customer_id": [1, 7, 8]})  # int64
    report = validate_data(shop(policy="null"), data)
    cleaned = report.frames["orders"]
    assert cleaned["id"].tolist() == [10, 11, 12]
    assert cleaned["customer_id"].isna().tolist() == [False, True, True]
    assert str(cleaned["customer_id"].dtype) == "Int64"
    assert report.nulled_rows == {"orders": 2}


def test_dropping_in_a_self_reference_repeats_until_no_orphan_is_left() -> None:
    data = frames()
    data["employee"] = pd.DataFrame({"id": [1, 2, 3, 4, 5], "boss": [None, 99, 2, 3, 1]})
    report = validate_data(shop(boss_policy="drop"), data)
    assert report.frames["employee"]["id"].tolist() == [1, 5]
    assert report.dropped_rows == {"employee": 3}
    assert report.orphans[0].count == 3


def test_keys_compare_across_int_float_and_text_representations() -> None:
    data = frames()
    data["customer"]["id"] = data["customer"]["id"].astype(str)
    data["orders"]["customer_id"] = data["orders"]["customer_id"].astype(float)
    assert validate_data(shop(), data).ok


def test_data_checks_are_vectorised() -> None:
    benchmark_rows = 300_000
    rng = np.random.default_rng(0)
    data = frames()
    data["customer"] = pd.DataFrame(
        {"id": np.arange(benchmark_rows), "name": np.full(benchmark_rows, "n", dtype=object)}
    )
    data["orders"] = pd.DataFrame(
        {
            "id": np.arange(benchmark_rows) + 10,
            "customer_id": rng.integers(0, benchmark_rows + 1000, benchmark_rows),
        }
    )
    data["line"] = data["line"].iloc[:0]
    start = time.perf_counter()
    report = validate_data(shop(policy="drop"), data)
    elapsed = time.perf_counter() - start
    assert report.dropped_rows["orders"] > 0
    assert elapsed < 10, f"{elapsed:.1f}s for {benchmark_rows} rows: a per-row loop crept in?"


def test_validate_against_source_reads_every_table_and_reports_at_once(
    make_sqlite: Callable[[str], str],
) -> None:
    url = make_sqlite(
        """
        CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER);
        CREATE TABLE audit (x INTEGER);
        INSERT INTO customer VALUES (1, 'a'), (2, 'b');
        INSERT INTO orders VALUES (10, 1), (11, 3), (12, 4);
        """
    )
    schema = shop()
    schema.tables = [t for t in schema.tables if t.name in {"customer", "orders", "line"}]
    report = validate_against_source(schema, url, raise_on_error=False)
    assert {(i.code, i.table) for i in report.issues} == {
        ("orphan_foreign_key", "orders"),
        ("missing_table", "line"),
        ("unknown_table", "line"),  # structural: line references stock, not in this schema
    }
    assert [w.table for w in report.warnings] == ["audit"]
    assert report.orphans[0].count == 2


def test_a_structurally_broken_schema_still_gets_every_data_issue() -> None:
    schema = shop()
    schema.table("customer").primary_key = ["customer_no"]
    data = frames()
    data["orders"] = data["orders"].assign(customer_id=[1, 9, None])
    report = validate_data(schema, data, raise_on_error=False)
    assert [(i.code, i.table) for i in report.issues] == [("orphan_foreign_key", "orders")]


def test_unique_and_inequality_constraints_are_checked_on_the_data() -> None:
    customer = shop().table("customer")
    customer.column("name").unique = True
    schema = Schema.model_validate(
        {
            "tables": [
                customer.model_dump(),
                {
                    "name": "stay",
                    "columns": [
                        {"name": "id", "type": "id", "storage": "integer"},
                        {"name": "arrive", "type": "datetime", "datetime_format": "%d/%m/%Y"},
                        {"name": "leave", "type": "datetime", "datetime_format": "%d/%m/%Y"},
                        {"name": "a", "type": "integer", "storage": "integer"},
                        {"name": "b", "type": "integer", "storage": "integer"},
                    ],
                    "constraints": [
                        {"kind": "inequality", "low": "arrive", "high": "leave"},
                        {"kind": "unique", "columns": ["a", "b"]},
                    ],
                },
            ]
        }
    )
    data = {
        "customer": pd.DataFrame({"id": [1, 2, 3], "name": ["x", "x", "y"]}),
        "stay": pd.DataFrame(
            {
                "id": [1, 2, 3],
                # day-first text: compared as dates, not as strings ("02/03" < "15/01" as text)
                "arrive": ["15/01/2020", "02/03/2020", None],
                "leave": ["02/03/2020", "01/03/2020", "01/01/2020"],
                "a": [1, 1, 1],
                "b": [1, 1, 2],
            }
        ),
    }
    report = validate_data(schema, data, raise_on_error=False)
    assert sorted((i.code, i.table, i.message) for i in report.issues) == [
        ("duplicate_unique_key", "customer", "2 rows share a value of (name), declared unique"),
        ("duplicate_unique_key", "stay", "2 rows share a value of (a, b), declared unique"),
        ("inequality_violation", "stay", "1 row(s) break arrive < leave"),
    ]
