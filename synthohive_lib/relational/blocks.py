"""Row blocks: a table of N rows made block by block, the same in one process or in Spark.

Why blocks: a table too big for memory must be made in pieces, and the pieces must not
change the result. The N rows are cut into ``ceil(N / B)`` blocks of ``B`` rows (the last one
shorter); block ``b`` always holds global rows ``b*B .. b*B + size - 1`` and draws its
randomness from ``(seed, stream, b)`` only, and its primary keys from the global row index
(``key_offset + b*B + i``), so blocks never collide. Who runs which block — a Spark partition
(:mod:`synthohive_lib.spark`) or a loop in one process
(:mod:`synthohive_lib.relational.chunked`) — does not matter: the same seed and block size
give the same table, with 1 or 400 partitions, in Spark or not.

The per-block steps call the relational layer's own functions (context alignment, text
scrubbing, constant columns, PII fill), so a table made in blocks follows the same rules as
one made by :func:`~synthohive_lib.relational.generate.generate_table`, only with per-block
seeds (so its rows differ from that one-shot call's for the same seed).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from synthohive_lib.errors import ConfigError
from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.relational.attributes import sample_attributes
from synthohive_lib.relational.constraints import enforce_constraints
from synthohive_lib.relational.keys import KeyFormat, drop_repeated_keys
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema.model import Table

#: default rows per generation block (a multiple of the default parent block of children)
DEFAULT_BLOCK_ROWS = 50_000
#: default parents per block when generating children under synthetic parents
DEFAULT_PARENT_BLOCK_ROWS = 10_000

# independent random streams drawn from one run seed
STREAM_MODEL = 1
STREAM_COUNTS = 2
STREAM_KEYS = 3
STREAM_ROWS = 4  # NULL rates of constants, context alignment, scrubbing, PII fill

#: hidden column carrying each row's global index (children use it to find parent blocks)
ROW_INDEX = "_synthohive_row"
#: every internal column starts with this; writers drop them
INTERNAL_PREFIX = "_synthohive_"


class PiiFiller(Protocol):
    """The ``fill_pii`` hook of every generator (pandas, block by block, Spark): writes a
    table's PII columns into a generated frame, drawing its seed from ``rng``.

    The privacy layer's :class:`~synthohive_lib.privacy.fill.PlanPiiFiller` is the one the
    pipeline passes; it is a plain object so that it pickles (Spark ships it to executors).
    """

    def __call__(
        self, table: Table, frame: pd.DataFrame, rng: np.random.Generator
    ) -> pd.DataFrame: ...


@dataclass(frozen=True)
class BlockPlan:
    """``n_rows`` cut into blocks of ``block_rows`` rows."""

    n_rows: int
    block_rows: int

    def __post_init__(self) -> None:
        if self.n_rows < 0:
            raise ConfigError(
                f"n_rows must be >= 0, got {self.n_rows}",
                fix="ask for a non-negative number of rows",
            )
        if self.block_rows <= 0:
            raise ConfigError(
                f"block_rows must be > 0, got {self.block_rows}",
                fix="use a block size such as 50000",
            )

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


def finish_block(
    frame: pd.DataFrame,
    plan: TablePlan,
    rng: np.random.Generator,
    *,
    table: Table | None = None,
    fill_pii: PiiFiller | None = None,
) -> pd.DataFrame:
    """The declared constraints repaired (:mod:`~synthohive_lib.relational.constraints`),
    constant columns, then PII columns (NULL, or filled by ``fill_pii``)."""
    if table is not None:
        frame = enforce_constraints(frame, table)
    for constant in plan.constants:
        frame[constant.name] = constant.values(len(frame), rng).array
    for col in plan.pii:
        frame[col] = None
    if fill_pii is not None and plan.pii and table is not None:
        frame = fill_pii(table, frame, rng)
    return frame


def order_columns(
    frame: pd.DataFrame,
    columns: list[str] | None,
    first: list[str],
    start: int,
    keep_row_index: bool,
) -> pd.DataFrame:
    """``frame`` in the table's column order (else ``first`` then the rest), plus the
    global row index when asked."""
    if columns is None:
        head = [c for c in first if c in frame.columns]
        ordered = head + [c for c in frame.columns if c not in set(head)]
    else:
        ordered = [c for c in columns if c in frame.columns]
    out = frame[ordered].copy()
    if keep_row_index:
        out[ROW_INDEX] = np.arange(start, start + len(out), dtype=np.int64)
    return out


def root_block(
    model: GenerativeModel | None,
    plan: TablePlan | None,
    blocks: BlockPlan,
    block: int,
    seed: int,
    *,
    rows: int | None = None,
    stream_seed: int | None = None,
    key_offset: int = 0,
    key_column: str | None = None,
    key_format: KeyFormat | None = None,
    table: Table | None = None,
    avoid: Collection[str] = (),
    fill_pii: PiiFiller | None = None,
    keep_row_index: bool = False,
) -> pd.DataFrame:
    """Rows of ``block`` of a table without parents: a pure function of its arguments.

    ``model`` may be None only when there are no attribute columns. ``rows``/``stream_seed``
    override the block's size and seed (used to probe the output schema cheaply).
    """
    n = blocks.size(block) if rows is None else rows
    start = blocks.start(block)
    run_seed = seed if stream_seed is None else stream_seed
    rng = np.random.default_rng(block_seed(run_seed, block, STREAM_ROWS))
    frame = pd.DataFrame(index=range(n))
    if model is not None and (plan is None or plan.attributes):
        model_seed = block_seed(run_seed, block, STREAM_MODEL)
        if plan is None:
            frame = model.sample(n, seed=model_seed).reset_index(drop=True)
        else:
            attrs = sample_attributes(
                model, plan, n, None, model_seed, rng, table=table, avoid=avoid
            )
            for col in plan.attributes:
                frame[col] = attrs[col].to_numpy()
    offset = key_offset + start
    first: list[str] = []
    if plan is not None:
        plan.keys.generate(frame, offset=offset, seed=key_seed(seed))
        if table is not None:
            frame = drop_repeated_keys(frame, table)
        first = list(plan.keys.columns)
        frame = finish_block(frame, plan, rng, table=table, fill_pii=fill_pii)
    if key_column is not None and key_format is not None:
        frame[key_column] = key_format.generate(n, offset, key_seed(seed)).to_numpy()
        first.append(key_column)
    columns = None if table is None else table.column_names
    return order_columns(frame, columns, first, start, keep_row_index)
