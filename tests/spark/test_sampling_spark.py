"""Family-preserving training samples drawn in Spark."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from synthohive_lib.errors import ConfigError
from synthohive_lib.spark import collect_sample, sample_families_spark

from .conftest import family_frames, family_schema

pytestmark = pytest.mark.spark


def test_sampled_parents_keep_all_their_children(spark: Any) -> None:
    frames = family_frames()
    schema = family_schema(frames)
    sdfs = {n: spark.createDataFrame(f) for n, f in frames.items()}
    sample = sample_families_spark(sdfs, schema, max_rows=200, seed=3)
    rate = 200 / len(frames["orders"])
    assert sample.rates == {"customers": pytest.approx(rate), "orders": pytest.approx(rate)}
    got = collect_sample(sample)
    customers, orders = got["customers"], got["orders"]
    assert 0 < len(customers) < len(frames["customers"])
    # children only through sampled parents, and every child of a sampled parent
    assert orders["customer_id"].isin(customers["customer_id"]).all()
    expected = frames["orders"][frames["orders"]["customer_id"].isin(customers["customer_id"])]
    assert sorted(orders["order_id"]) == sorted(expected["order_id"])
    # the same sample whatever the partitioning of the inputs
    again = sample_families_spark({n: d.repartition(3) for n, d in sdfs.items()}, schema,
                                  max_rows=200, seed=3, counts={n: len(f) for n, f in
                                                                frames.items()})
    again_customers = again.frames["customers"].toPandas()
    pd.testing.assert_frame_equal(
        customers.sort_values("customer_id").reset_index(drop=True),
        again_customers.sort_values("customer_id").reset_index(drop=True))


def test_small_families_are_kept_whole(spark: Any) -> None:
    frames = family_frames(50)
    schema = family_schema(frames)
    sdfs = {n: spark.createDataFrame(f) for n, f in frames.items()}
    sample = sample_families_spark(sdfs, schema, max_rows=10_000)
    assert sample.rates == {"customers": 1.0, "orders": 1.0}
    assert sample.frames["orders"] is sdfs["orders"]
    with pytest.raises(ConfigError, match="max_rows"):
        sample_families_spark(sdfs, schema, max_rows=0)
    with pytest.raises(ConfigError, match="orders"):
        sample_families_spark({"customers": sdfs["customers"]}, schema, max_rows=10)
