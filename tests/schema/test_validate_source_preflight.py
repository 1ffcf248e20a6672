"""``schema validate --source`` refuses what the snapshot and the model step would refuse,
with their own error, before any snapshot is taken or any model trained."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from synthohive_lib.cli import main
from synthohive_lib.errors import ModelError
from synthohive_lib.io import open_connector
from synthohive_lib.profile.source import validate_against_source
from synthohive_lib.relational import RelationalSynthesizer, ctgan_factory
from synthohive_lib.schema.yaml_io import loads_schema

SCHEMA = """
name: m
tables:
  m:
    primary_key: [id]
    columns:
      id: {type: id, storage: integer, nullable: false}
      price: {type: float, storage: float}
      day: {type: datetime, datetime_format: '%Y-%m-%d'}
      active: {type: boolean, true_value: 'Y', false_value: 'N'}
      qty: {type: integer, storage: integer}
      flat: {type: integer, storage: integer}
      note: {type: text}
"""

GOOD = [
    (i, 1.5 * i, f"2020-01-{i % 28 + 1:02d}", "Y" if i % 3 else "N", i % 7, None if i % 2 else 0,
     f"n{i}")
    for i in range(1, 61)
]  # fmt: skip


def _db(tmp_path: Path, rows: list[tuple]) -> str:
    path = tmp_path / "m.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE m (id INTEGER PRIMARY KEY, price REAL, day TEXT, active TEXT, "
            "qty INTEGER, flat INTEGER, note TEXT)"
        )
        conn.executemany("INSERT INTO m VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()
    return f"sqlite:///{path}"


def _broken(tmp_path: Path) -> str:
    rows = list(GOOD)
    rows[3] = (4, float("inf"), *rows[3][2:])
    rows[5] = (6, rows[5][1], "05/01/2020", *rows[5][3:])
    rows[7] = (*rows[7][:3], "maybe", *rows[7][4:])
    rows[9] = (*rows[9][:4], "ten", *rows[9][5:])
    return _db(tmp_path, rows)


def test_clean_data_passes_including_a_column_constant_apart_from_nulls(tmp_path: Path) -> None:
    report = validate_against_source(loads_schema(SCHEMA), _db(tmp_path, GOOD))
    assert report.ok


def test_every_refusal_of_the_later_stages_is_listed_before_they_run(tmp_path: Path) -> None:
    report = validate_against_source(loads_schema(SCHEMA), _broken(tmp_path), raise_on_error=False)
    found = {(i.code, i.column): i for i in report.issues}
    assert set(found) == {
        ("model_refuses", "price"),
        ("model_refuses", "day"),
        ("model_refuses", "active"),
        ("snapshot_refuses", "qty"),
    }
    assert "infinite" in found[("model_refuses", "price")].message
    assert "'05/01/2020' is not a datetime in format '%Y-%m-%d'" in (
        found[("model_refuses", "day")].message
    )
    assert "outside the boolean vocabulary" in found[("model_refuses", "active")].message
    assert "'ten'" in found[("snapshot_refuses", "qty")].message
    assert all(i.table == "m" and i.fix for i in report.issues)


def test_the_issue_carries_the_error_the_model_step_raises(tmp_path: Path) -> None:
    schema = loads_schema(
        SCHEMA.replace("qty: {type: integer, storage: integer}", "qty: {type: text}")
    )
    rows = list(GOOD)
    rows[3] = (4, float("inf"), *rows[3][2:])
    url = _db(tmp_path, rows)
    (issue,) = validate_against_source(schema, url, raise_on_error=False).issues
    with open_connector(url) as source:
        real = {"m": source.read_table("m", table=schema.table("m"))}
    factory = ctgan_factory(epochs=1, batch_size=20, seed=0, device="cpu", num_threads=1)
    with pytest.raises(ModelError) as err:
        RelationalSynthesizer(schema, factory).fit(real)
    assert (err.value.table, err.value.column) == (issue.table, issue.column)
    assert f"ModelError: {err.value.message}" in issue.message
    assert issue.fix == err.value.fix


def test_cli_validate_source_exits_1_listing_the_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    assert main(["schema", "validate", str(path), "--source", _broken(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "[model_refuses] m.price" in err and "[snapshot_refuses] m.qty" in err
