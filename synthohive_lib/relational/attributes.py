"""A table's model attributes for given parents: the one step every generation path shares.

The one-shot path (:func:`~synthohive_lib.relational.generate.generate_table`), the block path
(:mod:`~synthohive_lib.relational.blocks`, in one process or in Spark) all map unseen parent
categories onto seen ones, sample the model (per parent row, or ``n`` rows for a root) and
re-sample generated free text that spells a real PII value, in this order and from the same
random stream, here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd
import structlog

from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.relational.scrub import scrub_text
from synthohive_lib.schema.model import ColumnType, Table

log = structlog.get_logger(__name__)


def align_context(
    context: pd.DataFrame,
    seen: Mapping[str, list[Any]],
    rng: np.random.Generator,
    *,
    table: str | None = None,
) -> pd.DataFrame:
    """Synthetic parents' categories that the child model never saw, mapped to seen ones.

    A child model is trained only on the parents that have children (only 'Sales Support
    Agent' employees have customers); a synthetic parent may carry another category, which
    the model cannot encode. Each such value is replaced by a seen category drawn uniformly
    (seeded), or NULL when the model saw none, and the count is logged. Users calling a model
    directly still get its typed error for an unseen category.
    """
    if not seen or len(context) == 0:
        return context
    out = context
    for column, values in seen.items():
        if column not in context.columns:
            continue
        col = context[column]
        known = pd.Index([str(v) for v in values])
        unseen = (col.notna() & ~col.astype(str).isin(known)).to_numpy()
        if not unseen.any():
            continue
        if out is context:
            out = context.copy()
        picks = (
            np.asarray(values, dtype=object)[rng.integers(len(values), size=unseen.sum())]
            if values
            else np.full(int(unseen.sum()), None, dtype=object)
        )
        replaced = col.astype(object).to_numpy(copy=True)
        replaced[unseen] = picks
        out[column] = pd.Series(replaced, index=col.index).infer_objects()
        log.info("relational.context_mapped", table=table, column=column, rows=int(unseen.sum()))
    return out


def sample_attributes(
    model: GenerativeModel,
    plan: TablePlan,
    n: int,
    context: pd.DataFrame | None,
    seed: int,
    rng: np.random.Generator,
    *,
    table: Table | None = None,
    avoid: Collection[str] = (),
) -> pd.DataFrame:
    """The model's attribute columns for ``n`` rows (or one per ``context`` row).

    Parent categories the child model never saw are mapped to seen ones (as in the pandas
    path); with ``avoid`` (real PII forms) and the schema ``table``, generated free text that
    spells a real value is re-sampled.
    """
    if context is not None:
        context = align_context(context, plan.context_categories, rng, table=plan.table)
        attrs = model.sample(context=context, seed=seed)

        def resample(rows: np.ndarray, seed: int) -> pd.DataFrame:
            return model.sample(context=context.iloc[rows], seed=seed)
    else:
        attrs = model.sample(n, seed=seed)

        def resample(rows: np.ndarray, seed: int) -> pd.DataFrame:
            return model.sample(len(rows), seed=seed)

    if avoid and table is not None:
        text = [c for c in plan.attributes if table.column(c).type is ColumnType.TEXT]
        attrs = scrub_text(attrs, text, avoid, resample, rng, table=plan.table)
    return attrs.reset_index(drop=True)
