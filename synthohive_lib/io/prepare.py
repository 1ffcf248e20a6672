"""Check the frames handed to ``write_schema`` against the schema, before anything is written.

Every writer (SQL, CSV/Parquet, Delta) calls :func:`prepare_frames` first, so a missing table,
a missing or undeclared column, or a value that does not fit its declared type is reported
with the table and column named, and nothing is touched at the destination.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io.dtypes import coerce_frame
from synthohive_lib.schema.model import Schema, StorageType


def prepare_frames(
    schema: Schema, frames: Mapping[str, pd.DataFrame], *, source: str
) -> dict[str, pd.DataFrame]:
    """Every schema table's frame, with exactly the declared columns, typed per storage."""
    missing = [t for t in schema.table_names if t not in frames]
    if missing:
        raise ConnectorError(
            f"no data given for table(s) {missing}; got {sorted(frames)}",
            fix="pass one DataFrame per schema table",
        )
    out: dict[str, pd.DataFrame] = {}
    for table in schema.tables:
        frame = frames[table.name]
        absent = [c for c in table.column_names if c not in frame.columns]
        extra = [c for c in frame.columns if not table.has_column(c)]
        if absent or extra:
            raise ConnectorError(
                f"the frame for table {table.name!r} does not match the schema: "
                f"missing columns {absent}, undeclared columns {extra}",
                table=table.name,
                fix="select the schema's columns, or update schema.yaml",
            )
        typed = coerce_frame(
            frame[table.column_names].reset_index(drop=True),
            table,
            source=f"data for {source}",
        )
        for column in table.columns:
            numeric = column.storage in (StorageType.FLOAT, StorageType.DECIMAL)
            if numeric and column.decimals is not None:
                # ``decimals`` is what every sink keeps, whether or not it rounds by itself
                typed[column.name] = typed[column.name].round(column.decimals)
        out[table.name] = typed
    return out
