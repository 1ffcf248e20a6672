"""Policies for imperfect sources: duplicate primary keys, and an orphan policy YAML keeps.

Real databases repeat keys (three weather rows at a daylight-saving change) and hold orphans;
the schema says what to do with them, and every spelling a message tells the user to write
must load as written.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.cli import main
from synthohive_lib.errors import SchemaValidationError
from synthohive_lib.schema.model import DuplicateKeyPolicy, OrphanPolicy, Schema
from synthohive_lib.schema.validate import validate_data
from synthohive_lib.schema.yaml_io import dump_schema, loads_schema, save_schema

REPO = Path(__file__).resolve().parents[2]

SHOP = """
name: shop
tables:
  customer:
    primary_key: [id]
    columns:
      id: {type: id, storage: integer, nullable: false}
  orders:
    primary_key: [id]
    columns:
      id: {type: id, storage: integer, nullable: false}
      customer_id: {type: id, storage: integer}
    foreign_keys:
      - {columns: [customer_id], references: customer, referenced_columns: [id], on_orphan: POLICY}
"""


def weather(policy: str | None = None) -> Schema:
    body = {
        "name": "weather",
        "primary_key": ["origin", "hour"],
        "columns": [
            {"name": "origin", "type": "id", "nullable": False},
            {"name": "hour", "type": "id", "storage": "integer", "nullable": False},
            {"name": "temp", "type": "float", "storage": "float"},
        ],
    }
    if policy is not None:
        body["on_duplicate_key"] = policy
    return Schema.model_validate({"name": "w", "tables": [body]})


def weather_rows() -> pd.DataFrame:
    # the clock goes back at 01:00: two readings of JFK hour 1, three of LGA hour 1
    return pd.DataFrame(
        {
            "origin": ["JFK", "JFK", "JFK", "LGA", "LGA", "LGA", "LGA"],
            "hour": [0, 1, 1, 0, 1, 1, 1],
            "temp": [3.0, 2.5, 2.4, 3.1, 2.9, 2.8, 2.7],
        }
    )


@pytest.mark.parametrize("written", ["null", "set_null", "'null'", "Null"])
def test_on_orphan_clearing_keys_loads_however_yaml_reads_it(written: str) -> None:
    schema = loads_schema(SHOP.replace("POLICY", written))
    assert schema.table("orders").foreign_keys[0].on_orphan is OrphanPolicy.SET_NULL


def test_the_clearing_policy_is_written_as_set_null_and_reloads() -> None:
    schema = loads_schema(SHOP.replace("POLICY", "null"))
    text = dump_schema(schema)
    assert "on_orphan: set_null" in text
    assert loads_schema(text) == schema


def test_an_unknown_orphan_policy_is_still_refused() -> None:
    with pytest.raises(Exception, match="on_orphan"):
        loads_schema(SHOP.replace("POLICY", "nullify"))


_POLICY_TEXT = re.compile(r"\b(on_orphan|on_duplicate_key): ([a-z_'\"]+)\b")


def _policy_spellings() -> set[tuple[str, str]]:
    files = [*REPO.joinpath("synthohive_lib").rglob("*.py"), *REPO.joinpath("docs").glob("*.md")]
    found = set()
    for path in files:
        for key, value in _POLICY_TEXT.findall(path.read_text(encoding="utf-8")):
            found.add((key, value))
    return found


def test_every_policy_value_the_project_tells_users_to_write_loads_as_written() -> None:
    spellings = _policy_spellings()
    assert ("on_orphan", "set_null") in spellings  # the fix texts show the clearing policy
    for key, value in sorted(spellings):
        if key == "on_orphan":
            schema = loads_schema(SHOP.replace("POLICY", value))
            policy = schema.table("orders").foreign_keys[0].on_orphan
            assert policy is OrphanPolicy(value.strip("'\"")), (key, value)
        else:
            text = SHOP.replace("on_orphan: POLICY", "").replace(
                "    primary_key: [id]\n    columns:\n      id: {type: id, storage: integer, "
                "nullable: false}\n  orders",
                f"    primary_key: [id]\n    {key}: {value}\n    columns:\n      id: {{type: id, "
                "storage: integer, nullable: false}\n  orders",
                1,
            )
            schema = loads_schema(text)
            assert schema.table("customer").on_duplicate_key is DuplicateKeyPolicy(value), value
    # every fix text about orphans, read back from a real run, names a loadable policy
    bad = pd.DataFrame({"id": [10], "customer_id": [7]})
    report = validate_data(
        loads_schema(SHOP.replace("POLICY", "raise")),
        {"customer": pd.DataFrame({"id": [1]}), "orders": bad},
        raise_on_error=False,
    )
    (issue,) = report.issues
    for value in re.findall(r"on_orphan: (\w+)", issue.fix or ""):
        assert OrphanPolicy(value) in (OrphanPolicy.DROP, OrphanPolicy.SET_NULL)
    assert "on_orphan: set_null" in (issue.fix or "")


def test_duplicate_primary_keys_are_an_error_by_default_naming_the_drop_policy() -> None:
    with pytest.raises(SchemaValidationError) as err:
        validate_data(weather(), {"weather": weather_rows()})
    (issue,) = err.value.issues
    assert issue.code == "duplicate_primary_key"
    assert "5 rows share 2 primary-key value(s)" in issue.message
    assert "on_duplicate_key: drop" in (issue.fix or "")


def test_on_duplicate_key_drop_keeps_the_first_row_of_each_key_and_counts_the_rest() -> None:
    rows = weather_rows()
    report = validate_data(weather("drop"), {"weather": rows})
    cleaned = report.frames["weather"]
    assert report.ok
    assert list(zip(cleaned["origin"], cleaned["hour"], cleaned["temp"], strict=True)) == [
        ("JFK", 0, 3.0), ("JFK", 1, 2.5), ("LGA", 0, 3.1), ("LGA", 1, 2.9),
    ]  # fmt: skip
    assert report.duplicate_rows_dropped == {"weather": 3}
    assert report.duplicate_primary_keys == {"weather": 5}
    assert "weather: 3 row(s) dropped" in report.summary()
    assert len(rows) == 7, "the input frame is never modified"


def test_on_duplicate_key_drop_still_refuses_null_keys() -> None:
    rows = weather_rows().astype({"hour": "Int64"})
    rows.loc[0, "hour"] = None
    report = validate_data(weather("drop"), {"weather": rows}, raise_on_error=False)
    assert [i.code for i in report.issues] == ["null_primary_key"]


def test_on_duplicate_key_round_trips_through_schema_yaml(tmp_path: Path) -> None:
    path = save_schema(weather("drop"), tmp_path / "schema.yaml")
    text = path.read_text(encoding="utf-8")
    assert "on_duplicate_key: drop" in text
    assert loads_schema(text).table("weather").on_duplicate_key is DuplicateKeyPolicy.DROP
    assert "on_duplicate_key" not in dump_schema(weather())  # the default is left out


def test_cli_validate_source_applies_the_duplicate_policy_and_reports_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "w.sqlite"
    with sqlite3.connect(db) as conn:
        weather_rows().to_sql("weather", conn, index=False)
    conn.close()
    schema_path = tmp_path / "schema.yaml"
    save_schema(weather(), schema_path)
    assert main(["schema", "validate", str(schema_path), "--source", f"sqlite:///{db}"]) == 1
    assert "on_duplicate_key: drop" in capsys.readouterr().err
    save_schema(weather("drop"), schema_path)
    assert main(["schema", "validate", str(schema_path), "--source", f"sqlite:///{db}"]) == 0
    assert "weather: 3 row(s) dropped" in capsys.readouterr().out
