"""The source-change sensor of the real definitions, against a real SQLite source that changes
between ticks (no mocks: the ticks are evaluated with ``build_sensor_context``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import dagster as dg
import pytest

from synthohive_lib.io.fingerprint import loads_fingerprints
from synthohive_lib.schema import SchemaGraph, load_schema
from synthohive_pipelines.assets import REPORT_KEY, STAGES
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import FULL_REFRESH, SYNTHESIZE_ALL
from synthohive_pipelines.sensors import CHANGED_TAG, SOURCE_SENSOR

from .conftest import CHINOOK, ProjectFactory

GRAPH = SchemaGraph(load_schema(CHINOOK / "schema.yaml"))


def tick(defs: dg.Definitions, cursor: str | None) -> tuple[object, str | None]:
    """Evaluate one tick of the real sensor; return its result and the cursor it left."""
    sensor = defs.resolve_sensor_def(SOURCE_SENSOR)
    with dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(),
        cursor=cursor,
        definitions=defs,
    ) as context:
        result = sensor(context)
        return result, context.cursor


def execute(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as conn:
        for stmt in statements:
            conn.execute(stmt)


def tables_of(request: dg.RunRequest) -> set[str]:
    """The tables whose assets the run selects (the schema-wide report aside)."""
    return {key.path[-1] for key in request.asset_selection or [] if key != REPORT_KEY}


def expected_tables(table: str) -> set[str]:
    """``table`` and, once a stage links tables (synthetic), its schema descendants."""
    linked = any(stage.name == "synthetic" for stage in STAGES)
    return {table} | (GRAPH.descendants(table) if linked else set())


@pytest.fixture
def project(make_project: ProjectFactory) -> tuple[dg.Definitions, Path, str]:
    """Definitions of a fresh project, its database, and the baseline cursor."""
    path = make_project(tables={"Invoice": {"change_column": "InvoiceDate"}})
    defs = build_definitions(path)
    result, cursor = tick(defs, None)
    assert isinstance(result, dg.SkipReason)
    assert "baseline recorded for 11 source tables" in (result.skip_message or "")
    assert cursor is not None
    return defs, path.parent / "chinook.sqlite", cursor


def test_first_tick_records_the_baseline_without_runs(
    project: tuple[dg.Definitions, Path, str],
) -> None:
    _, _, cursor = project
    fingerprints = loads_fingerprints(cursor)
    assert fingerprints is not None and set(fingerprints) == set(GRAPH.generation_order())
    assert fingerprints["InvoiceLine"].rows == 2240
    assert fingerprints["Invoice"].change_max is not None  # the declared change column
    assert fingerprints["Artist"].change_max is None


def test_no_change_skips(project: tuple[dg.Definitions, Path, str]) -> None:
    defs, _, cursor = project
    result, after = tick(defs, cursor)
    assert isinstance(result, dg.SkipReason)
    assert "no change in 11 source tables" in (result.skip_message or "")
    assert after == cursor


def test_rows_inserted_into_a_child_request_that_table_and_its_descendants(
    project: tuple[dg.Definitions, Path, str],
) -> None:
    defs, db, cursor = project
    execute(
        db,
        'INSERT INTO "InvoiceLine" SELECT (SELECT max("InvoiceLineId") + 1 FROM "InvoiceLine"), '
        '"InvoiceId", "TrackId", "UnitPrice", "Quantity" FROM "InvoiceLine" LIMIT 1',
    )
    result, after = tick(defs, cursor)
    assert isinstance(result, dg.RunRequest)
    assert tables_of(result) == expected_tables("InvoiceLine") == {"InvoiceLine"}
    assert set(result.asset_selection or []) == {
        dg.AssetKey([stage.name, "InvoiceLine"]) for stage in STAGES
    } | {REPORT_KEY}
    assert result.tags[CHANGED_TAG] == "InvoiceLine"
    assert result.run_key and result.run_key.startswith("source-change-")
    # the next tick compares against the new fingerprints: nothing more to do
    again, _ = tick(defs, after)
    assert isinstance(again, dg.SkipReason)
    # the same change seen again from the old cursor gives the same run key (deduplicated)
    repeat, _ = tick(defs, cursor)
    assert isinstance(repeat, dg.RunRequest) and repeat.run_key == result.run_key


def test_a_root_change_requests_its_whole_subtree(
    project: tuple[dg.Definitions, Path, str],
) -> None:
    defs, db, cursor = project
    execute(db, """INSERT INTO "Artist" ("ArtistId", "Name") VALUES (100000, 'New Artist')""")
    result, _ = tick(defs, cursor)
    assert isinstance(result, dg.RunRequest)
    assert tables_of(result) == expected_tables("Artist")
    selected = set(result.asset_selection or [])
    assert dg.AssetKey(["real", "Album"]) not in selected  # only the changed snapshot is re-read
    assert dg.AssetKey(["model", "Album"]) in selected  # its context comes from real/Artist
    assert dg.AssetKey(["synthetic", "PlaylistTrack"]) in selected  # grandchild via Track
    assert result.tags[CHANGED_TAG] == "Artist"


def test_an_update_seen_through_the_change_column(
    project: tuple[dg.Definitions, Path, str],
) -> None:
    defs, db, cursor = project
    execute(
        db,
        """UPDATE "Invoice" SET "InvoiceDate" = '2031-01-01 00:00:00' """
        """WHERE "InvoiceId" = 1""",
    )
    result, _ = tick(defs, cursor)
    assert isinstance(result, dg.RunRequest)
    assert result.tags[CHANGED_TAG] == "Invoice"  # same row count; the maximum moved
    assert tables_of(result) == expected_tables("Invoice")


def test_unreachable_database_skips_with_the_reason_and_keeps_the_cursor(
    project: tuple[dg.Definitions, Path, str],
) -> None:
    defs, db, cursor = project
    db.rename(db.with_suffix(".moved"))
    result, after = tick(defs, cursor)
    assert isinstance(result, dg.SkipReason)
    assert "does not exist" in (result.skip_message or "")
    assert after == cursor


def test_unreachable_server_reason_never_shows_the_password(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "SH_TEST_SENSOR_URL", "postgresql+psycopg2://someone:s3cr3t-pw@127.0.0.1:9/nowhere"
    )
    defs = build_definitions(make_project(source={"url": "env:SH_TEST_SENSOR_URL"}))
    result, after = tick(defs, None)
    assert isinstance(result, dg.SkipReason)
    message = result.skip_message or ""
    assert "cannot connect" in message and "127.0.0.1" in message
    assert "s3cr3t-pw" not in message
    assert after is None


def test_unset_url_variable_skips_naming_it(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SH_TEST_UNSET_SENSOR_URL", raising=False)
    defs = build_definitions(make_project(source={"url": "env:SH_TEST_UNSET_SENSOR_URL"}))
    result, after = tick(defs, None)
    assert isinstance(result, dg.SkipReason)
    assert "SH_TEST_UNSET_SENSOR_URL" in (result.skip_message or "") and after is None


def test_a_dropped_table_skips_naming_it(project: tuple[dg.Definitions, Path, str]) -> None:
    defs, db, cursor = project
    execute(db, 'DROP TABLE "PlaylistTrack"')
    result, after = tick(defs, cursor)
    assert isinstance(result, dg.SkipReason)
    assert "PlaylistTrack" in (result.skip_message or "")
    assert after == cursor


def test_sensor_and_schedule_are_stopped_by_default(make_project: ProjectFactory) -> None:
    defs = build_definitions(
        make_project(orchestration={"refresh_cron": "15 4 * * 1", "sensor_interval_seconds": 60})
    )
    sensor = defs.resolve_sensor_def(SOURCE_SENSOR)
    schedule = defs.resolve_schedule_def(FULL_REFRESH)
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert sensor.minimum_interval_seconds == 60
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "15 4 * * 1"
    assert schedule.job_name == SYNTHESIZE_ALL
