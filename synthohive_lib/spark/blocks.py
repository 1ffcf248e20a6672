"""Row blocks: how N rows are cut into fixed blocks, and the seeds each block uses.

Why blocks and not partitions: a partition id depends on how many partitions a cluster
happens to use, so seeding by it would make the synthetic table change with the cluster size.
Instead the N rows are cut into ``ceil(N / B)`` blocks of ``B`` rows (the last one shorter);
block ``b`` always holds global rows ``b*B .. b*B + size - 1`` and draws its randomness from
``(seed, stream, b)`` only. Spark merely decides which partition runs which block, so the
same seed gives the same table for any number of partitions. Primary keys come from the
global row index (``key_offset + b*B + i``), so blocks never collide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthohive_lib.errors import ConfigError

#: default rows per generation block (a multiple of the default parent block of children)
DEFAULT_BLOCK_ROWS = 50_000
#: default parents per block when generating children under synthetic parents
DEFAULT_PARENT_BLOCK_ROWS = 10_000

# independent random streams drawn from one run seed
STREAM_MODEL = 1
STREAM_COUNTS = 2
STREAM_KEYS = 3
STREAM_ROWS = 4  # NULL rates of constants, context alignment, scrubbing, PII fill


@dataclass(frozen=True)
class BlockPlan:
    """``n_rows`` cut into blocks of ``block_rows`` rows."""

    n_rows: int
    block_rows: int

    def __post_init__(self) -> None:
        if self.n_rows < 0:
            raise ConfigError(f"n_rows must be >= 0, got {self.n_rows}",
                              fix="ask for a non-negative number of rows")
        if self.block_rows <= 0:
            raise ConfigError(f"block_rows must be > 0, got {self.block_rows}",
                              fix="use a block size such as 50000")

    @property
    def n_blocks(self) -> int:
        return -(-self.n_rows // self.block_rows)

    def start(self, block: int) -> int:
        """Global index of the first row of ``block``."""
        return block * self.block_rows

    def size(self, block: int) -> int:
        """Rows in ``block`` (the last block may be shorter)."""
        return max(0, min(self.block_rows, self.n_rows - self.start(block)))


def block_seed(seed: int, block: int, stream: int) -> int:
    """A 63-bit seed for ``block`` of random ``stream``, independent of partitioning.

    :class:`numpy.random.SeedSequence` mixes the three integers so neighbouring blocks get
    unrelated streams (a plain ``seed + block`` would make block 1 of seed 0 equal block 0 of
    seed 1).
    """
    state = np.random.SeedSequence([int(seed), int(stream), int(block)]).generate_state(
        1, dtype=np.uint64
    )
    return int(state[0] >> np.uint64(1))


def key_seed(seed: int) -> int:
    """The seed of key formats: one per run (not per block), because string/UUID key formats
    stay unique across offsets only when every block uses the same seed."""
    return block_seed(seed, 0, STREAM_KEYS)


def partitions_for(n_blocks: int, requested: int | None, default_parallelism: int) -> int:
    """How many Spark partitions to spread ``n_blocks`` over (at least 1, at most n_blocks)."""
    wanted = requested if requested is not None else max(default_parallelism, 1) * 2
    if wanted <= 0:
        raise ConfigError(f"num_partitions must be > 0, got {wanted}", fix="pass a positive count")
    return max(1, min(wanted, max(n_blocks, 1)))
