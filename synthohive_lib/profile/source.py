"""A source checked against its schema: structure, data and what the stages would refuse.

It reads every table through a connector, so it lives here, above the I/O layer and the
relational preflight, and not in :mod:`synthohive_lib.schema` (which reads nothing): the
schema's structural rules (:func:`~synthohive_lib.schema.validate.schema_issues`), the data
checks (:func:`~synthohive_lib.schema.validate.validate_data`) and the model stage's own
refusals (:func:`~synthohive_lib.relational.preflight.model_issues`) end up in one list.
"""

from __future__ import annotations

import os

import pandas as pd

from synthohive_lib.errors import ConnectorError, MixedTypeColumnError, SchemaIssue
from synthohive_lib.io import open_connector
from synthohive_lib.io.base import Connector
from synthohive_lib.relational.preflight import model_issues
from synthohive_lib.schema.model import Schema, Table
from synthohive_lib.schema.validate import DataReport, schema_issues, validate_data


def _read_for_validation(
    connector: Connector, table: Table
) -> tuple[pd.DataFrame, list[SchemaIssue]]:
    """The table as the source returns it; when a value does not fit a column's reflected
    type, that column is left out and named (issue ``snapshot_refuses``), the others read
    one by one so that every such column is listed and the rest is still checked."""
    try:
        return connector.read_table(table.name), []
    except MixedTypeColumnError:
        pass
    parts: dict[str, pd.Series] = {}
    issues: list[SchemaIssue] = []
    for column in table.column_names:
        try:
            parts[column] = connector.read_table(table.name, columns=[column])[column]
        except MixedTypeColumnError as exc:
            issues.append(
                SchemaIssue(
                    code="snapshot_refuses",
                    table=table.name,
                    column=column,
                    message=f"the snapshot would fail: {type(exc).__name__}: {exc.message}",
                    fix=exc.fix,
                )
            )
        except ConnectorError:
            continue  # not in the source: a missing_column issue of its own
    return pd.DataFrame(parts), issues


def validate_against_source(
    schema: Schema,
    source: Connector | str | os.PathLike[str],
    *,
    raise_on_error: bool = True,
) -> DataReport:
    """Validate the schema's structure and then the source's tables against it, in one pass.

    Every table of the schema is read whole through the connector (orphans can only be
    counted on whole tables). Beyond :func:`validate_data`, every value is put through what
    the real snapshot and the model step would do with it
    (:func:`synthohive_lib.relational.preflight.model_issues`), so what they would refuse is
    an issue here, before any snapshot or training. Structural issues and data issues end up
    in one list.
    """
    structural = schema_issues(schema)
    connector = source if isinstance(source, Connector) else open_connector(source)
    unreadable: list[SchemaIssue] = []
    try:
        available = set(connector.list_tables())
        frames = {}
        for name in schema.table_names:
            if name in available:
                frames[name], refused = _read_for_validation(connector, schema.table(name))
                unreadable += refused
    finally:
        if connector is not source:
            connector.close()
    report = validate_data(schema, frames, raise_on_error=False)
    refused_columns = {(i.table, i.column) for i in unreadable}
    report.issues = [
        i
        for i in report.issues
        if not (i.code == "missing_column" and (i.table, i.column) in refused_columns)
    ] + unreadable
    report.issues += model_issues(schema, frames)
    report.warnings = [w for w in report.warnings if w.code != "extra_table"]
    report.warnings += [
        SchemaIssue(
            code="extra_table",
            table=name,
            message=f"table {name!r} is in the source but not in the schema; it is ignored",
            fix="add it to schema.yaml (re-run `synthohive schema infer`) to synthesize it",
        )
        for name in sorted(available - set(schema.table_names))
    ]
    report.issues = structural + report.issues
    if raise_on_error:
        report.raise_for_issues()
    return report
