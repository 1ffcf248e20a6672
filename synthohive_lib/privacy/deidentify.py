"""De-identify a *real* table in place of synthesising it: each PII column by its action.

Useful for a masked copy of production or for inspecting what the actions do: ``drop``
removes the column, ``keep`` leaves it (logged), ``mask`` masks each real value keeping its
format, ``hash`` HMACs each real value (same key → same digest, so joins across tables and
runs survive), ``fake`` replaces it. With ``consistent: true`` a real value gets one fake value
everywhere in the run (the code of a row is its real value); otherwise every row gets its own.
Nulls stay where they were. The mapping real → fake lives in memory only, never on disk.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from synthohive_lib.privacy.fill import _key_for, _row_locales
from synthohive_lib.privacy.generate import code_values, finish, place
from synthohive_lib.privacy.hashing import hash_values
from synthohive_lib.privacy.mask import mask_values
from synthohive_lib.privacy.normalise import code_form, text_form
from synthohive_lib.privacy.plan import PiiPlan
from synthohive_lib.privacy.settings import check_columns_present, pii_settings
from synthohive_lib.schema.model import PiiAction, Table


def _own_forms(real: pd.DataFrame, columns: list[str]) -> set[str]:
    forms: set[str] = set()
    for name in columns:
        values = real[name].dropna().astype(str)
        forms.update(text_form(values).unique())
        forms.update(code_form(values).unique())
    return forms


def anonymise(
    real: pd.DataFrame,
    table: Table,
    *,
    seed: int = 0,
    avoid: Collection[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A copy of ``real`` with every PII column replaced by its action (see module doc)."""
    check_columns_present(table, real.columns, what="data")
    settings = pii_settings(table)
    plan = PiiPlan.fit(real, table)
    keys = {name: _key_for(s, table.name, env) for name, s in settings.items()}
    if avoid is None:
        avoid = _own_forms(real, list(settings))
    out = real.copy()
    for name, setting in settings.items():
        col_plan = plan.column(name)
        values = real[name]
        null_mask = values.isna().to_numpy()
        present = values[~null_mask]
        if setting.action is PiiAction.DROP:
            out = out.drop(columns=[name])
        elif setting.action is PiiAction.MASK:
            out[name] = mask_values(values, setting.kind, datetime_format=col_plan.datetime_format)
        elif setting.action is PiiAction.HASH:
            key = keys[name]
            assert key is not None  # _key_for raised otherwise
            out[name] = hash_values(values, key)
        elif setting.action is PiiAction.FAKE:
            filled = np.flatnonzero(~null_mask)
            locales = _row_locales(setting, real, filled, table.name)
            codes = (
                pd.factorize(present.astype(str))[0]
                if setting.consistent
                else np.arange(len(present))
            )
            made = code_values(setting, col_plan, codes, locales, seed=seed,
                               scope=f"{table.name}.{name}", avoid=avoid)  # fmt: skip
            out[name] = place(finish(made, setting, col_plan, None), null_mask, real.index)
    return out
