"""Reading source tables into Spark: Parquet and Delta paths, catalog tables, JDBC.

Every reader fails early with a typed error naming what is wrong: a path that does not
exist (:class:`SourceUnreachableError` naming it), a missing JDBC driver, a table lacking
the schema's columns (:class:`SparkSchemaMismatchError` naming them). Names are validated
and quoted, never pasted into SQL text (:mod:`.jdbc`; catalog names are back-quoted).

Delta without delta-spark: the current snapshot's files are listed by delta-rs
(``DeltaTable(path).file_uris()``) and read by Spark as Parquet. That is exact for tables
without partition columns, deletion vectors or column mapping; tables using those features
are refused with a clear message rather than read wrongly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import structlog
from py4j.protocol import Py4JJavaError
from pyspark.errors import AnalysisException, PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.pandas.types import from_arrow_schema

from synthohive_lib.errors import ConnectorError, SourceUnreachableError
from synthohive_lib.schema.model import Table
from synthohive_lib.spark.check import check_columns_spark, col
from synthohive_lib.spark.fs import HadoopFs, normalize_uri
from synthohive_lib.spark.jdbc import JdbcSource, jdbc_source
from synthohive_lib.spark.session import delta_spark_available, jvm_class_available

log = structlog.get_logger(__name__)

SOURCE_FORMATS = ("parquet", "delta", "table", "jdbc")
_UNSUPPORTED_DELTA_FEATURES = {"deletionVectors", "columnMapping"}


def read_table_spark(
    spark: SparkSession,
    source: str | Path,
    *,
    format: str | None = None,
    table: str | None = None,
    db_schema: str | None = None,
    options: Mapping[str, object] | None = None,
    schema_table: Table | None = None,
) -> DataFrame:
    """One source table as a Spark DataFrame.

    ``source`` is a JDBC URL (``jdbc:...``, with ``table`` and optional ``db_schema``), a
    catalog table name (``format="table"``; ``"db.table"``), or a Parquet/Delta path (the
    format is detected from ``_delta_log`` unless given). With ``schema_table`` the result
    is checked to hold the schema's columns and narrowed to them, in schema order.
    """
    text = str(source)
    fmt = format or _detect(spark, text)
    if fmt == "jdbc":
        if table is None:
            raise ConnectorError("a JDBC source needs table=", fix="pass the table name")
        df = read_jdbc_spark(spark, jdbc_source(text, table, db_schema=db_schema, options=options))
    elif fmt == "table":
        df = read_catalog_table_spark(spark, text)
    elif fmt == "delta":
        df = read_delta_spark(spark, text)
    elif fmt == "parquet":
        df = read_parquet_spark(spark, text)
    else:
        raise ConnectorError(
            f"unknown Spark source format {fmt!r}", fix=f"use one of {list(SOURCE_FORMATS)}"
        )
    if schema_table is not None:
        check_columns_spark(
            df,
            schema_table.column_names,
            table=schema_table.name,
            what=f"the schema of table {schema_table.name!r}",
        )
        df = df.select(*[col(c) for c in schema_table.column_names])
    return df


def _detect(spark: SparkSession, source: str) -> str:
    if source.startswith("jdbc:"):
        return "jdbc"
    uri = normalize_uri(source)
    fs = HadoopFs(spark, uri)
    _require(fs, uri)
    return "delta" if fs.exists(uri.rstrip("/") + "/_delta_log") else "parquet"


def _require(fs: HadoopFs, uri: str) -> None:
    if not fs.exists(uri):
        raise SourceUnreachableError(
            f"Spark source path {uri} does not exist",
            fix="check the path (and that the cluster can reach it)",
        )


def read_parquet_spark(spark: SparkSession, path: str | Path) -> DataFrame:
    """A Parquet file or folder of Parquet files."""
    uri = normalize_uri(path)
    _require(HadoopFs(spark, uri), uri)
    return spark.read.parquet(uri)


def read_delta_spark(spark: SparkSession, path: str | Path) -> DataFrame:
    """A Delta table's current version, through delta-spark or delta-rs' file list."""
    uri = normalize_uri(path)
    fs = HadoopFs(spark, uri)
    _require(fs, uri)
    if not fs.exists(uri.rstrip("/") + "/_delta_log"):
        raise SourceUnreachableError(
            f"{uri} is not a Delta table (no _delta_log)", fix="point at the Delta table's folder"
        )
    if delta_spark_available(spark):
        log.info("spark.read.delta", path="delta-spark", uri=uri)
        return spark.read.format("delta").load(uri)
    from deltalake import DeltaTable

    dt = DeltaTable(uri)
    features = set(dt.protocol().reader_features or []) & _UNSUPPORTED_DELTA_FEATURES
    partitions = list(dt.metadata().partition_columns)
    if features or partitions:
        what = sorted(features) + ([f"partition columns {partitions}"] if partitions else [])
        raise ConnectorError(
            f"Delta table {uri} uses {what}, which cannot be read without delta-spark",
            fix="add delta-spark's jars to the cluster (spark.jars.packages), or rewrite the "
            "table without these features",
        )
    files = dt.file_uris()
    log.info(
        "spark.read.delta",
        path="delta-rs file list",
        uri=uri,
        files=len(files),
        version=dt.version(),
    )
    if not files:
        schema = from_arrow_schema(dt.schema().to_arrow(), prefer_timestamp_ntz=True)
        return spark.createDataFrame([], schema)
    return spark.read.parquet(*files)


def read_catalog_table_spark(spark: SparkSession, name: str | Sequence[str]) -> DataFrame:
    """A table of the Spark catalog (Hive metastore, Unity, ...), by name.

    A string is split on dots (``db.table``); pass a sequence of parts when a part itself
    contains a dot. Each part is back-quoted, so no name is parsed as SQL.
    """
    parts = name.split(".") if isinstance(name, str) else list(name)
    if not parts or any(not isinstance(p, str) or not p or "\x00" in p for p in parts):
        raise ConnectorError(
            f"invalid catalog table name {name!r}", fix="use 'table' or 'database.table'"
        )
    quoted = ".".join(f"`{p.replace('`', '``')}`" for p in parts)
    try:
        exists = spark.catalog.tableExists(quoted)
    except (AnalysisException, PySparkException) as exc:
        raise SourceUnreachableError(
            f"cannot look up catalog table {quoted}: {exc}", table=parts[-1]
        ) from exc
    if not exists:
        raise SourceUnreachableError(
            f"catalog table {quoted} does not exist",
            table=parts[-1],
            fix="check spark.catalog.listTables()",
        )
    return spark.read.table(quoted)


def read_jdbc_spark(spark: SparkSession, source: JdbcSource) -> DataFrame:
    """A JDBC table (see :func:`~synthohive_lib.spark.jdbc.jdbc_source`)."""
    if not jvm_class_available(spark, source.driver):
        raise ConnectorError(
            f"JDBC driver {source.driver} is not on the Spark classpath for {source.describe()}",
            table=source.table,
            fix="add the driver jar to spark.jars (or spark.jars.packages) when building the "
            "session",
        )
    reader = (
        spark.read.format("jdbc")
        .option("url", source.url)
        .option("dbtable", source.dbtable)
        .option("driver", source.driver)
    )
    for key, value in source.options.items():
        reader = reader.option(key, value)
    try:
        df = reader.load()
    except (AnalysisException, PySparkException, Py4JJavaError) as exc:
        message = str(exc).replace(source.url, "<url>").splitlines()[0][:300]
        raise SourceUnreachableError(
            f"cannot read {source.describe()}: {message}",
            table=source.table,
            fix="check the URL, credentials and table name",
        ) from exc
    log.info("spark.read.jdbc", source=source.describe())
    return df
