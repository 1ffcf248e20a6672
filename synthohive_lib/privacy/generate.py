"""Replacement values for one PII column, row-aligned: the engine behind fill and anonymise.

Rows are grouped by an *identity code*: rows with the same code get the same value. When
anonymising a real table with ``consistent: true`` the code is the real value (one real value
→ one fake value); when filling synthetic rows the codes come from the plan's share of distinct
values, so a column whose real values repeat (billing addresses, cities) repeats in the output
and a unique column gets one code per row. Each code takes the locale of its first row, and the
values are made per locale in one batch (:mod:`~synthohive_lib.privacy.faking`).

The value made for a code is then turned into the column's output by its action: ``fake``
keeps it, ``mask`` masks it, ``hash`` HMACs it. Birth dates are drawn with NumPy in the real
range of years and written in the column's own representation.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from synthohive_lib.privacy.faking import FakerPool, derive_seed, distinct_values
from synthohive_lib.privacy.formats import from_shapes
from synthohive_lib.privacy.hashing import hash_values
from synthohive_lib.privacy.mask import mask_values
from synthohive_lib.privacy.normalise import form_one
from synthohive_lib.privacy.plan import SHAPED_KINDS, ColumnPlan
from synthohive_lib.privacy.settings import PiiSetting
from synthohive_lib.schema.model import PiiAction, PiiKind

#: kinds whose fakes are cut to the real maximum length (free words: cutting keeps them valid)
_TRUNCATED = frozenset(
    {PiiKind.PERSON_NAME, PiiKind.FIRST_NAME, PiiKind.LAST_NAME, PiiKind.ADDRESS,
     PiiKind.CITY, PiiKind.COMPANY}
)  # fmt: skip
_DEFAULT_YEARS = (1940, 2005)


def _birth_dates(
    plan: ColumnPlan, n: int, rng: np.random.Generator, avoid: Collection[str]
) -> pd.Series:
    """``n`` random dates in the real range of birth years, none equal to a real one."""
    lo = plan.year_min or _DEFAULT_YEARS[0]
    hi = plan.year_max or _DEFAULT_YEARS[1]
    start = np.datetime64(f"{lo}-01-01")
    days = int((np.datetime64(f"{hi + 1}-01-01") - start).astype(int))
    out = start + rng.integers(0, days, size=n).astype("timedelta64[D]")
    stamps = pd.Series(pd.to_datetime(out))
    for _ in range(8):  # redraw the few that hit a real birth date
        text = _date_text(stamps, plan)
        hit = text.str.casefold().isin(avoid).to_numpy()
        if not hit.any():
            break
        redraw = start + rng.integers(0, days, size=int(hit.sum())).astype("timedelta64[D]")
        stamps[hit] = pd.to_datetime(redraw)
    return stamps


def _date_text(stamps: pd.Series, plan: ColumnPlan) -> pd.Series:
    return stamps.dt.strftime(plan.datetime_format or "%Y-%m-%d %H:%M:%S")


def _as_storage(stamps: pd.Series, plan: ColumnPlan) -> pd.Series:
    if plan.storage == "datetime":
        return stamps
    if plan.datetime_format:
        return stamps.dt.strftime(plan.datetime_format).astype(object)
    return stamps.dt.strftime("%Y-%m-%d").astype(object)


def code_values(
    setting: PiiSetting,
    plan: ColumnPlan,
    codes: np.ndarray,
    locales: np.ndarray,
    *,
    seed: int,
    scope: str,
    avoid: Collection[str] = (),
) -> pd.Series:
    """One fresh value per distinct code (in the locale of the code's first row), row-aligned.

    ``codes`` and ``locales`` have one entry per non-null output row.
    """
    kind = setting.kind
    n = len(codes)
    rng = np.random.default_rng(derive_seed(seed, scope, "rows"))
    if n == 0:
        return pd.Series([], dtype=object)
    uniq, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    if kind is PiiKind.DATE_OF_BIRTH:
        per_code = _birth_dates(plan, len(uniq), rng, avoid)
        return pd.Series(per_code.to_numpy()[inverse])
    code_locale = locales[first]
    wanted = pd.Series(code_locale).value_counts(sort=False).to_dict()
    shaped = (
        kind in SHAPED_KINDS
        and plan.shapes
        and setting.locale_from is None
        and not setting.locale_configured
    )
    faker_pool = FakerPool(seed, scope)

    def make(loc: str, k: int) -> list[str]:
        made = (
            from_shapes(plan.shapes, k, rng).tolist() if shaped else faker_pool.batch(kind, loc, k)
        )
        if kind in _TRUNCATED and plan.length_max:
            # cut before the distinctness check, so a cut value can never collide unseen
            made = [v[: plan.length_max].rstrip() for v in made]
        return made

    made = distinct_values(
        faker_pool,
        kind,
        {str(k): int(v) for k, v in wanted.items()},
        normalise=lambda v: form_one(v, kind),
        avoid=avoid,
        unique=plan.unique or setting.unique,
        make=make,
    )
    per_code = np.empty(len(uniq), dtype=object)
    for loc, values in made.items():  # loop over locales, not rows
        slots = np.flatnonzero(code_locale == loc)
        per_code[slots] = np.asarray(values, dtype=object)[: len(slots)]
    return pd.Series(per_code[inverse], dtype=object)


def finish(
    values: pd.Series, setting: PiiSetting, plan: ColumnPlan, key: bytes | None
) -> pd.Series:
    """Turn made values into the column's output according to its action."""
    if setting.kind is PiiKind.DATE_OF_BIRTH:
        stamps = pd.to_datetime(values)
        if setting.action is PiiAction.MASK:
            stamps = mask_values(stamps, PiiKind.DATE_OF_BIRTH)
        out = _as_storage(pd.Series(stamps), plan)
        if setting.action is PiiAction.HASH and key is not None:
            return hash_values(out.astype(str), key)
        return out
    if setting.action is PiiAction.MASK:
        return mask_values(values, setting.kind)
    if setting.action is PiiAction.HASH:
        if key is None:
            raise ValueError("hash action without a key")  # guarded by the callers
        return hash_values(values, key)
    return values


def place(values: pd.Series, null_mask: np.ndarray, index: pd.Index) -> pd.Series:
    """Spread non-null ``values`` over the rows where ``null_mask`` is False."""
    datetime = pd.api.types.is_datetime64_any_dtype(values.dtype)
    if datetime:
        out = pd.Series(pd.NaT, index=index, dtype=values.dtype)
    else:
        out = pd.Series(None, index=index, dtype=object)
    out.iloc[np.flatnonzero(~null_mask)] = values.to_numpy()
    return out
