"""Validation that collects every problem at once: of a schema, and of data against a schema.

A data engineer fixing a ``schema.yaml`` should see the whole list in one run, not one error
per attempt. So nothing here raises on the first problem: checks append
:class:`~synthohive_lib.errors.SchemaIssue` objects (a stable ``code``, the table and column,
a message and the fix) and one :class:`~synthohive_lib.errors.SchemaValidationError` carries
them all.

* :func:`validate_schema` — structure only: names, keys, types, cycles, PII consistency.
* :func:`validate_data` — frames against the schema: missing/extra columns, duplicate or null
  primary keys, nulls where not allowed, unique and inequality constraints, orphan foreign
  keys handled per the relation's ``on_orphan`` policy (``raise`` → issue, ``drop`` → rows
  removed, ``set_null`` → key nulled), duplicate primary keys per the table's
  ``on_duplicate_key`` policy (``raise`` → issue, ``drop`` → all but the first row of each
  key removed), returning cleaned frames and every count in a :class:`DataReport`.

Checking the tables a connector reads
(:func:`synthohive_lib.profile.source.validate_against_source`) lives above the I/O layer, in
:mod:`synthohive_lib.profile`: this module reads nothing.

All data checks are vectorised (``duplicated``, boolean masks, and key matching through
:func:`synthohive_lib.schema.keys.key_codes`, the same one the validation report uses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from synthohive_lib.errors import (
    SchemaIssue,
    SchemaValidationError,
)
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.keys import orphan_mask
from synthohive_lib.schema.model import (
    Column,
    ColumnType,
    DuplicateKeyPolicy,
    ForeignKey,
    InequalityConstraint,
    OrphanPolicy,
    PiiKind,
    Schema,
    StorageType,
    Table,
    UniqueConstraint,
)

# --------------------------------------------------------------------------- issue codes

#: Every issue code this module emits, with what it means (also listed in docs/schema.md).
ISSUE_CODES: dict[str, str] = {
    "unknown_table": "a foreign key references a table the schema does not declare",
    "unknown_column": "a key or constraint names a column the table does not declare",
    "duplicate_key_column": "a key lists the same column twice",
    "fk_not_key": "a foreign key references columns that are neither the primary key nor a "
    "unique key of the parent",
    "fk_storage_mismatch": "a foreign-key column and the column it references differ in storage",
    "cycle": "foreign keys between different tables form a cycle",
    "pii_type_mismatch": "a PII kind that the column's semantic type cannot hold",
    "bad_datetime_format": "a datetime_format on a column not stored as text, or without "
    "any % directive",
    "bad_decimals": "decimals on a column that is not a float",
    "orphan_policy_conflict": "on_orphan: set_null on a foreign key whose columns are not nullable",
    "constraint_type_mismatch": "an inequality constraint on columns that have no order",
    "missing_table": "a table of the schema is absent from the data",
    "missing_column": "a column of the schema is absent from the data",
    "duplicate_primary_key": "rows share a primary-key value",
    "null_primary_key": "rows with a null in a primary-key column",
    "null_not_allowed": "nulls in a column declared nullable: false",
    "orphan_foreign_key": "child rows whose foreign key matches no parent row (on_orphan: raise)",
    "duplicate_unique_key": "rows share a value of a column or column set declared unique",
    "inequality_violation": "rows where an inequality constraint (low < high) does not hold",
    "snapshot_refuses": "(--source) a value does not fit the column's declared storage: "
    "reading the real snapshot would fail",
    "model_refuses": "(--source) the model step would refuse the column: inf in a float, a "
    "text date not in its datetime_format, a value outside a boolean's true_value/false_value",
}
#: Codes reported as warnings in a :class:`DataReport` (worth knowing, not blocking).
WARNING_CODES: dict[str, str] = {
    "extra_table": "the data holds a table the schema does not declare (it is ignored)",
    "extra_column": "the data holds a column the schema does not declare (it is ignored)",
    "out_of_bounds": "values below the declared min or above the declared max (the model "
    "keeps the data's range; the bounds are stale or came from a sample)",
}

_ORDERED_TYPES = frozenset({ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.DATETIME})
_TEXT_TYPES = frozenset({ColumnType.TEXT, ColumnType.CATEGORICAL})
_TEXT_PII = frozenset(set(PiiKind) - {PiiKind.DATE_OF_BIRTH})


# --------------------------------------------------------------------------- structure


def schema_issues(schema: Schema) -> list[SchemaIssue]:
    """Every structural problem of ``schema`` (empty list when it is consistent)."""
    issues: list[SchemaIssue] = []
    for table in schema.tables:
        issues += _key_issues(table)
        issues += _column_issues(table)
        issues += _constraint_issues(table)
        for fk in table.foreign_keys:
            issues += _fk_issues(schema, table, fk)
    try:
        SchemaGraph(schema).check_acyclic()
    except SchemaValidationError as exc:
        issues += exc.issues
    return issues


def validate_schema(schema: Schema) -> None:
    """Raise one :class:`SchemaValidationError` listing every structural problem, if any."""
    issues = schema_issues(schema)
    if issues:
        raise SchemaValidationError(issues)


def _unknown(table: Table, columns: list[str], what: str) -> list[SchemaIssue]:
    return [
        SchemaIssue(
            code="unknown_column",
            table=table.name,
            column=c,
            message=f"{what} names column {c!r}, which table {table.name!r} does not declare",
            fix=f"use one of {table.column_names} or add the column under 'columns'",
        )
        for c in columns
        if not table.has_column(c)
    ]


def _repeated(table: Table, columns: list[str], what: str) -> list[SchemaIssue]:
    seen = pd.Series(columns, dtype=object)
    return [
        SchemaIssue(
            code="duplicate_key_column",
            table=table.name,
            column=c,
            message=f"{what} lists column {c!r} more than once",
            fix="list each column once",
        )
        for c in seen[seen.duplicated()].unique()
    ]


def _key_issues(table: Table) -> list[SchemaIssue]:
    issues = _unknown(table, table.primary_key, "the primary key")
    issues += _repeated(table, table.primary_key, "the primary key")
    return issues


def _column_issues(table: Table) -> list[SchemaIssue]:
    issues: list[SchemaIssue] = []
    for col in table.columns:
        where = {"table": table.name, "column": col.name}
        if col.pii is not None:
            if col.type is ColumnType.ID:
                issues.append(
                    SchemaIssue(
                        code="pii_type_mismatch",
                        message=f"a key column (type id) cannot be PII {col.pii.value!r}: keys "
                        "are regenerated, PII is replaced, a column cannot be both",
                        fix="remove 'pii' (keys carry no personal data) or change the type",
                        **where,
                    )
                )
            elif col.pii is PiiKind.DATE_OF_BIRTH and col.type is not ColumnType.DATETIME:
                issues.append(
                    SchemaIssue(
                        code="pii_type_mismatch",
                        message=f"PII 'date_of_birth' needs type 'datetime', not "
                        f"{col.type.value!r}",
                        fix="set type: datetime (with datetime_format if stored as text)",
                        **where,
                    )
                )
            elif col.pii in _TEXT_PII and col.type not in _TEXT_TYPES:
                issues.append(
                    SchemaIssue(
                        code="pii_type_mismatch",
                        message=f"PII {col.pii.value!r} holds text, but the column has type "
                        f"{col.type.value!r}",
                        fix="set type: text (or categorical), or remove 'pii'",
                        **where,
                    )
                )
        if col.datetime_format is not None and (
            col.storage is not StorageType.STRING or "%" not in col.datetime_format
        ):
            issues.append(
                SchemaIssue(
                    code="bad_datetime_format",
                    message=f"datetime_format {col.datetime_format!r} is only used for "
                    f"datetimes stored as text (storage is {col.storage.value!r})"
                    if col.storage is not StorageType.STRING
                    else f"datetime_format {col.datetime_format!r} has no % directive",
                    fix="remove datetime_format for native datetime storage, or write a "
                    "strftime format such as '%Y-%m-%d %H:%M:%S'",
                    **where,
                )
            )
        if col.decimals is not None and col.type is not ColumnType.FLOAT:
            issues.append(
                SchemaIssue(
                    code="bad_decimals",
                    message=f"decimals is set but the column has type {col.type.value!r}",
                    fix="remove 'decimals' or set type: float",
                    **where,
                )
            )
    return issues


def _constraint_issues(table: Table) -> list[SchemaIssue]:
    issues: list[SchemaIssue] = []
    for i, constraint in enumerate(table.constraints):
        what = f"constraints[{i}] ({constraint.kind})"
        if isinstance(constraint, UniqueConstraint):
            issues += _unknown(table, constraint.columns, what)
            issues += _repeated(table, constraint.columns, what)
        elif isinstance(constraint, InequalityConstraint):
            names = [constraint.low, constraint.high]
            unknown = _unknown(table, names, what)
            issues += unknown
            if unknown:
                continue
            types = {table.column(n).type for n in names}
            if not types <= _ORDERED_TYPES or len(types) > 1:
                issues.append(
                    SchemaIssue(
                        code="constraint_type_mismatch",
                        table=table.name,
                        column=constraint.low,
                        message=f"{what}: {constraint.low!r} < {constraint.high!r} compares "
                        f"types {sorted(t.value for t in types)}; both sides need the same "
                        "ordered type (integer, float or datetime)",
                        fix="fix the column types or remove the constraint",
                    )
                )
    return issues


def _fk_issues(schema: Schema, table: Table, fk: ForeignKey) -> list[SchemaIssue]:
    label = f"foreign key ({', '.join(fk.columns)}) -> {fk.references}"
    issues = _unknown(table, fk.columns, label)
    issues += _repeated(table, fk.columns, label)
    if fk.on_orphan is OrphanPolicy.SET_NULL:
        not_null = [c for c in fk.columns if table.has_column(c) and not table.column(c).nullable]
        issues += [
            SchemaIssue(
                code="orphan_policy_conflict",
                table=table.name,
                column=c,
                message=f"{label} has on_orphan: set_null but column {c!r} is not nullable",
                fix="set nullable: true on the column, or write on_orphan: drop (or raise)",
            )
            for c in not_null
        ]
    if not schema.has_table(fk.references):
        issues.append(
            SchemaIssue(
                code="unknown_table",
                table=table.name,
                column=fk.columns[0],
                message=f"{label} references table {fk.references!r}, which the schema "
                "does not declare",
                fix=f"use one of {schema.table_names} or add the table",
            )
        )
        return issues
    parent = schema.table(fk.references)
    unknown_parent = _unknown(parent, fk.referenced_columns, f"{table.name}'s {label}")
    issues += unknown_parent
    if unknown_parent:
        return issues
    referenced = set(fk.referenced_columns)
    unique_sets = [set(parent.primary_key)] + [
        set(c.columns) for c in parent.constraints if isinstance(c, UniqueConstraint)
    ]
    single_unique = len(referenced) == 1 and parent.column(fk.referenced_columns[0]).unique
    if referenced not in unique_sets and not single_unique:
        pk = (
            f"the primary key ({', '.join(parent.primary_key)})"
            if parent.primary_key
            else "a primary key (it has none)"
        )
        issues.append(
            SchemaIssue(
                code="fk_not_key",
                table=table.name,
                column=fk.columns[0] if len(fk.columns) == 1 else None,
                message=f"{label} references {fk.references}({', '.join(fk.referenced_columns)})"
                f", which is neither {pk} nor a unique key of {fk.references!r}; a child row "
                "could match several parents",
                fix="reference the parent's primary key; or declare the referenced columns "
                "unique (unique: true, or a 'unique' constraint); or, if they are the parent's "
                "key but some rows repeat it, make them its primary_key and write "
                "on_duplicate_key: drop on the parent (`synthohive schema infer` does this "
                "for a parent without a key)",
            )
        )
    for child_col, parent_col in zip(fk.columns, fk.referenced_columns, strict=True):
        if not table.has_column(child_col):
            continue
        child_storage = table.column(child_col).storage
        parent_storage = parent.column(parent_col).storage
        if child_storage is not parent_storage:
            issues.append(
                SchemaIssue(
                    code="fk_storage_mismatch",
                    table=table.name,
                    column=child_col,
                    message=f"{label}: {child_col!r} is stored as {child_storage.value!r} but "
                    f"{fk.references}.{parent_col} as {parent_storage.value!r}",
                    fix=f"set storage: {parent_storage.value} on {table.name}.{child_col}",
                )
            )
    return issues


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class OrphanCount:
    """Orphan rows of one foreign key and what was done with them."""

    child: str
    parent: str
    columns: tuple[str, ...]
    referenced_columns: tuple[str, ...]
    count: int
    policy: OrphanPolicy

    @property
    def relation(self) -> str:
        return (
            f"{self.child}({', '.join(self.columns)}) -> "
            f"{self.parent}({', '.join(self.referenced_columns)})"
        )

    def __str__(self) -> str:
        action = {
            OrphanPolicy.RAISE: "error",
            OrphanPolicy.DROP: "rows dropped",
            OrphanPolicy.SET_NULL: "keys set to null",
        }[self.policy]
        return f"{self.relation}: {self.count} orphan row(s) ({action})"


@dataclass
class DataReport:
    """The outcome of checking data against a schema: cleaned frames and every count."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    issues: list[SchemaIssue] = field(default_factory=list)
    warnings: list[SchemaIssue] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    duplicate_primary_keys: dict[str, int] = field(default_factory=dict)
    null_primary_keys: dict[str, int] = field(default_factory=dict)
    orphans: list[OrphanCount] = field(default_factory=list)
    dropped_rows: dict[str, int] = field(default_factory=dict)
    nulled_rows: dict[str, int] = field(default_factory=dict)
    duplicate_rows_dropped: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues

    def raise_for_issues(self) -> None:
        """Raise one :class:`SchemaValidationError` with every issue, if there is any."""
        if self.issues:
            raise SchemaValidationError(self.issues)

    def summary(self) -> str:
        lines = [
            f"{len(self.row_counts)} tables, {sum(self.row_counts.values())} rows checked: "
            + ("valid" if self.ok else f"{len(self.issues)} problem(s)")
        ]
        lines += [f"  {t}: {n} rows" for t, n in self.row_counts.items()]
        if self.duplicate_rows_dropped:
            lines.append("Duplicate primary keys (on_duplicate_key: drop):")
            lines += [
                f"  {t}: {n} row(s) dropped ({self.duplicate_primary_keys.get(t, n)} rows "
                "shared a key)"
                for t, n in self.duplicate_rows_dropped.items()
            ]
        if self.orphans:
            lines.append("Orphan foreign keys:")
            lines += [f"  {o}" for o in self.orphans]
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  - [{w.code}] {w}" for w in self.warnings]
        if self.issues:
            lines.append("Problems:")
            lines += [f"  - [{i.code}] {i}" for i in self.issues]
        return "\n".join(lines)


def _orphan_mask(child: pd.DataFrame, fk: ForeignKey, parent: pd.DataFrame) -> pd.Series:
    """True for child rows whose (complete) key matches no parent row (MATCH SIMPLE)."""
    mask = orphan_mask(child, fk.columns, parent, fk.referenced_columns)
    return pd.Series(mask, index=child.index)


def _null_out(frame: pd.DataFrame, mask: pd.Series, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        if pd.api.types.is_integer_dtype(out[c]) and not isinstance(
            out[c].dtype, pd.api.extensions.ExtensionDtype
        ):
            out[c] = out[c].astype("Int64")
        out.loc[mask, c] = None
    return out


def _table_order(schema: Schema) -> list[str]:
    try:
        return SchemaGraph(schema).generation_order()
    except SchemaValidationError:
        return schema.table_names


def _check_columns(table: Table, frame: pd.DataFrame, report: DataReport) -> bool:
    """Missing columns (issues) and extra ones (warnings); False when keys cannot be checked."""
    present = set(map(str, frame.columns))
    missing = [c for c in table.column_names if c not in present]
    report.issues += [
        SchemaIssue(
            code="missing_column",
            table=table.name,
            column=c,
            message=f"column {c!r} is in the schema but not in the data",
            fix="remove it from schema.yaml (re-run `synthohive schema infer`) or restore it "
            "in the source",
        )
        for c in missing
    ]
    report.warnings += [
        SchemaIssue(
            code="extra_column",
            table=table.name,
            column=str(c),
            message=f"column {c!r} is in the data but not in the schema; it is ignored",
            fix="add it to schema.yaml if it should be synthesized",
        )
        for c in frame.columns
        if str(c) not in set(table.column_names)
    ]
    return not missing


def _sharing_a_key(keys: pd.DataFrame) -> pd.Series:
    """Rows whose complete (null-free) key value also occurs in another row: every copy."""
    return keys.duplicated(keep=False) & keys.notna().all(axis=1)


def _check_primary_key(table: Table, frame: pd.DataFrame, report: DataReport) -> pd.DataFrame:
    """Null and duplicate primary keys; duplicates follow ``on_duplicate_key``.

    With ``drop`` the first row of every key is kept and the others are removed (counted in
    ``report.duplicate_rows_dropped``); with ``raise`` they are an issue. Returns the frame.
    """
    pk = table.primary_key
    if not pk or not set(pk) <= set(map(str, frame.columns)):
        return frame  # no key, or one naming unknown columns (a structural issue of its own)
    keys = frame[pk]
    null_rows = int(keys.isna().any(axis=1).sum())
    duplicated = _sharing_a_key(keys)
    dup_rows = int(duplicated.sum())
    if null_rows:
        report.null_primary_keys[table.name] = null_rows
        report.issues.append(
            SchemaIssue(
                code="null_primary_key",
                table=table.name,
                column=pk[0] if len(pk) == 1 else None,
                message=f"{null_rows} row(s) have a null in the primary key ({', '.join(pk)})",
                fix="fill or remove those rows in the source, or correct primary_key",
            )
        )
    if not dup_rows:
        return frame
    distinct = int(keys[duplicated].drop_duplicates().shape[0])
    report.duplicate_primary_keys[table.name] = dup_rows
    if table.on_duplicate_key is DuplicateKeyPolicy.DROP:
        later = keys.duplicated(keep="first") & keys.notna().all(axis=1)
        report.duplicate_rows_dropped[table.name] = int(later.sum())
        return frame.loc[~later.to_numpy()]
    report.issues.append(
        SchemaIssue(
            code="duplicate_primary_key",
            table=table.name,
            column=pk[0] if len(pk) == 1 else None,
            message=f"{dup_rows} rows share {distinct} primary-key value(s) ({', '.join(pk)})",
            fix="deduplicate the source, write on_duplicate_key: drop on the table (keeps the "
            "first row of each key), or declare the real key in primary_key",
        )
    )
    return frame


def _check_nulls(table: Table, frame: pd.DataFrame, report: DataReport) -> None:
    required = [c.name for c in table.columns if not c.nullable and c.name not in table.primary_key]
    if not required:
        return
    counts = frame[required].isna().sum()
    for column, count in counts[counts > 0].items():
        report.issues.append(
            SchemaIssue(
                code="null_not_allowed",
                table=table.name,
                column=str(column),
                message=f"{int(count)} null value(s) in a column declared nullable: false",
                fix="set nullable: true, or fill the nulls in the source",
            )
        )


def _check_unique(table: Table, frame: pd.DataFrame, report: DataReport) -> None:
    """Declared unique columns and unique constraints hold among rows without nulls."""
    sets = [[c.name] for c in table.columns if c.unique] + [
        list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)
    ]
    present = set(map(str, frame.columns))
    for columns in sets:
        if not set(columns) <= present:
            continue
        dup_rows = int(_sharing_a_key(frame[columns]).sum())
        if dup_rows:
            report.issues.append(
                SchemaIssue(
                    code="duplicate_unique_key",
                    table=table.name,
                    column=columns[0],
                    message=f"{dup_rows} rows share a value of ({', '.join(columns)}), "
                    "declared unique",
                    fix="deduplicate the source, or remove unique / the unique constraint",
                )
            )


def _as_comparable(table: Table, frame: pd.DataFrame, name: str) -> pd.Series:
    """Values of an ordered column as numbers or timestamps (text dates parsed by format)."""
    col = table.column(name)
    values = frame[name]
    if col.type is ColumnType.DATETIME:
        if col.datetime_format and not pd.api.types.is_datetime64_any_dtype(values):
            return pd.to_datetime(values, format=col.datetime_format, errors="coerce")
        return pd.to_datetime(values, errors="coerce")
    return pd.to_numeric(values, errors="coerce")


def _bound_value(column: Column, bound: object) -> object:
    """A declared bound in the unit :func:`_as_comparable` gives (timestamps for datetimes)."""
    if column.type is ColumnType.DATETIME:
        return pd.Timestamp(str(bound))
    return float(bound)  # type: ignore[arg-type]


def _check_bounds(table: Table, frame: pd.DataFrame, report: DataReport) -> None:
    """Warn (per column) when data fall outside the declared ``min``/``max``.

    Not an error: generation keeps the range the model was fitted on, so stale bounds cost
    nothing but a wrong document; the warning says which values and how to refresh them.
    """
    present = set(map(str, frame.columns))
    for column in table.columns:
        if column.name not in present or (column.min is None and column.max is None):
            continue
        if column.type not in _ORDERED_TYPES:
            continue
        values = _as_comparable(table, frame, column.name)
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        try:
            low = None if column.min is None else _bound_value(column, column.min)
            high = None if column.max is None else _bound_value(column, column.max)
            if isinstance(low, pd.Timestamp) and low.tzinfo is not None:
                low = low.tz_convert("UTC").tz_localize(None)
            if isinstance(high, pd.Timestamp) and high.tzinfo is not None:
                high = high.tz_convert("UTC").tz_localize(None)
            below = int((values < low).sum()) if low is not None else 0
            above = int((values > high).sum()) if high is not None else 0
        except (TypeError, ValueError):
            continue  # a bound of the wrong kind is a schema problem, not a data one
        if not below and not above:
            continue
        seen = values.dropna()
        report.warnings.append(
            SchemaIssue(
                code="out_of_bounds",
                table=table.name,
                column=column.name,
                message=f"{below + above} value(s) outside the declared range "
                f"[{column.min}, {column.max}] ({below} below, {above} above; the data span "
                f"{seen.min()} to {seen.max()}); generation keeps the data's range",
                fix="re-run `synthohive schema infer` (bounds come from the whole table), or "
                "widen min/max in schema.yaml to the data's range",
            )
        )


def _check_inequalities(table: Table, frame: pd.DataFrame, report: DataReport) -> None:
    present = set(map(str, frame.columns))
    for c in table.constraints:
        if not isinstance(c, InequalityConstraint) or not {c.low, c.high} <= present:
            continue
        if not (table.has_column(c.low) and table.has_column(c.high)):
            continue
        low, high = _as_comparable(table, frame, c.low), _as_comparable(table, frame, c.high)
        both = low.notna() & high.notna()
        holds = (low < high) if c.strict else (low <= high)
        bad = int((both & ~holds.fillna(False).astype(bool)).sum())
        if bad:
            op = "<" if c.strict else "<="
            report.issues.append(
                SchemaIssue(
                    code="inequality_violation",
                    table=table.name,
                    column=c.low,
                    message=f"{bad} row(s) break {c.low} {op} {c.high}",
                    fix="fix those rows in the source, set strict: false if equality is "
                    "allowed, or remove the constraint",
                )
            )


def _check_foreign_keys(
    table: Table, frame: pd.DataFrame, cleaned: dict[str, pd.DataFrame], report: DataReport
) -> pd.DataFrame:
    """Count orphans per relation and apply its policy; returns the cleaned frame."""
    for fk in table.foreign_keys:
        if fk.references not in cleaned and fk.references != table.name:
            continue  # the parent is missing: already an issue of its own
        parent_frame = frame if fk.references == table.name else cleaned[fk.references]
        checkable = set(fk.columns) <= set(map(str, frame.columns)) and set(
            fk.referenced_columns
        ) <= set(map(str, parent_frame.columns))
        if not checkable:
            continue  # unknown columns: reported by the structural/column checks
        total = 0
        while True:  # a self-reference may orphan further rows when rows are dropped
            parent_frame = frame if fk.references == table.name else cleaned[fk.references]
            mask = _orphan_mask(frame, fk, parent_frame)
            count = int(mask.sum())
            total += count
            if count == 0 or fk.on_orphan is OrphanPolicy.RAISE:
                break
            if fk.on_orphan is OrphanPolicy.DROP:
                frame = frame.loc[~mask]
                report.dropped_rows[table.name] = report.dropped_rows.get(table.name, 0) + count
            else:
                frame = _null_out(frame, mask, fk.columns)
                report.nulled_rows[table.name] = report.nulled_rows.get(table.name, 0) + count
            if fk.references != table.name:
                break
        if total == 0:
            continue
        orphan = OrphanCount(
            table.name, fk.references, tuple(fk.columns), tuple(fk.referenced_columns),
            total, fk.on_orphan,
        )  # fmt: skip
        report.orphans.append(orphan)
        if fk.on_orphan is OrphanPolicy.RAISE:
            report.issues.append(
                SchemaIssue(
                    code="orphan_foreign_key",
                    table=table.name,
                    column=fk.columns[0],
                    message=f"{orphan.relation}: {total} row(s) reference no parent row",
                    fix="fix the source, or write on_orphan: drop (remove those rows) or "
                    "on_orphan: set_null (clear their key) on this foreign key in schema.yaml",
                )
            )
    return frame


def validate_data(
    schema: Schema, frames: Mapping[str, pd.DataFrame], *, raise_on_error: bool = True
) -> DataReport:
    """Check ``frames`` (table name → DataFrame) against ``schema``; see the module docstring.

    Tables are processed parents first, so rows dropped from a parent make their children
    orphans in turn (and those children follow their own ``on_orphan`` policy). The input
    frames are never modified. With ``raise_on_error`` (the default) any issue raises one
    :class:`SchemaValidationError` listing them all; otherwise they are in ``report.issues``.
    """
    report = DataReport()
    report.warnings += [
        SchemaIssue(
            code="extra_table",
            table=name,
            message=f"table {name!r} is in the data but not in the schema; it is ignored",
            fix="add it to schema.yaml if it should be synthesized",
        )
        for name in frames
        if not schema.has_table(name)
    ]
    cleaned: dict[str, pd.DataFrame] = {}
    for name in _table_order(schema):
        table = schema.table(name)
        if name not in frames:
            report.issues.append(
                SchemaIssue(
                    code="missing_table",
                    table=name,
                    message=f"table {name!r} is in the schema but not in the data",
                    fix="remove it from schema.yaml or load it in the source",
                )
            )
            continue
        frame = frames[name]
        report.row_counts[name] = len(frame)
        if _check_columns(table, frame, report):
            frame = _check_primary_key(table, frame, report)
            _check_nulls(table, frame, report)
            _check_unique(table, frame, report)
            _check_inequalities(table, frame, report)
            _check_bounds(table, frame, report)
            frame = _check_foreign_keys(table, frame, cleaned, report)
        cleaned[name] = frame
    report.frames = cleaned
    if raise_on_error:
        report.raise_for_issues()
    return report
