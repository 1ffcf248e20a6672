"""The per-block work of a table generated without parents (runs inside Spark executors).

Kept apart from the Spark orchestration so it can be called (and tested) on plain pandas:
``RootJob.block(b)`` is a pure function of the job and the block index.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.relational.keys import KeyFormat, PrimaryKeyPlan
from synthohive_lib.spark.artifact import ModelPayload
from synthohive_lib.spark.blocks import STREAM_MODEL, BlockPlan, block_seed, key_seed

#: hidden column carrying each row's global index (children use it to find parent blocks)
ROW_INDEX = "_synthohive_row"
#: every internal column starts with this; :func:`write_table_spark` drops them
INTERNAL_PREFIX = "_synthohive_"


@dataclass(frozen=True)
class RootJob:
    """Everything an executor needs to make any block of a parentless table."""

    payload: ModelPayload | None
    blocks: BlockPlan
    seed: int
    key_offset: int = 0
    keys_state: dict[str, Any] | None = None
    key_column: str | None = None
    key_format: KeyFormat | None = None
    attributes: list[str] | None = None
    pii: list[str] = field(default_factory=list)
    columns: list[str] | None = None
    keep_row_index: bool = False

    def __getstate__(self) -> dict[str, Any]:
        """Ship the plain state only, never the rebuilt (cached) objects."""
        return {k: v for k, v in self.__dict__.items() if k != "keys"}

    @functools.cached_property
    def keys(self) -> PrimaryKeyPlan | None:
        """The primary-key plan, rebuilt from its plain state (shipped as JSON-able data)."""
        return None if self.keys_state is None else PrimaryKeyPlan.from_dict(self.keys_state)

    def block(self, block: int, *, rows: int | None = None, stream_seed: int | None = None
              ) -> pd.DataFrame:
        """Rows of ``block``; ``rows``/``stream_seed`` override size and seed (schema probe)."""
        n = self.blocks.size(block) if rows is None else rows
        start = self.blocks.start(block)
        seed = block_seed(self.seed if stream_seed is None else stream_seed, block, STREAM_MODEL)
        if self.payload is not None:
            frame = self.payload.load().sample(n, seed=seed).reset_index(drop=True)
            if self.attributes is not None:
                frame = frame[self.attributes]
        else:
            frame = pd.DataFrame(index=range(n))
        offset = self.key_offset + start
        if self.keys is not None:
            self.keys.generate(frame, offset=offset, seed=key_seed(self.seed))
        if self.key_column is not None and self.key_format is not None:
            frame[self.key_column] = self.key_format.generate(
                n, offset, key_seed(self.seed)).to_numpy()
        for col in self.pii:
            frame[col] = None
        first = list(self.keys.columns) if self.keys is not None else []
        if self.key_column is not None:
            first.append(self.key_column)
        return order_columns(frame, self.columns, first, start, self.keep_row_index)


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
