"""Distributed generation: a saved model sampled block by block in Spark executors.

``generate_table_spark`` makes a table without parents; ``generate_children_spark`` makes a
child table under a synthetic parent DataFrame. Both

* ship the model artifact once (broadcast bytes, or a shared path; see
  :mod:`synthohive_lib.spark.artifact`) and load it once per Python worker;
* cut the rows into fixed blocks seeded by ``(seed, block)`` (:mod:`.blocks`), so the
  result is the same for any number of partitions;
* give each block its own primary-key range, so keys are unique across partitions;
* return a lazy DataFrame: nothing is collected to the driver, whose memory stays flat
  whatever the number of rows.

Blocks run through ``mapInArrow``: the same per-partition Python iterator as
``mapInPandas``, but each block is handed over as Arrow already cast to the table's fixed
schema (:mod:`.arrow`), so blocks whose pandas dtypes differ (a NULL in one block only)
cannot change the column types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator
from pathlib import Path

import pyarrow as pa
import structlog
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.blocks import (
    DEFAULT_BLOCK_ROWS,
    DEFAULT_PARENT_BLOCK_ROWS,
    BlockPlan,
    PiiFiller,
)
from synthohive_lib.relational.keys import KeyFormat, key_format_from_dict
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema.model import Table
from synthohive_lib.spark.arrow import arrow_schema_of, frame_to_batches, spark_schema_of
from synthohive_lib.spark.artifact import Transport, model_payload
from synthohive_lib.spark.blocks import partitions_for
from synthohive_lib.spark.check import check_columns_spark, col
from synthohive_lib.spark.children import (
    ChildJob,
    check_child_plan,
    iter_parent_blocks,
    parent_columns_needed,
)
from synthohive_lib.spark.root import ROW_INDEX, RootJob

log = structlog.get_logger(__name__)

_PROBE_ROWS = 256
_PROBE_SEED = 0x5EED


def generate_table_spark(
    spark: SparkSession,
    model_dir: str | Path | None,
    n_rows: int,
    seed: int,
    *,
    plan: TablePlan | None = None,
    table: Table | None = None,
    key_column: str | None = None,
    key_format: KeyFormat | dict | None = None,
    key_offset: int = 0,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    num_partitions: int | None = None,
    transport: Transport = "bytes",
    threads: int | None = 1,
    keep_row_index: bool = False,
    avoid: Collection[str] = (),
    fill_pii: PiiFiller | None = None,
) -> DataFrame:
    """``n_rows`` synthetic rows of a table without parents, as a lazy Spark DataFrame.

    ``plan`` (the table's fitted :class:`TablePlan`) supplies the primary-key formats and the
    attribute/PII columns; without one, ``key_column`` + ``key_format`` add a single key (or
    no key at all). ``table`` orders the columns as in the schema. ``keep_row_index`` adds
    the hidden ``_synthohive_row`` column children need (see :func:`generate_children_spark`;
    :func:`~synthohive_lib.spark.write.write_table_spark` drops it). ``model_dir`` may be
    None only for a table with no attribute columns. As in the pandas path, ``avoid`` (real
    PII forms, with ``table``) keeps generated free text from spelling a real value, and
    ``fill_pii(table, frame, rng)`` (picklable) fills PII columns, otherwise left NULL.
    """
    blocks = BlockPlan(n_rows, block_rows)
    if isinstance(key_format, dict):
        key_format = key_format_from_dict(key_format)
    if (key_column is None) != (key_format is None):
        raise ConfigError(
            "pass key_column and key_format together",
            fix="e.g. key_column='id', key_format=IntegerSequenceKey()",
        )
    if model_dir is None and (plan is None or plan.attributes):
        raise ConfigError(
            "model_dir is required for a table with attribute columns",
            table=None if plan is None else plan.table,
            fix="pass the directory written by model.save()",
        )
    payload = None if model_dir is None else model_payload(model_dir, transport, threads)
    job = RootJob(
        payload=payload,
        blocks=blocks,
        seed=int(seed),
        key_offset=int(key_offset),
        plan_state=None if plan is None else plan.to_dict(),
        key_column=key_column,
        key_format=key_format,
        table=table,
        avoid=frozenset(avoid),
        fill_pii=fill_pii,
        keep_row_index=keep_row_index,
    )
    probe = job.block(0, rows=min(_PROBE_ROWS, max(n_rows, 1)), stream_seed=_PROBE_SEED)
    arrow_schema = arrow_schema_of(probe)
    shared = spark.sparkContext.broadcast(job)
    parts = partitions_for(blocks.n_blocks, num_partitions, spark.sparkContext.defaultParallelism)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        work: RootJob = shared.value
        for batch in batches:
            for block in batch.column(0).to_pylist():
                yield from frame_to_batches(work.block(int(block)), arrow_schema)

    log.info(
        "spark.generate.table",
        table=None if plan is None else plan.table,
        rows=n_rows,
        blocks=blocks.n_blocks,
        partitions=parts,
        transport=transport,
    )
    ids = spark.range(0, blocks.n_blocks, 1, numPartitions=parts)
    return ids.mapInArrow(run, spark_schema_of(arrow_schema))


def generate_children_spark(
    spark: SparkSession,
    parents: DataFrame,
    model_dir: str | Path | None,
    plan: TablePlan,
    seed: int,
    *,
    table: Table | None = None,
    key_offset: int = 0,
    parent_block_rows: int = DEFAULT_PARENT_BLOCK_ROWS,
    transport: Transport = "bytes",
    threads: int | None = 1,
    keep_row_index: bool = False,
    avoid: Collection[str] = (),
    fill_pii: PiiFiller | None = None,
) -> DataFrame:
    """The child table of ``plan`` under the synthetic ``parents``, co-partitioned with them.

    Each partition makes the children of the parents it holds: counts per parent from the
    plan's cardinality model, the parent keys carried into the foreign-key columns, child
    attributes sampled given the parent rows (context). Every foreign key therefore resolves
    and the child table is never shuffled. ``parents`` should be cached or read from storage
    (it is scanned twice: once to count children per block for the key offsets, once to
    generate); it needs the columns the plan reads and, ideally, ``_synthohive_row`` (from
    ``keep_row_index=True``) — without it rows are numbered by sorting on the parent key,
    which shuffles the parent table (never the child). ``avoid``/``fill_pii``: as in
    :func:`generate_table_spark`.
    """
    check_child_plan(plan)
    rel = plan.context
    assert rel is not None
    if parent_block_rows <= 0:
        raise ConfigError(
            f"parent_block_rows must be > 0, got {parent_block_rows}",
            table=plan.table,
            fix="use e.g. 10000",
        )
    needed = parent_columns_needed(plan)
    check_columns_spark(
        parents, needed, table=rel.parent, what=f"the plan of child table {plan.table!r}"
    )
    if plan.attributes and model_dir is None:
        raise ConfigError(
            "model_dir is required for a table with attribute columns",
            table=plan.table,
            fix="pass the directory written by model.save()",
        )
    if ROW_INDEX not in parents.columns:
        parents = _number_rows(parents, list(rel.parent_columns), plan.table)
    source = parents.select(*[col(c) for c in needed], ROW_INDEX)
    payload = None if model_dir is None else model_payload(model_dir, transport, threads)
    job = ChildJob(
        payload=payload,
        plan_state=plan.to_dict(),
        seed=int(seed),
        parent_block_rows=parent_block_rows,
        key_offset=int(key_offset),
        table=table,
        avoid=frozenset(avoid),
        fill_pii=fill_pii,
        keep_row_index=keep_row_index,
    )

    source, sizes = _count_blocks(spark, source, job)
    offsets, total = {}, 0
    for block in sorted(sizes):
        offsets[block] = total
        total += sizes[block]
    job = dataclasses.replace(job, offsets=offsets)

    probe_parents = source.limit(min(_PROBE_ROWS, 64)).toPandas()
    probe = job.block(
        0, probe_parents.drop(columns=[ROW_INDEX]), stream_seed=_PROBE_SEED, probe=True
    )
    arrow_schema = arrow_schema_of(probe)
    shared = spark.sparkContext.broadcast(job)
    block_rows = parent_block_rows

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        work: ChildJob = shared.value
        for block, rows in iter_parent_blocks(batches, block_rows):
            yield from frame_to_batches(work.block(block, rows), arrow_schema)

    log.info(
        "spark.generate.children",
        table=plan.table,
        parent=rel.parent,
        rows=total,
        parent_blocks=len(sizes),
        transport=transport,
    )
    return source.sortWithinPartitions(ROW_INDEX).mapInArrow(run, spark_schema_of(arrow_schema))


def _count_blocks(
    spark: SparkSession, source: DataFrame, job: ChildJob
) -> tuple[DataFrame, dict[int, int]]:
    """Children per parent block (a cheap pass: cardinality draws only, no model).

    Each block must sit in one partition (true for parents from ``generate_table_spark``
    when its block size is a multiple of ``parent_block_rows``); if a block is found split,
    the *parent* table is repartitioned by block once and counted again.
    """
    pieces = _count_pass(source, job)
    seen: dict[int, int] = {}
    split = False
    for block, _, _ in pieces:
        split = split or block in seen
        seen[block] = seen.get(block, 0) + 1
    if split:
        log.warning(
            "spark.generate.parent_blocks_split",
            table=job.plan.table,
            action="repartitioning the parent table by block (the child is not shuffled)",
        )
        parts = max(1, min(len(seen), spark.sparkContext.defaultParallelism * 2))
        source = source.repartition(parts, F.floor(F.col(ROW_INDEX) / job.parent_block_rows))
        pieces = _count_pass(source, job)
    return source, {block: children for block, _, children in pieces}


def _count_pass(source: DataFrame, job: ChildJob) -> list[tuple[int, int, int]]:
    block_rows = job.parent_block_rows
    job = dataclasses.replace(job, payload=None)  # counting needs no model: ship none
    schema = pa.schema([("block", pa.int64()), ("parents", pa.int64()), ("children", pa.int64())])

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for block, rows in iter_parent_blocks(batches, block_rows):
            counts, n_null = job.counts(block, rows.drop(columns=[ROW_INDEX]))
            yield pa.RecordBatch.from_pylist(
                [{"block": block, "parents": len(rows), "children": int(counts.sum()) + n_null}],
                schema=schema,
            )

    rows = source.sortWithinPartitions(ROW_INDEX).mapInArrow(run, spark_schema_of(schema))
    return [(int(r["block"]), int(r["parents"]), int(r["children"])) for r in rows.collect()]


def _number_rows(parents: DataFrame, key: list[str], table: str) -> DataFrame:
    """Add ``_synthohive_row`` by sorting on the parent key (shuffles the parent only)."""
    log.warning(
        "spark.generate.numbering_parents",
        table=table,
        key=key,
        reason="parents carry no _synthohive_row; sorting them by key",
    )
    ordered = parents.orderBy(*key)
    schema = ordered.schema.add(ROW_INDEX, "long", nullable=False)
    rdd = ordered.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1]))
    return ordered.sparkSession.createDataFrame(rdd, schema)


def drop_internal_columns(df: DataFrame) -> DataFrame:
    """``df`` without the hidden ``_synthohive_*`` columns."""
    from synthohive_lib.spark.root import INTERNAL_PREFIX

    return df.drop(*[c for c in df.columns if c.startswith(INTERNAL_PREFIX)])
