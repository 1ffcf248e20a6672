"""The one connector interface every data source and sink implements.

Stages above the I/O layer (inference, validation, training, generation, the Dagster assets)
only ever talk to a :class:`Connector`, whether the data lives in SQLite, PostgreSQL,
MariaDB, a folder of CSV/Parquet files or Delta tables. Open one with
:func:`synthohive_lib.io.open_connector`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from synthohive_lib.errors import ConnectorError

if TYPE_CHECKING:
    import pandas as pd

    from synthohive_lib.schema.model import Schema, Table


class Connector(ABC):
    """Read tables from, and write whole schemas to, one place where data lives."""

    #: short name of the backend, e.g. "sqlite", "postgresql", "mysql", "parquet", "delta"
    kind: str = "abstract"

    @abstractmethod
    def list_tables(self) -> list[str]:
        """Names of the tables available here."""

    @abstractmethod
    def read_table(
        self, name: str, table: Table | None = None, columns: list[str] | None = None
    ) -> pd.DataFrame:
        """The whole table as a DataFrame, typed per ``table`` (the schema) when given."""

    @abstractmethod
    def iter_table(
        self, name: str, table: Table | None = None, chunksize: int = 100_000
    ) -> Iterator[pd.DataFrame]:
        """The table in chunks of at most ``chunksize`` rows, for tables that do not fit memory."""

    @abstractmethod
    def row_count(self, name: str) -> int:
        """Number of rows of a table, computed where the data lives."""

    @abstractmethod
    def write_schema(
        self, schema: Schema, frames: Mapping[str, pd.DataFrame], if_exists: str = "fail"
    ) -> None:
        """Write every table of ``schema`` from ``frames`` atomically (all or nothing)."""

    def describe(self) -> str:
        """Where this connector points, safe to log (credentials redacted)."""
        return self.kind

    def close(self) -> None:  # noqa: B027 - optional hook, most connectors hold nothing
        """Release connections/handles."""

    def __enter__(self) -> Connector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


def unknown_table(name: str, available: Iterable[str], where: str, layout: str) -> ConnectorError:
    """The error for a table that is not there, listing those that are (same on every backend).

    ``layout`` says how tables are found at this kind of target, e.g. "each table is a file
    <name>.csv", so the fix tells the user what to look for.
    """
    return ConnectorError(
        f"no table {name!r} in {where}; available tables: {sorted(available)}",
        table=name,
        fix=f"check the name; {layout}",
    )


def check_chunksize(chunksize: int, name: str) -> None:
    """``iter_table`` takes a whole number of rows >= 1 on every backend, or fails typed.

    Without this one rule the backends disagreed: a zero or negative size was an Arrow error
    on Delta, a ValueError on SQL, and on CSV silently one empty chunk.
    """
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ConnectorError(
            f"chunksize must be a whole number of rows >= 1, got {chunksize!r}",
            table=name,
            fix="pass chunksize >= 1, or call read_table for the whole table",
        )


def require_columns(
    name: str, requested: Iterable[str] | None, available: Iterable[str], where: str
) -> None:
    """Raise :class:`ConnectorError` naming the requested columns the table does not have."""
    present = list(available)
    missing = [c for c in requested or [] if c not in present]
    if missing:
        raise ConnectorError(
            f"table {name!r} in {where} has no column(s) {missing}; columns: {present}",
            table=name,
            fix="check the column names in schema.yaml against the source",
        )
