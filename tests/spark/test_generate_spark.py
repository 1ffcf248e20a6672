"""Distributed generation in local Spark: reproducible for any partitioning, unique keys,
children co-partitioned with their parents (no orphans), typed errors on bad input."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from pyspark.sql import functions as F

from synthohive_lib.relational.keys import UuidKey
from synthohive_lib.spark import (
    ROW_INDEX,
    SparkSchemaMismatchError,
    check_model_columns,
    generate_children_spark,
    generate_table_spark,
)

pytestmark = pytest.mark.spark


def _sorted(df: pd.DataFrame, by: str) -> pd.DataFrame:
    return df.sort_values(by).reset_index(drop=True)


def _customers(spark: Any, family: dict[str, Any], parts: int, seed: int = 7, **kw: Any):
    schema = family["schema"]
    return generate_table_spark(
        spark, family["model_dirs"]["customers"], 700, seed, plan=family["plans"]["customers"],
        table=schema.table("customers"), block_rows=100, num_partitions=parts,
        keep_row_index=True, **kw)


def test_same_seed_same_table_whatever_the_partitioning(spark: Any, family: dict) -> None:
    one = _customers(spark, family, 1).toPandas()
    four = _customers(spark, family, 4, transport="path").toPandas()
    assert len(one) == 700
    assert list(one.columns) == ["customer_id", "segment", "age", ROW_INDEX]
    pd.testing.assert_frame_equal(_sorted(one, "customer_id"), _sorted(four, "customer_id"))
    assert one["customer_id"].is_unique
    other = _customers(spark, family, 4, seed=8).toPandas()
    assert not _sorted(other, "customer_id").equals(_sorted(one, "customer_id"))


def test_explicit_key_format_is_unique_across_blocks(spark: Any, family: dict) -> None:
    df = generate_table_spark(spark, family["model_dirs"]["customers"], 450, 1,
                              key_column="uid", key_format=UuidKey(), block_rows=50,
                              num_partitions=3)
    assert df.columns[0] == "uid"
    assert df.select("uid").distinct().count() == 450


def test_children_unique_keys_no_orphans_and_reproducible(spark: Any, family: dict) -> None:
    plan, schema = family["plans"]["orders"], family["schema"]
    model = family["model_dirs"]["orders"]
    parents = _customers(spark, family, 3).cache()
    orders = generate_children_spark(spark, parents, model, plan, 7,
                                     table=schema.table("orders"), parent_block_rows=50)
    assert orders.columns == ["order_id", "customer_id", "amount", "channel"]
    n = orders.count()
    assert n > 700  # the real schema has ~2 orders per customer
    assert orders.select("order_id").distinct().count() == n
    orphans = orders.join(parents, on="customer_id", how="left_anti").count()
    assert orphans == 0
    # the same table from one parent partition, and with blocks split across partitions
    # (parent block 30 does not divide generation block 100: the parent gets repartitioned)
    single = _customers(spark, family, 1)
    again = generate_children_spark(spark, single, model, plan, 7,
                                    table=schema.table("orders"), parent_block_rows=50)
    pd.testing.assert_frame_equal(_sorted(orders.toPandas(), "order_id"),
                                  _sorted(again.toPandas(), "order_id"))
    split = generate_children_spark(spark, parents, model, plan, 7,
                                    table=schema.table("orders"), parent_block_rows=30)
    assert split.join(parents, on="customer_id", how="left_anti").count() == 0
    assert split.select("order_id").distinct().count() == split.count()
    parents.unpersist()


def test_parents_without_row_index_are_numbered_by_key(spark: Any, family: dict) -> None:
    plan = family["plans"]["orders"]
    parents = _customers(spark, family, 2).drop(ROW_INDEX)
    with_index = _customers(spark, family, 2)
    a = generate_children_spark(spark, parents, family["model_dirs"]["orders"], plan, 3)
    b = generate_children_spark(spark, with_index, family["model_dirs"]["orders"], plan, 3)
    pd.testing.assert_frame_equal(_sorted(a.toPandas(), "order_id"),
                                  _sorted(b.toPandas(), "order_id"))


def test_parent_frame_missing_context_columns_names_them(spark: Any, family: dict) -> None:
    parents = _customers(spark, family, 2).drop("segment")
    with pytest.raises(SparkSchemaMismatchError, match="segment") as info:
        generate_children_spark(spark, parents, family["model_dirs"]["orders"],
                                family["plans"]["orders"], 7)
    assert info.value.missing == ["segment"]


def test_model_schema_mismatch_names_columns(spark: Any, family: dict) -> None:
    real = family["frames"]["customers"]
    good = spark.createDataFrame(real)
    check_model_columns(good, family["model_dirs"]["customers"])
    bad = good.drop("segment").withColumn("age", F.col("age").cast("string"))
    with pytest.raises(SparkSchemaMismatchError) as info:
        check_model_columns(bad, family["model_dirs"]["customers"])
    assert info.value.missing == ["segment"]
    assert set(info.value.mismatched) == {"age"}
    assert "segment" in str(info.value) and "age" in str(info.value)
