"""How two values are compared when asking "is this a real value?".

Leaks hide behind trivial differences: ``John.Smith@Example.com `` is
``john.smith@example.com``; ``+49 (030) 2655-0280`` is ``4903026550280``. Two forms cover it:
*text* (case folded, whitespace trimmed and collapsed) for every value, and *code*
(letters and digits only) for kinds whose punctuation is decoration (phones, cards, ids,
IBANs, postal codes). The fake generator uses the same forms to reject fakes that equal a real
value, so what it avoids is exactly what the leak scan would flag.
"""

from __future__ import annotations

import re

import pandas as pd

from synthohive_lib.schema.model import PiiKind

#: kinds compared on letters and digits only
CODE_KINDS = frozenset(
    {PiiKind.PHONE, PiiKind.CREDIT_CARD, PiiKind.NATIONAL_ID, PiiKind.IBAN,
     PiiKind.POSTAL_CODE}
)  # fmt: skip
#: code forms shorter than this are too generic to call a leak (``12``, ``A1``)
MIN_CODE_LENGTH = 4
#: text forms shorter than this are too generic to call a leak (initials, ``Jo``)
MIN_TEXT_LENGTH = 3

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


def text_form(values: pd.Series) -> pd.Series:
    """Case-folded, trimmed, whitespace-collapsed text of every value (vectorised)."""
    return values.astype(str).str.casefold().str.strip().str.replace(r"\s+", " ", regex=True)


def code_form(values: pd.Series) -> pd.Series:
    """Only the letters and digits, case-folded (vectorised)."""
    return values.astype(str).str.casefold().str.replace(r"[\W_]+", "", regex=True)


def form(values: pd.Series, kind: PiiKind) -> pd.Series:
    """The comparison form of ``values`` for a column of PII ``kind``."""
    return code_form(values) if kind in CODE_KINDS else text_form(values)


def form_one(value: str, kind: PiiKind) -> str:
    """:func:`form` for one value (used while generating, per candidate value)."""
    if kind in CODE_KINDS:
        return _NOT_ALNUM.sub("", value.casefold())
    return _SPACES.sub(" ", value.casefold().strip())
