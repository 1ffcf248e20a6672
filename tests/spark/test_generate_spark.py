"""Distributed generation in local Spark: reproducible for any partitioning, unique keys,
children co-partitioned with their parents (no orphans), typed errors on bad input."""

from __future__ import annotations

from collections.abc import Iterator
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


def test_blocks_depend_on_seed(family: dict) -> None:
    """A different run seed changes the rows (checked on one block, without Spark)."""
    from synthohive_lib.spark.artifact import model_payload
    from synthohive_lib.spark.blocks import BlockPlan
    from synthohive_lib.spark.root import RootJob

    payload = model_payload(family["model_dirs"]["customers"])
    a = RootJob(payload, BlockPlan(200, 100), seed=1).block(1)
    b = RootJob(payload, BlockPlan(200, 100), seed=2).block(1)
    assert len(a) == len(b) == 100
    assert not a.equals(b)
    pd.testing.assert_frame_equal(a, RootJob(payload, BlockPlan(200, 100), seed=1).block(1))


def test_explicit_key_format_is_unique_across_blocks(spark: Any, family: dict) -> None:
    df = generate_table_spark(spark, family["model_dirs"]["customers"], 450, 1,
                              key_column="uid", key_format=UuidKey(), block_rows=50,
                              num_partitions=3)
    assert df.columns[0] == "uid"
    assert df.select("uid").distinct().count() == 450


@pytest.fixture(scope="module")
def generated(spark: Any, family: dict) -> Iterator[dict[str, Any]]:
    """Parents (cached, 3 partitions) and their orders (cached)."""
    plan, schema = family["plans"]["orders"], family["schema"]
    parents = _customers(spark, family, 3).cache()
    orders = generate_children_spark(spark, parents, family["model_dirs"]["orders"], plan, 7,
                                     table=schema.table("orders"), parent_block_rows=50).cache()
    yield {"parents": parents, "orders": orders, "pandas": _sorted(orders.toPandas(), "order_id")}
    orders.unpersist()
    parents.unpersist()


def test_children_have_unique_keys_and_no_orphans(generated: dict) -> None:
    orders, parents = generated["orders"], generated["parents"]
    assert orders.columns == ["order_id", "customer_id", "amount", "channel"]
    n = orders.count()
    assert n > 700  # the real schema has ~2 orders per customer
    assert orders.select("order_id").distinct().count() == n
    assert orders.join(parents, on="customer_id", how="left_anti").count() == 0


def test_children_same_whatever_the_parent_partitioning(spark: Any, family: dict,
                                                        generated: dict) -> None:
    """Parents shuffled round-robin over 3 partitions split every parent block: the parent
    table is repartitioned by block (never the child) and the children come out the same."""
    shuffled = _customers(spark, family, 1).repartition(3)
    again = generate_children_spark(spark, shuffled, family["model_dirs"]["orders"],
                                    family["plans"]["orders"], 7,
                                    table=family["schema"].table("orders"),
                                    parent_block_rows=50)
    pd.testing.assert_frame_equal(generated["pandas"], _sorted(again.toPandas(), "order_id"))


def test_parents_without_row_index_are_numbered_by_key(spark: Any, family: dict,
                                                       generated: dict) -> None:
    parents = generated["parents"].drop(ROW_INDEX)
    again = generate_children_spark(spark, parents, family["model_dirs"]["orders"],
                                    family["plans"]["orders"], 7,
                                    table=family["schema"].table("orders"),
                                    parent_block_rows=50)
    pd.testing.assert_frame_equal(generated["pandas"], _sorted(again.toPandas(), "order_id"))


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
