"""Schema inference: a first draft of ``schema.yaml`` from a database, files or DataFrames.

Two sources of truth are combined:

* **reflection** (``sqlalchemy.inspect``) gives what the database *declares*: tables, columns,
  storage types, nullability, primary keys (single or composite), foreign keys (single or
  composite, self-references included) and unique constraints;
* **sniffing** (:mod:`synthohive_lib.schema.sniff`) a sample of each table, read through the
  project's one :class:`~synthohive_lib.io.base.Connector`, gives what the *values* say:
  datetimes stored as text and their format, categoricals, free text, decimals, ranges and
  PII candidates.

Files and DataFrames declare nothing, so there the storage types come from the values, the
primary key is guessed (a unique, non-null, id-named column) and foreign keys come only from
hints. The result is a draft for a person to review; :func:`infer` also returns the PII
candidates with their confidence so the CLI can show why a column was flagged.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import sqlalchemy as sa

from synthohive_lib.errors import (
    ConfigError,
    MixedTypeColumnError,
    SchemaValidationError,
    SourceUnreachableError,
    SynthoHiveError,
)
from synthohive_lib.io import open_connector
from synthohive_lib.io.base import Connector
from synthohive_lib.io.dtypes import storage_of_sql_type
from synthohive_lib.io.urls import describe_target, is_url, resolve_target
from synthohive_lib.profile.sample import TableSample, sample_table, text_bounds
from synthohive_lib.profile.targets import ColumnReader, settle_fk_targets
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import (
    Column,
    ColumnType,
    ForeignKey,
    PiiKind,
    Schema,
    StorageType,
    Table,
    UniqueConstraint,
)
from synthohive_lib.schema.sniff import (
    PII_SET_THRESHOLD,
    ColumnSniff,
    PiiCandidate,
    looks_like_id_name,
    name_tokens,
    sniff_column,
)

#: Rows sampled per table (from across the whole table, see :mod:`.sample`) to sniff values.
DEFAULT_SAMPLE_ROWS = 10_000

#: Text datetime formats whose text sorts in time order: the database's MIN/MAX of such a
#: column are its earliest and latest instants.
_SORTABLE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")

Source = str | os.PathLike[str] | Connector


# --------------------------------------------------------------------------- results


@dataclass
class InferenceResult:
    """The inferred schema plus what a person needs to review it."""

    schema: Schema
    pii_candidates: list[PiiCandidate] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    source: str = ""
    #: what inference had to decide for the schema to validate, each with its fix
    warnings: list[str] = field(default_factory=list)

    def _is_set(self, candidate: PiiCandidate) -> bool:
        table = self.schema.table(candidate.table)
        return table.has_column(candidate.column) and (
            table.column(candidate.column).pii is candidate.kind
        )

    def summary(self) -> str:
        """A short human-readable report: tables, foreign keys and PII candidates."""
        schema = self.schema
        lines = [
            f"Inferred schema {schema.name!r} from {self.source or 'data'}: "
            f"{len(schema.tables)} tables, {len(schema.foreign_keys)} foreign keys, "
            f"{sum(len(t.pii_columns) for t in schema.tables)} PII columns",
            "Tables:",
        ]
        for table in schema.tables:
            rows = self.row_counts.get(table.name)
            pk = ", ".join(table.primary_key) or "none"
            lines.append(
                f"  {table.name}: {len(table.columns)} columns"
                + (f", {rows} rows" if rows is not None else "")
                + f", primary key ({pk})"
            )
        lines.append("Foreign keys:")
        lines += [
            f"  {child}({', '.join(fk.columns)}) -> "
            f"{fk.references}({', '.join(fk.referenced_columns)})"
            for child, fk in schema.foreign_keys
        ] or ["  none"]
        lines.append("PII candidates (* = set as 'pii' on the column):")
        lines += [
            f"  {'*' if self._is_set(c) else ' '} {c}"
            for c in sorted(self.pii_candidates, key=lambda c: (c.table, c.column))
        ] or ["  none"]
        if self.warnings:
            lines.append("Warnings (review these in schema.yaml):")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


# --------------------------------------------------------------------------- reflection


@dataclass(frozen=True)
class ReflectedColumn:
    """What the database declares about one column."""

    name: str
    storage: StorageType | None
    nullable: bool
    scale: int | None = None
    enum: bool = False


@dataclass(frozen=True)
class ReflectedTable:
    """What the database declares about one table."""

    name: str
    columns: tuple[ReflectedColumn, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    unique_sets: tuple[tuple[str, ...], ...]


def storage_from_sqltype(sql_type: sa.types.TypeEngine) -> StorageType | None:
    """Storage type of a reflected SQL type; MySQL/MariaDB ``TINYINT(1)`` counts as boolean."""
    if type(sql_type).__name__ == "TINYINT" and getattr(sql_type, "display_width", None) == 1:
        return StorageType.BOOLEAN
    return storage_of_sql_type(sql_type)


def reflect_tables(
    engine: sa.Engine | sa.Connection,
    tables: Iterable[str] | None = None,
    db_schema: str | None = None,
) -> list[ReflectedTable]:
    """Reflect tables, keys and constraints with ``sqlalchemy.inspect`` (no data is read)."""
    inspector = sa.inspect(engine)
    names = list(tables) if tables is not None else inspector.get_table_names(schema=db_schema)
    pks = {n: inspector.get_pk_constraint(n, schema=db_schema) for n in names}
    out = []
    for name in names:
        columns = tuple(
            ReflectedColumn(
                name=c["name"],
                storage=storage_from_sqltype(c["type"]),
                nullable=bool(c.get("nullable", True)),
                scale=getattr(c["type"], "scale", None),
                enum=isinstance(c["type"], sa.Enum),
            )
            for c in inspector.get_columns(name, schema=db_schema)
        )
        primary_key = tuple(pks[name].get("constrained_columns") or ())
        fks = []
        for fk in inspector.get_foreign_keys(name, schema=db_schema):
            referred = list(fk.get("referred_columns") or [])
            if not referred and fk["referred_table"] in pks:
                referred = list(pks[fk["referred_table"]].get("constrained_columns") or [])
            fks.append(
                ForeignKey(
                    columns=list(fk["constrained_columns"]),
                    references=fk["referred_table"],
                    referenced_columns=referred,
                )
            )
        unique_sets = {
            tuple(u["column_names"]) for u in inspector.get_unique_constraints(name, db_schema)
        }
        unique_sets |= {
            tuple(ix["column_names"])
            for ix in inspector.get_indexes(name, schema=db_schema)
            if ix.get("unique") and all(ix.get("column_names") or [None])
        }
        unique_sets.discard(primary_key)
        out.append(
            ReflectedTable(name, columns, primary_key, tuple(fks), tuple(sorted(unique_sets)))
        )
    return out


# --------------------------------------------------------------------------- assembly


def _settled_pii(candidate: PiiCandidate | None, ctype: ColumnType) -> PiiKind | None:
    """The PII kind to write on a column of semantic type ``ctype`` (None: only a candidate).

    Keys are never PII; a birth date must be a datetime; other kinds hold text (numbers such
    as phones stored as integers become text); a boolean holds no PII.
    """
    if candidate is None or candidate.confidence < PII_SET_THRESHOLD:
        return None
    if ctype in (ColumnType.ID, ColumnType.BOOLEAN):
        return None
    if candidate.kind is PiiKind.DATE_OF_BIRTH:
        return candidate.kind if ctype is ColumnType.DATETIME else None
    return None if ctype is ColumnType.DATETIME else candidate.kind


def _build_column(
    sniff: ColumnSniff,
    name: str,
    *,
    nullable: bool,
    unique: bool = False,
    enum: bool = False,
    type_hint: ColumnType | None = None,
    bounds: tuple[Any, Any] | None = None,
) -> Column:
    ctype = type_hint or (
        ColumnType.CATEGORICAL if enum and sniff.type is ColumnType.TEXT else sniff.type
    )
    pii = _settled_pii(sniff.pii, ctype)
    numbers = (ColumnType.INTEGER, ColumnType.FLOAT)
    if pii not in (None, PiiKind.DATE_OF_BIRTH) and type_hint is None and ctype in numbers:
        ctype = ColumnType.TEXT  # phone/card/postal numbers are identifiers, not quantities
    numeric = ctype in (ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.DATETIME)
    low, high = sniff.min, sniff.max
    if numeric and bounds is not None:  # the whole table's range, not the sample's
        fmt = sniff.datetime_format if ctype is ColumnType.DATETIME else None
        low = _bound(bounds[0], ctype, fmt) if bounds[0] is not None else low
        high = _bound(bounds[1], ctype, fmt) if bounds[1] is not None else high
        low = sniff.min if low is None else low
        high = sniff.max if high is None else high
    return Column(
        name=name,
        type=ctype,
        storage=sniff.storage,
        nullable=nullable,
        datetime_format=sniff.datetime_format if ctype is ColumnType.DATETIME else None,
        pii=pii,
        unique=unique,
        min=low if numeric else None,
        max=high if numeric else None,
        decimals=sniff.decimals if ctype is ColumnType.FLOAT else None,
        true_value=sniff.true_value if ctype is ColumnType.BOOLEAN else None,
        false_value=sniff.false_value if ctype is ColumnType.BOOLEAN else None,
    )


def _bound(value: Any, ctype: ColumnType, fmt: str | None) -> int | float | str | None:
    """A whole-table MIN/MAX as the schema writes bounds (ISO text for datetimes); None when
    the value does not read as the column's type (the sample's bound is kept then)."""
    try:
        if ctype is ColumnType.DATETIME:
            stamp = (
                pd.to_datetime(value, format=fmt)
                if isinstance(value, str) and fmt
                else (pd.Timestamp(value))
            )
            return None if pd.isna(stamp) else stamp.isoformat(sep=" ")
        if ctype is ColumnType.INTEGER:
            number = float(value)
            return int(number) if number.is_integer() else None
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _ordered(tables: list[Table]) -> list[Table]:
    """Parents before children (stable by name); plain name order when keys form a cycle."""
    by_name = {t.name: t for t in tables}
    try:
        order = SchemaGraph(Schema(tables=tables)).generation_order()
    except SchemaValidationError:
        order = sorted(by_name)
    return [by_name[n] for n in order]


def _schema_name(source: str, name: str | None) -> str:
    if name:
        return name
    text = source.rstrip("/").split("?")[0]
    stem = text.replace("\\", "/").rsplit("/", 1)[-1].split(".")[0]
    return stem or "schema"


def _from_reflection(
    reflected: list[ReflectedTable],
    samples: Mapping[str, pd.DataFrame],
    name: str,
    type_hints: Mapping[str, Mapping[str, ColumnType | str]],
    bounds: Mapping[str, Mapping[str, tuple[Any, Any]]] | None = None,
) -> tuple[Schema, list[PiiCandidate]]:
    tables: list[Table] = []
    candidates: list[PiiCandidate] = []
    bounds = bounds or {}
    for rt in reflected:
        sample = samples.get(rt.name, pd.DataFrame())
        table_bounds = bounds.get(rt.name, {})
        keys = set(rt.primary_key) | {c for fk in rt.foreign_keys for c in fk.columns}
        single_unique = {s[0] for s in rt.unique_sets if len(s) == 1}
        hints = {k: ColumnType(v) for k, v in type_hints.get(rt.name, {}).items()}
        columns = []
        for rc in rt.columns:
            values = sample[rc.name] if rc.name in sample else pd.Series([], dtype=object)
            sniff = sniff_column(
                values,
                rc.name,
                rt.name,
                storage=rc.storage,
                is_key=rc.name in keys,
                decimals_hint=rc.scale if rc.storage is StorageType.DECIMAL else None,
            )
            if sniff.pii is not None:
                candidates.append(sniff.pii)
            columns.append(
                _build_column(
                    sniff,
                    rc.name,
                    nullable=rc.nullable and rc.name not in rt.primary_key,
                    unique=rc.name in single_unique,
                    enum=rc.enum,
                    type_hint=hints.get(rc.name),
                    bounds=table_bounds.get(rc.name),
                )
            )
        tables.append(
            Table(
                name=rt.name,
                columns=columns,
                primary_key=list(rt.primary_key),
                foreign_keys=list(rt.foreign_keys),
                constraints=[
                    UniqueConstraint(columns=list(s)) for s in rt.unique_sets if len(s) > 1
                ],
            )
        )
    return Schema(name=name, tables=_ordered(tables)), candidates


def _with_key_hints(
    reflected: list[ReflectedTable],
    primary_keys: Mapping[str, list[str]] | None,
    foreign_keys: Mapping[str, list[ForeignKey | Mapping[str, Any]]] | None,
) -> list[ReflectedTable]:
    """Reflected tables completed by key hints (a hinted primary key replaces the declared)."""
    primary_keys = primary_keys or {}
    foreign_keys = foreign_keys or {}
    unknown = sorted((set(primary_keys) | set(foreign_keys)) - {t.name for t in reflected})
    if unknown:
        raise ConfigError(
            f"key hints name table(s) {unknown} that the source does not have",
            fix=f"use the table names of the source: {sorted(t.name for t in reflected)}",
        )
    out = []
    for rt in reflected:
        fks = list(rt.foreign_keys)
        declared = {(tuple(f.columns), f.references, tuple(f.referenced_columns)) for f in fks}
        for hint in map(_as_fk, foreign_keys.get(rt.name, [])):
            if (tuple(hint.columns), hint.references, tuple(hint.referenced_columns)) not in (
                declared
            ):
                fks.append(hint)
        pk = tuple(primary_keys.get(rt.name) or rt.primary_key)
        out.append(replace(rt, primary_key=pk, foreign_keys=tuple(fks)))
    return out


# --------------------------------------------------------------------------- sources


def _connector_reader(connector: Connector) -> ColumnReader:
    """Whole columns of a table read through ``connector`` (None when they cannot be)."""

    def read(table: str, columns: list[str]) -> pd.DataFrame | None:
        try:
            return connector.read_table(table, columns=columns)
        except SynthoHiveError:
            return None

    return read


def _sortable_text_dates(schema: Schema, table: str) -> list[str]:
    """Columns of ``table`` holding datetimes as text in a format that sorts in time order."""
    return [
        c.name
        for c in schema.table(table).columns
        if c.type is ColumnType.DATETIME
        and c.storage is StorageType.STRING
        and (c.datetime_format or "").startswith(_SORTABLE_FORMATS)
    ]


def _with_text_date_bounds(
    schema: Schema, connector: Connector, samples: Mapping[str, TableSample]
) -> Schema:
    """Bounds of sortable text dates from the database's MIN/MAX (a sample's are narrower)."""
    tables = []
    for table in schema.tables:
        sample = samples.get(table.name)
        names = _sortable_text_dates(schema, table.name)
        if sample is None or sample.complete or not names:
            tables.append(table)
            continue
        found = text_bounds(connector, table.name, names)
        columns = []
        for column in table.columns:
            low, high = found.get(column.name, (None, None))
            fmt = column.datetime_format
            low = _bound(low, ColumnType.DATETIME, fmt) if low is not None else None
            high = _bound(high, ColumnType.DATETIME, fmt) if high is not None else None
            if low is not None and high is not None:
                column = column.model_copy(update={"min": low, "max": high})
            columns.append(column)
        tables.append(table.model_copy(update={"columns": columns}))
    return schema.model_copy(update={"tables": tables})


def _open(source: Source) -> tuple[Connector, bool, str]:
    """(connector, whether we opened it, a safe description of the source)."""
    if isinstance(source, Connector):
        return source, False, source.describe()
    target = resolve_target(source)
    return open_connector(target), True, describe_target(source)


def _engine_for(connector: Connector, source: Source) -> tuple[sa.Engine | None, bool]:
    """The SQLAlchemy engine to reflect with: the connector's own, or one we create."""
    engine = getattr(connector, "engine", None)
    if isinstance(engine, sa.Engine):
        return engine, False
    if not isinstance(source, Connector):
        target = resolve_target(source)
        if isinstance(target, str) and is_url(target):
            return sa.create_engine(target), True
    return None, False


def infer(
    source: Source,
    *,
    name: str | None = None,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    tables: Iterable[str] | None = None,
    primary_keys: Mapping[str, list[str]] | None = None,
    foreign_keys: Mapping[str, list[ForeignKey | Mapping[str, Any]]] | None = None,
    type_hints: Mapping[str, Mapping[str, ColumnType | str]] | None = None,
) -> InferenceResult:
    """Infer a schema (and PII candidates) from a database URL, a file path or a connector.

    SQL sources are reflected for keys and declared types, then sniffed on about
    ``sample_rows`` rows drawn from across each table, with ``min``/``max`` from the whole
    table (:func:`.sample.sample_table`); file sources (CSV/Parquet/Delta folders) have no
    declarations, so see :func:`infer_from_frames` for how keys are guessed there.
    The hints (per table name) complete what the source does not declare: ``primary_keys``
    where none is declared or guessed right, ``foreign_keys`` the database does not enforce
    (added to the reflected ones), ``type_hints`` the semantic type of chosen columns.
    An unreachable source raises :class:`SourceUnreachableError` without the password.
    """
    connector, opened, where = _open(source)
    try:
        engine, own_engine = _engine_for(connector, source)
        try:
            names = list(tables) if tables is not None else connector.list_tables()
            schema_name = _schema_name(where, name)
            samples = {n: sample_table(connector, n, sample_rows) for n in names}
            frames = {n: t.frame for n, t in samples.items() if t.frame is not None}
            if engine is None:
                result = infer_from_frames(
                    frames,
                    name=schema_name,
                    primary_keys=primary_keys,
                    foreign_keys=foreign_keys,
                    type_hints=type_hints,
                    complete={n: samples[n].complete for n in frames},
                    profiles={n: samples[n] for n in frames},
                    column_reader=_connector_reader(connector),
                )
            else:
                reflected = _with_key_hints(
                    _reflect(connector, engine, names, where), primary_keys, foreign_keys
                )
                schema, candidates = _from_reflection(
                    reflected,
                    frames,
                    schema_name,
                    type_hints or {},
                    {n: t.bounds for n, t in samples.items()},
                )
                schema, warnings = settle_fk_targets(schema, _connector_reader(connector))
                result = InferenceResult(schema, candidates, warnings=warnings)
            result.schema = _with_text_date_bounds(result.schema, connector, samples)
            result.row_counts = {
                n: samples[n].rows if n in samples else connector.row_count(n)
                for n in result.schema.table_names
            }
            result.source = where
            return result
        finally:
            if own_engine and engine is not None:
                engine.dispose()
    finally:
        if opened:
            connector.close()


def _reflect(
    connector: Connector, engine: sa.Engine, names: list[str], where: str
) -> list[ReflectedTable]:
    """Reflect through the connector's own connection when it has one (its error handling)."""
    db_schema = getattr(connector, "db_schema", None)
    connect = getattr(connector, "connect", None)
    try:
        if getattr(connector, "engine", None) is engine and callable(connect):
            with connect() as conn:
                return reflect_tables(conn, names, db_schema)
        return reflect_tables(engine, names, db_schema)
    except sa.exc.DBAPIError as exc:
        raise _unreachable(where, exc) from None


def _unreachable(where: str, exc: sa.exc.DBAPIError) -> SynthoHiveError:
    detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    return SourceUnreachableError(
        f"cannot reflect the schema of {where}: {detail[0] if detail else type(exc).__name__}",
        fix="check that the server is running, the database exists and the user may read it",
    )


def infer_schema(
    source: Source,
    name: str | None = None,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    **hints: Any,
) -> Schema:
    """Infer a :class:`Schema` from a database URL, a file path or a connector.

    ``hints`` are :func:`infer`'s ``tables``, ``primary_keys``, ``foreign_keys`` and
    ``type_hints``.
    """
    return infer(source, name=name, sample_rows=sample_rows, **hints).schema


# --------------------------------------------------------------------------- frames


def guess_primary_key(frame: pd.DataFrame, table: str) -> list[str]:
    """A unique, non-null, id-named column (``id`` first, then ``<table>_id``), or none."""
    if frame.empty:
        return []
    candidates = [
        c
        for c in frame.columns
        if looks_like_id_name(str(c)) and frame[c].notna().all() and frame[c].is_unique
    ]
    if not candidates:
        return []
    table_tokens = name_tokens(table)
    singular = "".join(table_tokens).removesuffix("s")
    for wanted in ("id", f"{singular}id", f"{''.join(table_tokens)}id"):
        for c in candidates:
            if "".join(name_tokens(str(c))) == wanted:
                return [str(c)]
    return [str(candidates[0])]


def _as_fk(value: ForeignKey | Mapping[str, Any]) -> ForeignKey:
    return value if isinstance(value, ForeignKey) else ForeignKey.model_validate(dict(value))


def infer_from_frames(
    frames: Mapping[str, pd.DataFrame],
    name: str = "schema",
    *,
    primary_keys: Mapping[str, list[str]] | None = None,
    foreign_keys: Mapping[str, list[ForeignKey | Mapping[str, Any]]] | None = None,
    type_hints: Mapping[str, Mapping[str, ColumnType | str]] | None = None,
    complete: Mapping[str, bool] | None = None,
    profiles: Mapping[str, TableSample] | None = None,
    column_reader: ColumnReader | None = None,
) -> InferenceResult:
    """Infer a schema from DataFrames (e.g. read from CSV/Parquet), where nothing is declared.

    Storage types come from the values (a column mixing types raises
    :class:`MixedTypeColumnError`, every such column listed); ``primary_keys`` and
    ``foreign_keys`` are optional hints per table (without a hint the primary key is guessed
    by :func:`guess_primary_key` and no foreign key is assumed); ``type_hints`` fixes the
    semantic type of chosen columns (``{"orders": {"code": "text"}}``). ``complete`` says
    per table whether the frame is the whole table: only then does a column without nulls
    become ``nullable: false``. ``profiles`` (per table, from :func:`.sample.sample_table`)
    say what the whole table holds when the frame is a sample of it: its ``min``/``max`` and
    which columns have nulls. A foreign key aimed at parent columns that are neither its
    primary key nor unique is settled by :func:`.targets.settle_fk_targets` (on the whole
    columns ``column_reader`` returns, by default the frames'), with a warning in the result.
    """
    primary_keys = primary_keys or {}
    foreign_keys = foreign_keys or {}
    type_hints = type_hints or {}
    complete = complete or {}
    profiles = profiles or {}
    tables: list[Table] = []
    candidates: list[PiiCandidate] = []
    mixed: list[MixedTypeColumnError] = []
    for table_name, frame in frames.items():
        fks = [_as_fk(fk) for fk in foreign_keys.get(table_name, [])]
        pk = list(primary_keys.get(table_name) or guess_primary_key(frame, table_name))
        keys = set(pk) | {c for fk in fks for c in fk.columns}
        hints = {k: ColumnType(v) for k, v in type_hints.get(table_name, {}).items()}
        whole = complete.get(table_name, True)
        profile = profiles.get(table_name)
        columns = []
        for col in frame.columns:
            col_name = str(col)
            try:
                sniff = sniff_column(
                    frame[col],
                    col_name,
                    table_name,
                    is_key=col_name in keys,
                    strict_text=col_name not in hints,
                )
            except MixedTypeColumnError as exc:
                mixed.append(exc)
                continue
            if sniff.pii is not None:
                candidates.append(sniff.pii)
            if profile is not None and profile.null_columns is not None:
                has_nulls = col_name in profile.null_columns  # known for the whole table
            else:
                has_nulls = sniff.null_count > 0 or not whole
            nullable = col_name not in pk and (has_nulls or frame.empty)
            columns.append(
                _build_column(
                    sniff,
                    col_name,
                    nullable=nullable,
                    type_hint=hints.get(col_name),
                    bounds=profile.bounds.get(col_name) if profile is not None else None,
                )
            )
        if columns and not mixed:
            tables.append(Table(name=table_name, columns=columns, primary_key=pk, foreign_keys=fks))
    if mixed:
        if len(mixed) == 1:
            raise mixed[0]
        raise MixedTypeColumnError(
            f"{len(mixed)} columns mix value types:\n"
            + "\n".join(f"  - {m.message} [{m.table}.{m.column}]" for m in mixed),
            table=mixed[0].table,
            column=mixed[0].column,
            fix=mixed[0].fix,
        )
    schema, warnings = settle_fk_targets(
        Schema(name=name, tables=_ordered(tables)),
        column_reader or (lambda t, cols: frames[t][cols] if t in frames else None),
    )
    return InferenceResult(schema, candidates, warnings=warnings)


def infer_schema_from_frames(
    frames: Mapping[str, pd.DataFrame],
    name: str = "schema",
    *,
    primary_keys: Mapping[str, list[str]] | None = None,
    foreign_keys: Mapping[str, list[ForeignKey | Mapping[str, Any]]] | None = None,
    type_hints: Mapping[str, Mapping[str, ColumnType | str]] | None = None,
) -> Schema:
    """Infer a :class:`Schema` from DataFrames; see :func:`infer_from_frames`."""
    return infer_from_frames(
        frames,
        name,
        primary_keys=primary_keys,
        foreign_keys=foreign_keys,
        type_hints=type_hints,
    ).schema
