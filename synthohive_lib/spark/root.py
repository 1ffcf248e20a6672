"""The per-block work of a table generated without parents (runs inside Spark executors).

Kept apart from the Spark orchestration so it can be called (and tested) on plain pandas:
``RootJob.block(b)`` is a pure function of the job and the block index.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.relational.keys import KeyFormat
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema.model import Table
from synthohive_lib.spark.artifact import ModelPayload
from synthohive_lib.spark.attributes import PiiFiller, finish_block, sample_attributes
from synthohive_lib.spark.blocks import (
    STREAM_MODEL,
    STREAM_ROWS,
    BlockPlan,
    block_seed,
    key_seed,
)

#: hidden column carrying each row's global index (children use it to find parent blocks)
ROW_INDEX = "_synthohive_row"
#: every internal column starts with this; :func:`write_table_spark` drops them
INTERNAL_PREFIX = "_synthohive_"


@dataclass(frozen=True)
class RootJob:
    """Everything an executor needs to make any block of a parentless table.

    The plan travels as its JSON-able ``to_dict()`` state and is rebuilt once per worker.
    """

    payload: ModelPayload | None
    blocks: BlockPlan
    seed: int
    key_offset: int = 0
    plan_state: dict[str, Any] | None = None
    key_column: str | None = None
    key_format: KeyFormat | None = None
    table: Table | None = None
    avoid: Collection[str] = ()
    fill_pii: PiiFiller | None = None
    keep_row_index: bool = False

    def __getstate__(self) -> dict[str, Any]:
        """Ship the plain state only, never the rebuilt (cached) plan."""
        return {k: v for k, v in self.__dict__.items() if k != "plan"}

    @functools.cached_property
    def plan(self) -> TablePlan | None:
        return None if self.plan_state is None else TablePlan.from_dict(self.plan_state)

    def block(self, block: int, *, rows: int | None = None, stream_seed: int | None = None
              ) -> pd.DataFrame:
        """Rows of ``block``; ``rows``/``stream_seed`` override size and seed (schema probe)."""
        n = self.blocks.size(block) if rows is None else rows
        start = self.blocks.start(block)
        seed = self.seed if stream_seed is None else stream_seed
        rng = np.random.default_rng(block_seed(seed, block, STREAM_ROWS))
        plan = self.plan
        frame = pd.DataFrame(index=range(n))
        if self.payload is not None and (plan is None or plan.attributes):
            model = self.payload.load()
            model_seed = block_seed(seed, block, STREAM_MODEL)
            if plan is None:
                frame = model.sample(n, seed=model_seed).reset_index(drop=True)
            else:
                attrs = sample_attributes(model, plan, n, None, model_seed, rng,
                                          table=self.table, avoid=self.avoid)
                for col in plan.attributes:
                    frame[col] = attrs[col].to_numpy()
        offset = self.key_offset + start
        first: list[str] = []
        if plan is not None:
            plan.keys.generate(frame, offset=offset, seed=key_seed(self.seed))
            first = list(plan.keys.columns)
            frame = finish_block(frame, plan, rng, table=self.table, fill_pii=self.fill_pii)
        if self.key_column is not None and self.key_format is not None:
            frame[self.key_column] = self.key_format.generate(
                n, offset, key_seed(self.seed)).to_numpy()
            first.append(self.key_column)
        columns = None if self.table is None else self.table.column_names
        return order_columns(frame, columns, first, start, self.keep_row_index)


def order_columns(frame: pd.DataFrame, columns: list[str] | None, first: list[str],
                  start: int, keep_row_index: bool) -> pd.DataFrame:
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
