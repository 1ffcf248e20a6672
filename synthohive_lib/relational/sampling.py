"""Training samples of one table that keep whole families (the pandas engine's rule).

A model trained on a plain random sample of a child table learns the wrong thing: sampled
children lose their siblings, so the children-per-parent counts and every statistic over a
parent's children shrink by the sampling rate. The rule, shared with the Spark sampler
(:mod:`synthohive_lib.spark.sampling`):

* each table has one **family parent**: of its foreign keys to other tables, the one whose
  key has the most distinct values in the table (:func:`finest_family_parent`; the finer
  the families, the closer the sample to a uniform one); the Spark sampler, which samples a
  whole family tree at one rate, takes the first foreign key (:func:`family_parents`).
  Self-references shape rows inside one table and are not followed; a table without a
  parent is a **family root**;
* a root above ``max_rows`` rows is sampled uniformly (``max_rows`` rows, seeded);
* a child above ``max_rows`` rows is sampled **by parent**: its rows are grouped by their
  family-parent key, the groups are taken in a seeded random order until ``max_rows`` rows are
  reached, and every child of a chosen parent is kept — so a sampled parent keeps all of its
  children; a row whose key is NULL is a family of its own. The parent tables themselves are
  not cut: the model's context lookup and the relational plan see every parent (and so each
  parent's own parents) whole.

The relational plan (cardinality, hierarchy, inherited columns) is fitted on the full table,
where it only counts per parent; only the generative model trains on the sample.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.plan import TablePlan, seen_categories
from synthohive_lib.schema.graph import Relation, SchemaGraph
from synthohive_lib.schema.model import Schema


def family_parents(
    schema: Schema, overrides: Mapping[str, str] | None = None
) -> dict[str, Relation | None]:
    """The relation through which each table is sampled (None: a family root), in generation
    order; ``overrides`` picks another parent per table."""
    graph = SchemaGraph(schema)
    overrides = dict(overrides or {})
    out: dict[str, Relation | None] = {}
    for name in graph.generation_order():
        relations = [r for r in graph.relations_of(name) if r.parent != name]
        if name in overrides:
            chosen = [r for r in relations if r.parent == overrides[name]]
            if not chosen:
                raise ConfigError(
                    f"{overrides[name]!r} is not a parent of {name!r}",
                    table=name,
                    fix=f"choose one of {sorted({r.parent for r in relations})}",
                )
            out[name] = chosen[0]
        else:
            out[name] = relations[0] if relations else None
    return out


def finest_family_parent(schema: Schema, table: str, frame: pd.DataFrame) -> str | None:
    """The parent whose key splits ``frame`` into the most families (None: no parent).

    A by-parent sample keeps whole families, so the finer the families the closer the
    sample comes to a uniform one while every kept family stays whole: ``flights`` sampled
    through its 16 airlines would drop whole airlines (and the model would never see their
    context), sampled through its 4,044 planes it keeps some flights of every airline.
    Ties go to the first foreign key in the schema.
    """
    relations = [r for r in SchemaGraph(schema).relations_of(table) if r.parent != table]
    best: tuple[int, str] | None = None
    for relation in relations:
        columns = list(relation.child_columns)
        if not set(columns) <= set(frame.columns):
            continue
        keys = frame[columns].dropna()
        distinct = (
            len(keys.drop_duplicates()) if len(columns) > 1 else int(keys.iloc[:, 0].nunique())
        )
        if best is None or distinct > best[0]:
            best = (distinct, relation.parent)
    return None if best is None else best[1]


@dataclass(frozen=True)
class TrainingSample:
    """The rows a table's model trains on, and how they were drawn (for the model metadata)."""

    frame: pd.DataFrame
    total_rows: int
    method: str  # "all rows" | "uniform" | "by parent"
    through: str | None = None  # the family parent, for "by parent"
    parents_kept: int | None = None
    parents_total: int | None = None

    @property
    def rows(self) -> int:
        return len(self.frame)

    def describe(self) -> str:
        """One line for the model metadata: how many rows, drawn how."""
        if self.method == "all rows":
            return f"all {self.total_rows:,} rows"
        if self.method == "uniform":
            return f"{self.rows:,} of {self.total_rows:,} rows, uniform (seeded)"
        return (
            f"{self.rows:,} of {self.total_rows:,} rows: every child of {self.parents_kept:,} "
            f"of {self.parents_total:,} {self.through} keys (seeded, families kept whole)"
        )


def training_sample(
    schema: Schema,
    table: str,
    frame: pd.DataFrame,
    *,
    max_rows: int | None,
    seed: int = 0,
    family_parent: str | None = None,
) -> TrainingSample:
    """At most about ``max_rows`` rows of ``table`` drawn by the module's rule (``None``: all).

    A child's sample may exceed ``max_rows`` by less than one family (the last parent's
    children are kept whole); row order of ``frame`` is preserved.
    """
    total = len(frame)
    if max_rows is None or total <= max_rows:
        return TrainingSample(frame, total, "all rows")
    if max_rows <= 0:
        raise ConfigError(
            f"max_training_rows must be > 0, got {max_rows}",
            table=table,
            fix="set max_training_rows to a positive number of rows (or leave it unset)",
        )
    overrides = {table: family_parent or finest_family_parent(schema, table, frame)}
    relation = family_parents(schema, overrides if overrides[table] else None)[table]
    rng = np.random.default_rng(seed)
    if relation is None:
        keep = np.sort(rng.choice(total, max_rows, replace=False))
        return TrainingSample(frame.iloc[keep], total, "uniform")
    family = _family_ids(frame, list(relation.child_columns))
    sizes = np.bincount(family)
    order = rng.permutation(len(sizes))
    filled = np.cumsum(sizes[order])
    take = max(int(np.searchsorted(filled, max_rows, side="left")) + 1, 1)
    chosen = np.zeros(len(sizes), dtype=bool)
    chosen[order[:take]] = True
    keep = chosen[family]
    linked = ~frame[list(relation.child_columns)].isna().any(axis=1).to_numpy()
    parents_total = int(np.unique(family[linked]).size)
    parents_kept = int(np.unique(family[linked & keep]).size)
    return TrainingSample(
        frame[keep], total, "by parent", relation.parent, parents_kept, parents_total
    )


def _family_ids(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """0..k-1 per row: one id per distinct family-parent key, one per row with a NULL key."""
    groups_of = frame.groupby(columns, sort=False, dropna=True).ngroup()
    ids = groups_of.fillna(-1).to_numpy(dtype=np.int64)
    orphan = ids < 0
    groups = int(ids.max()) + 1 if (~orphan).any() else 0
    ids[orphan] = groups + np.arange(int(orphan.sum()))
    return ids


def plan_for_sample(
    plan: TablePlan, schema: Schema, frames: Mapping[str, pd.DataFrame], sample: TrainingSample
) -> TablePlan:
    """``plan`` (fitted on every row) with the context categories the model will see on
    ``sample``: generation maps a synthetic parent's category onto those the model was
    trained on, and a sample may lack the rare ones (a manufacturer of 2 planes)."""
    if sample.method == "all rows" or plan.context is None or not plan.context_categories:
        return plan
    parent = plan.context.parent
    seen = seen_categories(
        schema.table(parent), frames[parent], plan.context, sample.frame, plan.context_columns
    )
    return dataclasses.replace(plan, context_categories=seen)
