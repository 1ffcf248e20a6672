"""The bridge between the relational layer and a table's generative model.

A model sees one table's attribute columns, row-aligned with the attributes of each row's
context parent. This module builds what it is fitted on (:func:`training_frames`), what it is
told about the columns (:class:`ModelRequest`, specs taken from the reviewed schema rather than
guessed from data) and, for sampling, the same context for synthetic parents
(:func:`context_rows`). Any model honouring :class:`~synthohive_lib.models.base.GenerativeModel`
can be plugged in through a factory; :func:`model_factory` builds CTGAN or autoregressive
models (``model:`` in the project config; :func:`ctgan_factory` is the CTGAN one), or a
:class:`~synthohive_lib.models.text_only.TextOnlyModel` for a table whose attributes are all
free text (CTGAN would have no column to train its networks on).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import ModelError
from synthohive_lib.models.autoregressive import AutoregressiveModel
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
    #: the parent table the context columns come from, named in errors about them
    context_table: str | None = None


ModelFactory = Callable[[ModelRequest], GenerativeModel]


#: The table models a project can choose with ``model:`` (CTGAN is the default).
MODEL_KINDS: dict[str, type[GenerativeModel]] = {
    "ctgan": CTGAN,
    "autoregressive": AutoregressiveModel,
}


def model_factory(
    *, model: str = "ctgan", small_table_rows: int = 50, **config: Any
) -> ModelFactory:
    """A factory building the chosen table model (``model``: a key of :data:`MODEL_KINDS`)
    from the schema.

    ``config`` holds that model's hyper-parameters (``epochs``, ``device``, ``seed``,
    ``time_budget_s``, ``privacy`` ...). A table whose attributes are all free text gets a
    :class:`TextOnlyModel` (seeded alike); a table of at most ``small_table_rows`` real rows
    without parent context (Chinook's lookups and its 8 employees) gets a
    :class:`SmallTableModel`: no network learns a handful of rows. ``small_table_rows=0``
    always uses the chosen model.
    """
    if model not in MODEL_KINDS:
        raise ModelError(
            f"unknown model {model!r}", fix=f"choose one of {sorted(MODEL_KINDS)} (model: ...)"
        )
    config = {k: v for k, v in config.items() if not (k == "privacy" and v is None)}
    chosen = MODEL_KINDS[model]

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
        return chosen(
            specs=request.specs,
            context_specs=request.context_specs,
            table=request.table.name,
            context_table=request.context_table,
            **config,
        )

    return build


def ctgan_factory(*, small_table_rows: int = 50, **config: Any) -> ModelFactory:
    """:func:`model_factory` with CTGAN (kept for callers written before the choice)."""
    return model_factory(model="ctgan", small_table_rows=small_table_rows, **config)


def is_text_only(request: ModelRequest) -> bool:
    """True when every attribute is free text: nothing for a GAN's networks to learn."""
    return bool(request.specs) and all(s.kind is ColumnKind.TEXT for s in request.specs)


def model_request(schema: Schema, plan: TablePlan) -> ModelRequest:
    """Specs of the table's attributes and of its context parent's columns, from the schema."""
    table = schema.table(plan.table)
    context = None
    context_table = None
    if plan.context is not None and plan.context_columns:
        context_table = plan.context.parent
        context = column_specs(
            schema.table(context_table), plan.context_columns, force_nullable=True
        )
    specs = column_specs(table, plan.attributes, kinds=plan.keys.modelled)
    return ModelRequest(table, specs, context, plan.n_rows, context_table)


def training_frames(
    plan: TablePlan, tables: Mapping[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The model's training data and its row-aligned parent context (None without parent).

    A child whose context reference is NULL gets an all-NULL context row: it is generated the
    same way later, so the model learns what such children look like. Every context column
    a synthetic parent may leave NULL (``plan.context_nullable``) is NULL in some training
    rows too (:func:`null_aware_context`), so the model conditions on it instead of failing.
    """
    data = tables[plan.table]
    attrs = data[plan.attributes].reset_index(drop=True)
    if plan.context is None or not plan.context_columns:
        return attrs, None
    parent = tables[plan.context.parent]
    pos = locate(
        parent, plan.context.parent_columns, data, plan.context.child_columns, table=plan.table
    )
    context = context_rows(parent[plan.context_columns], pos)
    return attrs, null_aware_context(context, plan.context_nullable, table=plan.table)


#: Share of training rows whose value is hidden in a nullable context column without NULLs.
CONTEXT_NULL_SHARE = 0.02


def null_aware_context(
    context: pd.DataFrame,
    nullable: Sequence[str],
    *,
    table: str,
    share: float = CONTEXT_NULL_SHARE,
) -> pd.DataFrame:
    """Training context in which every ``nullable`` column holds NULL in some rows.

    A child model is trained on the parents that have children; when none of them lacks a
    value (NULL ``Size`` only on shops without sales) the model never learns a NULL in that
    context column, yet a synthetic parent may carry one and the child could not be made.
    Hiding the value in a small seeded share of rows (``share``, at least one row, never
    all of them) gives the model a NULL slot for the column, trained on what a child looks
    like when that parent value is unknown: the children of all parents, i.e. the marginal
    over the hidden column. Columns that already hold NULLs are left as they are.
    """
    columns = [c for c in nullable if c in context.columns and not context[c].isna().any()]
    n = len(context)
    if not columns or n < 2:
        return context
    rng = np.random.default_rng([zlib.crc32(table.encode()), n])
    hidden = min(max(1, round(share * n)), n - 1)
    out = context.copy()
    for column in columns:
        rows = rng.choice(n, size=hidden, replace=False)
        values = out[column].astype(object).to_numpy(copy=True)
        values[rows] = None
        restored = pd.Series(values, index=out.index, name=column)
        dtype = out[column].dtype
        out[column] = _with_nulls(restored, dtype)
    return out


def _with_nulls(values: pd.Series, dtype: Any) -> pd.Series:
    """``values`` (object, with None) back in a dtype of the original kind that holds NULL."""
    if pd.api.types.is_bool_dtype(dtype):
        return values.astype("boolean")
    if pd.api.types.is_integer_dtype(dtype):
        return values.astype("Int64")
    if pd.api.types.is_float_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return values.astype(dtype)
    return values


def context_rows(parent_ctx: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """Parent context per child row; position -1 (no parent) gives an all-NULL row."""
    linked = positions >= 0
    ctx = parent_ctx.iloc[np.where(linked, positions, 0)].reset_index(drop=True)
    if not linked.all():
        ctx = ctx.astype(object)  # NULLs must not turn integer columns into floats silently
        ctx.loc[~linked, :] = None
        ctx = ctx.infer_objects()
    return ctx


def expected_model(table: Table, *, small_table_rows: int = 50, model: str = "ctgan") -> str:
    """In words, the model :func:`model_factory` gives ``table``, from the schema alone.

    For descriptions written before any data is read (the Dagster asset descriptions): a
    table of keys only gets no model, one whose attributes are all free text a
    ``TextOnlyModel``, any other CTGAN unless its real table turns out tiny (a root of at
    most ``small_table_rows`` rows gets a ``SmallTableModel``; only the row count, known
    once the model is fitted, decides that). The fitted model's class is reported after
    fitting; this is what to expect.
    """
    from synthohive_lib.relational.plan import attribute_columns

    attributes = attribute_columns(table)
    if not attributes:
        return "none (keys only: the relational plan generates the table)"
    specs = column_specs(table, attributes)
    if all(s.kind is ColumnKind.TEXT for s in specs):
        return "TextOnlyModel (every attribute is free text)"
    name = MODEL_KINDS[model].__name__ if model in MODEL_KINDS else model
    if table.parent_tables:  # conditioned on a parent row: never the small-table bootstrap
        return name
    return f"{name} (SmallTableModel when the real table has at most {small_table_rows} rows)"
