"""Per-column PII settings, resolved and checked against the table before anything runs.

``schema.yaml`` says *what* a column is (``pii: email``) and *what to do* with it
(``pii_action: fake`` plus ``pii_options``). This module turns that into one
:class:`PiiSetting` per PII column and refuses, with a typed error naming the column, whatever
cannot work: an unknown action name, a ``locale_from`` column the table lacks, a locale Faker
does not know, a declared PII column absent from the data. Checking everything up front means a
long generation run never fails half-way on a typo.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import structlog

from synthohive_lib.errors import PrivacyError
from synthohive_lib.privacy.locales import DEFAULT_LOCALE, check_locale
from synthohive_lib.schema.model import Column, PiiAction, PiiKind, PiiOptions, Table

log = structlog.get_logger(__name__)

#: Environment variable holding the HMAC key of the ``hash`` action unless a column names one.
DEFAULT_HASH_KEY_ENV = "SYNTHOHIVE_HASH_KEY"
#: Action of a PII column that declares none: realistic values that are not the real ones.
DEFAULT_ACTION = PiiAction.FAKE


@dataclass(frozen=True)
class PiiSetting:
    """What the privacy layer does with one PII column (kind, action and checked options)."""

    column: str
    kind: PiiKind
    action: PiiAction
    locale: str = DEFAULT_LOCALE
    locale_configured: bool = False
    locale_from: str | None = None
    locale_map: dict[str, str] = field(default_factory=dict)
    consistent: bool = False
    hash_key_env: str = DEFAULT_HASH_KEY_ENV
    unique: bool = False


def parse_action(value: str | PiiAction, *, table: str, column: str) -> PiiAction:
    """A :class:`PiiAction` from its name; :class:`PrivacyError` naming the column if unknown."""
    if isinstance(value, PiiAction):
        return value
    try:
        return PiiAction(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(a.value for a in PiiAction)
        raise PrivacyError(
            f"unknown PII action {value!r}",
            table=table,
            column=column,
            fix=f"set pii_action to one of: {allowed}",
        ) from None


def setting_for(table: Table, column: Column) -> PiiSetting:
    """The checked setting of one PII column of ``table``."""
    if column.pii is None:
        raise PrivacyError(
            "column is not marked as PII",
            table=table.name,
            column=column.name,
            fix="set 'pii: <kind>' on the column in schema.yaml",
        )
    opts = column.pii_options or PiiOptions()
    action = parse_action(column.pii_action or DEFAULT_ACTION, table=table.name, column=column.name)
    locale = check_locale(opts.locale or DEFAULT_LOCALE, table=table.name, column=column.name)
    locale_map = {
        key: check_locale(value, table=table.name, column=column.name)
        for key, value in opts.locale_map.items()
    }
    if opts.locale_from is not None:
        if not table.has_column(opts.locale_from):
            raise PrivacyError(
                f"locale_from names column {opts.locale_from!r}, which the table lacks",
                table=table.name,
                column=column.name,
                fix=f"use one of: {', '.join(table.column_names)}",
            )
        source = table.column(opts.locale_from)
        if source.pii is not None and source.pii_action is not PiiAction.KEEP:
            raise PrivacyError(
                f"locale_from column {opts.locale_from!r} is itself PII and is replaced",
                table=table.name,
                column=column.name,
                fix="take the locale from a non-PII column such as Country",
            )
    if action is PiiAction.KEEP:
        log.warning("privacy.keep", table=table.name, column=column.name, kind=column.pii.value)
    return PiiSetting(
        column=column.name,
        kind=column.pii,
        action=action,
        locale=locale,
        locale_configured=opts.locale is not None or bool(locale_map),
        locale_from=opts.locale_from,
        locale_map=locale_map,
        consistent=opts.consistent,
        hash_key_env=opts.hash_key_env or DEFAULT_HASH_KEY_ENV,
        unique=column.unique,
    )


def pii_settings(table: Table) -> dict[str, PiiSetting]:
    """Every PII column of ``table`` (keys excluded: they are regenerated, never faked)."""
    keys = table.key_columns
    return {c.name: setting_for(table, c) for c in table.pii_columns if c.name not in keys}


def check_columns_present(table: Table, columns: Iterable[str], *, what: str = "data") -> None:
    """Refuse data lacking a declared PII column: silently skipping it could leak it later."""
    have = set(columns)
    for name in pii_settings(table):
        if name not in have:
            raise PrivacyError(
                f"PII column is declared in the schema but absent from the {what}",
                table=table.name,
                column=name,
                fix="read the table with all its columns, or remove 'pii' from the column",
            )
