"""Format-keeping masks: the reader still sees *what kind* of value was there, not which.

``john.doe@example.com`` → ``j***@e***.com``; ``+49 030 2655`` → ``+## ### ####``;
``John Smith`` → ``J*** S****``; ``SW1A 1AA`` → ``XX#X #XX``; an IBAN keeps its country
(``DE## #### ...``); a birth date keeps its year (``1962-02-18`` → ``1962-01-01``).
Lengths and separators survive, so downstream format checks and column widths still hold.

Every mask runs once per *distinct* value with pandas string methods (vectorised), and is
mapped back onto the rows; nulls stay null.
"""

from __future__ import annotations

import pandas as pd

from synthohive_lib.schema.model import PiiKind

#: kinds whose characters carry no meaning beyond their class (digit, letter)
_CODE_KINDS = frozenset(
    {PiiKind.PHONE, PiiKind.POSTAL_CODE, PiiKind.NATIONAL_ID, PiiKind.CREDIT_CARD,
     PiiKind.IP_ADDRESS}
)  # fmt: skip


def _mask_code(s: pd.Series) -> pd.Series:
    return s.str.replace(r"\d", "#", regex=True).str.replace(r"[^\W\d_]", "X", regex=True)


def _mask_words(s: pd.Series) -> pd.Series:
    """Keep each word's first letter, star the other letters, ``#`` the digits."""
    digits = s.str.replace(r"\d", "#", regex=True)
    return digits.str.replace(r"(?<=[^\W\d_])[^\W\d_]", "*", regex=True)


def _mask_email(s: pd.Series) -> pd.Series:
    parts = s.str.extract(r"^(?P<local>[^@]*)@(?P<domain>.*?)(?P<tld>\.[^.@]+)?$")
    local = parts["local"].fillna(s).str[:1] + "***"
    domain = parts["domain"].fillna("").str[:1] + "***"
    tld = parts["tld"].fillna("")
    has_at = s.str.contains("@", regex=False)
    return (local + "@" + domain + tld).where(has_at, _mask_words(s))


def _mask_iban(s: pd.Series) -> pd.Series:
    return s.str[:2] + _mask_code(s.str[2:])


def _mask_birth_date(values: pd.Series, datetime_format: str | None) -> pd.Series:
    """Generalise to 1 January of the birth year, in the column's own representation."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        years = values.dt.year
        return pd.to_datetime(
            {"year": years.fillna(1970), "month": 1, "day": 1}, errors="coerce"
        ).where(values.notna())
    text = values.astype(str)
    stamps = pd.to_datetime(text, format=datetime_format, errors="coerce")
    masked = (
        pd.to_datetime({"year": stamps.dt.year.fillna(1970), "month": 1, "day": 1})
        .dt.strftime(datetime_format or "%Y-%m-%d")
        .where(stamps.notna(), _mask_code(text))
    )
    return masked


def mask_values(
    values: pd.Series, kind: PiiKind, *, datetime_format: str | None = None
) -> pd.Series:
    """Mask ``values`` keeping format, per distinct value; nulls stay null, index is kept."""
    if kind is PiiKind.DATE_OF_BIRTH:
        return _mask_birth_date(values, datetime_format).where(values.notna(), None)
    present = values.dropna()
    if present.empty:
        return values.astype(object)
    distinct = pd.Series(present.astype(str).unique())
    if kind is PiiKind.EMAIL:
        masked = _mask_email(distinct)
    elif kind is PiiKind.IBAN:
        masked = _mask_iban(distinct)
    elif kind in _CODE_KINDS:
        masked = _mask_code(distinct)
    else:
        masked = _mask_words(distinct)
    mapping = dict(zip(distinct, masked, strict=True))
    out = values.astype(object).copy()
    out[present.index] = present.astype(str).map(mapping)
    return out
