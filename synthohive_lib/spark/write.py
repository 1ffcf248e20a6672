"""Writing synthetic tables from Spark, atomically, as Parquet or Delta.

Parquet
    Spark writes the whole table into a hidden staging directory next to the target; only
    when every partition succeeded is the staging directory renamed into place (an existing
    table is first moved aside and removed after the swap). A partition that fails mid-write
    fails the job before the rename, the staging directory is deleted, and the target is
    untouched: readers never see half a table.

Delta
    With delta-spark's jars on the cluster, Spark writes the Delta table itself (one Delta
    transaction). Without them (detected, see :func:`delta_spark_available`), Spark writes
    Parquet to staging as above and delta-rs (``deltalake``) then streams those files into
    one Delta commit on the driver, batch by batch (the driver's memory stays flat). Either
    way a failed write commits nothing: the table keeps its previous version. Which path ran
    is logged (``spark.write.delta``, ``path=delta-spark|delta-rs``) and returned.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.dataset as ds
import structlog
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession

from synthohive_lib.errors import ConnectorError
from synthohive_lib.spark.fs import HadoopFs, normalize_uri, sibling
from synthohive_lib.spark.root import INTERNAL_PREFIX
from synthohive_lib.spark.session import delta_spark_available

log = structlog.get_logger(__name__)

Format = Literal["parquet", "delta"]
Mode = Literal["overwrite", "error"]


@dataclass(frozen=True)
class SparkWriteResult:
    """Where a table went, how (``engine``: spark, delta-spark or delta-rs) and its rows."""

    uri: str
    format: str
    engine: str
    rows: int | None


def write_table_spark(
    df: DataFrame,
    uri: str | Path,
    format: Format = "parquet",
    *,
    mode: Mode = "overwrite",
    keep_internal: bool = False,
    table: str | None = None,
) -> SparkWriteResult:
    """Write ``df`` to ``uri`` atomically as ``format`` (see module docstring).

    ``mode="error"`` refuses an existing target; ``"overwrite"`` replaces it (Delta: a new
    version, history kept). Hidden ``_synthohive_*`` columns are dropped unless
    ``keep_internal``.
    """
    if mode not in ("overwrite", "error"):
        raise ConnectorError(
            f"write mode {mode!r} is not supported", table=table, fix="use 'overwrite' or 'error'"
        )
    if not keep_internal:
        df = df.drop(*[c for c in df.columns if c.startswith(INTERNAL_PREFIX)])
    target = normalize_uri(uri)
    spark = df.sparkSession
    fs = HadoopFs(spark, target)
    if format == "parquet":
        _refuse_existing(fs, target, mode, table)
        _write_parquet_atomic(spark, fs, df, target, table)
        result = SparkWriteResult(target, "parquet", "spark", None)
    elif format == "delta":
        result = _write_delta(spark, fs, df, target, mode, table)
    else:
        raise ConnectorError(
            f"unknown output format {format!r}", table=table, fix="use 'parquet' or 'delta'"
        )
    log.info(
        "spark.write.done", uri=target, format=result.format, engine=result.engine, table=table
    )
    return result


def _refuse_existing(fs: HadoopFs, target: str, mode: str, table: str | None) -> None:
    if mode == "error" and fs.exists(target):
        raise ConnectorError(
            f"{target} already exists", table=table, fix="pass mode='overwrite' or write elsewhere"
        )


def _write_staging(
    spark: SparkSession, fs: HadoopFs, df: DataFrame, staging: str, table: str | None
) -> None:
    """All partitions into ``staging``; on any failure the staging directory is removed."""
    conf = spark.conf
    before = conf.get("spark.sql.parquet.outputTimestampType")
    conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")  # not legacy INT96
    try:
        df.write.mode("error").parquet(staging)
    except (PySparkException, OSError) as exc:
        fs.delete(staging)
        raise ConnectorError(
            f"writing {staging} failed; nothing was published: {_first_line(exc)}",
            table=table,
            fix="see the executor error above; the target is unchanged",
        ) from exc
    finally:
        if before is not None:
            conf.set("spark.sql.parquet.outputTimestampType", before)


def _write_parquet_atomic(
    spark: SparkSession, fs: HadoopFs, df: DataFrame, target: str, table: str | None
) -> None:
    tag = uuid.uuid4().hex[:12]
    staging = sibling(target, "staging", tag)
    _write_staging(spark, fs, df, staging, table)
    backup = sibling(target, "old", tag)
    moved = fs.exists(target) and fs.rename(target, backup)
    if not fs.rename(staging, target):
        if moved:
            fs.rename(backup, target)
        fs.delete(staging)
        raise ConnectorError(
            f"could not move the new table into {target}",
            table=table,
            fix="check permissions of the output folder; the old table is kept",
        )
    if moved:
        fs.delete(backup)


def _write_delta(
    spark: SparkSession, fs: HadoopFs, df: DataFrame, target: str, mode: str, table: str | None
) -> SparkWriteResult:
    if delta_spark_available(spark):
        log.info("spark.write.delta", path="delta-spark", uri=target, table=table)
        try:
            df.write.format("delta").mode(mode).save(target)
        except PySparkException as exc:
            raise ConnectorError(
                f"Delta write to {target} failed; no version was committed: {_first_line(exc)}",
                table=table,
                fix="see the executor error above",
            ) from exc
        return SparkWriteResult(target, "delta", "delta-spark", None)
    log.info(
        "spark.write.delta",
        path="delta-rs",
        uri=target,
        table=table,
        reason="delta-spark jars not on the cluster: Spark writes Parquet to staging, "
        "delta-rs commits it",
    )
    _refuse_existing(fs, target + "/_delta_log", mode, table)
    staging = sibling(target, "staging", uuid.uuid4().hex[:12])
    _write_staging(spark, fs, df, staging, table)
    try:
        rows = _commit_with_delta_rs(staging, target, mode, table)
    finally:
        fs.delete(staging)
    return SparkWriteResult(target, "delta", "delta-rs", rows)


def _commit_with_delta_rs(staging: str, target: str, mode: str, table: str | None) -> int:
    """Stream the staged Parquet files into one Delta commit (bounded driver memory)."""
    from deltalake import write_deltalake
    from deltalake.exceptions import DeltaError

    data = ds.dataset(staging, format="parquet")
    schema = pa.schema([pa.field(f.name, f.type, nullable=True) for f in data.schema])
    counted = {"rows": 0}

    def batches() -> pa.RecordBatchReader:
        def gen():  # type: ignore[no-untyped-def]
            for batch in data.to_batches(batch_size=65_536):
                counted["rows"] += batch.num_rows
                yield batch.cast(schema)

        return pa.RecordBatchReader.from_batches(schema, gen())

    try:
        write_deltalake(
            target,
            batches(),
            mode="overwrite" if mode == "overwrite" else "error",
            schema_mode="overwrite" if mode == "overwrite" else None,
        )
    except (DeltaError, OSError, pa.ArrowException) as exc:
        raise ConnectorError(
            f"delta-rs commit to {target} failed; no version was committed: {exc}",
            table=table,
            fix="check the path is writable",
        ) from exc
    return counted["rows"]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:500] if text else type(exc).__name__
