"""Cheap change fingerprints of source tables, computed where the data lives.

The source-change sensor asks, every few minutes, "which source tables changed since the last
look?". Reading every table to hash it (what :func:`synthohive_lib.io.store.fingerprint` does
for a snapshot) would cost a full extract per tick, so this module asks the database for a few
aggregates instead, in one query per table:

- the **row count** (always);
- the **maximum of a change column** when the project declares one for the table
  (``tables.<T>.change_column``: an ``updated_at`` timestamp or a sequence that only grows), so
  an UPDATE that bumps it is seen even when the count does not move;
- an **aggregate checksum** where the backend has one cheaply: PostgreSQL sums ``hashtext`` of
  every row's text form (order-independent, one scan, no data leaves the server); MySQL and
  MariaDB answer ``CHECKSUM TABLE``. SQLite has no such function, so a SQLite source without a
  change column only detects inserts and deletes (updates are caught by the scheduled full
  refresh).

Non-SQL connectors (CSV/Parquet folders, Delta tables) give their row count.

Fingerprints are plain JSON-able values (:meth:`SourceFingerprint.to_dict`) so they can live in
a sensor cursor. Errors are the connector's typed errors: an unreachable database raises
:class:`~synthohive_lib.errors.SourceUnreachableError` (host and database named, never the
password), a table that is gone raises :class:`~synthohive_lib.errors.ConnectorError` naming it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io.base import Connector

#: backends for which :func:`fingerprint_tables` computes an aggregate checksum
CHECKSUM_BACKENDS = ("postgresql", "mysql", "mariadb")


@dataclass(frozen=True)
class SourceFingerprint:
    """What a cheap look at one source table found: rows, change-column maximum, checksum."""

    rows: int
    change_max: str | None = None
    checksum: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceFingerprint:
        return cls(
            rows=int(data["rows"]),
            change_max=data.get("change_max"),
            checksum=data.get("checksum"),
        )


def fingerprint_tables(
    connector: Connector, change_columns: Mapping[str, str | None]
) -> dict[str, SourceFingerprint]:
    """Fingerprint every table named in ``change_columns`` (table -> its change column or None).

    SQL sources use one connection for all tables; the first table that cannot be read stops
    the pass with the connector's typed error (a partial picture would look like a change).
    """
    from synthohive_lib.io.sql import SqlConnector

    if isinstance(connector, SqlConnector):
        with connector.connect() as conn:
            return {
                name: _sql_fingerprint(connector, conn, name, column)
                for name, column in change_columns.items()
            }
    return {name: SourceFingerprint(rows=connector.row_count(name)) for name in change_columns}


def _sql_fingerprint(
    connector: Any, conn: sa.Connection, name: str, change_column: str | None
) -> SourceFingerprint:
    connector.forget([name])  # the table may have been altered or dropped since the last look
    table = connector.reflect(name, conn)
    if change_column is not None and change_column not in table.c:
        raise ConnectorError(
            f"change column {change_column!r} is not a column of {name!r}",
            table=name,
            column=change_column,
            fix="correct tables.<T>.change_column in the project config",
        )
    aggregates: list[sa.ColumnElement[Any]] = [sa.func.count()]
    if change_column is not None:
        aggregates.append(sa.func.max(table.c[change_column]))
    row = conn.execute(sa.select(*aggregates).select_from(table)).one()
    change_max = _text(row[1]) if change_column is not None else None
    return SourceFingerprint(
        rows=int(row[0]), change_max=change_max, checksum=_checksum(conn, table)
    )


def _checksum(conn: sa.Connection, table: sa.Table) -> str | None:
    """The backend's aggregate checksum of ``table``, or None where there is none.

    Identifiers are quoted by the dialect's preparer, never pasted in raw.
    """
    backend = conn.dialect.name
    if backend not in CHECKSUM_BACKENDS:
        return None
    quoted = conn.dialect.identifier_preparer.format_table(table)
    if backend == "postgresql":
        stmt = sa.text(f"SELECT sum(hashtext(_t::text)::bigint)::text FROM {quoted} AS _t")
        return _text(conn.execute(stmt).scalar_one()) or "0"
    row = conn.execute(sa.text(f"CHECKSUM TABLE {quoted}")).one()
    return _text(row[1])


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def changed_tables(
    before: Mapping[str, SourceFingerprint], after: Mapping[str, SourceFingerprint]
) -> list[str]:
    """Tables of ``after`` whose fingerprint differs from ``before`` (or that are new there),
    in ``after``'s order."""
    return [name for name, fp in after.items() if before.get(name) != fp]


def dumps_fingerprints(fingerprints: Mapping[str, SourceFingerprint]) -> str:
    """Fingerprints as compact, key-sorted JSON (a sensor cursor)."""
    return json.dumps(
        {name: fp.to_dict() for name, fp in fingerprints.items()},
        sort_keys=True,
        separators=(",", ":"),
    )


def loads_fingerprints(text: str | None) -> dict[str, SourceFingerprint] | None:
    """Read :func:`dumps_fingerprints` output; None for an empty or unreadable cursor (a new
    baseline is then recorded instead of comparing against garbage)."""
    if not text:
        return None
    try:
        data = json.loads(text)
        return {name: SourceFingerprint.from_dict(fp) for name, fp in data.items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
