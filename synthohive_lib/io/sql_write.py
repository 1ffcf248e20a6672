"""Write a whole schema into a SQL database, all or nothing.

Order of work: check the frames against the schema, build the tables (:mod:`sql_ddl`), create
them, then insert parents before children (``SchemaGraph.generation_order``) in chunks. Inside
a self-referencing table (``Employee.ReportsTo -> Employee``) rows are inserted level by level
of the hierarchy (managers first); rows caught in a reference cycle are inserted with the
self-reference NULL and then updated, so enforced keys never see an orphan.

Atomicity per backend:

* **SQLite, PostgreSQL** (transactional DDL): dropping the old tables (``if_exists="replace"``),
  creating the new ones and loading them happen in ONE transaction; any failure rolls it all
  back and the database is exactly as before.
* **MySQL/MariaDB** (and dialects not known to have transactional DDL): DDL commits
  implicitly, so nothing is written under the real names until the end. Every table is
  created under a staging name (``_shstg_<token>_<i>``, its foreign keys pointing at the
  other staging tables) and loaded in one InnoDB transaction; then ONE ``RENAME TABLE``
  statement moves the tables being replaced to backup names (``_shbak_<token>_<i>``) and the
  staging tables to the real names — atomic on MySQL/MariaDB, so other sessions see either
  the old tables or the new ones — and the backups are dropped. A failure before the swap
  drops the staging tables. A writer killed outright (SIGKILL, a lost machine) cannot clean
  up: its staging or backup tables stay, under the prefixes only, and the next write to that
  database drops them first (:data:`LEFTOVER_PREFIXES`; one writer per target database at a
  time). Other dialects without transactional DDL get the same protocol with one ``ALTER
  TABLE ... RENAME`` per table, which is not atomic as a whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa
import structlog
from sqlalchemy.exc import DBAPIError

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io.identifiers import quote_identifier
from synthohive_lib.io.prepare import prepare_frames
from synthohive_lib.io.sql_ddl import build_metadata
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import Schema, StorageType, Table


class SqlTarget(Protocol):
    """What the writer needs of a SQL connector (:class:`~synthohive_lib.io.sql.SqlConnector`).

    The writer depends on this much and no more, so the connector can call the writer without
    the two modules importing each other.
    """

    db_schema: str | None
    write_chunksize: int

    @property
    def backend(self) -> str: ...

    def describe(self) -> str: ...

    def connect(self, *, for_write: bool = False) -> AbstractContextManager[sa.Connection]: ...


log = structlog.get_logger(__name__)

#: Backends whose DDL takes part in transactions (CREATE/DROP roll back with the data).
TRANSACTIONAL_DDL = {"sqlite", "postgresql", "mssql"}
IF_EXISTS = ("fail", "replace")
#: Name prefixes of the staging and backup tables of the non-transactional protocol; any table
#: named so is a leftover of a killed write and is dropped by the next write.
STAGING_PREFIX, BACKUP_PREFIX = "_shstg_", "_shbak_"
LEFTOVER_PREFIXES = (STAGING_PREFIX, BACKUP_PREFIX)


@dataclass
class _Progress:
    """What the write was doing, for an error message that says where it failed."""

    stage: str = "preparing"
    table: str | None = None


def write_schema(
    connector: SqlTarget,
    schema: Schema,
    frames: Mapping[str, pd.DataFrame],
    *,
    if_exists: str = "fail",
) -> None:
    """Create and load every table of ``schema`` through ``connector``, all or nothing."""
    if if_exists not in IF_EXISTS:
        raise ConnectorError(
            f"if_exists={if_exists!r} is not supported", fix=f"use one of {list(IF_EXISTS)}"
        )
    order = SchemaGraph(schema).generation_order()
    prepared = prepare_frames(schema, frames, source=connector.describe())
    progress = _Progress()
    writer = _write_transactional if connector.backend in TRANSACTIONAL_DDL else _write_staged
    try:
        writer(connector, schema, prepared, order, if_exists, progress)
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise ConnectorError(
            f"writing schema {schema.name!r} to {connector.describe()} failed while "
            f"{progress.stage}: {first}; nothing was written (the write was rolled back)",
            table=progress.table,
            fix="fix the data or schema named above and write again",
        ) from exc
    log.info(
        "io.sql.schema_written",
        target=connector.describe(),
        tables=len(order),
        rows=int(sum(len(f) for f in prepared.values())),
    )


# ---------------------------------------------------------------------- backends
def _write_transactional(
    connector: SqlTarget,
    schema: Schema,
    frames: dict[str, pd.DataFrame],
    order: list[str],
    if_exists: str,
    progress: _Progress,
) -> None:
    metadata, tables = build_metadata(
        schema, connector.backend, frames, db_schema=connector.db_schema
    )
    with connector.connect(for_write=True) as conn, conn.begin():
        existing = _existing(conn, connector, schema.table_names)
        if existing:
            _refuse_or_drop(conn, connector, existing, if_exists, progress)
        progress.stage = "creating tables"
        metadata.create_all(conn)
        _load(conn, connector, schema, frames, tables, order, progress)


def _write_staged(
    connector: SqlTarget,
    schema: Schema,
    frames: dict[str, pd.DataFrame],
    order: list[str],
    if_exists: str,
    progress: _Progress,
) -> None:
    """Staging tables, one load transaction, one swap (see the module docstring)."""
    token = uuid.uuid4().hex[:8]
    staging = {name: f"{STAGING_PREFIX}{token}_{i}" for i, name in enumerate(schema.table_names)}
    metadata, tables = build_metadata(
        schema, connector.backend, frames, names=staging, db_schema=connector.db_schema
    )
    with connector.connect(for_write=True) as conn:
        present = sa.inspect(conn).get_table_names(schema=connector.db_schema)
        conn.rollback()  # end the inspection's implicit transaction; each step opens its own
        leftovers = [n for n in present if n.startswith(LEFTOVER_PREFIXES)]
        if leftovers:
            progress.stage = "dropping the leftovers of an earlier, killed write"
            log.warning("io.sql.leftovers_dropped", target=connector.describe(), tables=leftovers)
            with conn.begin():
                _drop(conn, connector, leftovers)
        existing = [n for n in schema.table_names if n in set(present)]
        if existing and if_exists == "fail":
            _refuse_or_drop(conn, connector, existing, if_exists, progress)
        try:
            progress.stage = "creating the staging tables"
            with conn.begin():
                metadata.create_all(conn)
            with conn.begin():
                _load(conn, connector, schema, frames, tables, order, progress)
        except BaseException:
            _drop_staging(conn, connector, metadata)
            raise
        progress.stage, progress.table = "swapping the new tables in", None
        backups = {name: f"{BACKUP_PREFIX}{token}_{i}" for i, name in enumerate(existing)}
        _rename(conn, connector, {**backups, **{staging[n]: n for n in schema.table_names}})
        if backups:
            progress.stage = "dropping the replaced tables"
            with conn.begin():
                _drop(conn, connector, list(backups.values()))


def _drop_staging(conn: sa.Connection, connector: SqlTarget, metadata: sa.MetaData) -> None:
    """Drop the staging tables of a failed write (the real tables were never touched)."""
    if conn.in_transaction():
        conn.rollback()
    try:
        with conn.begin():
            metadata.drop_all(conn, checkfirst=True)
    except DBAPIError as cleanup_exc:
        # the target is unchanged; the next write drops the staging tables by their prefix
        log.error(
            "io.sql.cleanup_failed",
            target=connector.describe(),
            error=str(cleanup_exc.orig).strip().splitlines()[0],
        )


def _existing(conn: sa.Connection, connector: SqlTarget, names: list[str]) -> list[str]:
    present = set(sa.inspect(conn).get_table_names(schema=connector.db_schema))
    return [n for n in names if n in present]


def _refuse_or_drop(
    conn: sa.Connection,
    connector: SqlTarget,
    existing: list[str],
    if_exists: str,
    progress: _Progress,
) -> None:
    if if_exists == "fail":
        raise ConnectorError(
            f"table(s) {existing} already exist in {connector.describe()}",
            table=existing[0],
            fix="pass if_exists='replace' to overwrite them, or write to an empty database",
        )
    progress.stage = "dropping the tables being replaced"
    _drop(conn, connector, existing)


def _drop(conn: sa.Connection, connector: SqlTarget, names: list[str]) -> None:
    """Drop exactly ``names`` (children first), without touching tables they reference."""
    metadata = sa.MetaData()
    metadata.reflect(conn, only=names, schema=connector.db_schema, resolve_fks=False)
    wanted = [t for t in metadata.sorted_tables if t.name in set(names)]
    metadata.drop_all(conn, tables=wanted)


def _rename(conn: sa.Connection, connector: SqlTarget, mapping: dict[str, str]) -> None:
    """Rename tables (Core has no construct for it); identifiers quoted by the dialect.

    MySQL/MariaDB get one atomic ``RENAME TABLE a TO b, c TO d``; other dialects (Snowflake,
    BigQuery, ...) one ``ALTER TABLE a RENAME TO b`` per table.
    """
    dialect = conn.dialect

    def qualified(name: str) -> str:
        quoted = quote_identifier(name, dialect)
        if connector.db_schema:
            return f"{quote_identifier(connector.db_schema, dialect)}.{quoted}"
        return quoted

    if dialect.name in {"mysql", "mariadb"}:
        pairs = ", ".join(f"{qualified(old)} TO {qualified(new)}" for old, new in mapping.items())
        statements = [f"RENAME TABLE {pairs}"]
    else:
        statements = [
            f"ALTER TABLE {qualified(old)} RENAME TO {quote_identifier(new, dialect)}"
            for old, new in mapping.items()
        ]
    with conn.begin():
        for statement in statements:
            conn.exec_driver_sql(statement)  # every identifier quoted above


# ---------------------------------------------------------------------- loading
def _load(
    conn: sa.Connection,
    connector: SqlTarget,
    schema: Schema,
    frames: dict[str, pd.DataFrame],
    tables: dict[str, sa.Table],
    order: list[str],
    progress: _Progress,
) -> None:
    for name in order:
        progress.stage, progress.table = f"loading table {name!r}", name
        table = schema.table(name)
        frame = frames[name]
        ordered, deferred = order_self_referencing(frame, table)
        _insert(conn, tables[name], table, ordered, connector)
        if not deferred.empty:
            self_cols = sorted({c for fk in table.self_references for c in fk.columns})
            _insert(
                conn, tables[name], table, deferred.assign(**dict.fromkeys(self_cols)), connector
            )
            _update_self_references(conn, tables[name], table, deferred, self_cols, connector)
        log.debug("io.sql.table_loaded", table=name, rows=len(frame))


def _insert(
    conn: sa.Connection,
    sa_table: sa.Table,
    table: Table,
    frame: pd.DataFrame,
    connector: SqlTarget,
) -> None:
    chunk = connector.write_chunksize
    for start in range(0, len(frame), chunk):
        rows = records(frame.iloc[start : start + chunk], table, conn.dialect.name)
        conn.execute(sa_table.insert(), rows)


def _update_self_references(
    conn: sa.Connection,
    sa_table: sa.Table,
    table: Table,
    deferred: pd.DataFrame,
    self_cols: list[str],
    connector: SqlTarget,
) -> None:
    if not table.primary_key:
        raise ConnectorError(
            f"rows of {table.name!r} reference each other in a cycle and the table has no "
            "primary key to update them by",
            table=table.name,
            fix="declare a primary key for the table",
        )
    stmt = (
        sa_table.update()
        .where(*(sa_table.c[c] == sa.bindparam(f"pk_{i}") for i, c in enumerate(table.primary_key)))
        .values({sa_table.c[c]: sa.bindparam(f"v_{i}") for i, c in enumerate(self_cols)})
    )
    subset = deferred[[*table.primary_key, *self_cols]]
    renamed = subset.set_axis(
        [f"pk_{i}" for i in range(len(table.primary_key))]
        + [f"v_{i}" for i in range(len(self_cols))],
        axis=1,
    )
    chunk = connector.write_chunksize
    for start in range(0, len(renamed), chunk):
        conn.execute(stmt, records(renamed.iloc[start : start + chunk], None, conn.dialect.name))


def order_self_referencing(frame: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into (insertable in this order, caught in a reference cycle).

    The first part is sorted by hierarchy level: rows whose self-reference is NULL, points at
    themselves, or points at a row of an earlier level. Vectorised per level, so the cost is
    O(rows x depth of the hierarchy).
    """
    fks = table.self_references
    if not fks or frame.empty:
        return frame, frame.iloc[0:0]
    remaining = pd.Series(True, index=frame.index)
    level = pd.Series(-1, index=frame.index)
    depth = 0
    while remaining.any():
        ready = remaining.copy()
        for fk in fks:
            child = frame[fk.columns]
            own = frame[fk.referenced_columns].set_axis(fk.columns, axis=1)
            null = child.isna().any(axis=1)
            self_loop = child.eq(own).fillna(False).all(axis=1).astype(bool)
            placed = pd.MultiIndex.from_frame(own[~remaining])
            known = pd.Series(pd.MultiIndex.from_frame(child).isin(placed), index=frame.index)
            ready &= null | self_loop | known
        if not ready.any():
            break
        level[ready] = depth
        remaining &= ~ready
        depth += 1
    placed_rows = frame[~remaining]
    ordered = placed_rows.iloc[np.argsort(level[~remaining].to_numpy(), kind="stable")]
    return ordered, frame[remaining]


def records(frame: pd.DataFrame, table: Table | None, backend: str) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for missing) that every driver accepts."""
    columns: list[np.ndarray] = []
    for name in frame.columns:
        series = frame[name]
        storage = (
            table.column(name).storage if table is not None and table.has_column(name) else None
        )
        columns.append(_python_values(series, storage, backend))
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _python_values(series: pd.Series, storage: StorageType | None, backend: str) -> np.ndarray:
    missing = series.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series
        if isinstance(series.dtype, pd.DatetimeTZDtype) and backend in {"mysql", "mariadb"}:
            values = series.dt.tz_convert("UTC").dt.tz_localize(None)
        # whole-array conversions (no Python loop per row); NaT becomes None
        if storage is StorageType.DATE:
            out = np.asarray(values.dt.date, dtype=object)
        else:
            out = np.asarray(values.array.to_pydatetime(), dtype=object)
        out[missing] = None
        return out
    return series.to_numpy(dtype=object, na_value=None)
