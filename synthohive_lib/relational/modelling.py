"""The bridge between the relational layer and a table's generative model.

A model sees one table's attribute columns, row-aligned with the attributes of each row's
context parent. This module builds what it is fitted on (:func:`training_frames`), what it is
told about the columns (:class:`ModelRequest`, specs taken from the reviewed schema rather than
guessed from data) and, for sampling, the same context for synthetic parents
(:func:`context_rows`). Any model honouring :class:`~synthohive_lib.models.base.GenerativeModel`
can be plugged in through a factory; :func:`ctgan_factory` builds CTGAN models, or a
:class:`~synthohive_lib.models.text_only.TextOnlyModel` for a table whose attributes are all
free text (CTGAN would have no column to train its networks on).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.models.ctgan import CTGAN
from synthohive_lib.models.small_table import SmallTableModel
from synthohive_lib.models.text_only import TextOnlyModel
from synthohive_lib.relational._frames import locate
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.relational.specs import column_specs
from synthohive_lib.schema.model import Schema, Table
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec


@dataclass(frozen=True)
class ModelRequest:
    """What a model factory is told about the table it builds a model for."""

    table: Table
    specs: list[ColumnSpec]
    context_specs: list[ColumnSpec] | None
    n_rows: int | None = None  # real rows the model is fitted on (None: unknown)


ModelFactory = Callable[[ModelRequest], GenerativeModel]


def ctgan_factory(*, small_table_rows: int = 50, **config: Any) -> ModelFactory:
    """A factory building :class:`~synthohive_lib.models.ctgan.CTGAN` models from the schema.

    ``config`` holds CTGAN hyper-parameters (``epochs``, ``device``, ``seed``, ...). A table
    whose attributes are all free text gets a :class:`TextOnlyModel` (seeded alike); a table
    of at most ``small_table_rows`` real rows without parent context (Chinook's lookups and
    its 8 employees) gets a :class:`SmallTableModel`: a GAN cannot learn a handful of rows.
    ``small_table_rows=0`` always uses CTGAN.
    """

    def build(request: ModelRequest) -> GenerativeModel:
        if is_text_only(request):
            return TextOnlyModel(
                specs=request.specs, table=request.table.name, seed=config.get("seed")
            )
        if (
            request.context_specs is None
            and request.n_rows is not None
            and 0 < request.n_rows <= small_table_rows
        ):
            return SmallTableModel(
                specs=request.specs, table=request.table.name, seed=config.get("seed")
            )
        return CTGAN(
            specs=request.specs,
            context_specs=request.context_specs,
            table=request.table.name,
            **config,
        )

    return build


def is_text_only(request: ModelRequest) -> bool:
    """True when every attribute is free text: nothing for a GAN's networks to learn."""
    return bool(request.specs) and all(s.kind is ColumnKind.TEXT for s in request.specs)


def model_request(schema: Schema, plan: TablePlan) -> ModelRequest:
    """Specs of the table's attributes and of its context parent's columns, from the schema."""
    table = schema.table(plan.table)
    context = None
    if plan.context is not None and plan.context_columns:
        context = column_specs(
            schema.table(plan.context.parent), plan.context_columns, force_nullable=True
        )
    return ModelRequest(table, column_specs(table, plan.attributes), context, plan.n_rows)


def training_frames(
    plan: TablePlan, tables: Mapping[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The model's training data and its row-aligned parent context (None without parent).

    A child whose context reference is NULL gets an all-NULL context row: it is generated the
    same way later, so the model learns what such children look like.
    """
    data = tables[plan.table]
    attrs = data[plan.attributes].reset_index(drop=True)
    if plan.context is None or not plan.context_columns:
        return attrs, None
    parent = tables[plan.context.parent]
    pos = locate(
        parent, plan.context.parent_columns, data, plan.context.child_columns, table=plan.table
    )
    return attrs, context_rows(parent[plan.context_columns], pos)


def context_rows(parent_ctx: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """Parent context per child row; position -1 (no parent) gives an all-NULL row."""
    linked = positions >= 0
    ctx = parent_ctx.iloc[np.where(linked, positions, 0)].reset_index(drop=True)
    if not linked.all():
        ctx = ctx.astype(object)  # NULLs must not turn integer columns into floats silently
        ctx.loc[~linked, :] = None
        ctx = ctx.infer_objects()
    return ctx
