"""Whole-flow helpers for the pipeline layer: a training sample, a whole schema generated.

The Dagster layer may call the building blocks per asset instead; these two functions are
the same steps in graph order, for a job that runs a schema in one go (and for notebooks).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import structlog
from pyspark.sql import DataFrame, SparkSession

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.blocks import PiiFiller
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import Schema
from synthohive_lib.spark.children import check_child_plan
from synthohive_lib.spark.generate import generate_children_spark, generate_table_spark
from synthohive_lib.spark.read import read_table_spark
from synthohive_lib.spark.sampling import collect_sample, sample_families_spark
from synthohive_lib.spark.write import Format, SparkWriteResult, write_table_spark

log = structlog.get_logger(__name__)


def training_sample_spark(
    spark: SparkSession,
    sources: Mapping[str, str | Path],
    schema: Schema,
    *,
    max_rows: int,
    seed: int = 0,
    read_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Read every table through Spark, sample whole families, collect only the sample.

    ``sources`` maps a table to its Spark source (path, ``jdbc:`` URL or catalog name);
    ``read_options`` maps a table to extra :func:`read_table_spark` keywords (``format``,
    ``table``, ``db_schema``, ``options``).
    """
    frames: dict[str, DataFrame] = {}
    for table in schema.tables:
        if table.name not in sources:
            raise ConfigError(
                f"no Spark source for table {table.name!r}",
                table=table.name,
                fix="map every schema table to a path, jdbc: URL or catalog name",
            )
        extra = dict((read_options or {}).get(table.name, {}))
        frames[table.name] = read_table_spark(
            spark, sources[table.name], schema_table=table, **extra
        )
    return collect_sample(sample_families_spark(frames, schema, max_rows=max_rows, seed=seed))


def generate_schema_spark(
    spark: SparkSession,
    schema: Schema,
    plans: Mapping[str, TablePlan],
    model_dirs: Mapping[str, str | Path],
    *,
    root_rows: Mapping[str, int],
    seed: int,
    output_root: str | Path,
    format: Format = "parquet",
    block_rows: int | None = None,
    avoid: Collection[str] = (),
    fill_pii: PiiFiller | None = None,
) -> dict[str, SparkWriteResult]:
    """Generate and write every table in graph order (parents first), all in Spark.

    Roots get ``root_rows[table]`` rows; every other table is generated under its context
    parent's synthetic rows (kept persisted until its last child is done), and written to
    ``<output_root>/<table>``. Every plan is checked before the first job runs. ``avoid``
    and ``fill_pii`` apply to every table (see :func:`generate_table_spark`).
    """
    order = SchemaGraph(schema).generation_order()
    for name in order:
        plan = plans[name]
        if plan.context is None:
            if name not in root_rows:
                raise ConfigError(
                    f"no row count for root table {name!r}",
                    table=name,
                    fix="pass root_rows={table: n}",
                )
        else:
            check_child_plan(plan)
    children_left = {
        n: sum(1 for c in order if plans[c].context is not None and plans[c].context.parent == n)
        for n in order
    }
    live: dict[str, DataFrame] = {}
    results: dict[str, SparkWriteResult] = {}
    extra: dict[str, Any] = {} if block_rows is None else {"block_rows": block_rows}
    privacy: dict[str, Any] = {"avoid": avoid, "fill_pii": fill_pii}
    for name in order:
        plan, table = plans[name], schema.table(name)
        model = model_dirs.get(name)
        if plan.context is None:
            df = generate_table_spark(
                spark,
                model,
                root_rows[name],
                seed,
                plan=plan,
                table=table,
                keep_row_index=True,
                **extra,
                **privacy,
            )
        else:
            parent = plan.context.parent
            df = generate_children_spark(
                spark, live[parent], model, plan, seed, table=table, keep_row_index=True, **privacy
            )
            children_left[parent] -= 1
            if children_left[parent] == 0:
                live.pop(parent).unpersist()
        if children_left[name]:
            df = df.persist()
            live[name] = df
        results[name] = write_table_spark(df, f"{Path(output_root)}/{name}", format, table=name)
        log.info("spark.schema.table_written", table=name, uri=results[name].uri)
    return results
