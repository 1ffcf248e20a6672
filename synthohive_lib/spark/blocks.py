"""Row blocks on Spark: the block plan and seeds (shared with the single-process path), and
how many partitions to spread the blocks over.

The blocks themselves live in :mod:`synthohive_lib.relational.blocks`, so a table generated
in Spark and one generated block by block in one process
(:func:`synthohive_lib.relational.chunked.write_table_chunked`) are the same table for the
same seed and block size. Spark merely decides which partition runs which block.
"""

from __future__ import annotations

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.blocks import (
    DEFAULT_BLOCK_ROWS,
    DEFAULT_PARENT_BLOCK_ROWS,
    STREAM_COUNTS,
    STREAM_KEYS,
    STREAM_MODEL,
    STREAM_ROWS,
    BlockPlan,
    block_seed,
    key_seed,
)

__all__ = [
    "DEFAULT_BLOCK_ROWS",
    "DEFAULT_PARENT_BLOCK_ROWS",
    "STREAM_COUNTS",
    "STREAM_KEYS",
    "STREAM_MODEL",
    "STREAM_ROWS",
    "BlockPlan",
    "block_seed",
    "key_seed",
    "partitions_for",
]


def partitions_for(n_blocks: int, requested: int | None, default_parallelism: int) -> int:
    """How many Spark partitions to spread ``n_blocks`` over (at least 1, at most n_blocks)."""
    wanted = requested if requested is not None else max(default_parallelism, 1) * 2
    if wanted <= 0:
        raise ConfigError(f"num_partitions must be > 0, got {wanted}", fix="pass a positive count")
    return max(1, min(wanted, max(n_blocks, 1)))
