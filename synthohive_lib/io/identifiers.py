"""Table and column names: which ones can be used, and how they are quoted.

Real schemas contain names with spaces, quotes, semicolons and non-ASCII letters; those are
legitimate and must work. Safety therefore does not come from a whitelist of characters but
from never building SQL text out of names: every statement goes through SQLAlchemy
``Table``/``Column`` objects (always quoted by the dialect's identifier preparer), and
:func:`quote_identifier` is the only way to get a quoted name as text. What is rejected here
is only what no database can represent faithfully: an empty name, a NUL byte, a name longer
than the dialect allows (PostgreSQL would silently truncate it, so two columns could collide),
and, on MySQL/MariaDB, characters outside the Basic Multilingual Plane or trailing spaces,
which that server refuses or strips.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from synthohive_lib.errors import UnsafeIdentifierError

#: Limits per backend: (max length, unit). PostgreSQL counts bytes (NAMEDATALEN - 1).
_LIMITS: dict[str, tuple[int, str]] = {
    "postgresql": (63, "bytes"),
    "mysql": (64, "characters"),
    "mariadb": (64, "characters"),
    "mssql": (128, "characters"),
    "oracle": (128, "bytes"),
    "snowflake": (255, "characters"),
    "bigquery": (300, "characters"),
}

_FIX = "rename it in the source or in schema.yaml"


def identifier_problem(name: object, backend: str | None = None) -> str | None:
    """Why ``name`` cannot be an identifier on ``backend`` (None: it can)."""
    if not isinstance(name, str):
        return f"is a {type(name).__name__}, not a string"
    if name == "":
        return "is empty"
    if "\x00" in name:
        return "contains a NUL byte"
    if backend is None:
        return None
    if backend in {"mysql", "mariadb"}:
        if name != name.rstrip(" "):
            return "ends with a space, which MySQL/MariaDB do not allow"
        if any(ord(ch) > 0xFFFF for ch in name):
            return (
                "contains characters outside the Basic Multilingual Plane (e.g. emoji), "
                "which MySQL/MariaDB identifiers cannot hold"
            )
    limit = _LIMITS.get(backend)
    if limit is not None:
        size, unit = limit
        length = len(name.encode("utf-8")) if unit == "bytes" else len(name)
        if length > size:
            return f"is {length} {unit} long; {backend} allows at most {size}"
    return None


def validate_identifier(
    name: object,
    *,
    kind: str = "column",
    backend: str | None = None,
    table: str | None = None,
) -> str:
    """Return ``name`` if it is usable on ``backend``; raise :class:`UnsafeIdentifierError`.

    ``kind`` ("table" or "column") and ``table`` only shape the message.
    """
    problem = identifier_problem(name, backend)
    if problem is not None:
        where = f" on {backend}" if backend else ""
        raise UnsafeIdentifierError(
            f"{kind} name {name!r} cannot be used{where}: it {problem}",
            table=table if kind == "column" else (name if isinstance(name, str) else None),
            column=name if kind == "column" and isinstance(name, str) else None,
            fix=_FIX,
        )
    assert isinstance(name, str)
    return name


def validate_table_identifiers(
    table: str, columns: Iterable[str], backend: str | None = None
) -> None:
    """Validate a table name and its column names together (first problem raises)."""
    validate_identifier(table, kind="table", backend=backend)
    for column in columns:
        validate_identifier(column, kind="column", backend=backend, table=table)


def quote_identifier(name: str, dialect: sa.Dialect) -> str:
    """``name`` quoted for ``dialect`` (always quoted, embedded quotes escaped).

    For the rare statement SQLAlchemy Core cannot express; prefer Table/Column objects.
    """
    validate_identifier(name, backend=dialect.name)
    return dialect.identifier_preparer.quote_identifier(name)
