"""A uniform sample of a stored table, drawn in one pass over its blocks.

Why: the statistical figures of a table too big for memory (column shapes, pair trends,
adherence) are scored on a sample; at 200,000 rows the sampling error of a KS figure is about
0.002 (0.87 / sqrt(n)) and of a total-variation figure over k categories about
0.0009 x sqrt(k), at a fraction of the memory. The sample is
exact simple random sampling without replacement: each block gets a hypergeometric share of
the rows still wanted (the number of sampled rows that fall into a block of ``b`` rows when
``k`` rows are drawn from the ``n`` not yet passed), then that many of its rows uniformly, so
only one block and the sample are held at once. Rows keep their stored order.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from synthohive_lib.io.store import BLOCK_ROWS, TableStore


def sample_stored_table(
    store: TableStore,
    stage: str,
    table: str,
    rows: int,
    *,
    seed: int = 0,
    columns: list[str] | None = None,
    block_rows: int = BLOCK_ROWS,
) -> pd.DataFrame:
    """``rows`` rows of the stored table drawn uniformly without replacement (every row when
    the table has no more), with a fresh 0..n-1 index; the same seed gives the same rows."""
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    total = store.row_count(stage, table)
    if total <= rows:
        return store.read(stage, table, columns=columns)
    rng = np.random.default_rng(seed)
    unseen, wanted = total, rows
    parts: list[pd.DataFrame] = []
    for block in store.blocks(stage, table, columns=columns, rows=block_rows):
        size = len(block)
        if wanted == 0:
            parts.append(block.iloc[:0])
            break
        take = wanted if size >= unseen else int(rng.hypergeometric(size, unseen - size, wanted))
        if take:
            picked = np.sort(rng.choice(size, size=take, replace=False))
            parts.append(block.iloc[picked])
        unseen, wanted = unseen - size, wanted - take
    return pd.concat(parts, ignore_index=True)


class StoredRows:
    """One stored table read without holding it: its row count, fresh passes over its blocks
    and uniform samples (what validation of a table too big for memory needs)."""

    def __init__(
        self, store: TableStore, stage: str, table: str, *, block_rows: int = BLOCK_ROWS
    ) -> None:
        self.store, self.stage, self.table = store, stage, table
        self.block_rows = block_rows
        self.rows = store.row_count(stage, table)

    def blocks(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """A fresh pass over the table's blocks (only ``columns``, when given)."""
        return self.store.blocks(self.stage, self.table, columns=columns, rows=self.block_rows)

    def sample(self, rows: int, *, seed: int = 0, columns: list[str] | None = None) -> pd.DataFrame:
        """:func:`sample_stored_table` of this table."""
        return sample_stored_table(
            self.store,
            self.stage,
            self.table,
            rows,
            seed=seed,
            columns=columns,
            block_rows=self.block_rows,
        )

    def __repr__(self) -> str:
        return f"StoredRows({self.stage}/{self.table}, {self.rows} rows)"


class FrameRows:
    """A DataFrame behind the interface of :class:`StoredRows`, so a check written for
    stored tables in blocks also takes a table already in memory (as one block)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame, self.rows = frame, len(frame)

    def blocks(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        yield self.frame if columns is None else self.frame[columns]

    def sample(self, rows: int, *, seed: int = 0, columns: list[str] | None = None) -> pd.DataFrame:
        frame = self.frame if columns is None else self.frame[columns]
        if rows >= len(frame):
            return frame.reset_index(drop=True)
        return frame.sample(n=rows, random_state=seed).sort_index().reset_index(drop=True)


#: a table read in blocks: stored (:class:`StoredRows`) or in memory (:class:`FrameRows`)
Rows = StoredRows | FrameRows
