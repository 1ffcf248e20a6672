"""Spark session helpers: what the cluster can do (Delta, JDBC drivers), a local session.

Capabilities are detected by asking the JVM for a class, not by catching a failed write:
the decision (e.g. delta-spark vs delta-rs) is then made once, up front, and logged.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any

import structlog
from py4j.protocol import Py4JJavaError
from pyspark.sql import SparkSession

log = structlog.get_logger(__name__)

DELTA_SPARK_CLASS = "org.apache.spark.sql.delta.sources.DeltaDataSource"


def jvm_class_available(spark: SparkSession, class_name: str) -> bool:
    """Whether ``class_name`` can be loaded on the driver's classpath (incl. ``spark.jars``)."""
    return _class_available(spark.sparkContext.applicationId, spark, class_name)


@lru_cache(maxsize=64)
def _class_available(app_id: str, spark: SparkSession, class_name: str) -> bool:
    jvm: Any = spark._jvm
    loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
    try:
        jvm.java.lang.Class.forName(class_name, False, loader)
    except Py4JJavaError:
        return False
    return True


def delta_spark_available(spark: SparkSession) -> bool:
    """True when delta-spark's data source is on the cluster (its jars were configured)."""
    found = jvm_class_available(spark, DELTA_SPARK_CLASS)
    log.debug("spark.delta_spark_available", available=found)
    return found


def local_spark_session(
    cores: int = 2, app_name: str = "synthohive", extra: dict[str, str] | None = None
) -> SparkSession:
    """A ``local[cores]`` session configured for SynthoHive (tests, notebooks, benchmarks).

    Sets ``SPARK_LOCAL_IP`` to loopback (no network needed), the executors' Python to this
    interpreter, few shuffle partitions and no UI.
    """
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.sql.shuffle.partitions", str(max(2 * cores, 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    for key, value in (extra or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
