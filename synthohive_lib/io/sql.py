"""SqlConnector: any SQLAlchemy database (SQLite, PostgreSQL, MySQL/MariaDB, ...) as a Connector.

Everything goes through SQLAlchemy 2 Core with reflected ``Table`` objects, so identifiers are
always quoted by the dialect and never pasted into SQL text. Reads are ordered by the primary
key (when there is one) so two snapshots of unchanged data are identical row for row, and
:meth:`SqlConnector.iter_table` streams with a server-side cursor where the driver supports it
(``stream_results`` + ``yield_per``), so a table larger than memory can be read in chunks.

Connection failures become :class:`SourceUnreachableError` naming driver, host, port and
database but never the password; the original driver exception is deliberately not chained
(its text or attributes could carry the DSN).

Writing a whole schema lives in :mod:`synthohive_lib.io.sql_write`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
import structlog
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, NoSuchTableError

from synthohive_lib.errors import ConnectorError, SourceUnreachableError
from synthohive_lib.io.base import Connector, check_chunksize, require_columns, unknown_table
from synthohive_lib.io.dtypes import coerce_frame, storage_of_sql_type
from synthohive_lib.io.identifiers import validate_identifier
from synthohive_lib.io.sql_write import write_schema
from synthohive_lib.io.urls import REDACTED, redact_url, url_location, url_password
from synthohive_lib.schema.model import Schema, StorageType, Table

log = structlog.get_logger(__name__)

DEFAULT_CHUNKSIZE = 100_000


class SqlConnector(Connector):
    """Read tables from and write schemas to one SQL database given by a SQLAlchemy URL.

    ``db_schema`` selects a namespace inside the database (PostgreSQL schema, Snowflake
    schema); ``parse_dates`` is the default for text-stored datetimes (see
    :mod:`synthohive_lib.io.dtypes`); ``engine_options`` go to :func:`sqlalchemy.create_engine`.
    """

    def __init__(
        self,
        url: str | sa.URL,
        *,
        db_schema: str | None = None,
        parse_dates: bool = False,
        write_chunksize: int = 10_000,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(url, str) and any("@" in p for p in url_password(url)[:1]):
            # SQLAlchemy would split at the first "@" and take the rest of the password for
            # the host: the connection could only fail, and its error would show that part
            raise ConnectorError(
                f"the password in {redact_url(url)} contains an unescaped '@'",
                fix="percent-encode it as %40, e.g. urllib.parse.quote_plus(password)",
            )
        try:
            self.url = sa.make_url(url)
        except sa.exc.ArgumentError:
            raise ConnectorError(
                f"not a valid database URL: {redact_url(str(url))}",
                fix="write it as dialect+driver://user:password@host:port/database",
            ) from None
        self.db_schema = db_schema
        self.parse_dates = parse_dates
        self.write_chunksize = write_chunksize
        self.engine = _create_engine(self.url, dict(engine_options or {}))
        self.kind = self.engine.dialect.name
        self._reflected: dict[str, sa.Table] = {}

    # ------------------------------------------------------------------ plumbing
    def describe(self) -> str:
        return redact_url(self.url)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def backend(self) -> str:
        """Dialect name used for identifier rules ("sqlite", "postgresql", "mysql", ...)."""
        return self.engine.dialect.name

    @contextmanager
    def connect(self, *, for_write: bool = False) -> Iterator[sa.Connection]:
        """A connection; unreachable servers/files raise :class:`SourceUnreachableError`."""
        self._check_sqlite_file(for_write=for_write)
        failure: str | None = None
        try:
            conn = self.engine.connect()
        except DBAPIError as exc:
            failure = self._reason(exc)
        if failure is not None:
            log.warning("io.sql.unreachable", target=self.describe(), reason=failure)
            # raised outside the except block: no __context__ pointing at the driver error
            raise SourceUnreachableError(
                f"cannot connect to {url_location(self.url)}: {failure}",
                fix="check that the server runs and accepts connections, and the URL's "
                "host/port/database/user (the password is not shown)",
            ) from None
        with conn:
            yield conn

    def _reason(self, exc: DBAPIError) -> str:
        lines = str(exc.orig).strip().splitlines() if exc.orig is not None else []
        reason = lines[0] if lines else type(exc).__name__
        if self.url.password:
            reason = reason.replace(str(self.url.password), REDACTED)
        return reason

    def _check_sqlite_file(self, *, for_write: bool) -> None:
        """SQLite silently creates a missing file on connect; a read must not do that."""
        if self.backend != "sqlite":
            return
        database = self.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return
        path = Path(database)
        if for_write:
            if not path.parent.exists():
                raise SourceUnreachableError(
                    f"directory {path.parent} of SQLite file {path} does not exist",
                    fix="create the directory first",
                )
            return
        if not path.exists():
            raise SourceUnreachableError(
                f"SQLite file {path} does not exist",
                fix="check the path in the URL (sqlite:///relative.db or sqlite:////absolute.db)",
            )

    # ------------------------------------------------------------------ reflection
    def list_tables(self) -> list[str]:
        with self.connect() as conn:
            return sorted(sa.inspect(conn).get_table_names(schema=self.db_schema))

    def reflect(self, name: str, conn: sa.Connection | None = None) -> sa.Table:
        """The reflected SQLAlchemy table ``name``; :class:`ConnectorError` listing the others."""
        validate_identifier(name, kind="table", backend=self.backend)
        if name in self._reflected:
            return self._reflected[name]
        if conn is None:
            with self.connect() as own:
                return self.reflect(name, own)
        try:
            with warnings.catch_warnings():
                # SQLite FK parsing trips over quotes in names; reads do not use the FKs
                warnings.filterwarnings(
                    "ignore", message=".*SQL-parsed foreign key", category=sa.exc.SAWarning
                )
                table = sa.Table(name, sa.MetaData(), autoload_with=conn, schema=self.db_schema)
        except NoSuchTableError:
            available = sa.inspect(conn).get_table_names(schema=self.db_schema)
            raise unknown_table(
                name, available, self.describe(), "names are case-sensitive when quoted"
            ) from None
        if self.backend in {"mysql", "mariadb"}:
            table = _unescape_mysql_columns(table)
        self._reflected[name] = table
        return table

    def forget(self, names: Sequence[str] | None = None) -> None:
        """Drop cached reflections (after this connector or someone else changed tables)."""
        if names is None:
            self._reflected.clear()
        for name in names or []:
            self._reflected.pop(name, None)

    def reflected_storages(self, sa_table: sa.Table) -> dict[str, StorageType | None]:
        """Storage type of each reflected column (used when no schema is given)."""
        return {c.name: storage_of_sql_type(c.type) for c in sa_table.columns}

    # ------------------------------------------------------------------ reads
    def _select(
        self, sa_table: sa.Table, name: str, columns: list[str] | None
    ) -> tuple[sa.Select, list[str]]:
        names = list(columns) if columns is not None else [c.name for c in sa_table.columns]
        require_columns(name, names, [c.name for c in sa_table.columns], self.describe())
        stmt = sa.select(*(self._selected(sa_table.c[c]) for c in names))
        pk = list(sa_table.primary_key.columns)
        if pk:
            stmt = stmt.order_by(*pk)
        return stmt, names

    def _selected(self, column: sa.Column) -> sa.ColumnElement[Any]:
        """A column as selected: SQLite date and datetime columns come back as their stored text.

        SQLite has no date type; a column declared ``DATE`` or ``DATETIME`` holds whatever
        text was written (``1996-03-13T00:00:00``, ``June 22, 2018``), and SQLAlchemy's
        SQLite processors raise an untyped ``ValueError`` on anything but their own ISO
        form. The text is parsed by :func:`coerce_frame` instead, which accepts any ISO
        8601 or unambiguous form and otherwise raises a typed error naming the column.
        """
        if self.kind == "sqlite" and isinstance(column.type, (sa.Date, sa.DateTime)):
            return sa.type_coerce(column, sa.String).label(column.name)
        return column

    def _frame(
        self,
        rows: Sequence[Sequence[Any]],
        names: list[str],
        sa_table: sa.Table,
        table: Table | None,
        parse_dates: bool | None,
    ) -> pd.DataFrame:
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        raw = pd.DataFrame(
            {
                n: pd.Series(list(values), dtype=object)
                for n, values in zip(names, columns, strict=True)
            },
            columns=names,
        )
        return coerce_frame(
            raw,
            table,
            self.reflected_storages(sa_table),
            parse_dates=self.parse_dates if parse_dates is None else parse_dates,
            source=f"{self.describe()} table {sa_table.name!r}",
            table_name=sa_table.name,
        )

    def read_table(
        self,
        name: str,
        table: Table | None = None,
        columns: list[str] | None = None,
        *,
        parse_dates: bool | None = None,
    ) -> pd.DataFrame:
        """The whole table, typed per ``table`` (the schema) or else per the reflected types."""
        with self.connect() as conn:
            sa_table = self.reflect(name, conn)
            stmt, names = self._select(sa_table, name, columns)
            rows = conn.execute(stmt).fetchall()
        return self._frame(rows, names, sa_table, table, parse_dates)

    def iter_table(
        self,
        name: str,
        table: Table | None = None,
        chunksize: int = DEFAULT_CHUNKSIZE,
        *,
        columns: list[str] | None = None,
        parse_dates: bool | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Chunks of at most ``chunksize`` rows, streamed with a server-side cursor.

        An empty table yields one empty (correctly typed) frame, so consumers always see the
        columns. The connection stays open until the iterator is exhausted or closed.
        """
        check_chunksize(chunksize, name)
        with self.connect() as conn:
            sa_table = self.reflect(name, conn)
            stmt, names = self._select(sa_table, name, columns)
            result = conn.execution_options(stream_results=True, yield_per=chunksize).execute(stmt)
            produced = False
            for part in result.partitions(chunksize):
                produced = True
                yield self._frame(part, names, sa_table, table, parse_dates)
            if not produced:
                yield self._frame([], names, sa_table, table, parse_dates)

    def row_count(self, name: str) -> int:
        with self.connect() as conn:
            sa_table = self.reflect(name, conn)
            return int(conn.execute(sa.select(sa.func.count()).select_from(sa_table)).scalar_one())

    def read_sample(
        self, name: str, fraction: float, *, seed: int = 0, table: Table | None = None
    ) -> pd.DataFrame:
        """Rows drawn at random from across the whole table, each kept with probability
        ``fraction``: a filter on a random number per row, evaluated in the database (one
        scan, no sort, no row shipped that is not kept), so the sample is not the table's
        first rows. ``seed`` seeds the draw where the database can (PostgreSQL, MySQL)."""
        fraction = min(max(float(fraction), 0.0), 1.0)
        with self.connect() as conn:
            sa_table = self.reflect(name, conn)
            stmt, names = self._select(sa_table, name, None)
            if fraction < 1.0:
                stmt = stmt.where(self._random_below(conn, fraction, seed))
            rows = conn.execute(stmt).fetchall()
        return self._frame(rows, names, sa_table, table, None)

    def _random_below(
        self, conn: sa.Connection, fraction: float, seed: int
    ) -> sa.ColumnElement[bool]:
        backend = self.backend
        if backend in {"mysql", "mariadb"}:
            return sa.func.rand(seed) < fraction
        if backend == "postgresql":
            conn.execute(sa.select(sa.func.setseed(((seed % 1000) / 1000.0) * 2 - 1)))
            return sa.func.random() < fraction
        # SQLite (and others): random() is a 64-bit integer; its residue is uniform
        scale = 1_000_000
        return sa.func.abs(sa.func.random() % scale) < round(fraction * scale)

    def column_bounds(self, name: str, columns: Sequence[str]) -> dict[str, tuple[Any, Any]]:
        """``MIN`` and ``MAX`` of each column over the whole table, in one query run where
        the data lives (values as the driver returns them; all-null columns left out)."""
        if not columns:
            return {}
        with self.connect() as conn:
            sa_table = self.reflect(name, conn)
            require_columns(name, columns, [c.name for c in sa_table.columns], self.describe())
            parts: list[sa.ColumnElement[Any]] = []
            for column in columns:
                col = sa_table.c[column]
                low, high = sa.func.min(col), sa.func.max(col)
                if self.backend == "sqlite" and isinstance(col.type, sa.Date | sa.DateTime):
                    # SQLite keeps any text in a date column: read the bound as that text
                    low, high = sa.type_coerce(low, sa.String), sa.type_coerce(high, sa.String)
                parts += [low, high]
            row = conn.execute(sa.select(*parts)).one()
        return {
            column: (row[2 * i], row[2 * i + 1])
            for i, column in enumerate(columns)
            if row[2 * i] is not None
        }

    # ------------------------------------------------------------------ writes
    def write_schema(
        self, schema: Schema, frames: Mapping[str, pd.DataFrame], if_exists: str = "fail"
    ) -> None:
        """Create every table of ``schema`` with its keys and load ``frames``, all or nothing.

        See :func:`synthohive_lib.io.sql_write.write_schema` for how atomicity is obtained on
        each backend.
        """
        write_schema(self, schema, frames, if_exists=if_exists)
        self.forget(schema.table_names)


def _unescape_mysql_columns(table: sa.Table) -> sa.Table:
    """Undo SQLAlchemy's MySQL reflection leaving backticks doubled in column names.

    The MySQL dialect parses ``SHOW CREATE TABLE`` and keeps the escaped form (a column named
    ``back`tick`` comes back as ``back``tick``), which would then be escaped twice in a
    SELECT. Only the columns and the primary key are rebuilt: that is all reads need.
    """
    if not any("``" in c.name for c in table.columns):
        return table
    columns = [
        sa.Column(
            c.name.replace("``", "`"),
            c.type,
            nullable=c.nullable,
            primary_key=c.primary_key,
            quote=True,
        )
        for c in table.columns
    ]
    return sa.Table(table.name, sa.MetaData(), *columns, schema=table.schema, quote=True)


#: dialect names a misspelt URL scheme is matched against: SQLAlchemy's own and the common
#: third-party ones (a near miss of these is a typo, not a missing package)
KNOWN_DIALECTS = (
    "postgresql", "mysql", "mariadb", "sqlite", "mssql", "oracle",
    "snowflake", "bigquery", "duckdb", "redshift", "trino", "databricks",
)  # fmt: skip


def closest_dialect(drivername: str) -> str | None:
    """The known dialect ``drivername``'s backend is a near miss of (``postgress`` ->
    ``postgresql``), None when it is one of them or nothing is close."""
    import difflib

    backend = drivername.split("+", 1)[0].lower()
    if backend in KNOWN_DIALECTS:
        return None
    aliases = {"postgres": "postgresql", "pg": "postgresql", "psql": "postgresql"}
    if backend in aliases:
        return aliases[backend]
    match = difflib.get_close_matches(backend, KNOWN_DIALECTS, n=1, cutoff=0.7)
    return match[0] if match else None


def _create_engine(url: sa.URL, options: dict[str, Any]) -> sa.Engine:
    """An engine for ``url``; SQLite gets transactional DDL and enforced foreign keys."""
    try:
        engine = sa.create_engine(url, **options)
    except NoSuchModuleError:
        guess = closest_dialect(url.drivername)
        if guess is not None:
            raise ConnectorError(
                f"unknown database dialect {url.get_backend_name()!r} in {redact_url(url)}: "
                f"did you mean {guess!r}?",
                fix=f"write the URL as {guess}://... (or {guess}+<driver>://...)",
            ) from None
        raise ConnectorError(
            f"no SQLAlchemy dialect installed for {url.drivername!r} ({redact_url(url)})",
            fix="install the dialect package, e.g. snowflake-sqlalchemy or sqlalchemy-bigquery",
        ) from None
    except ModuleNotFoundError as exc:
        raise ConnectorError(
            f"the database driver for {url.drivername!r} is not installed: {exc.name}",
            fix=f"pip install {exc.name}",
        ) from None
    if engine.dialect.name == "sqlite":
        _sqlite_transactional_ddl(engine)
    return engine


def _sqlite_transactional_ddl(engine: sa.Engine) -> None:
    """Make pysqlite emit BEGIN itself so CREATE TABLE joins the transaction; enforce FKs.

    The stdlib driver commits implicitly before DDL, which would defeat all-or-nothing
    writes; this is SQLAlchemy's documented recipe. ``foreign_keys=ON`` makes SQLite enforce
    the keys the schema declares (it is off by default, per connection).
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")
