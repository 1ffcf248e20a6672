"""Country → Faker locale: so a German customer gets a German name, phone and postcode.

The ``locale_from`` column of a PII setting holds countries as people write them ("Germany",
"DE", "DEU", "USA", "Deutschland" via ``locale_map``). Values are matched case-insensitively
after trimming; a value that maps to no locale falls back to the column's default locale (and
is logged once per column), because real data always has a few odd spellings and a run should
not stop for them. A *configured* locale Faker does not know, on the other hand, is a typo in
schema.yaml and raises :class:`~synthohive_lib.errors.PrivacyError` naming the column.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd
import structlog
from faker.config import AVAILABLE_LOCALES

from synthohive_lib.errors import PrivacyError

log = structlog.get_logger(__name__)

#: Locale used when no locale is configured and for values that map to none.
DEFAULT_LOCALE = "en_US"

#: Preferred locale for countries Faker has several locales for.
_PREFERRED = {
    "BE": "nl_BE", "CA": "en_CA", "CH": "de_CH", "IN": "en_IN", "IE": "en_IE", "LU": "de_LU",
    "PH": "en_PH", "NG": "en_NG", "DZ": "fr_DZ", "BA": "bs_BA", "TH": "th_TH", "PK": "en_PK",
    "BD": "en_BD", "KE": "en_KE", "ES": "es_ES", "CY": "el_CY",
}  # fmt: skip

#: English country names (and common aliases) → ISO 3166 alpha-2 code.
_NAMES = {
    "united states": "US", "united states of america": "US", "usa": "US", "us": "US",
    "america": "US", "canada": "CA", "brazil": "BR", "brasil": "BR", "germany": "DE",
    "deutschland": "DE", "france": "FR", "united kingdom": "GB", "uk": "GB",
    "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "czech republic": "CZ", "czechia": "CZ", "portugal": "PT", "india": "IN", "ireland": "IE",
    "austria": "AT", "norway": "NO", "belgium": "BE", "denmark": "DK", "australia": "AU",
    "finland": "FI", "hungary": "HU", "italy": "IT", "netherlands": "NL",
    "the netherlands": "NL", "holland": "NL", "poland": "PL", "spain": "ES", "sweden": "SE",
    "chile": "CL", "argentina": "AR", "mexico": "MX", "colombia": "CO", "venezuela": "VE",
    "switzerland": "CH", "luxembourg": "LU", "liechtenstein": "LI", "greece": "GR",
    "cyprus": "CY", "croatia": "HR", "slovakia": "SK", "slovenia": "SI", "romania": "RO",
    "bulgaria": "BG", "estonia": "EE", "latvia": "LV", "lithuania": "LT", "iceland": "IS",
    "malta": "MT", "russia": "RU", "russian federation": "RU", "ukraine": "UA",
    "turkey": "TR", "türkiye": "TR", "israel": "IL", "iran": "IR", "japan": "JP",
    "china": "CN", "taiwan": "TW", "korea": "KR", "south korea": "KR",
    "republic of korea": "KR", "vietnam": "VN", "viet nam": "VN", "indonesia": "ID",
    "philippines": "PH", "thailand": "TH", "new zealand": "NZ", "south africa": "ZA",
    "nigeria": "NG", "kenya": "KE", "ghana": "GH", "egypt": "EG", "saudi arabia": "SA",
    "united arab emirates": "AE", "uae": "AE", "jordan": "JO", "bahrain": "BH",
    "algeria": "DZ", "pakistan": "PK", "bangladesh": "BD", "nepal": "NP", "sri lanka": "LK",
    "georgia": "GE", "armenia": "AM", "azerbaijan": "AZ", "uzbekistan": "UZ",
    "north macedonia": "MK", "macedonia": "MK", "albania": "AL",
    "bosnia and herzegovina": "BA", "ethiopia": "ET",
}  # fmt: skip

#: ISO alpha-3 codes people store instead of names.
_ALPHA3 = {
    "USA": "US", "CAN": "CA", "BRA": "BR", "DEU": "DE", "FRA": "FR", "GBR": "GB", "CZE": "CZ",
    "PRT": "PT", "IND": "IN", "IRL": "IE", "AUT": "AT", "NOR": "NO", "BEL": "BE", "DNK": "DK",
    "AUS": "AU", "FIN": "FI", "HUN": "HU", "ITA": "IT", "NLD": "NL", "POL": "PL", "ESP": "ES",
    "SWE": "SE", "CHL": "CL", "ARG": "AR", "MEX": "MX", "CHE": "CH", "JPN": "JP", "CHN": "CN",
    "RUS": "RU", "TUR": "TR", "NZL": "NZ", "ZAF": "ZA",
}  # fmt: skip


def is_known_locale(locale: str) -> bool:
    """Whether Faker ships a locale of this name (``de_DE``; ``de-DE`` is accepted too)."""
    return locale.replace("-", "_") in AVAILABLE_LOCALES


def check_locale(locale: str, *, table: str | None = None, column: str | None = None) -> str:
    """The locale in Faker's spelling; :class:`PrivacyError` naming the column if unknown."""
    normal = locale.replace("-", "_")
    if normal not in AVAILABLE_LOCALES:
        raise PrivacyError(
            f"locale {locale!r} is not a Faker locale",
            table=table,
            column=column,
            fix="use one of faker.config.AVAILABLE_LOCALES, e.g. 'de_DE', 'en_GB', 'pt_BR'",
        )
    return normal


@lru_cache(maxsize=1)
def _by_country_code() -> dict[str, str]:
    out: dict[str, str] = {}
    for loc in sorted(AVAILABLE_LOCALES):
        parts = loc.split("_")
        if len(parts) == 2 and len(parts[1]) == 2:
            out.setdefault(parts[1], loc)
    out.update(_PREFERRED)
    return out


def locale_for_country(value: str) -> str | None:
    """The Faker locale for a country name, alpha-2 or alpha-3 code; None when unknown."""
    text = value.strip()
    codes = _by_country_code()
    upper = text.upper()
    if len(upper) == 2 and upper in codes:
        return codes[upper]
    if len(upper) == 3 and upper in _ALPHA3:
        return codes.get(_ALPHA3[upper])
    code = _NAMES.get(text.casefold())
    if code is not None:
        return codes.get(code)
    if is_known_locale(text):
        return text.replace("-", "_")
    return None


def locales_for_values(
    values: pd.Series,
    *,
    default: str = DEFAULT_LOCALE,
    overrides: Mapping[str, str] | None = None,
    table: str | None = None,
    column: str | None = None,
) -> pd.Series:
    """One locale per row, mapped per *distinct* value (the mapping runs once per country).

    ``overrides`` (from ``pii_options.locale_map``) win over the built-in table; their locales
    are checked. Unmapped values and nulls get ``default``; the unmapped ones are logged.
    """
    extra = {
        k.strip().casefold(): check_locale(v, table=table, column=column)
        for k, v in (overrides or {}).items()
    }
    distinct = pd.Series(values.dropna().astype(str).unique())
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for value in distinct:  # one look-up per distinct country, not per row
        loc = extra.get(value.strip().casefold()) or locale_for_country(value)
        if loc is None:
            unknown.append(value)
            loc = default
        mapping[value] = loc
    if unknown:
        log.warning(
            "privacy.locale.unmapped",
            table=table,
            column=column,
            values=len(unknown),
            default=default,
        )
    out = values.astype(object).where(values.isna(), values.astype(str)).map(mapping)
    return out.fillna(default).astype(object)
