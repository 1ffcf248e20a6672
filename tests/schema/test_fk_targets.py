"""A foreign key aimed at parent columns that are not a key is settled, and said, by infer.

Without this, ``schema infer`` silently wrote ``flights -> weather(origin, hour)`` onto a
``weather`` table without a key (three rows share an hour at a daylight-saving change) and
``schema validate`` then refused the file it had just written (``fk_not_key``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.cli import main
from synthohive_lib.profile.infer import infer, infer_from_frames
from synthohive_lib.profile.source import validate_against_source
from synthohive_lib.schema.model import DuplicateKeyPolicy, UniqueConstraint
from synthohive_lib.schema.validate import validate_schema
from synthohive_lib.schema.yaml_io import load_schema

WEATHER = pd.DataFrame(
    {
        "origin": ["EWR", "EWR", "EWR", "EWR", "JFK", "JFK", "JFK"],
        "hour": [0, 1, 1, 2, 0, 1, 1],
        "temp": [3.0, 2.5, 2.4, 2.2, 3.1, 2.9, 2.8],
    }
)
FLIGHTS = pd.DataFrame(
    {
        "flight_id": [1, 2, 3, 4, 5],
        "origin": ["EWR", "EWR", "JFK", "JFK", "EWR"],
        "hour": [0, 1, 1, 0, 2],
        "delay": [5.0, 0.0, 12.0, 3.0, 7.0],
    }
)
TO_WEATHER = {
    "flights": [
        {"columns": ["origin", "hour"], "references": "weather",
         "referenced_columns": ["origin", "hour"]}
    ]
}  # fmt: skip


def _sqlite(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> str:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as conn:
        for name, frame in frames.items():
            frame.to_sql(name, conn, index=False)
    conn.close()
    return f"sqlite:///{path}"


def test_a_keyless_parent_gets_the_referenced_columns_as_key_and_the_drop_policy(
    tmp_path: Path,
) -> None:
    url = _sqlite(tmp_path, {"weather": WEATHER, "flights": FLIGHTS})
    result = infer(url, primary_keys={"flights": ["flight_id"]}, foreign_keys=TO_WEATHER)
    weather = result.schema.table("weather")
    assert weather.primary_key == ["origin", "hour"]
    assert weather.on_duplicate_key is DuplicateKeyPolicy.DROP
    (warning,) = result.warnings
    assert "flights(origin, hour) -> weather(origin, hour)" in warning
    assert "neither a primary key nor unique" in warning
    assert "4 rows share 2 key value(s)" in warning and "2 dropped" in warning
    assert "Warnings" in result.summary() and warning in result.summary()
    validate_schema(result.schema)
    report = validate_against_source(result.schema, url)
    assert report.duplicate_rows_dropped == {"weather": 2}


def test_distinct_non_key_columns_are_declared_unique() -> None:
    stations = pd.DataFrame({"id": [1, 2, 3], "code": ["EWR", "JFK", "LGA"]})
    readings = pd.DataFrame({"id": [1, 2, 3, 4], "station": ["EWR", "JFK", "JFK", "LGA"]})
    result = infer_from_frames(
        {"stations": stations, "readings": readings},
        foreign_keys={"readings": [{"columns": ["station"], "references": "stations",
                                    "referenced_columns": ["code"]}]},
    )  # fmt: skip
    assert result.schema.table("stations").primary_key == ["id"]
    assert result.schema.table("stations").column("code").unique is True
    assert "declared unique" in result.warnings[0]
    validate_schema(result.schema)


def test_composite_distinct_columns_get_a_unique_constraint() -> None:
    parent = pd.DataFrame({"id": [1, 2, 3], "a": [1, 1, 2], "b": [1, 2, 1]})
    child = pd.DataFrame({"id": [1, 2], "a": [1, 2], "b": [2, 1]})
    result = infer_from_frames(
        {"parent": parent, "child": child},
        foreign_keys={"child": [{"columns": ["a", "b"], "references": "parent",
                                 "referenced_columns": ["a", "b"]}]},
    )  # fmt: skip
    constraints = result.schema.table("parent").constraints
    assert constraints == [UniqueConstraint(columns=["a", "b"])]
    validate_schema(result.schema)


def test_a_many_to_many_reference_is_left_out_with_the_fix() -> None:
    weather = WEATHER.assign(reading_id=range(1, len(WEATHER) + 1))
    result = infer_from_frames(
        {"weather": weather, "flights": FLIGHTS},
        primary_keys={"weather": ["reading_id"], "flights": ["flight_id"]},
        foreign_keys=TO_WEATHER,
    )
    assert result.schema.table("flights").foreign_keys == []
    (warning,) = result.warnings
    assert "left out" in warning and "deduplicate 'weather' on (origin, hour)" in warning
    validate_schema(result.schema)


def test_cli_infer_prints_the_warning_and_writes_a_schema_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "db.sqlite"
    with sqlite3.connect(db) as conn:
        WEATHER.to_sql("weather", conn, index=False)
        conn.execute(
            "CREATE TABLE flights (flight_id INTEGER PRIMARY KEY, origin TEXT, hour INTEGER, "
            "delay REAL, FOREIGN KEY (origin, hour) REFERENCES weather (origin, hour))"
        )
        conn.executemany(
            "INSERT INTO flights VALUES (?, ?, ?, ?)", FLIGHTS.astype(object).values.tolist()
        )
    conn.close()
    out = tmp_path / "schema.yaml"
    assert main(["schema", "infer", f"sqlite:///{db}", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "neither a primary key nor unique" in printed and "on_duplicate_key: drop" in printed
    assert main(["schema", "validate", str(out), "--source", f"sqlite:///{db}"]) == 0
    assert load_schema(out).table("weather").on_duplicate_key is DuplicateKeyPolicy.DROP
