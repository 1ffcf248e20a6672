"""Connectors: one interface for every place data lives (SQL databases, CSV/Parquet, Delta).

Use :func:`open_connector` with whatever the project config says the source or sink is::

    with open_connector("sqlite:///examples/chinook/chinook.sqlite") as src:
        tracks = src.read_table("Track")
    open_connector("env:SOURCE_DATABASE_URL")       # URL taken from the environment
    open_connector("out/synthetic", format="parquet")  # a folder of Parquet files

Dispatch rules, in order:

1. ``env:VAR`` / ``${VAR}`` is replaced by the value of that environment variable.
2. ``dialect[+driver]://...`` is a SQLAlchemy URL -> :class:`SqlConnector` (SQLite,
   PostgreSQL, MySQL/MariaDB are tested here; Snowflake, BigQuery, MSSQL... work through
   their SQLAlchemy dialect packages but are untested).
3. A path ending in ``.sqlite``/``.sqlite3``/``.db`` is a SQLite file -> :class:`SqlConnector`.
4. Another path: a Delta table (has ``_delta_log``) or a folder of Delta tables ->
   :class:`DeltaConnector`; a ``.csv``/``.parquet`` file or a folder of them ->
   :class:`FileConnector`. A path that does not exist yet (an output) needs ``format=``
   ("csv", "parquet" or "delta") unless its suffix says it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io.base import Connector
from synthohive_lib.io.urls import describe_target, redact_url, resolve_target

__all__ = [
    "Connector",
    "describe_target",
    "detect_format",
    "open_connector",
    "redact_url",
]

FILE_FORMATS = ("csv", "parquet")
FORMATS = (*FILE_FORMATS, "delta")
_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def open_connector(target: str | os.PathLike[str], **options: Any) -> Connector:
    """The connector for ``target`` (URL, path, or ``env:VAR``); see the module docstring.

    ``options`` go to the connector: ``format=`` for paths, ``db_schema=``,
    ``parse_dates=``, ``engine_options=`` for SQL URLs.
    """
    resolved = resolve_target(target)
    if isinstance(resolved, Path) and resolved.suffix.lower() in SQLITE_SUFFIXES:
        resolved = f"sqlite:///{resolved}"
    if isinstance(resolved, str):
        from synthohive_lib.io.sql import SqlConnector

        _check_options(options, "sql", target)
        return SqlConnector(resolved, **options)
    options = dict(options)
    fmt = options.pop("format", None) or detect_format(resolved)
    if fmt not in FORMATS:
        raise ConnectorError(
            f"unknown format {fmt!r} for {describe_target(target)}",
            fix=f"use one of {list(FORMATS)}",
        )
    _check_options(options, fmt, target)
    if fmt == "delta":
        from synthohive_lib.io.delta import DeltaConnector

        return DeltaConnector(resolved, **options)
    from synthohive_lib.io.files import FileConnector

    return FileConnector(resolved, format=fmt, **options)


#: Options each kind of connector takes (``format`` is consumed by :func:`open_connector`).
_OPTIONS = {
    "sql": {"db_schema", "parse_dates", "write_chunksize", "engine_options"},
    "csv": {"parse_dates"},
    "parquet": {"parse_dates"},
    "delta": {"parse_dates", "storage_options"},
}


def _check_options(options: dict[str, Any], kind: str, target: str | os.PathLike[str]) -> None:
    """A typed error naming an option this kind of target does not take (not a TypeError)."""
    unknown = sorted(set(options) - _OPTIONS[kind])
    if unknown:
        raise ConnectorError(
            f"option(s) {unknown} do not apply to {describe_target(target)} ({kind})",
            fix=f"{kind} targets take {sorted(_OPTIONS[kind])}",
        )


def detect_format(path: Path) -> str:
    """ "csv", "parquet" or "delta" for an existing path (or a file path with a known suffix)."""
    if (path / "_delta_log").is_dir():
        return "delta"
    if not path.exists() and path.suffix.lower() not in _SUFFIXES:
        raise ConnectorError(
            f"{path} does not exist",
            fix="check the path: a folder of CSV or Parquet files, a Delta table, a SQLite "
            "file, or a database URL such as postgresql://host/db (to write a new folder, "
            "pass format='csv', 'parquet' or 'delta')",
        )
    if path.suffix.lower() in _SUFFIXES:
        return _SUFFIXES[path.suffix.lower()]
    if path.is_dir():
        if any((child / "_delta_log").is_dir() for child in path.iterdir() if child.is_dir()):
            return "delta"
        found = {
            _SUFFIXES[p.suffix.lower()]
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in _SUFFIXES
        }
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            raise ConnectorError(
                f"folder {path} holds both CSV and Parquet files",
                fix="pass format='csv' or format='parquet'",
            )
    raise ConnectorError(
        f"cannot tell the format of {path} (no CSV/Parquet files, no _delta_log)",
        fix="pass format='csv', 'parquet' or 'delta' (required for an output that does not "
        "exist yet)",
    )
