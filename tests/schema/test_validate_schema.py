"""Structural validation: every problem of a schema is found, named and collected at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from synthohive_lib.errors import SchemaValidationError
from synthohive_lib.schema.model import Schema
from synthohive_lib.schema.validate import ISSUE_CODES, schema_issues, validate_schema


def base() -> dict[str, Any]:
    """A valid shop: customer <- order (composite-keyed lines), employee self-reference."""
    return {
        "name": "shop",
        "tables": [
            {
                "name": "customer",
                "primary_key": ["id"],
                "columns": [
                    {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "email", "type": "text", "pii": "email", "unique": True},
                    {"name": "born", "type": "datetime", "pii": "date_of_birth",
                     "datetime_format": "%Y-%m-%d"},
                ],
            },
            {
                "name": "orders",
                "primary_key": ["id"],
                "columns": [
                    {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "customer_id", "type": "id", "storage": "integer"},
                    {"name": "customer_email", "type": "text"},
                    {"name": "placed", "type": "datetime", "storage": "datetime"},
                    {"name": "shipped", "type": "datetime", "storage": "datetime"},
                    {"name": "amount", "type": "float", "storage": "float", "decimals": 2},
                ],
                "foreign_keys": [
                    {"columns": ["customer_id"], "references": "customer",
                     "referenced_columns": ["id"]},
                ],
                "constraints": [{"kind": "inequality", "low": "placed", "high": "shipped"}],
            },
            {
                "name": "employee",
                "primary_key": ["id"],
                "columns": [
                    {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "boss", "type": "id", "storage": "integer"},
                ],
                "foreign_keys": [
                    {"columns": ["boss"], "references": "employee", "referenced_columns": ["id"],
                     "on_orphan": "null"},
                ],
            },
        ],
    }  # fmt: skip


def _t(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in doc["tables"] if t["name"] == name)


def _c(doc: dict[str, Any], table: str, column: str) -> dict[str, Any]:
    return next(c for c in _t(doc, table)["columns"] if c["name"] == column)


def _fk(doc: dict[str, Any], table: str) -> dict[str, Any]:
    return _t(doc, table)["foreign_keys"][0]


def test_the_base_schema_and_a_self_reference_are_valid() -> None:
    schema = Schema.model_validate(base())
    assert any(t.self_references for t in schema.tables)  # the case this test is about
    assert schema_issues(schema) == []
    validate_schema(schema)  # and therefore does not raise


BREAKAGES: dict[str, tuple[Callable[[dict[str, Any]], None], str, str | None]] = {
    # code: (how to break the base schema, table named, column named)
    "unknown_table": (lambda d: _fk(d, "orders").update(references="client"), "orders",
                      "customer_id"),
    "unknown_column": (lambda d: _t(d, "orders").update(primary_key=["order_id"]), "orders",
                       "order_id"),
    "duplicate_key_column": (lambda d: _t(d, "orders").update(primary_key=["id", "id"]),
                             "orders", "id"),
    "fk_not_key": (lambda d: _fk(d, "orders").update(columns=["customer_email"],
                                                      referenced_columns=["born"]),
                   "orders", "customer_email"),
    "fk_storage_mismatch": (lambda d: _c(d, "orders", "customer_id").update(storage="string"),
                            "orders", "customer_id"),
    "cycle": (lambda d: _t(d, "customer").update(
        foreign_keys=[{"columns": ["id"], "references": "orders", "referenced_columns": ["id"]}]
    ), None, None),
    "pii_type_mismatch": (lambda d: _c(d, "orders", "amount").update(pii="phone"), "orders",
                          "amount"),
    "bad_datetime_format": (lambda d: _c(d, "orders", "placed").update(
        datetime_format="%Y-%m-%d"), "orders", "placed"),
    "bad_decimals": (lambda d: _c(d, "customer", "email").update(decimals=2), "customer",
                     "email"),
    "orphan_policy_conflict": (lambda d: _c(d, "employee", "boss").update(nullable=False),
                               "employee", "boss"),
    "constraint_type_mismatch": (lambda d: _t(d, "orders")["constraints"][0].update(
        high="customer_email"), "orders", "placed"),
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(BREAKAGES))
def test_each_structural_problem_has_its_code_place_and_fix(code: str) -> None:
    doc = base()
    breaker, table, column = BREAKAGES[code]
    breaker(doc)
    with pytest.raises(SchemaValidationError) as err:
        validate_schema(Schema.model_validate(doc))
    matching = [i for i in err.value.issues if i.code == code]
    assert matching, err.value.issues
    issue = matching[0]
    if table is not None:
        assert (issue.table, issue.column) == (table, column)
    assert issue.fix, "every issue says how to fix it"
    assert code in ISSUE_CODES


def test_every_problem_is_reported_in_one_error() -> None:
    # three breakages rewrite the same key/foreign key as others; all the rest coexist
    overlapping = {"unknown_table", "duplicate_key_column", "fk_storage_mismatch"}
    doc = base()
    for code, (breaker, _, _) in BREAKAGES.items():
        if code not in overlapping:
            breaker(doc)
    with pytest.raises(SchemaValidationError) as err:
        validate_schema(Schema.model_validate(doc))
    assert err.value.codes() >= set(BREAKAGES) - overlapping
    assert "problem(s)" in str(err.value)


def test_unique_columns_and_unique_constraints_are_valid_fk_targets() -> None:
    doc = base()
    _fk(doc, "orders").update(columns=["customer_email"], referenced_columns=["email"])
    _c(doc, "orders", "customer_email")["storage"] = "string"
    assert schema_issues(Schema.model_validate(doc)) == []
    _c(doc, "customer", "email")["unique"] = False
    assert {i.code for i in schema_issues(Schema.model_validate(doc))} == {"fk_not_key"}
    _t(doc, "customer")["constraints"] = [{"kind": "unique", "columns": ["email"]}]
    assert schema_issues(Schema.model_validate(doc)) == []


def test_key_columns_cannot_be_pii_and_birth_dates_must_be_datetimes() -> None:
    doc = base()
    _c(doc, "orders", "customer_id")["pii"] = "email"
    _c(doc, "customer", "born").update(type="text", datetime_format=None)
    issues = [i for i in schema_issues(Schema.model_validate(doc))]
    assert [(i.code, i.table, i.column) for i in issues] == [
        ("pii_type_mismatch", "customer", "born"),
        ("pii_type_mismatch", "orders", "customer_id"),
    ]


def test_unknown_columns_in_constraints_and_referenced_columns_are_named() -> None:
    doc = base()
    _t(doc, "orders")["constraints"].append({"kind": "unique", "columns": ["nope"]})
    _fk(doc, "orders")["referenced_columns"] = ["customer_no"]
    issues = schema_issues(Schema.model_validate(doc))
    assert {(i.code, i.table, i.column) for i in issues} == {
        ("unknown_column", "orders", "nope"),
        ("unknown_column", "customer", "customer_no"),
    }
