"""Booleans stored as text: the two spellings a column uses, and the mapping to True/False.

Sources store yes/no flags as ``'Y'/'N'``, ``'yes'/'no'``, ``'T'/'F'``, ``'true'/'false'`` or
``'1'/'0'`` text, in any case. The model learns a boolean; the synthetic table must hold the
source's own spelling again (``'Y'``, not ``True``), or a consumer comparing with ``= 'Y'``
breaks. A column's *vocabulary* is its pair of spellings ``(true_value, false_value)``:
declared in ``schema.yaml`` (``true_value: 'Y'``, ``false_value: 'N'``, written by
``schema infer``) or, when not declared, learnt from the values the encoder is fitted on.

A top-level module (pure pandas, no project imports) because three layers share it:
inference (which spellings a column has), the boolean encoder (text -> bool -> the same
text) and source validation (values outside the vocabulary are refused before training,
with the encoder's own error).
"""

from __future__ import annotations

import pandas as pd

#: Lower-cased tokens read as true / false.
TRUE_TOKENS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_TOKENS = frozenset({"false", "f", "no", "n", "0"})
#: The usual partner of each token (for a column whose sample shows one side only).
_PARTNER = {"true": "false", "t": "f", "yes": "no", "y": "n", "1": "0"}
_PARTNER.update({v: k for k, v in list(_PARTNER.items())})


def is_text(series: pd.Series) -> bool:
    """Whether the non-null values are strings (a text-stored boolean, not bools or 0/1)."""
    present = series.dropna()
    return bool(len(present)) and pd.api.types.infer_dtype(present, skipna=True) == "string"


def token_sides(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(is a true token, is a false token) per value, case and surrounding blanks ignored."""
    text = values.astype(str).str.strip().str.lower()
    return text.isin(TRUE_TOKENS), text.isin(FALSE_TOKENS)


def stored_spellings(values: pd.Series) -> tuple[str, str] | None:
    """``(true_value, false_value)`` when the distinct stored strings are exactly one true
    and one false spelling (``'Y'``/``'N'``, ``'1'``/``'0'``); None otherwise.

    Two spellings of one side (``'Y'``, ``'y'``, ``'N'``) are not a boolean vocabulary: such
    a column is categorical, which reproduces every spelling at its real frequency.
    """
    distinct = pd.Series(pd.unique(values.dropna().astype(str)), dtype=object)
    if len(distinct) != 2:
        return None
    true, false = token_sides(distinct)
    if int(true.sum()) != 1 or int(false.sum()) != 1:
        return None
    return str(distinct[true].iloc[0]), str(distinct[false].iloc[0])


def partner(spelling: str) -> str:
    """The other side's usual spelling in the same case (``'Y'`` -> ``'N'``, ``'Yes'`` ->
    ``'No'``); used when the fitted values show one side only."""
    other = _PARTNER.get(spelling.strip().lower(), "")
    if spelling.isupper():
        return other.upper()
    if spelling[:1].isupper():
        return other.capitalize()
    return other


def learnt_spellings(values: pd.Series) -> tuple[str, str]:
    """The most frequent stored spelling of each side (a missing side gets its partner)."""
    present = values.dropna().astype(str)
    true, false = token_sides(present)
    true_counts = present[true.to_numpy()].value_counts()
    false_counts = present[false.to_numpy()].value_counts()
    true_value = str(true_counts.index[0]) if len(true_counts) else None
    false_value = str(false_counts.index[0]) if len(false_counts) else None
    if true_value is None:
        true_value = partner(false_value or "false")
    if false_value is None:
        false_value = partner(true_value)
    return true_value, false_value


def outside_vocabulary(
    values: pd.Series, true_value: str | None, false_value: str | None
) -> pd.Series:
    """Non-null values that are neither spelling (exact match when a vocabulary is declared,
    any true/false token otherwise)."""
    present = values.notna()
    if true_value is not None and false_value is not None:
        text = values.astype(object).where(present).astype(str)
        return present & ~text.isin([true_value, false_value])
    true, false = token_sides(values.astype(object).where(present))
    return present & ~(true | false)


def to_bool(values: pd.Series, true_value: str | None, false_value: str | None) -> pd.Series:
    """Text booleans as a nullable ``boolean`` series (values outside the vocabulary: NA;
    check them first with :func:`outside_vocabulary`)."""
    present = values.notna()
    if true_value is not None and false_value is not None:
        text = values.astype(object).where(present).astype(str)
        true, false = text.eq(true_value), text.eq(false_value)
    else:
        true, false = token_sides(values.astype(object).where(present))
    out = pd.Series(pd.NA, index=values.index, dtype="boolean", name=values.name)
    out[(present & true).to_numpy()] = True
    out[(present & false).to_numpy()] = False
    return out
