"""The synthetic copy of a schema, written from the table store into a SQL database.

This is what ``output.url`` does in the pipeline (the ``synthetic/database`` asset), usable
from a notebook as well. The tables are read back from the store and handed to
:meth:`SqlConnector.write_schema`, which creates them with their primary keys, foreign keys
and unique constraints, loads parents before children and is all or nothing on every backend
(one transaction on PostgreSQL and SQLite; staging tables and one atomic rename on
MySQL/MariaDB, whose leftovers after a killed write the next write removes; see
:mod:`synthohive_lib.io.sql_write`). Existing tables of the schema in the target are replaced.
Every table is held in memory while the write runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthohive_lib.io.sql import SqlConnector
from synthohive_lib.io.store import TableStore
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import Schema


@dataclass(frozen=True)
class DatabaseCopy:
    """What was written: where (credentials redacted) and the rows of each table."""

    target: str
    rows: dict[str, int]


def write_store_to_database(
    tables: TableStore, stage: str, schema: Schema, url: str, *, if_exists: str = "replace"
) -> DatabaseCopy:
    """Write every table of ``schema`` stored under ``stage`` into the database at ``url``."""
    order = SchemaGraph(schema).generation_order()
    frames = {name: tables.read(stage, name) for name in order}
    with SqlConnector(url) as db:
        db.write_schema(schema, frames, if_exists=if_exists)
        return DatabaseCopy(db.describe(), {name: len(frames[name]) for name in order})
