"""Turn a :class:`Schema` into SQLAlchemy ``Table`` objects: types, primary and foreign keys.

The tables are built from ``Column.storage`` (the physical type), with the declared primary
key (composite included), every foreign key (composite and self-references included) and
unique constraints, so the database written to *enforces* the relational structure: an
orphan row or a duplicate key inserted later is refused by the database itself.

Foreign keys are attached with ``Column`` objects rather than ``"table.column"`` strings, so
names containing dots, quotes or spaces cannot be mis-parsed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from synthohive_lib.io.identifiers import validate_table_identifiers
from synthohive_lib.schema.model import Column, Schema, StorageType, Table, UniqueConstraint

#: MySQL/MariaDB cannot index TEXT; key columns become VARCHAR of at least this length.
_KEY_VARCHAR = 255
_DECIMAL_PRECISION = 38
_DEFAULT_SCALE = 10


def build_metadata(
    schema: Schema,
    backend: str,
    frames: Mapping[str, pd.DataFrame],
    *,
    names: Mapping[str, str] | None = None,
    db_schema: str | None = None,
) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    """SQLAlchemy tables for every table of ``schema`` (keyed by schema table name).

    ``names`` maps schema table names to the physical names to create (staging names);
    by default a table is created under its own name. ``db_schema`` is the database
    namespace (PostgreSQL schema) to create them in.
    """
    names = dict(names or {})
    metadata = sa.MetaData()
    tables: dict[str, sa.Table] = {}
    key_columns = _key_columns(schema)
    for table in schema.tables:
        physical = names.get(table.name, table.name)
        validate_table_identifiers(physical, table.column_names, backend)
        frame = frames.get(table.name)
        columns = [
            sa.Column(
                col.name,
                sql_type(col, frame, is_key=col.name in key_columns[table.name]),
                nullable=col.nullable and col.name not in table.primary_key,
                quote=True,
                # the keys are data: no AUTO_INCREMENT/SERIAL, which on MySQL/MariaDB would
                # turn an inserted 0 into the next sequence value (and collide with key 1)
                autoincrement=False,
            )
            for col in table.columns
        ]
        constraints: list[sa.Constraint] = []
        if table.primary_key:
            constraints.append(sa.PrimaryKeyConstraint(*table.primary_key))
        for unique in _unique_sets(schema, table):
            constraints.append(sa.UniqueConstraint(*unique))
        kwargs = (
            {"mysql_charset": "utf8mb4", "mysql_engine": "InnoDB"}
            if backend in {"mysql", "mariadb"}
            else {}
        )
        tables[table.name] = sa.Table(
            physical,
            metadata,
            *columns,
            *constraints,
            quote=True,
            schema=db_schema,
            **kwargs,
        )
    for table in schema.tables:
        child = tables[table.name]
        for fk in table.foreign_keys:
            parent = tables[fk.references]
            child.append_constraint(
                sa.ForeignKeyConstraint(
                    [child.c[c] for c in fk.columns],
                    [parent.c[c] for c in fk.referenced_columns],
                )
            )
    return metadata, tables


def _key_columns(schema: Schema) -> dict[str, set[str]]:
    """Per table, the columns in a primary key, foreign key, unique set or referenced by one."""
    keys: dict[str, set[str]] = {t.name: set(t.primary_key) for t in schema.tables}
    for table in schema.tables:
        keys[table.name] |= table.foreign_key_columns
        keys[table.name] |= {c.name for c in table.columns if c.unique}
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                keys[table.name] |= set(constraint.columns)
        for fk in table.foreign_keys:
            keys[fk.references] |= set(fk.referenced_columns)
    return keys


def _unique_sets(schema: Schema, table: Table) -> list[tuple[str, ...]]:
    """Unique constraints to create: declared ones, plus referenced keys that are not the PK.

    A foreign key must reference a primary key or a unique key; when the schema references
    other columns, their uniqueness is implied and made explicit here.
    """
    pk = tuple(table.primary_key)
    sets: list[tuple[str, ...]] = []

    def add(cols: tuple[str, ...]) -> None:
        if cols and set(cols) != set(pk) and set(cols) not in [set(s) for s in sets]:
            sets.append(cols)

    for col in table.columns:
        if col.unique:
            add((col.name,))
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            add(tuple(constraint.columns))
    for _child, fk in schema.foreign_keys:
        if fk.references == table.name:
            add(tuple(fk.referenced_columns))
    return sets


def sql_type(column: Column, frame: pd.DataFrame | None, *, is_key: bool) -> sa.types.TypeEngine:
    """The SQL type of a column, from its storage type (portable across the tested backends)."""
    storage = column.storage
    if storage is StorageType.INTEGER:
        return sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    if storage is StorageType.FLOAT:
        return sa.Double()
    if storage is StorageType.DECIMAL:
        scale = column.decimals if column.decimals is not None else _DEFAULT_SCALE
        return sa.Numeric(_DECIMAL_PRECISION, min(scale, 30), asdecimal=True)
    if storage is StorageType.BOOLEAN:
        return sa.Boolean()
    if storage is StorageType.DATETIME:
        aware = (
            frame is not None
            and column.name in frame.columns
            and isinstance(frame[column.name].dtype, pd.DatetimeTZDtype)
        )
        return sa.DateTime(timezone=aware).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
    if storage is StorageType.DATE:
        return sa.Date()
    if storage is StorageType.BINARY:
        if is_key:
            return sa.LargeBinary().with_variant(
                mysql.VARBINARY(_key_length(column, frame)), "mysql", "mariadb"
            )
        return sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
    if is_key:
        return sa.Text().with_variant(sa.String(_key_length(column, frame)), "mysql", "mariadb")
    return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


#: ``infer_dtype`` results whose values ``.str.len()`` can measure (others count as 0).
_MEASURABLE = frozenset({"string", "bytes", "mixed", "mixed-integer"})


def _key_length(column: Column, frame: pd.DataFrame | None) -> int:
    """VARCHAR length for an indexed string column: the longest value, at least 255."""
    if frame is None or column.name not in frame.columns or frame.empty:
        return _KEY_VARCHAR
    values = frame[column.name].dropna()
    if values.empty or pd.api.types.infer_dtype(values, skipna=True) not in _MEASURABLE:
        return _KEY_VARCHAR  # no text or bytes to measure
    longest = int(values.str.len().fillna(0).max())  # non-text values in a mixed column: 0
    return max(_KEY_VARCHAR, longest)
