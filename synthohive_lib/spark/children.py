"""The per-block work of a child table generated under synthetic parents (executor side).

A child block is the set of children of one block of parents (parents with global row index
``k*B .. k*B + B - 1``). Its randomness comes from ``(seed, k)`` only, and its primary keys
start at the number of children of all earlier blocks (``offsets[k]``, computed by a first,
cheap counting pass), so the child table is the same for any partitioning and its keys are
unique. Children are made in the partition that holds their parents: the parent key columns
are carried along, no join and no shuffle of the child table is needed.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.blocks import (
    STREAM_COUNTS,
    STREAM_MODEL,
    STREAM_ROWS,
    PiiFiller,
    block_seed,
    finish_block,
    key_seed,
    sample_attributes,
)
from synthohive_lib.relational.keys import (
    drop_repeated_keys,
    expand_parent_keys,
    null_parent_count,
    with_null_parents,
)
from synthohive_lib.relational.modelling import context_rows
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema.model import Table
from synthohive_lib.spark.artifact import ModelPayload
from synthohive_lib.spark.root import ROW_INDEX, order_columns


def check_child_plan(plan: TablePlan) -> None:
    """Only what the co-partitioned path can do: one context parent, nothing needing other
    tables' rows (secondary parents, self-references, link tables)."""
    if plan.context is None or plan.cardinality is None:
        raise ConfigError(
            f"table {plan.table!r} has no context parent; generate it as a root table",
            table=plan.table,
            fix="use generate_table_spark for tables without parents",
        )
    unsupported = []
    if plan.secondary:
        others = [m.relation_.parent for m in plan.secondary]
        unsupported.append(f"secondary foreign keys to {others}")
    if plan.hierarchies:
        unsupported.append("self-references")
    if plan.junction is not None:
        unsupported.append("a link (junction) table")
    if unsupported:
        raise ConfigError(
            f"table {plan.table!r} has {', '.join(unsupported)}, which the Spark path does not "
            "generate yet",
            table=plan.table,
            fix="generate this table with engine: pandas (the relational layer)",
        )


def parent_columns_needed(plan: TablePlan) -> list[str]:
    """Parent columns read by the child's cardinality model, context and keys."""
    assert plan.context is not None
    needed = plan.parent_columns_needed().get(plan.context.parent, set())
    ordered = list(plan.context.parent_columns)
    return ordered + sorted(set(needed) - set(ordered))


@dataclass(frozen=True)
class ChildJob:
    """Everything an executor needs to make the children of any parent block.

    The plan travels as its JSON-able ``to_dict()`` state and is rebuilt once per worker:
    no pickled library objects cross the wire, only plain data.
    """

    payload: ModelPayload | None
    plan_state: dict[str, Any]
    seed: int
    parent_block_rows: int
    key_offset: int = 0
    offsets: dict[int, int] = field(default_factory=dict)
    table: Table | None = None
    avoid: Collection[str] = ()
    fill_pii: PiiFiller | None = None
    keep_row_index: bool = False

    def __getstate__(self) -> dict[str, Any]:
        """Ship the plain state only, never the rebuilt (cached) objects."""
        return {k: v for k, v in self.__dict__.items() if k != "plan"}

    @functools.cached_property
    def plan(self) -> TablePlan:
        return TablePlan.from_dict(self.plan_state)

    def counts(self, block: int, parents: pd.DataFrame) -> tuple[np.ndarray, int]:
        """Children per parent row of the block, and the number of NULL-parent children."""
        card = self.plan.cardinality
        assert card is not None
        rng = np.random.default_rng(block_seed(self.seed, block, STREAM_COUNTS))
        counts = card.sample_counts(parents, rng)
        return counts, null_parent_count(card.null_rate_, int(counts.sum()), rng)

    def block(
        self,
        block: int,
        parents: pd.DataFrame,
        stream_seed: int | None = None,
        *,
        probe: bool = False,
    ) -> pd.DataFrame:
        """The children of ``parents`` (the rows of parent block ``block``, in row order).

        ``probe`` makes exactly one child per parent (schema probe on the driver: never an
        empty frame whose dtypes would say nothing about the columns).
        """
        plan, rel = self.plan, self.plan.context
        assert rel is not None
        parents = parents.reset_index(drop=True)
        seed_base = self.seed if stream_seed is None else stream_seed
        if probe:
            counts, n_null = np.ones(len(parents), dtype=np.int64), 0
        else:
            counts, n_null = self.counts(block, parents)
        frame, positions = expand_parent_keys(
            parents[list(rel.parent_columns)], counts, rel.child_columns
        )
        frame, positions = with_null_parents(frame, positions, n_null)
        rng = np.random.default_rng(block_seed(seed_base, block, STREAM_ROWS))
        if plan.attributes:
            assert self.payload is not None
            ctx = (
                context_rows(parents[plan.context_columns], positions)
                if plan.context_columns
                else None
            )
            attrs = sample_attributes(
                self.payload.load(),
                plan,
                len(frame),
                ctx,
                block_seed(seed_base, block, STREAM_MODEL),
                rng,
                table=self.table,
                avoid=self.avoid,
            )
            for col in plan.attributes:
                frame[col] = attrs[col].to_numpy()
        start = self.offsets.get(block, 0)
        plan.keys.generate(frame, offset=self.key_offset + start, seed=key_seed(self.seed))
        if self.table is not None:  # the same guard as the pandas path (keys.py)
            frame = drop_repeated_keys(frame, self.table)
        frame = finish_block(frame, plan, rng, table=self.table, fill_pii=self.fill_pii)
        first = [*plan.keys.columns, *rel.child_columns]
        columns = None if self.table is None else self.table.column_names
        return order_columns(frame, columns, first, start, self.keep_row_index)


def iter_parent_blocks(
    batches: Iterable[pa.RecordBatch], block_rows: int
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Whole parent blocks from a partition's batches (sorted by the row index).

    Batches are cut by Spark regardless of blocks, so rows are buffered until the block id
    changes; memory holds at most one block plus one batch.
    """
    pending: list[pd.DataFrame] = []
    current: int | None = None
    for batch in batches:
        frame = batch.to_pandas()
        if frame.empty:
            continue
        ids = frame[ROW_INDEX].to_numpy() // block_rows
        cuts = np.flatnonzero(np.diff(ids)) + 1
        for part_ids, part in zip(np.split(ids, cuts), _split(frame, cuts), strict=True):
            bid = int(part_ids[0])
            if current is not None and bid != current:
                yield current, pd.concat(pending, ignore_index=True)
                pending = []
            current = bid
            pending.append(part)
    if current is not None:
        yield current, pd.concat(pending, ignore_index=True)


def _split(frame: pd.DataFrame, cuts: np.ndarray) -> list[pd.DataFrame]:
    bounds = [0, *cuts.tolist(), len(frame)]
    return [frame.iloc[a:b] for a, b in itertools.pairwise(bounds)]
