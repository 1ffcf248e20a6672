"""SynthoHive on Spark: read sources, sample families, generate and write tables at scale.

Library functions the pipeline layer calls when a table's ``engine`` is ``spark`` (this
package never imports Dagster):

* :func:`read_table_spark` — a source table (JDBC, Parquet, Delta, catalog) as a DataFrame;
* :func:`sample_families_spark` / :func:`collect_sample` — family-preserving training samples;
* :func:`generate_table_spark` / :func:`generate_children_spark` — distributed generation,
  reproducible for any partitioning, unique keys, co-partitioned children;
* :func:`write_table_spark` — atomic Parquet / Delta output (delta-spark or delta-rs);
* :func:`training_sample_spark` / :func:`generate_schema_spark` — the steps above chained
  for a whole schema;
* :func:`check_model_columns` — a Spark table checked against a saved model.

PySpark is imported by this package only; the rest of the library never needs it.
"""

from __future__ import annotations

from synthohive_lib.relational.blocks import (
    DEFAULT_BLOCK_ROWS,
    DEFAULT_PARENT_BLOCK_ROWS,
    block_seed,
)
from synthohive_lib.spark.check import check_columns_spark, check_model_columns
from synthohive_lib.spark.errors import SparkSchemaMismatchError
from synthohive_lib.spark.generate import (
    drop_internal_columns,
    generate_children_spark,
    generate_table_spark,
)
from synthohive_lib.spark.jdbc import JdbcSource, jdbc_source, redact_jdbc_url
from synthohive_lib.spark.pipeline import generate_schema_spark, training_sample_spark
from synthohive_lib.spark.read import (
    read_catalog_table_spark,
    read_delta_spark,
    read_jdbc_spark,
    read_parquet_spark,
    read_table_spark,
)
from synthohive_lib.spark.root import ROW_INDEX
from synthohive_lib.spark.sampling import (
    FamilySample,
    collect_sample,
    family_parents,
    sample_families_spark,
)
from synthohive_lib.spark.session import (
    delta_spark_available,
    jvm_class_available,
    local_spark_session,
)
from synthohive_lib.spark.write import SparkWriteResult, write_table_spark

__all__ = [
    "DEFAULT_BLOCK_ROWS",
    "DEFAULT_PARENT_BLOCK_ROWS",
    "ROW_INDEX",
    "FamilySample",
    "JdbcSource",
    "SparkSchemaMismatchError",
    "SparkWriteResult",
    "block_seed",
    "check_columns_spark",
    "check_model_columns",
    "collect_sample",
    "delta_spark_available",
    "drop_internal_columns",
    "family_parents",
    "generate_children_spark",
    "generate_schema_spark",
    "generate_table_spark",
    "jdbc_source",
    "jvm_class_available",
    "local_spark_session",
    "read_catalog_table_spark",
    "read_delta_spark",
    "read_jdbc_spark",
    "read_parquet_spark",
    "read_table_spark",
    "redact_jdbc_url",
    "sample_families_spark",
    "training_sample_spark",
    "write_table_spark",
]
