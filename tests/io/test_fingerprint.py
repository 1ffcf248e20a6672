"""Cheap source fingerprints on real databases: SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from synthohive_lib.errors import ConnectorError, SourceUnreachableError
from synthohive_lib.io import open_connector
from synthohive_lib.io.fingerprint import (
    SourceFingerprint,
    changed_tables,
    dumps_fingerprints,
    fingerprint_tables,
    loads_fingerprints,
)

TABLES = {"parent": None, "child": "updated_at"}


def create(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('CREATE TABLE parent (id INTEGER PRIMARY KEY, label VARCHAR(20))'))
        conn.execute(
            sa.text(
                "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER, "
                "amount INTEGER, updated_at TIMESTAMP)"
            )
        )
        conn.execute(sa.text("INSERT INTO parent VALUES (1, 'a'), (2, 'b')"))
        conn.execute(
            sa.text(
                "INSERT INTO child VALUES (1, 1, 10, '2024-01-01 00:00:00'), "
                "(2, 2, 20, '2024-01-02 00:00:00')"
            )
        )
    return engine


def look(url: str) -> dict[str, SourceFingerprint]:
    with open_connector(url) as connector:
        return fingerprint_tables(connector, TABLES)


def check_changes(url: str, *, checksum: bool) -> None:
    engine = create(url)
    try:
        first = look(url)
        assert first["parent"].rows == 2 and first["child"].rows == 2
        assert first["child"].change_max is not None and "2024-01-02" in first["child"].change_max
        assert (first["parent"].checksum is not None) is checksum
        assert look(url) == first  # no change, same fingerprints
        assert loads_fingerprints(dumps_fingerprints(first)) == first

        with engine.begin() as conn:  # an update that moves neither count nor change column
            conn.execute(sa.text("UPDATE parent SET label = 'z' WHERE id = 2"))
        second = look(url)
        assert changed_tables(first, second) == (["parent"] if checksum else [])

        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE child SET updated_at = '2025-01-01 00:00:00' WHERE id = 1")
            )
        third = look(url)
        assert "child" in changed_tables(second, third)
        assert third["child"].rows == 2
    finally:
        engine.dispose()


def test_sqlite_counts_and_change_column(tmp_path) -> None:
    check_changes(f"sqlite:///{tmp_path / 'src.sqlite'}", checksum=False)


@pytest.mark.postgres
def test_postgres_checksum_sees_updates(fresh_postgres_url: str) -> None:
    check_changes(fresh_postgres_url, checksum=True)


@pytest.mark.mariadb
def test_mariadb_checksum_sees_updates(fresh_mariadb_url: str) -> None:
    check_changes(fresh_mariadb_url, checksum=True)


def test_dropped_table_and_missing_database_raise_typed_errors(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'src.sqlite'}"
    create(url).dispose()
    with open_connector(url) as connector, pytest.raises(ConnectorError, match="'gone'"):
        fingerprint_tables(connector, {"parent": None, "gone": None})
    with open_connector(url) as connector, pytest.raises(ConnectorError, match="no_such"):
        fingerprint_tables(connector, {"child": "no_such"})
    missing = f"sqlite:///{tmp_path / 'missing.sqlite'}"
    with open_connector(missing) as connector, pytest.raises(SourceUnreachableError):
        fingerprint_tables(connector, TABLES)


def test_unreadable_cursor_is_a_new_baseline() -> None:
    assert loads_fingerprints(None) is None
    assert loads_fingerprints("not json") is None
    assert loads_fingerprints('{"t": {"nope": 1}}') is None
