"""Arrow schemas for generated blocks: one fixed schema per table, whatever a block holds.

Spark needs the output schema of a Python generator before any block runs, and every block
must match it exactly. Blocks are pandas frames whose dtypes can drift (an integer column with
a NULL in one block only, a categorical, an all-NULL PII column), so the schema is taken
once from a small probe block on the driver, normalised (no null/dictionary/large types,
microsecond timestamps) and every block is cast to it.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from pyspark.sql.types import StructType


def _normal_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_null(t):
        return pa.string()  # an all-NULL column (e.g. PII left empty) is text
    if pa.types.is_dictionary(t):
        return _normal_type(t.value_type)
    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_binary(t):
        return pa.binary()
    if pa.types.is_timestamp(t):
        return pa.timestamp("us", tz=t.tz)
    if pa.types.is_date64(t):
        return pa.date32()
    return t


def arrow_schema_of(frame: pd.DataFrame) -> pa.Schema:
    """The normalised Arrow schema of ``frame`` (see module docstring)."""
    raw = pa.Schema.from_pandas(frame, preserve_index=False)
    return pa.schema([pa.field(f.name, _normal_type(f.type), nullable=True) for f in raw])


def spark_schema_of(schema: pa.Schema) -> StructType:
    """The Spark schema of an Arrow schema; naive timestamps stay naive (TIMESTAMP_NTZ)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema, prefer_timestamp_ntz=True)


def frame_to_batches(
    frame: pd.DataFrame, schema: pa.Schema, max_rows: int = 10_000
) -> list[pa.RecordBatch]:
    """``frame`` cast to ``schema`` (columns selected by name) as record batches."""
    table = pa.Table.from_pandas(frame[schema.names], preserve_index=False)
    return table.cast(schema, safe=False).to_batches(max_chunksize=max_rows)
