"""The leak scan finds real PII anywhere, however it is dressed up, and says so safely."""

from __future__ import annotations

import pandas as pd
import pytest

from synthohive_lib.errors import PiiLeakError
from synthohive_lib.privacy import (
    PiiAllowList,
    assert_no_leaks,
    leak_scope,
    scan_for_leaks,
    scan_schema_for_leaks,
    scan_table_for_leaks,
)
from synthohive_lib.schema.model import Column, PiiAction, PiiKind, Schema, Table

SCHEMA = Schema(
    name="s",
    tables=[
        Table(
            name="people",
            primary_key=["id"],
            columns=[
                Column(name="id", type="id"),
                Column(name="email", type="text", pii=PiiKind.EMAIL),
                Column(name="phone", type="text", pii=PiiKind.PHONE),
                Column(name="city", type="text", pii=PiiKind.CITY),
                Column(name="state", type="categorical"),
                Column(name="nick", type="text", pii=PiiKind.FIRST_NAME,
                       pii_action=PiiAction.KEEP),
                Column(name="zip", type="integer", storage="integer", pii=PiiKind.POSTAL_CODE),
            ],
        ),
        Table(
            name="notes",
            columns=[Column(name="note_id", type="id"), Column(name="text", type="text")],
            primary_key=["note_id"],
        ),
    ],
)  # fmt: skip

REAL = {
    "people": pd.DataFrame(
        {
            "id": [1, 2, 3],
            "email": ["Ann.Lee@Example.com", "bob@mail.org", None],
            "phone": ["+1 (403) 262-3443", "+49 030 2655", "555-0100"],
            "city": ["Dublin", "Springfield", "Oslo"],
            "state": ["Dublin", "IL", "Oslo"],  # city names also public as states
            "nick": ["Annie", "Bobby", "Cy"],
            "zip": [2010, 60601, 1010],
        }
    ),
    "notes": pd.DataFrame({"note_id": [1], "text": ["hello"]}),
}


def _synthetic(**people: list[object]) -> dict[str, pd.DataFrame]:
    base = {
        "id": [7, 8, 9],
        "email": ["x@y.com", "z@w.org", None],
        "phone": ["+1 (111) 111-1111", "+1 (222) 222-2222", None],
        "city": ["Dublin", "Metropolis", "Gotham"],
        "state": ["Dublin", "IL", "NY"],
        "nick": ["Annie", "Q", "R"],
        "zip": [99999, 88888, 77777],
    }
    base.update(people)
    return {
        "people": pd.DataFrame(base),
        "notes": pd.DataFrame({"note_id": [1, 2], "text": ["fine", "also fine"]}),
    }


def test_clean_output_passes_with_public_and_kept_values_excluded() -> None:
    report = scan_for_leaks(REAL, _synthetic(), SCHEMA)
    assert report.ok, report.leaks
    assert report.kept_columns == ["people.nick"]
    assert assert_no_leaks(report) is report


@pytest.mark.parametrize(
    ("column", "values", "why"),
    [
        ("email", ["ann.lee@example.COM ", "z@w.org", None], "case and whitespace"),
        ("phone", ["+1 403 262 3443", "x", None], "phone punctuation"),
        ("phone", ["bob@mail.org", "x", None], "a real e-mail in another column"),
        ("zip", [60601, 1, 2], "numeric PII in a numeric column"),
    ],
)
def test_leaks_are_found_after_normalisation(column: str, values: list[object], why: str) -> None:
    report = scan_for_leaks(REAL, _synthetic(**{column: values}), SCHEMA)
    assert not report.ok, why
    (leak,) = report.leaks
    assert (leak.table, leak.column, leak.rows) == ("people", column, 1)


def test_leak_in_another_table_and_the_blocking_error_hides_values() -> None:
    synthetic = _synthetic()
    synthetic["notes"] = pd.DataFrame({"note_id": [1], "text": ["Ann.Lee@Example.com"]})
    report = scan_for_leaks(REAL, synthetic, SCHEMA)
    (leak,) = report.leaks
    assert leak.where == "notes.text" and leak.sources == ("people.email",)
    with pytest.raises(PiiLeakError) as err:
        assert_no_leaks(report)
    message = str(err.value)
    assert "notes.text=1" in message and "Ann.Lee" not in message and "Example" not in message
    assert "A***@E***.com" in message
    assert err.value.leaks == {"notes.text": 1}


def test_numbers_are_not_compared_with_text_pii() -> None:
    real = {k: v.copy() for k, v in REAL.items()}
    real["people"]["phone"] = ["2011", "12345678", "555-0100"]
    synthetic = _synthetic()
    synthetic["notes"] = pd.DataFrame(
        {"note_id": [2010, 60601], "text": ["a", "b"], "n": [2011, 12345678]}
    )
    assert scan_for_leaks(real, synthetic, SCHEMA).ok  # keys skipped; text PII vs numbers


def test_a_value_shared_with_a_different_kind_of_column_is_a_coincidence_not_a_leak() -> None:
    """A first name that is a real city (Dublin) in people.nick would be a coincidence; here a
    synthetic first-name-like column of another kind holds a real city and a real e-mail."""
    schema = SCHEMA.model_copy(deep=True)
    schema.table("notes").columns.append(Column(name="author", type="text", pii=PiiKind.LAST_NAME))
    real = {k: v.copy() for k, v in REAL.items()}
    real["notes"] = pd.DataFrame({"note_id": [1], "text": ["hello"], "author": ["Lee"]})
    synthetic = _synthetic()
    synthetic["notes"] = pd.DataFrame(
        {"note_id": [1, 2], "text": ["x", "y"], "author": ["Springfield", "Kim"]}
    )
    report = scan_for_leaks(real, synthetic, schema)
    assert report.ok, report.leaks  # a real city in a last-name column: coincidence
    (hit,) = report.coincidences
    assert (hit.where, hit.kind, hit.sources) == ("notes.author", "coincidence", ("people.city",))
    synthetic["notes"]["author"] = ["Lee", "Kim"]  # the column's own real value: a leak
    (leak,) = scan_for_leaks(real, synthetic, schema).leaks
    assert (leak.where, leak.kind, leak.sources) == ("notes.author", "leak", ("notes.author",))


def test_the_allow_list_accepts_values_and_columns() -> None:
    synthetic = _synthetic(email=["bob@mail.org", "z@w.org", None])
    assert not scan_for_leaks(REAL, synthetic, SCHEMA).ok
    by_value = scan_for_leaks(REAL, synthetic, SCHEMA, allow=PiiAllowList.of(["BOB@mail.org "]))
    assert by_value.ok and not by_value.coincidences
    by_column = scan_for_leaks(
        REAL, synthetic, SCHEMA, allow=PiiAllowList.of(columns=["people.email"])
    )
    assert by_column.ok and [h.where for h in by_column.coincidences] == ["people.email"]


def test_the_table_gate_scans_the_table_and_its_parents_and_the_schema_scan_merges_it() -> None:
    schema = Schema(
        name="s",
        tables=[
            SCHEMA.table("people"),
            Table(name="orders", primary_key=["oid"], columns=[
                Column(name="oid", type="id"), Column(name="pid", type="id"),
                Column(name="contact", type="text", pii=PiiKind.EMAIL)],
                foreign_keys=[{"columns": ["pid"], "references": "people",
                              "referenced_columns": ["id"]}]),
            Table(name="other", primary_key=["k"], columns=[
                Column(name="k", type="id"), Column(name="mail", type="text", pii=PiiKind.EMAIL)]),
        ],
    )  # fmt: skip
    real = {
        "people": REAL["people"],
        "orders": pd.DataFrame({"oid": [1], "pid": [1], "contact": ["c@d.org"]}),
        "other": pd.DataFrame({"k": [1], "mail": ["o@p.org"]}),
    }
    synthetic = {
        "people": _synthetic()["people"],
        "orders": pd.DataFrame(
            {"oid": [5, 6], "pid": [7, 8], "contact": ["bob@mail.org", "o@p.org"]}
        ),
        "other": pd.DataFrame({"k": [3], "mail": ["q@r.org"]}),
    }
    assert leak_scope(schema, "orders") == ["orders", "people"]
    gate = scan_table_for_leaks(real, synthetic["orders"], schema, "orders")
    (leak,) = gate.leaks  # the parent's e-mail; other.mail is out of the order's scope
    assert leak.sources == ("people.email",) and leak.rows == 1
    merged = scan_schema_for_leaks(real, synthetic, schema)
    assert [x.where for x in merged.leaks] == ["orders.contact"]
    assert merged.tables == ["people", "orders", "other"] and not merged.ok
    assert [x.where for x in merged.leaks_in("orders")] == ["orders.contact"]
