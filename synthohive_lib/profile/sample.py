"""The rows inference looks at: drawn from across the whole table, never its first rows.

A table's first rows are its oldest (or its first-loaded) ones: a sniff of the first 10,000
rows once capped a money column at a third of its real maximum and would have squeezed a
timestamp column into its first 13 days. So :func:`sample_table` returns

* a **sample** of about ``sample_rows`` rows from across the table — chosen in the database
  with a per-row random filter (one scan, no sort) on SQL sources, or by a seeded reservoir
  over the connector's chunks elsewhere (every row equally likely, memory bounded by the
  sample) — for what only values can say (types, formats, vocabularies, PII);
* the **profile** of the whole table: its row count, the exact ``min``/``max`` of every
  ordered column (``MIN``/``MAX`` in the database, or folded over every chunk) and, when the
  whole table was streamed, which columns hold nulls.

A table no larger than ``sample_rows`` is read whole and its sample *is* the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.io.base import Connector

#: Rows per chunk when a non-SQL source is streamed to draw the sample.
STREAM_CHUNK_ROWS = 100_000


@dataclass
class TableSample:
    """A sample of one table and what is known about the whole of it."""

    frame: pd.DataFrame | None
    rows: int
    complete: bool
    #: whole-table (low, high) of ordered columns, as the source returns them
    bounds: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    #: columns holding at least one null anywhere in the table (None: not known)
    null_columns: set[str] | None = None


def _ordered(series: pd.Series) -> bool:
    dtype = series.dtype
    return (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ) or pd.api.types.is_datetime64_any_dtype(dtype)


def _fold_bounds(bounds: dict[str, tuple[Any, Any]], chunk: pd.DataFrame) -> None:
    """Widen ``bounds`` by the min/max of every ordered column of ``chunk`` (vectorised)."""
    for name in chunk.columns:
        series = chunk[name]
        if not _ordered(series) or not series.notna().any():
            continue
        low, high = series.min(), series.max()
        if name in bounds:
            old_low, old_high = bounds[name]
            low, high = min(low, old_low), max(high, old_high)
        bounds[str(name)] = (low, high)


def _stream_sample(connector: Connector, name: str, sample_rows: int, seed: int) -> TableSample:
    """A seeded bottom-k reservoir over every chunk: each row gets a random key and the
    ``sample_rows`` smallest keys are kept, so every row is equally likely whatever its
    position, and memory holds one chunk plus the sample."""
    rng = np.random.default_rng(seed)
    kept: pd.DataFrame | None = None
    kept_keys = np.empty(0)
    bounds: dict[str, tuple[Any, Any]] = {}
    nulls: set[str] = set()
    rows = 0
    for chunk in connector.iter_table(name, chunksize=max(sample_rows, STREAM_CHUNK_ROWS)):
        if not len(chunk.columns):
            continue
        rows += len(chunk)
        _fold_bounds(bounds, chunk)
        nulls |= {str(c) for c in chunk.columns[chunk.isna().any().to_numpy()]}
        keys = rng.random(len(chunk))
        pool = chunk if kept is None else pd.concat([kept, chunk], ignore_index=True)
        pool_keys = np.concatenate([kept_keys, keys])
        if len(pool) > sample_rows:
            best = np.sort(np.argpartition(pool_keys, sample_rows - 1)[:sample_rows])
            pool, pool_keys = pool.iloc[best].reset_index(drop=True), pool_keys[best]
        kept, kept_keys = pool, pool_keys
    if kept is None:
        return TableSample(None, 0, True)
    return TableSample(kept, rows, rows <= sample_rows, bounds, nulls)


def _sql_sample(connector: Any, name: str, sample_rows: int, seed: int) -> TableSample:
    rows = connector.row_count(name)
    if rows <= sample_rows:
        frame = connector.read_table(name)
        sample = TableSample(frame, rows, True)
    else:
        frame = connector.read_sample(name, sample_rows / rows, seed=seed)
        sample = TableSample(frame, rows, False)
    if not sample.complete and frame is not None and len(frame.columns):
        ordered = [str(c) for c in frame.columns if _ordered(frame[c])]
        sample.bounds = connector.column_bounds(name, ordered) if ordered else {}
    return sample


def sample_table(
    connector: Connector, name: str, sample_rows: int, *, seed: int = 0
) -> TableSample:
    """About ``sample_rows`` rows from across ``name`` and the whole table's profile (see the
    module docstring). A table without columns gives ``frame=None``."""
    sample_rows = max(1, int(sample_rows))
    if callable(getattr(connector, "read_sample", None)) and callable(
        getattr(connector, "column_bounds", None)
    ):
        out = _sql_sample(connector, name, sample_rows, seed)
    else:
        out = _stream_sample(connector, name, sample_rows, seed)
    if out.frame is not None and not len(out.frame.columns):
        out.frame = None
    return out


def text_bounds(
    connector: Connector, name: str, columns: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    """Whole-table MIN/MAX of text columns whose text sorts in time order (ISO dates), from
    the database; empty where the connector cannot ask it."""
    ask = getattr(connector, "column_bounds", None)
    columns = list(columns)
    if not callable(ask) or not columns:
        return {}
    return ask(name, columns)
