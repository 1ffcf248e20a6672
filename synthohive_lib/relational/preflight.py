"""What the real snapshot and the model step would refuse, found on the source first.

``schema validate --source`` used to pass data the pipeline then rejected — ``inf`` in a
REAL column, text dates not in the declared format, a ``'maybe'`` among ``'Y'/'N'`` — so the
error came after the snapshots and the training had started. This module runs, column by
column, the very conversions those stages run, on the source's rows:

1. the snapshot's typing per the schema (:func:`synthohive_lib.io.dtypes.coerce_series`, as
   ``real/<T>`` reads the source), whose :class:`MixedTypeColumnError` becomes issue
   ``snapshot_refuses``;
2. for each column the model learns (:func:`~synthohive_lib.relational.plan.attribute_columns`
   minus the constants the relational layer writes back itself), the input half of its
   encoder — the numeric/datetime conversion, the boolean vocabulary, the category check —
   whose :class:`ModelError` becomes issue ``model_refuses`` with the model's own message
   and fix. No mixture is fitted: only what decides refusal runs, so it costs a pass over
   the values.

Because the checks *are* the stages' code, a refusal the model stops making (a number that
is constant apart from nulls is now written back as a constant) disappears from here too.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from synthohive_lib.errors import MixedTypeColumnError, ModelError, SchemaIssue
from synthohive_lib.io.dtypes import coerce_series
from synthohive_lib.relational.constants import ConstantColumn
from synthohive_lib.relational.plan import attribute_columns
from synthohive_lib.relational.specs import column_spec
from synthohive_lib.schema.model import Column, Schema, Table
from synthohive_lib.transform.encoders import BooleanEncoder, CategoricalEncoder, NumericEncoder
from synthohive_lib.transform.modes import ModeNormalizer
from synthohive_lib.transform.specs import NUMERIC_KINDS, ColumnKind

#: Issue codes of this module (listed with the others in docs/schema.md).
PREFLIGHT_CODES: dict[str, str] = {
    "snapshot_refuses": "a value does not fit the column's declared storage: reading the "
    "real snapshot would fail",
    "model_refuses": "the model step would refuse the column (the model's own error)",
}


def _encoder_input(column: Column, series: pd.Series, table: str) -> None:
    """Run the refusing half of the column's encoder on ``series`` (raises ModelError)."""
    spec = column_spec(column)
    rng = np.random.default_rng(0)
    if spec.kind in NUMERIC_KINDS:
        NumericEncoder(spec, ModeNormalizer(), table=table).fit_output(series)
    elif spec.kind is ColumnKind.BOOLEAN:
        BooleanEncoder(spec, table=table).fit(series, rng)
    elif spec.kind is ColumnKind.CATEGORICAL:
        CategoricalEncoder(spec, table=table).fit(series, rng)


def _issue(code: str, table: Table, column: str, exc: Exception, stage: str) -> SchemaIssue:
    message = getattr(exc, "message", str(exc))
    return SchemaIssue(
        code=code,
        table=table.name,
        column=column,
        message=f"{stage} would fail: {type(exc).__name__}: {message}",
        fix=getattr(exc, "fix", None),
    )


def table_issues(table: Table, frame: pd.DataFrame) -> list[SchemaIssue]:
    """The refusals of one table's rows (columns absent from ``frame`` are skipped: they
    are ``missing_column`` issues of their own)."""
    issues: list[SchemaIssue] = []
    modelled = set(attribute_columns(table))
    for column in table.columns:
        if column.name not in frame.columns:
            continue
        try:
            series = coerce_series(
                frame[column.name], column.storage, column=column, table=table.name
            )
        except MixedTypeColumnError as exc:
            issues.append(_issue("snapshot_refuses", table, column.name, exc, "the snapshot"))
            continue
        if column.name not in modelled or ConstantColumn.detect(series) is not None:
            continue  # a key, PII, or a constant the relational layer writes back itself
        try:
            _encoder_input(column, series, table.name)
        except ModelError as exc:
            issues.append(_issue("model_refuses", table, column.name, exc, "the model step"))
    return issues


def model_issues(schema: Schema, frames: Mapping[str, pd.DataFrame]) -> list[SchemaIssue]:
    """Every refusal of the snapshot typing and the model step on ``frames`` (table name ->
    rows as the source returns them), tables in schema order."""
    issues: list[SchemaIssue] = []
    for table in schema.tables:
        frame = frames.get(table.name)
        if frame is not None and len(frame):
            issues += table_issues(table, frame)
    return issues
