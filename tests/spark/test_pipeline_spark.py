"""The chained helpers: a training sample from Spark sources, a whole schema written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable

from synthohive_lib.spark import generate_schema_spark, read_table_spark, training_sample_spark

from .conftest import family_frames

pytestmark = pytest.mark.spark


def test_training_sample_from_parquet_sources(spark: Any, family: dict, tmp_path: Path) -> None:
    frames = family_frames()
    sources = {}
    for name, frame in frames.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
        sources[name] = tmp_path / f"{name}.parquet"
    sample = training_sample_spark(spark, sources, family["schema"], max_rows=200, seed=1)
    assert set(sample) == {"customers", "orders"}
    assert sample["orders"]["customer_id"].isin(sample["customers"]["customer_id"]).all()
    assert len(sample["customers"]) < len(frames["customers"])


def test_whole_schema_generated_and_written_as_delta(spark: Any, family: dict,
                                                     tmp_path: Path) -> None:
    results = generate_schema_spark(
        spark, family["schema"], family["plans"], family["model_dirs"],
        root_rows={"customers": 400}, seed=11, output_root=tmp_path, format="delta",
        block_rows=100)
    assert {r.engine for r in results.values()} == {"delta-rs"}
    customers = read_table_spark(spark, tmp_path / "customers")
    orders = read_table_spark(spark, tmp_path / "orders")
    assert customers.count() == 400
    assert "_synthohive_row" not in orders.columns
    assert orders.join(customers, on="customer_id", how="left_anti").count() == 0
    assert DeltaTable(str(tmp_path / "orders")).to_pandas()["order_id"].is_unique
