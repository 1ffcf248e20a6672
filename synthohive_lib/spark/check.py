"""Checks that a Spark DataFrame has what a model or plan expects, before any job runs.

A mismatch found inside an executor surfaces as a Python traceback wrapped in a Java stack
trace, minutes into a job; found here it is one typed error naming every missing column and
every column of the wrong kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from synthohive_lib.models.persistence import Artifact
from synthohive_lib.spark.errors import SparkSchemaMismatchError

# which Spark types can hold each transformer column kind
_KIND_TYPES: dict[str, tuple[type[T.DataType], ...]] = {
    "continuous": (T.NumericType,),
    "integer": (T.NumericType,),
    "boolean": (T.BooleanType, T.NumericType),
    "datetime": (T.TimestampType, T.TimestampNTZType, T.DateType, T.StringType),
    "categorical": (T.AtomicType,),
    "text": (T.StringType,),
}


def col(name: str) -> Column:
    """A column by its exact name (back-quoted: dots, spaces and quotes are not parsed)."""
    return F.col(f"`{name.replace('`', '``')}`")


def check_columns_spark(
    df: DataFrame, required: Sequence[str], *, table: str | None = None, what: str = "the model"
) -> None:
    """Raise :class:`SparkSchemaMismatchError` naming the ``required`` columns ``df`` lacks."""
    present = set(df.columns)
    missing = [c for c in required if c not in present]
    if missing:
        raise SparkSchemaMismatchError(
            f"the Spark table lacks column(s) {missing} needed by {what}; it has {df.columns}",
            missing=missing,
            table=table,
            fix="select/rename the columns in the source, or refit on the current table",
        )


def check_model_columns(df: DataFrame, model_dir: str | Path, *, table: str | None = None) -> None:
    """Compare ``df`` with the columns (and their kinds) a saved model was trained on.

    Every missing column and every column whose Spark type cannot hold the model's kind
    (e.g. text where the model learnt numbers) is named in one error.
    """
    manifest = Artifact(model_dir).manifest
    specs = manifest.get("column_specs") or []
    table = table or manifest.get("table")
    types = {f.name: f.dataType for f in df.schema.fields}
    missing = [s["name"] for s in specs if s["name"] not in types]
    mismatched: dict[str, tuple[str, str]] = {}
    for spec in specs:
        found = types.get(spec["name"])
        allowed = _KIND_TYPES.get(str(spec.get("kind")))
        if found is not None and allowed is not None and not isinstance(found, allowed):
            mismatched[spec["name"]] = (str(spec["kind"]), found.simpleString())
    if missing or mismatched:
        parts = []
        if missing:
            parts.append(f"missing column(s) {missing}")
        if mismatched:
            parts.append(
                "wrong type(s) "
                + ", ".join(
                    f"{c}: model expects {e}, table has {f}" for c, (e, f) in mismatched.items()
                )
            )
        raise SparkSchemaMismatchError(
            f"the Spark table does not match the model: {'; '.join(parts)}",
            missing=missing,
            mismatched=mismatched,
            table=table,
            fix="fix the source columns/types, or refit the model on the current table",
        )
