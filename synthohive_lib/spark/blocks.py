"""Row blocks on Spark: how many partitions to spread the blocks over.

The blocks themselves (plan, seeds, streams) live in :mod:`synthohive_lib.relational.blocks`,
so a table generated in Spark and one generated block by block in one process
(:func:`synthohive_lib.relational.chunked.write_table_chunked`) are the same table for the
same seed and block size. Spark merely decides which partition runs which block.
"""

from __future__ import annotations

from synthohive_lib.errors import ConfigError


def partitions_for(n_blocks: int, requested: int | None, default_parallelism: int) -> int:
    """How many Spark partitions to spread ``n_blocks`` over (at least 1, at most n_blocks)."""
    wanted = requested if requested is not None else max(default_parallelism, 1) * 2
    if wanted <= 0:
        raise ConfigError(f"num_partitions must be > 0, got {wanted}", fix="pass a positive count")
    return max(1, min(wanted, max(n_blocks, 1)))
