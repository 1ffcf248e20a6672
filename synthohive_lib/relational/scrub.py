"""Generated free text that happens to spell a real PII value is redrawn.

A text model learns one column (``Artist.Name``) and never replays *its own* real values, but
a character model can still produce a string that is a real person's name elsewhere in the
database (a customer called "John"). The leak scan (:func:`synthohive_lib.privacy.scan_for_leaks`)
would rightly flag it. :func:`scrub_text` compares every generated text value with the
comparison forms of the real PII values (``privacy.real_pii_forms``: case-folded text and
letters-and-digits codes, the forms the scan uses), redraws the offending rows from the model a
few times, and sets any value still matching to NULL (logged), so no real PII value is emitted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import numpy as np
import pandas as pd
import structlog

from synthohive_lib.privacy.normalise import code_form, text_form

log = structlog.get_logger(__name__)

#: ``resample(rows, seed)``: fresh model output for those row positions (same columns)
Resampler = Callable[[np.ndarray, int], pd.DataFrame]


def matches_real(values: pd.Series, avoid: Collection[str]) -> np.ndarray:
    """Which non-null values equal a real PII value in text or code form."""
    present = values.notna().to_numpy()
    if not present.any():
        return present
    text = values.astype(object).where(values.notna(), "")
    hit = text_form(text).isin(avoid).to_numpy() | code_form(text).isin(avoid).to_numpy()
    return hit & present


def scrub_text(
    attrs: pd.DataFrame,
    columns: Sequence[str],
    avoid: Collection[str],
    resample: Resampler,
    rng: np.random.Generator,
    *,
    rounds: int = 5,
    table: str | None = None,
) -> pd.DataFrame:
    """``attrs`` with no value of ``columns`` equal to a form in ``avoid`` (see module)."""
    if not avoid or not columns or len(attrs) == 0:
        return attrs
    out = attrs
    for column in columns:
        bad = np.flatnonzero(matches_real(out[column], avoid))
        if len(bad) == 0:
            continue
        if out is attrs:
            out = attrs.copy()
        values = out[column].astype(object).to_numpy(copy=True)
        for _ in range(rounds):
            fresh = resample(bad, int(rng.integers(2**31)))[column].astype(object).to_numpy()
            values[bad] = fresh
            bad = bad[matches_real(pd.Series(fresh, dtype=object), avoid)]
            if len(bad) == 0:
                break
        if len(bad):
            values[bad] = None
            log.warning("relational.text_nulled", table=table, column=column, rows=len(bad))
        out[column] = values
    return out
