"""What a block does after its skeleton (keys, parents): the same steps as the pandas path.

The relational layer's :func:`~synthohive_lib.relational.generate.generate_table` is the
reference; these helpers call the *same* library functions per block (context alignment,
text scrubbing, constant columns, PII fill) so a table generated in Spark follows the same
rules as one generated with the pandas engine, only with per-block seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np
import pandas as pd

from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.relational.generate import align_context
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.relational.scrub import scrub_text
from synthohive_lib.schema.model import ColumnType, Table

#: ``fill_pii(table, frame, rng) -> frame`` (the privacy layer's filler; must be picklable)
PiiFiller = Callable[[Table, pd.DataFrame, np.random.Generator], pd.DataFrame]


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


def finish_block(
    frame: pd.DataFrame,
    plan: TablePlan,
    rng: np.random.Generator,
    *,
    table: Table | None = None,
    fill_pii: PiiFiller | None = None,
) -> pd.DataFrame:
    """Constant columns, then PII columns (NULL, or filled by ``fill_pii``)."""
    for constant in plan.constants:
        frame[constant.name] = constant.values(len(frame), rng).array
    for col in plan.pii:
        frame[col] = None
    if fill_pii is not None and plan.pii and table is not None:
        frame = fill_pii(table, frame, rng)
    return frame
