"""Big tables in one process: generated block by block and written part by part.

:func:`~synthohive_lib.relational.generate.generate_table` returns the whole table as one
DataFrame, which is what a relational run needs for ordinary tables, but it holds every row
in memory at once (about 1.2 GB per million Adult-like rows) before the store writes it.
For a table of tens of millions of rows made on one machine, :func:`write_table_chunked`
generates the rows in fixed blocks (:mod:`synthohive_lib.relational.blocks`) and streams
them into the table store (:meth:`TableStore.write_chunks
<synthohive_lib.io.store.TableStore.write_chunks>`), so peak memory is one block's, whatever
the row count, and the table appears atomically only once the last block is written.

Reproducibility: the output is a function of ``(seed, block_rows)`` only. Blocks use the same
seeds, keys and per-block steps as :func:`synthohive_lib.spark.generate_table_spark`, so for
the same seed and ``block_rows`` this single-process table equals the Spark one, row for row,
for any number of Spark partitions. It does **not** equal
:func:`~synthohive_lib.relational.generate.generate_table` for the same seed: that one-shot
call draws all rows from one random stream, which cannot be cut into pieces without holding
them all; the same seed and ``block_rows`` always give the same chunked table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

import pandas as pd
import structlog

from synthohive_lib.errors import ConfigError
from synthohive_lib.io.store import StoredTable, TableStore
from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.relational.blocks import (
    DEFAULT_BLOCK_ROWS,
    BlockPlan,
    PiiFiller,
    root_block,
)
from synthohive_lib.relational.keys import KeyFormat
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema.model import Table

log = structlog.get_logger(__name__)


def iter_table_blocks(
    plan: TablePlan | None,
    model: GenerativeModel | None,
    n_rows: int,
    seed: int,
    *,
    table: Table | None = None,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    key_offset: int = 0,
    key_column: str | None = None,
    key_format: KeyFormat | None = None,
    avoid: Collection[str] = (),
    fill_pii: PiiFiller | None = None,
    threads: int | None = 1,
) -> Iterator[pd.DataFrame]:
    """The ``n_rows`` rows of a table without parents, one block of ``block_rows`` at a time.

    Lazy: each block is made when asked for, so a consumer holding one block at a time holds
    at most ``block_rows`` rows. ``plan`` gives keys, attribute, constant and PII columns (as
    in :func:`~synthohive_lib.relational.generate.generate_table`); without a plan the model's
    columns are used as they come, plus ``key_column`` from ``key_format`` if given.
    ``avoid``/``fill_pii``: real PII forms generated text must not spell, and the privacy
    layer's filler. Zero rows give one empty block (the table's columns, no rows).

    ``threads`` sets the model's torch intra-op threads while the blocks are made (restored
    afterwards; None keeps the model's own setting). The default is 1, as in each Spark task:
    on the shared 2-core benchmark box one thread sampled about twice as many rows per wall
    second as two (which spin-wait on each other when another process holds a core).
    """
    blocks = BlockPlan(int(n_rows), int(block_rows))
    name = plan.table if plan is not None else (table.name if table is not None else None)
    if (key_column is None) != (key_format is None):
        raise ConfigError(
            "pass key_column and key_format together",
            table=name,
            fix="e.g. key_column='id', key_format=IntegerSequenceKey()",
        )
    if model is None and (plan is None or plan.attributes):
        raise ConfigError(
            "a generative model is required for a table with attribute columns",
            table=name,
            fix="pass the table's fitted model (load_model(<model dir>))",
        )
    if plan is not None and (plan.context is not None or plan.junction is not None):
        raise ConfigError(
            f"table {plan.table!r} has parents; block-by-block generation makes tables "
            "without parents only",
            table=plan.table,
            fix="generate child tables with generate_table (pandas) or generate_children_spark",
        )
    if plan is not None and (plan.secondary or plan.hierarchies):
        raise ConfigError(
            f"table {plan.table!r} has foreign keys (secondary parents or a self-reference) "
            "that need other rows of the table; block-by-block generation cannot assign them",
            table=plan.table,
            fix="generate this table with generate_table (pandas engine)",
        )
    log.info(
        "relational.chunked.start",
        table=name,
        rows=n_rows,
        blocks=blocks.n_blocks,
        block_rows=blocks.block_rows,
    )
    # checks above run now; the blocks below are made lazily, one per next()
    return _blocks(
        model,
        plan,
        blocks,
        int(seed),
        threads,
        key_offset=int(key_offset),
        key_column=key_column,
        key_format=key_format,
        table=table,
        avoid=frozenset(avoid),
        fill_pii=fill_pii,
    )


def _blocks(
    model: GenerativeModel | None,
    plan: TablePlan | None,
    blocks: BlockPlan,
    seed: int,
    threads: int | None,
    **common: Any,
) -> Iterator[pd.DataFrame]:
    config = getattr(model, "config", None)
    settable = threads is not None and hasattr(config, "num_threads")
    before = getattr(config, "num_threads", None)
    for block in range(max(blocks.n_blocks, 1)):
        if settable:  # set per block: the caller may use the model between two blocks
            config.num_threads = threads  # type: ignore[union-attr]
        try:
            rows = 0 if blocks.n_blocks == 0 else None
            yield root_block(model, plan, blocks, block, seed, rows=rows, **common)
        finally:
            if settable:
                config.num_threads = before  # type: ignore[union-attr]


def write_table_chunked(
    store: TableStore,
    stage: str,
    plan: TablePlan | None,
    model: GenerativeModel | None,
    n_rows: int,
    seed: int,
    *,
    name: str | None = None,
    table: Table | None = None,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    key_offset: int = 0,
    key_column: str | None = None,
    key_format: KeyFormat | None = None,
    avoid: Collection[str] = (),
    fill_pii: PiiFiller | None = None,
    threads: int | None = 1,
    on_block: Callable[[pd.DataFrame], None] | None = None,
) -> StoredTable:
    """Generate a table without parents block by block into ``store`` as ``stage/name``.

    Memory stays at about one block (``block_rows`` rows) plus the model, for any
    ``n_rows``; the stored table is published atomically after the last block (Parquet:
    rename; Delta: one commit), and an error in any block leaves the previous version. The
    fingerprint is that of all rows, as :meth:`TableStore.write` would compute it.
    ``name`` defaults to the plan's or the schema table's name; the other arguments are
    those of :func:`iter_table_blocks`. ``on_block`` sees each block before it is written:
    a caller that reports on the table (a preview of its first rows, progress) gets it
    without reading the table back or holding more than the block.
    """
    name = (
        name
        or (plan.table if plan is not None else None)
        or (table.name if table is not None else None)
    )
    if not name:
        raise ConfigError(
            "no table name: pass name=, a plan or a schema table",
            fix="e.g. write_table_chunked(store, 'synthetic', plan, model, n, seed)",
        )
    chunks = iter_table_blocks(
        plan,
        model,
        n_rows,
        seed,
        table=table,
        block_rows=block_rows,
        key_offset=key_offset,
        key_column=key_column,
        key_format=key_format,
        avoid=avoid,
        fill_pii=fill_pii,
        threads=threads,
    )
    if on_block is not None:
        chunks = _observed(chunks, on_block)
    stored = store.write_chunks(stage, name, chunks)
    log.info("relational.chunked.written", table=name, rows=stored.rows, uri=stored.uri)
    return stored


def _observed(
    chunks: Iterable[pd.DataFrame], on_block: Callable[[pd.DataFrame], None]
) -> Iterator[pd.DataFrame]:
    """``chunks`` unchanged, each handed to ``on_block`` first (lazily, one at a time)."""
    for chunk in chunks:
        on_block(chunk)
        yield chunk
