"""The per-block work of a table generated without parents (runs inside Spark executors).

Kept apart from the Spark orchestration so it can be called (and tested) on plain pandas:
``RootJob.block(b)`` is a pure function of the job and the block index.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd

from synthohive_lib.relational.blocks import (
    INTERNAL_PREFIX,
    ROW_INDEX,
    BlockPlan,
    PiiFiller,
    order_columns,
    root_block,
)
from synthohive_lib.relational.keys import KeyFormat
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema.model import Table
from synthohive_lib.spark.artifact import ModelPayload

__all__ = ["INTERNAL_PREFIX", "ROW_INDEX", "RootJob", "order_columns"]


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

    def block(
        self, block: int, *, rows: int | None = None, stream_seed: int | None = None
    ) -> pd.DataFrame:
        """Rows of ``block``; ``rows``/``stream_seed`` override size and seed (schema probe).

        The work is :func:`~synthohive_lib.relational.blocks.root_block`, the function the
        single-process path calls too; the model is loaded (once per worker) only when the
        table has attribute columns.
        """
        plan = self.plan
        needs_model = self.payload is not None and (plan is None or bool(plan.attributes))
        return root_block(
            self.payload.load() if needs_model and self.payload is not None else None,
            plan,
            self.blocks,
            block,
            self.seed,
            rows=rows,
            stream_seed=stream_seed,
            key_offset=self.key_offset,
            key_column=self.key_column,
            key_format=self.key_format,
            table=self.table,
            avoid=self.avoid,
            fill_pii=self.fill_pii,
            keep_row_index=self.keep_row_index,
        )
