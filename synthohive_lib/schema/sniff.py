"""Sniffing: what the *values* of a column say about it, beyond what the database declares.

Reflection tells us a column is ``TEXT``; only the data can tell that it holds
``'2009-01-01 00:00:00'`` timestamps, a handful of countries, free-text titles, prices with two
decimals or e-mail addresses. Everything here works on a pandas Series (a sample of the column)
with vectorised operations: the per-row cost is pandas/NumPy's, never a Python loop, so sniffing
a 100k-row sample of a wide table takes well under a second per column.

The rules are heuristics with documented thresholds (see ``docs/schema.md``); the inferred
schema is a first draft that a person reviews and edits, and ``schema.yaml`` always wins.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from synthohive_lib import booleans
from synthohive_lib.errors import MixedTypeColumnError
from synthohive_lib.schema.model import ColumnType, PiiKind, StorageType

# --------------------------------------------------------------------------- thresholds

#: A string column is categorical when it has at most this many distinct values ...
CATEGORICAL_MAX_DISTINCT = 100
#: ... and at most this share of distinct values among its non-null values (on average
#: every value repeats at least twice). Unique labels (``Genre.Name``) are therefore text.
CATEGORICAL_MAX_RATIO = 0.5
#: Strings this short without spaces are codes (state, currency, ISO country codes): a small
#: vocabulary of them is categorical whatever its distinct ratio, since free text is never 3
#: letters and a text generator would only invent codes that do not exist (``Customer.State``).
CODE_MAX_LENGTH = 3
#: PII candidates at or above this confidence are written to ``Column.pii``.
PII_SET_THRESHOLD = 0.5
#: Share of non-null values that must match a value pattern (e-mail, IBAN ...) to count.
PII_VALUE_MIN_SHARE = 0.8
#: Distinct values looked at by the string pattern checks (enough to decide, cheap to run).
MAX_DISTINCT_SNIFFED = 5000
#: Largest number of decimal places recognised; more means "a real float".
MAX_DECIMALS = 6

#: strftime formats tried, most specific first. Day-first wins over month-first when both
#: parse every value (ambiguous data); fix such a column by hand in schema.yaml. A format
#: only counts when it also writes every value back exactly as stored (see
#: :func:`detect_datetime_format`), so the synthetic text looks like the source's.
DATETIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    # month names (English, as strftime writes them): 'Mar-2018' (Lending Club), '05 Mar 2018',
    # 'March 05, 2018', 'Mon, 05 Mar 2018 14:05:00'
    "%b-%Y",
    "%b-%y",
    "%b %Y",
    "%B %Y",
    "%B-%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%a, %d %b %Y %H:%M:%S",
    "%a %b %d %H:%M:%S %Y",
    "%Y-%b-%d",
)

_TRUE_TOKENS = booleans.TRUE_TOKENS
_FALSE_TOKENS = booleans.FALSE_TOKENS


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PiiCandidate:
    """A column that may hold personal data, with how sure we are and why."""

    table: str
    column: str
    kind: PiiKind
    confidence: float
    reasons: tuple[str, ...] = ()

    def __str__(self) -> str:
        why = ", ".join(self.reasons)
        return f"{self.table}.{self.column}: {self.kind.value} ({self.confidence:.2f}; {why})"


@dataclass
class ColumnSniff:
    """What sniffing concluded about one column (a draft for :class:`Column`)."""

    type: ColumnType
    storage: StorageType
    datetime_format: str | None = None
    decimals: int | None = None
    min: int | float | str | None = None
    max: int | float | str | None = None
    null_count: int = 0
    distinct_count: int = 0
    non_null_count: int = 0
    pii: PiiCandidate | None = None
    true_value: str | None = None
    false_value: str | None = None
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- names


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def name_tokens(name: str) -> list[str]:
    """Lower-case word tokens of an identifier: ``BillingPostalCode`` → billing, postal, code."""
    spaced = _CAMEL.sub(" ", name)
    return [t for t in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if t]


def looks_like_id_name(name: str) -> bool:
    """``id``, ``user_id``, ``CustomerId``, ``uuid``, ``order_key``: names of keys."""
    tokens = name_tokens(name)
    return bool(tokens) and tokens[-1] in {"id", "uuid", "guid", "key", "pk", "fk"}


_PERSON_TABLES = frozenset(
    {
        "customer", "customers", "employee", "employees", "user", "users", "person", "people",
        "persons", "contact", "contacts", "patient", "patients", "member", "members", "client",
        "clients", "student", "students", "staff", "author", "authors",
    }
)  # fmt: skip


def pii_kind_from_name(column: str, table: str = "") -> tuple[PiiKind, float] | None:
    """The PII kind a column *name* suggests, with a confidence; None when it suggests none."""
    tokens = name_tokens(column)
    compact = "".join(tokens)
    if not compact:
        return None
    last = tokens[-1]

    def ends(*suffixes: str) -> bool:
        return compact.endswith(suffixes)

    if "email" in compact or compact in {"mail", "mailaddress"}:
        return PiiKind.EMAIL, 0.8
    if compact in {"ip", "ipaddr", "ipv4", "ipv6"} or ends("ipaddress", "ipaddr"):
        return PiiKind.IP_ADDRESS, 0.8
    if "iban" in tokens or ends("iban"):
        return PiiKind.IBAN, 0.8
    if any(s in compact for s in ("creditcard", "cardnumber", "ccnumber")) or compact == "pan":
        return PiiKind.CREDIT_CARD, 0.8
    if compact in {"ssn", "sin", "nin", "nationalid", "taxid", "passportnumber"} or any(
        s in compact for s in ("socialsecurity", "nationalid", "nationalidentity")
    ):
        return PiiKind.NATIONAL_ID, 0.8
    if compact in {"dob", "birthday"} or any(s in compact for s in ("birthdate", "dateofbirth")):
        return PiiKind.DATE_OF_BIRTH, 0.8
    if compact in {"fname"} or ends("firstname", "givenname", "forename"):
        return PiiKind.FIRST_NAME, 0.8
    if compact in {"lname"} or ends("lastname", "surname", "familyname"):
        return PiiKind.LAST_NAME, 0.8
    if ends("fullname", "personname", "contactname", "customername", "employeename") or (
        compact == "name"
        and table
        and name_tokens(table)[-1:]
        and name_tokens(table)[-1] in _PERSON_TABLES
    ):
        return PiiKind.PERSON_NAME, 0.7
    if any(t in {"phone", "fax", "mobile", "tel", "telephone", "cellphone"} for t in tokens) or (
        "phone" in compact
    ):
        return PiiKind.PHONE, 0.8
    if ends("postalcode", "postcode", "zipcode", "zip"):
        return PiiKind.POSTAL_CODE, 0.75
    if last in {"city", "town"}:
        return PiiKind.CITY, 0.7
    if last in {"address", "street", "addr"} or ends("streetaddress", "addressline"):
        return PiiKind.ADDRESS, 0.75
    if "company" in tokens or ends("employer", "organization", "organisation", "companyname"):
        return PiiKind.COMPANY, 0.7
    return None


# --------------------------------------------------------------------------- value patterns

_EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
_IPV4 = r"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$"
_IPV6 = r"^(?=.*:.*:)[0-9A-Fa-f:]{2,39}$"
_SSN = r"^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$"
_PHONE = r"^\+?[\d\s().\-/]{6,22}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$"


def luhn_valid(digits: pd.Series) -> pd.Series:
    """Luhn checksum of digit strings, vectorised with a NumPy digit matrix (credit cards)."""
    if digits.empty:
        return pd.Series([], dtype=bool, index=digits.index)
    width = int(digits.str.len().max())
    padded = digits.str.zfill(width)
    mat = np.frombuffer("".join(padded).encode("ascii"), dtype=np.uint8).reshape(-1, width)
    mat = mat.astype(np.int64) - ord("0")
    # double every second digit counted from the right
    doubled = mat[:, ::-1].copy()
    doubled[:, 1::2] *= 2
    doubled[doubled > 9] -= 9
    return pd.Series(doubled.sum(axis=1) % 10 == 0, index=digits.index)


def iban_valid(ibans: pd.Series) -> pd.Series:
    """ISO 13616 mod-97 check of IBAN strings, vectorised over a character matrix."""
    if ibans.empty:
        return pd.Series([], dtype=bool, index=ibans.index)
    rearranged = ibans.str[4:] + ibans.str[:4]
    width = int(rearranged.str.len().max())
    padded = rearranged.str.pad(width, side="left", fillchar="0")
    mat = np.frombuffer("".join(padded).encode("ascii"), dtype=np.uint8).reshape(-1, width)
    mat = mat.astype(np.int64)
    is_letter = mat >= ord("A")
    value = np.where(is_letter, mat - ord("A") + 10, mat - ord("0"))
    rem = np.zeros(len(ibans), dtype=np.int64)
    for j in range(width):  # loop over character positions (<= 34), not over rows
        col = value[:, j]
        rem = np.where(is_letter[:, j], (rem * 100 + col) % 97, (rem * 10 + col) % 97)
    return pd.Series(rem == 1, index=ibans.index)


#: Postal formats specific enough to count alone (UK, Canada, NL, ZIP+4, PL, BR, PT, CZ ...).
_POSTAL_DISTINCT = (
    r"^(?:[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4} ?[A-Z]{2}"
    r"|\d{5}-\d{4}|\d{2}-\d{3}|\d{5}-\d{3}|\d{4}-\d{3}|\d{3} \d{2}|\d{3}-\d{3})$"
)
#: Plain 4-5 digit strings: postal codes in most countries, but also any short code.
_POSTAL_PLAIN = r"^\d{4,5}$"
#: Weight of a plain-digit match: alone it never reaches PII_VALUE_MIN_SHARE.
POSTAL_PLAIN_WEIGHT = 0.6
_STREET_WORDS = (
    "street|st|str|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl"
    "|square|sq|highway|hwy|parkway|pkwy|terrace|suite|apt|rua|rue|via|calle|avenida|alameda"
    "|praça|plaza|piazza|viale|corso|chemin|allée|ul|ulica|utca|út|c|flat|unit|apartment"
    "|estrada|largo|travessa|rodovia|vila|paseo|camino|carrera|quai|impasse"
)
_STREET_SUFFIXES = (
    "strasse|straße|straat|gasse|weg|vej|veien|vegen|gatan|gata|vägen|katu|tie|utca|laan"
    "|plein|dreef|allee|ring|damm|platz|gade|stræde|torget|str"
)
_ADDRESS_TOKEN = rf"(?i)(?:\b(?:{_STREET_WORDS})\b\.?|[\w\-](?:{_STREET_SUFFIXES})\b)"
#: Weight of "words then a number" without a street word: product names look like that too.
ADDRESS_BARE_WEIGHT = 0.5
#: Weight of "a house number, then capitalised words" (``9668 May Spurs``) or "words, comma,
#: number" (``Área Silveira, 367``) without a street word: rarer outside addresses.
ADDRESS_FORM_WEIGHT = 0.9
#: Weight of the birth-date value test: age-like dates are also release or founding dates.
BIRTH_DATE_VALUE_WEIGHT = 0.5
#: Youngest and oldest plausible age (years) of a birth date, and the median age required.
BIRTH_AGE_RANGE = (14, 105)
BIRTH_MEDIAN_AGE_MIN = 25


@lru_cache(maxsize=1)
def person_name_lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-cased first and last names from Faker's person providers of every Latin-script
    locale: the dictionary the name value test looks values up in (built once, cached)."""
    import faker.providers.person as person_pkg  # local: only name sniffing needs it

    first: set[str] = set()
    last: set[str] = set()
    for info in _iter_modules(person_pkg.__path__):
        module = importlib.import_module(f"faker.providers.person.{info}")
        provider = getattr(module, "Provider", None)
        for attr, bucket in (
            ("first_names", first), ("first_names_male", first), ("first_names_female", first),
            ("last_names", last),
        ):  # fmt: skip
            names = getattr(provider, attr, ())
            if not isinstance(names, dict | tuple | list):
                continue  # some providers compute names in a property: nothing to read
            bucket.update(str(n).lower() for n in names if str(n).isascii() or str(n).isalpha())
    return frozenset(first), frozenset(last)


def _iter_modules(path: list[str]) -> list[str]:
    import pkgutil

    skip = {"ar", "az", "bg", "bn", "el", "fa", "gu", "he", "hi", "hy", "ja", "ka", "ko", "mk",
            "mr", "ne", "or", "ru", "si", "ta", "th", "uk", "zh"}  # fmt: skip
    return [m.name for m in pkgutil.iter_modules(path) if m.name.split("_")[0] not in skip]


def _name_shares(s: pd.Series) -> dict[PiiKind, float]:
    """Shares of values that are a known first name, a known last name, or a full name."""
    first, last = person_name_lexicon()
    n = len(s)
    lower = s.str.lower()
    tokens = lower.str.split()
    ntok = tokens.str.len()
    capital = s.str.match(r"^[^\W\d_]") & (s.str[:1] == s.str[:1].str.upper())
    # a name has lower-case letters: 'AB' or 'NY' are codes, not names
    cased = s.str.contains(r"[^\W\d_]{2}", regex=True) & (s != s.str.upper())
    is_first = lower.isin(first) & capital & cased
    is_last = lower.isin(last) & capital & cased
    head = tokens.str[0].fillna("")
    tail = tokens.str[-1].fillna("")
    wordy = s.str.fullmatch(r"[^\W\d_][\w'’.\- ]*") & capital
    full = wordy & ntok.between(2, 4) & head.isin(first) & (tail.isin(last) | ~tail.isin(first))
    return {
        PiiKind.FIRST_NAME: float(is_first.sum()) / n,
        PiiKind.LAST_NAME: float(is_last.sum()) / n,
        PiiKind.PERSON_NAME: float(full.sum()) / n,
    }


def _address_share(s: pd.Series) -> float:
    has_digit = s.str.contains(r"\d", regex=True)
    words = s.str.count(r"[^\W\d_]{2,}") >= 1
    token = s.str.contains(_ADDRESS_TOKEN, regex=True)
    strong = has_digit & words & token
    formed = (
        has_digit
        & ~token
        & s.str.match(r"^(?:\d{1,5}[A-Za-z]?\s+[^\W\d_][\w'.\-]*(?:\s+[^\W\d_][\w'.\-]*)+"
                      r"|[^\W\d_][^,\d]*,\s*\d{1,5}[A-Za-z]?)\s*$")
    )  # fmt: skip
    bare = has_digit & words & ~token & ~formed & s.str.match(r"^.*\S\s+\d+\w?(?:/\d+)?$")
    score = strong.sum() + ADDRESS_FORM_WEIGHT * formed.sum() + ADDRESS_BARE_WEIGHT * bare.sum()
    return float(score) / len(s)


def _postal_share(s: pd.Series) -> float:
    upper = s.str.upper()
    distinct = upper.str.match(_POSTAL_DISTINCT)
    plain = upper.str.match(_POSTAL_PLAIN)
    return float(distinct.sum() + POSTAL_PLAIN_WEIGHT * plain.sum()) / len(s)


def birth_date_share(series: pd.Series) -> float:
    """Weighted share of values that look like birth dates: dates making a person 14 to 105
    years old, in a column whose median age is at least 25 (so order dates do not count)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = series.dropna()
    else:
        strings = string_values(series)
        if strings is None:
            return 0.0
        strings = strings.str.strip()
        datey = strings.str.match(r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{4})")
        if datey.mean() < PII_VALUE_MIN_SHARE:
            return 0.0
        fmt = detect_datetime_format(strings[datey])
        stamps = pd.to_datetime(strings[datey], format=fmt, errors="coerce")
        stamps = stamps.dropna()
    if stamps.empty:
        return 0.0
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    age = (pd.Timestamp.now() - stamps).dt.days / 365.25
    if float(age.median()) < BIRTH_MEDIAN_AGE_MIN:
        return 0.0
    lo, hi = BIRTH_AGE_RANGE
    return float(age.between(lo, hi).mean()) * BIRTH_DATE_VALUE_WEIGHT


def pii_value_shares(values: pd.Series) -> dict[PiiKind, float]:
    """For each kind with a value test, the (weighted) share of ``values`` that pass it.

    ``values`` are distinct non-null strings. Weak tests (plain-digit postal codes, addresses
    without a street word) count with a weight below one, so on their own they stay under
    :data:`PII_VALUE_MIN_SHARE` and only confirm what the column name says.
    """
    if values.empty:
        return {}
    s = values.astype(str).str.strip()
    n = len(s)
    shares: dict[PiiKind, float] = {}
    shares[PiiKind.EMAIL] = s.str.match(_EMAIL).sum() / n
    shares[PiiKind.IP_ADDRESS] = (s.str.match(_IPV4) | s.str.match(_IPV6)).sum() / n
    shares[PiiKind.NATIONAL_ID] = s.str.match(_SSN).sum() / n
    compact = s.str.replace(r"[\s\-]", "", regex=True)
    # ASCII digits only: the checksums below work on the bytes, and ``\d`` would also match
    # other scripts' digits (which no card number or IBAN is written in)
    card_like = compact.str.fullmatch(r"[0-9]{13,19}")
    if card_like.any():
        shares[PiiKind.CREDIT_CARD] = luhn_valid(compact[card_like]).sum() / n
    iban_like = compact.str.upper().str.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
    if iban_like.any():
        shares[PiiKind.IBAN] = iban_valid(compact.str.upper()[iban_like]).sum() / n
    digit_count = s.str.replace(r"\s*(?:x|ext\.?)\s*\d+$", "", regex=True).str.count(r"\d")
    phone = (
        s.str.match(_PHONE)
        & digit_count.between(7, 15)
        & s.str.contains(r"[\s().\-/+]", regex=True)  # plain digit runs are just numbers
        & ~s.str.match(_SSN)
        & ~s.str.match(r"^\d{5}-\d{3,4}$")  # ZIP+4 and Brazilian CEP are postal codes
        & ~s.str.match(r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{4})\b")  # dates
        & ~(card_like.fillna(False) & (digit_count >= 13))
    )
    shares[PiiKind.PHONE] = phone.sum() / n
    shares[PiiKind.POSTAL_CODE] = _postal_share(s)
    shares[PiiKind.ADDRESS] = _address_share(s)
    shares.update(_name_shares(s))
    return {k: float(v) for k, v in shares.items()}


def pii_kind_from_values(values: pd.Series) -> tuple[PiiKind, float] | None:
    """The PII kind most of ``values`` (distinct non-null strings) match, with that share."""
    shares = pii_value_shares(values)
    if not shares:
        return None
    kind, share = max(shares.items(), key=lambda kv: kv[1])
    return (kind, float(share)) if share > 0 else None


#: kinds that a value pattern can confirm (the others are recognised by name only)
_VALUE_CHECKED = frozenset(
    {
        PiiKind.EMAIL, PiiKind.IP_ADDRESS, PiiKind.NATIONAL_ID, PiiKind.CREDIT_CARD,
        PiiKind.IBAN, PiiKind.PHONE,
    }
)  # fmt: skip


#: A name hint is confirmed by its own value test at this share (below the value-only bar).
PII_NAME_CONFIRM_SHARE = 0.5
#: Weak value evidence alone (no name hint) is listed as a candidate from this share on ...
PII_WEAK_CANDIDATE_SHARE = 0.4
#: ... with a confidence capped below PII_SET_THRESHOLD: a person confirms it in schema.yaml.
PII_WEAK_CANDIDATE_MAX = 0.45


def detect_pii(series: pd.Series, column: str, table: str = "") -> PiiCandidate | None:
    """Combine the name hint and the value patterns into one candidate (or None).

    Name and values agree (at least half the values pass the named kind's test) → 0.95+;
    a value pattern alone (at least 80% of the values) → 0.9 × share; a name alone → its name
    confidence, lowered below the threshold when the values clearly contradict a kind we can
    check (a column ``email`` full of integers is no e-mail column). Birth dates are tested on
    datetime values too.
    """
    by_name = pii_kind_from_name(column, table)
    strings = string_values(series)
    distinct = pd.Series(
        [] if strings is None else strings.unique()[:MAX_DISTINCT_SNIFFED], dtype=object
    )
    shares = pii_value_shares(distinct) if not distinct.empty else {}
    if by_name is None or by_name[0] is PiiKind.DATE_OF_BIRTH:
        dob = birth_date_share(series.dropna().head(MAX_DISTINCT_SNIFFED * 4))
        if dob > 0:
            shares[PiiKind.DATE_OF_BIRTH] = dob
    confirm = PII_NAME_CONFIRM_SHARE * (
        BIRTH_DATE_VALUE_WEIGHT if by_name and by_name[0] is PiiKind.DATE_OF_BIRTH else 1.0
    )
    if by_name and shares.get(by_name[0], 0.0) >= confirm:
        share = shares[by_name[0]]
        conf = min(0.99, 0.95 + 0.04 * share)
        return PiiCandidate(
            table, column, by_name[0], round(conf, 2), ("name", f"values {share:.0%}")
        )
    by_value = max(shares.items(), key=lambda kv: kv[1]) if shares else None
    if by_value is not None and by_value[1] >= PII_VALUE_MIN_SHARE:
        return PiiCandidate(
            table, column, by_value[0], round(0.9 * by_value[1], 2), (f"values {by_value[1]:.0%}",)
        )
    if by_name is not None:
        kind, conf = by_name
        reasons: tuple[str, ...] = ("name",)
        if kind in _VALUE_CHECKED and not distinct.empty:
            conf, reasons = 0.4, ("name", "values do not match")
        elif kind in _VALUE_CHECKED and distinct.empty and series.notna().any():
            conf, reasons = 0.3, ("name", "values are not text")
        return PiiCandidate(table, column, kind, conf, reasons)
    if by_value is not None and by_value[1] >= PII_WEAK_CANDIDATE_SHARE:
        # weak value evidence alone: listed as a candidate for review, never set
        conf = min(round(0.9 * by_value[1], 2), PII_WEAK_CANDIDATE_MAX)
        return PiiCandidate(
            table, column, by_value[0], conf, (f"values {by_value[1]:.0%} (weak test)",)
        )
    return None


# --------------------------------------------------------------------------- storage


_INFERRED_STORAGE: dict[str, StorageType] = {
    "string": StorageType.STRING,
    "empty": StorageType.STRING,
    "integer": StorageType.INTEGER,
    "floating": StorageType.FLOAT,
    "mixed-integer-float": StorageType.FLOAT,
    "decimal": StorageType.DECIMAL,
    "boolean": StorageType.BOOLEAN,
    "datetime": StorageType.DATETIME,
    "datetime64": StorageType.DATETIME,
    "date": StorageType.DATE,
    "bytes": StorageType.BINARY,
    "time": StorageType.STRING,
}


def storage_from_values(series: pd.Series, table: str = "", column: str = "") -> StorageType:
    """The storage type of a DataFrame column whose source declared none (files, frames).

    An object column mixing Python types (numbers and strings, say) raises
    :class:`MixedTypeColumnError`: guessing would silently change what the column means.
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return StorageType.BOOLEAN
    if pd.api.types.is_integer_dtype(dtype):
        return StorageType.INTEGER
    if pd.api.types.is_float_dtype(dtype):
        values = series.dropna().to_numpy(dtype=float)
        if values.size and np.all(np.isfinite(values)) and np.all(values == np.round(values)):
            return StorageType.INTEGER  # integers with nulls, as pandas reads them
        return StorageType.FLOAT
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return StorageType.DATETIME
    if isinstance(dtype, pd.CategoricalDtype):
        return StorageType.STRING
    kind = pd.api.types.infer_dtype(series, skipna=True)  # Cython, not a Python loop
    if kind in _INFERRED_STORAGE:
        return _INFERRED_STORAGE[kind]
    head = series.dropna().head(200)
    examples = head.groupby(head.map(lambda v: type(v).__name__)).first().to_dict()
    raise MixedTypeColumnError(
        f"values of mixed types ({kind}; examples: "
        f"{', '.join(f'{k}={v!r}' for k, v in examples.items())})",
        table=table or None,
        column=column or None,
        fix="clean the column so every value has one type, or cast it when reading "
        "(e.g. read the file with dtype=str) and declare its type in schema.yaml",
    )


def string_values(series: pd.Series) -> pd.Series | None:
    """The non-null values as ``str`` when the column holds only strings, else None."""
    non_null = series.dropna()
    if not (pd.api.types.is_object_dtype(non_null) or pd.api.types.is_string_dtype(non_null)):
        return None
    if non_null.empty or pd.api.types.infer_dtype(non_null, skipna=True) != "string":
        return None
    return non_null.astype(str)


def check_text_numeric_mix(series: pd.Series, table: str = "", column: str = "") -> None:
    """Refuse a text column from a file in which most values are numbers but some are not.

    ``1, 2, 3, abc`` in a CSV column is almost always a data error (a stray label, a unit
    typed into a cell); modelling it as text would hide it. Columns whose name marks them as
    codes that legitimately mix (postal codes, phones, ids) are exempt.
    """
    by_name = pii_kind_from_name(column, table)
    if by_name and by_name[0] in {PiiKind.POSTAL_CODE, PiiKind.PHONE, PiiKind.ADDRESS}:
        return
    if looks_like_id_name(column):
        return
    strings = string_values(series)
    if strings is None:
        return
    strings = strings.str.strip()
    strings = strings[strings != ""]
    if strings.empty:
        return
    numeric = pd.to_numeric(strings, errors="coerce").notna()
    share = float(numeric.mean())
    if 0.5 <= share < 1.0:
        bad = strings[~numeric].unique()[:5].tolist()
        raise MixedTypeColumnError(
            f"{share:.0%} of the values are numbers but {int((~numeric).sum())} are not "
            f"(e.g. {', '.join(repr(b) for b in bad)})",
            table=table or None,
            column=column or None,
            fix="fix or blank the non-numeric cells in the file, or pass a type hint "
            "(infer_schema_from_frames(..., type_hints={...})) / edit schema.yaml to 'text'",
        )


# --------------------------------------------------------------------------- semantic type


def detect_datetime_format(values: pd.Series) -> str | None:
    """The first strftime format of :data:`DATETIME_FORMATS` that parses every value and
    writes each one back exactly as it is stored.

    The second condition is what makes a text datetime round-trip: the parser forgives
    ``2018-3-5`` for ``%Y-%m-%d`` and ``MAR-2018`` for ``%b-%Y``, but the generator writes
    ``2018-03-05`` and ``Mar-2018``; such a column is left to the other rules (categorical or
    text, which reproduce the stored spelling) rather than given a format it would not keep.
    """
    s = values.dropna().astype(str).str.strip()
    s = pd.Series(s.unique()[:MAX_DISTINCT_SNIFFED])
    if s.empty or not s.str.contains(r"\d", regex=True).all() or (s.str.len() < 6).any():
        return None
    if s.str.fullmatch(r"[+-]?\d+(\.\d+)?").any():
        return None  # bare numbers are numbers, not compact dates
    head = s.head(64)
    for fmt in DATETIME_FORMATS:
        # a cheap look at a few values rules most formats out before parsing them all
        if not pd.to_datetime(head, format=fmt, errors="coerce").notna().all():
            continue
        parsed = pd.to_datetime(s, format=fmt, errors="coerce")
        if parsed.notna().all() and _writes_back(parsed, s, fmt):
            return fmt
    return None


def _writes_back(parsed: pd.Series, text: pd.Series, fmt: str) -> bool:
    """Whether formatting the parsed values with ``fmt`` gives the stored text back."""
    try:
        again = parsed.dt.strftime(fmt)
    except (ValueError, TypeError):
        return False
    if "%z" in fmt:  # '+0000' and '+00:00' both parse; compare the instants instead
        return bool(pd.to_datetime(again, format=fmt).equals(parsed))
    return bool((again.to_numpy() == text.to_numpy()).all())


def _is_boolean_text(distinct: pd.Series) -> bool:
    tokens = set(distinct.astype(str).str.strip().str.lower())
    return (
        len(tokens) == 2
        and tokens <= (_TRUE_TOKENS | _FALSE_TOKENS)
        and bool(tokens & _TRUE_TOKENS)
        and bool(tokens & _FALSE_TOKENS)
    )


def observed_decimals(values: np.ndarray) -> int | None:
    """Fewest decimal places that represent every value exactly (None: more than 6)."""
    if values.size == 0:
        return None
    for k in range(MAX_DECIMALS + 1):
        scaled = values * (10.0**k)
        if np.allclose(scaled, np.round(scaled), rtol=0.0, atol=1e-6):
            return k
    return None


def _iso(stamp: pd.Timestamp) -> str:
    """ISO 8601 with a space, whatever the storage format: bounds compare as text correctly."""
    return stamp.isoformat(sep=" ")


def _numeric_bounds(values: pd.Series, integer: bool) -> tuple[int | float | None, ...]:
    if values.empty:
        return None, None
    lo, hi = values.min(), values.max()
    if integer:
        return int(lo), int(hi)
    return float(lo), float(hi)


def sniff_column(
    series: pd.Series,
    column: str,
    table: str = "",
    *,
    storage: StorageType | None = None,
    is_key: bool = False,
    decimals_hint: int | None = None,
    strict_text: bool = False,
) -> ColumnSniff:
    """Sniff one column (a sample of it) into a draft :class:`ColumnSniff`.

    ``storage`` is the declared storage type from reflection (None: derive it from the
    values); ``is_key`` marks primary/foreign-key columns, which are always type ``id``.
    ``strict_text`` turns on the numbers-mixed-with-text check for columns read from files.
    Works on an empty series too: the type then follows the storage type alone.
    """
    if storage is None:
        storage = storage_from_values(series, table, column)
    non_null = series.dropna()
    nn = len(non_null)
    out = ColumnSniff(
        type=ColumnType.TEXT,
        storage=storage,
        null_count=len(series) - nn,
        non_null_count=nn,
    )
    if nn:
        out.distinct_count = (
            int(non_null.astype(str).nunique())
            if non_null.dtype == object
            else (int(non_null.nunique()))
        )
    if not is_key:
        out.pii = detect_pii(series, column, table)

    if is_key:
        out.type = ColumnType.ID
        if storage is StorageType.INTEGER and nn:
            out.min, out.max = _numeric_bounds(pd.to_numeric(non_null), integer=True)
        return out
    if storage is StorageType.BOOLEAN:
        out.type = ColumnType.BOOLEAN
    elif storage in (StorageType.DATETIME, StorageType.DATE):
        out.type = ColumnType.DATETIME
        if nn:
            stamps = pd.to_datetime(non_null, errors="coerce").dropna()
            if not stamps.empty:
                out.min, out.max = _iso(stamps.min()), _iso(stamps.max())
    elif storage is StorageType.INTEGER:
        numbers = pd.to_numeric(non_null, errors="coerce").dropna()
        if looks_like_id_name(column) and out.distinct_count > 0.5 * max(nn, 1):
            out.type = ColumnType.ID
        elif nn and set(np.unique(numbers.to_numpy())) == {0, 1}:
            out.type = ColumnType.BOOLEAN
        else:
            out.type = ColumnType.INTEGER
            out.min, out.max = _numeric_bounds(numbers, integer=True)
    elif storage in (StorageType.FLOAT, StorageType.DECIMAL):
        out.type = ColumnType.FLOAT
        numbers = pd.to_numeric(non_null, errors="coerce").dropna().astype(float)
        out.min, out.max = _numeric_bounds(numbers, integer=False)
        out.decimals = (
            decimals_hint if decimals_hint is not None else (observed_decimals(numbers.to_numpy()))
        )
    elif storage is StorageType.BINARY:
        out.type = ColumnType.TEXT
        out.notes.append("binary column: generated, never copied")
    else:
        _sniff_strings(out, non_null, column, table, strict_text)
    # '2024-01-02' looks like a phone number to a pattern; a date is only ever a birth date
    if out.type is ColumnType.DATETIME and out.pii and out.pii.kind is not PiiKind.DATE_OF_BIRTH:
        out.pii = None
    return out


def _sniff_strings(
    out: ColumnSniff, non_null: pd.Series, column: str, table: str, strict_text: bool
) -> None:
    """Type a string column: boolean tokens, datetime text, id, categorical or free text."""
    if non_null.empty:
        out.type = ColumnType.TEXT
        return
    if strict_text:
        check_text_numeric_mix(non_null, table, column)
    strings = non_null.astype(str)
    distinct = pd.Series(strings.unique()[:MAX_DISTINCT_SNIFFED])
    fmt = detect_datetime_format(distinct)
    if fmt is not None:
        out.type = ColumnType.DATETIME
        out.datetime_format = fmt
        stamps = pd.to_datetime(strings, format=fmt, errors="coerce").dropna()
        if not stamps.empty:
            out.min, out.max = _iso(stamps.min()), _iso(stamps.max())
        return
    if _is_boolean_text(distinct):
        spellings = booleans.stored_spellings(distinct)
        if spellings is not None:  # 'Y'/'N': a boolean written back with its own spellings
            out.type = ColumnType.BOOLEAN
            out.true_value, out.false_value = spellings
            return
        # 'Y', 'y', 'N': one flag spelt several ways; as a category every spelling survives
        out.type = ColumnType.CATEGORICAL
        out.notes.append("true/false tokens in several spellings: categorical")
        return
    nn = len(strings)
    if looks_like_id_name(column) and out.distinct_count > 0.5 * nn:
        out.type = ColumnType.ID
        return
    # nine in ten distinct values are short codes (a stray 'Dublin' among 'SP', 'QC', 'NSW')
    is_code = (distinct.str.len() <= CODE_MAX_LENGTH) & ~distinct.str.contains(r"\s")
    short_codes = bool(is_code.mean() >= 0.9)
    if out.distinct_count <= CATEGORICAL_MAX_DISTINCT and (
        short_codes or out.distinct_count <= max(1, CATEGORICAL_MAX_RATIO * nn)
    ):
        out.type = ColumnType.CATEGORICAL
    else:
        out.type = ColumnType.TEXT
