"""PII never enters the model: split it off before training, fill it back in on output.

The relational layer calls, per table::

    plan = PiiPlan.fit(real_df, table)            # saved beside the model (no values)
    model_frame = strip_pii(real_df, table)       # what the model may see
    ...                                           # fit, sample → synthetic_without_pii
    synthetic = fill_pii(synthetic_without_pii, table, plan, seed=seed, avoid=avoid)

``fill_pii`` writes every PII column in its real format, with the real
null rate and share of repeated values, unique where the real column is, the locale per row
from the ``locale_from`` column of the synthetic rows; ``avoid`` (the forms of the real PII
values, :func:`real_pii_forms`) guarantees that no filled value equals a real one.
:func:`pii_filler` adapts all this to the ``fill_pii`` hook of
:func:`synthohive_lib.relational.generate`. :func:`check_context_columns` refuses a PII
column as parent context: it would be model input.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import structlog

from synthohive_lib.errors import PrivacyError
from synthohive_lib.privacy.faking import derive_seed, spread
from synthohive_lib.privacy.generate import code_values, finish, place
from synthohive_lib.privacy.hashing import hash_key
from synthohive_lib.privacy.leaks import collect_real_pii
from synthohive_lib.privacy.locales import locales_for_values
from synthohive_lib.privacy.plan import ColumnPlan, PiiPlan, pool_size
from synthohive_lib.privacy.settings import PiiSetting, check_columns_present, pii_settings
from synthohive_lib.schema.model import PiiAction, Schema, Table

log = structlog.get_logger(__name__)


def model_columns(table: Table) -> list[str]:
    """Columns a model may see: all but PII columns (``keep`` ones excepted, logged)."""
    settings = pii_settings(table)
    return [
        c for c in table.column_names if c not in settings or settings[c].action is PiiAction.KEEP
    ]


def split_pii(real: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(model frame, PII frame): the table's columns split by the schema's PII settings.

    Columns of the frame unknown to the schema go to neither (they are not the table's).
    """
    check_columns_present(table, real.columns, what="data")
    settings = pii_settings(table)
    keep = [c for c in model_columns(table) if c in real.columns]
    pii = [c for c in settings if settings[c].action is not PiiAction.KEEP]
    return real[keep].copy(), real[pii].copy()


def strip_pii(real: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The frame without its PII columns: what a model is trained on."""
    return split_pii(real, table)[0]


def check_context_columns(schema: Schema, table: str, context_columns: Iterable[str]) -> None:
    """Refuse PII columns of ``table`` chosen as context for a child model (model input)."""
    parent = schema.table(table)
    settings = pii_settings(parent)
    for name in context_columns:
        setting = settings.get(name)
        if setting is not None and setting.action is not PiiAction.KEEP:
            raise PrivacyError(
                f"PII column ({setting.kind.value}) selected as parent context: it would "
                "reach a child model",
                table=table,
                column=name,
                fix="remove it from context_columns, or set pii_action: keep if it is not "
                "personal data after all",
            )


def real_pii_forms(real_frames: Mapping[str, pd.DataFrame], schema: Schema) -> set[str]:
    """Comparison forms of every real PII value: pass as ``avoid`` so no fake equals one."""
    return collect_real_pii(real_frames, schema).forms()


def _row_locales(
    setting: PiiSetting, frame: pd.DataFrame, rows: np.ndarray, table: str
) -> np.ndarray:
    if setting.locale_from is None:
        return np.full(len(rows), setting.locale, dtype=object)
    if setting.locale_from not in frame.columns:
        raise PrivacyError(
            f"locale_from column {setting.locale_from!r} is absent from the frame to fill",
            table=table,
            column=setting.column,
            fix="generate the locale column before filling PII (it must be a model column)",
        )
    source = frame[setting.locale_from].iloc[rows]
    locales = locales_for_values(
        source,
        default=setting.locale,
        overrides=setting.locale_map,
        table=table,
        column=setting.column,
    )
    return locales.to_numpy(dtype=object)


def _pool_codes(plan: ColumnPlan, locales: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Identity codes for synthetic rows: per locale group, a pool sized like the real one."""
    codes = np.empty(len(locales), dtype=np.int64)
    offset = 0
    for loc in pd.unique(locales):  # loop over locales, not rows
        rows = np.flatnonzero(locales == loc)
        k = pool_size(plan, len(rows))
        codes[rows] = offset + spread(k, len(rows), rng)
        offset += k
    return codes


def _key_for(setting: PiiSetting, table: str, env: Mapping[str, str] | None) -> bytes | None:
    if setting.action is not PiiAction.HASH:
        return None
    return hash_key(setting.hash_key_env, table=table, column=setting.column, env=env)


def fill_pii(
    synthetic: pd.DataFrame,
    table: Table,
    plan: PiiPlan,
    *,
    n: int | None = None,
    seed: int = 0,
    avoid: Collection[str] = (),
    env: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Fill every PII column of ``synthetic`` rows from ``plan``; columns in table order.

    ``n`` is the number of rows when ``synthetic`` has no columns yet (default: its length).
    ``drop`` columns are left out of the result; ``keep`` columns the model produced are
    left as they are. Hash keys are checked before anything is generated.
    """
    settings = pii_settings(table)
    rows = len(synthetic) if n is None else n
    if len(synthetic.columns) and len(synthetic) != rows:
        raise PrivacyError(
            f"n={rows} differs from the {len(synthetic)} synthetic rows given",
            table=table.name,
            fix="pass n only for a frame without columns",
        )
    frame = synthetic.copy() if len(synthetic.columns) else pd.DataFrame(index=range(rows))
    keys = {name: _key_for(s, table.name, env) for name, s in settings.items()}
    for name, setting in settings.items():
        if setting.action is PiiAction.DROP:
            frame = frame.drop(columns=[name], errors="ignore")
            continue
        if setting.action is PiiAction.KEEP and name in frame and frame[name].notna().any():
            continue
        col_plan = plan.column(name)
        scope = f"{table.name}.{name}"
        rng = np.random.default_rng(derive_seed(seed, scope, "nulls"))
        null_mask = np.zeros(rows, dtype=bool)
        n_null = round(col_plan.null_rate * rows)
        if n_null:
            null_mask[rng.choice(rows, size=n_null, replace=False)] = True
        filled = np.flatnonzero(~null_mask)
        locales = _row_locales(setting, frame, filled, table.name)
        codes = _pool_codes(col_plan, locales, rng)
        made = code_values(setting, col_plan, codes, locales, seed=seed, scope=scope, avoid=avoid)
        values = finish(made, setting, col_plan, keys[name])
        frame[name] = place(values, null_mask, frame.index)
    log.info(
        "privacy.fill",
        table=table.name,
        rows=rows,
        actions={k: s.action.value for k, s in settings.items()},
    )
    order = [c for c in table.column_names if c in frame.columns]
    extra = [c for c in frame.columns if c not in order]
    return frame[order + extra]


@dataclass(frozen=True)
class PlanPiiFiller:
    """The ``fill_pii`` hook of :func:`synthohive_lib.relational.generate` (``(table, frame,
    rng) -> frame``): fills from each table's plan with a seed drawn from ``rng``.

    A plain object rather than a closure so that it pickles: Spark ships it to executors.
    """

    schema: Schema
    plans: Mapping[str, PiiPlan]
    avoid: frozenset[str] = frozenset()
    env: Mapping[str, str] | None = None

    def __call__(self, table: Table, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        if table.name not in self.plans:
            raise PrivacyError(
                "no PII plan for this table",
                table=table.name,
                fix="fit PiiPlan.fit(real_df, table) for every table with PII columns",
            )
        seed = int(rng.integers(2**31))
        return fill_pii(frame, self.schema.table(table.name), self.plans[table.name],
                        seed=seed, avoid=self.avoid, env=self.env)  # fmt: skip


def pii_filler(
    schema: Schema,
    plans: Mapping[str, PiiPlan],
    *,
    avoid: Collection[str] = (),
    env: Mapping[str, str] | None = None,
) -> PlanPiiFiller:
    """A picklable ``fill_pii`` hook for the relational and Spark generators."""
    return PlanPiiFiller(schema, dict(plans), frozenset(avoid), None if env is None else dict(env))
