"""Block planning, per-block seeds and parent-block buffering (no Spark session needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.blocks import BlockPlan, block_seed, key_seed
from synthohive_lib.spark.blocks import partitions_for
from synthohive_lib.spark.children import iter_parent_blocks
from synthohive_lib.spark.root import ROW_INDEX


def test_blocks_cover_rows_once() -> None:
    plan = BlockPlan(1_001, 100)
    assert plan.n_blocks == 11
    assert sum(plan.size(b) for b in range(plan.n_blocks)) == 1_001
    assert plan.size(10) == 1 and plan.start(10) == 1_000
    assert BlockPlan(0, 100).n_blocks == 0
    with pytest.raises(ConfigError):
        BlockPlan(10, 0)


def test_block_seeds_depend_on_seed_stream_and_block_only() -> None:
    seeds = {block_seed(s, b, st) for s in range(3) for b in range(50) for st in (1, 2)}
    assert len(seeds) == 300  # no collision between neighbouring seeds/blocks/streams
    assert block_seed(7, 3, 1) == block_seed(7, 3, 1)
    assert 0 <= key_seed(7) < 2**63


def test_partitions_never_exceed_blocks() -> None:
    assert partitions_for(3, 10, 2) == 3
    assert partitions_for(100, None, 2) == 4
    assert partitions_for(0, None, 2) == 1


def test_parent_blocks_are_reassembled_across_batches() -> None:
    rows = np.arange(25, dtype=np.int64)
    frame = pd.DataFrame({ROW_INDEX: rows, "v": rows * 10})
    batches = [
        pa.RecordBatch.from_pandas(frame.iloc[a:b], preserve_index=False)
        for a, b in ((0, 7), (7, 8), (8, 25))
    ]
    blocks = list(iter_parent_blocks(batches, 10))
    assert [b for b, _ in blocks] == [0, 1, 2]
    assert [len(f) for _, f in blocks] == [10, 10, 5]
    assert blocks[1][1]["v"].tolist() == list(range(100, 200, 10))
