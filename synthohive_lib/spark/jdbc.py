"""JDBC sources for Spark: options checked, table names quoted per dialect, never pasted raw.

Spark builds ``SELECT ... FROM <dbtable>`` from the ``dbtable`` option, so that option is
SQL text: it is always built here from a validated name quoted by the matching SQLAlchemy
dialect's identifier preparer (the same quoting the SQL connector uses). Options that carry
SQL (``query``, ``sessionInitStatement``, ``prepareQuery``) are refused; credentials may be
passed as options or taken from the environment and never appear in messages or logs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io.identifiers import quote_identifier, validate_identifier

# JDBC sub-protocol -> (SQLAlchemy dialect module path, default driver class)
_DIALECTS: dict[str, tuple[str, str]] = {
    "postgresql": ("postgresql", "org.postgresql.Driver"),
    "mysql": ("mysql", "com.mysql.cj.jdbc.Driver"),
    "mariadb": ("mysql", "org.mariadb.jdbc.Driver"),
    "sqlite": ("sqlite", "org.sqlite.JDBC"),
    "sqlserver": ("mssql", "com.microsoft.sqlserver.jdbc.SQLServerDriver"),
    "oracle": ("oracle", "oracle.jdbc.OracleDriver"),
}
#: options passed through to Spark's JDBC source; anything else is refused
ALLOWED_OPTIONS = frozenset(
    {
        "user",
        "password",
        "driver",
        "fetchsize",
        "numPartitions",
        "partitionColumn",
        "lowerBound",
        "upperBound",
        "queryTimeout",
        "pushDownPredicate",
        "customSchema",
    }
)
_SQL_OPTIONS = frozenset({"query", "dbtable", "sessionInitStatement", "prepareQuery"})
_SECRET = re.compile(r"(?i)(password|pwd|secret|token)=[^&;]*")


def redact_jdbc_url(url: str) -> str:
    """``url`` with password-like parameters replaced by ``***`` (safe to log)."""
    return _SECRET.sub(lambda m: f"{m.group(1)}=***", url)


@dataclass(frozen=True)
class JdbcSource:
    """One table of a JDBC database, validated: build with :func:`jdbc_source`."""

    url: str = field(repr=False)
    subprotocol: str
    table: str
    db_schema: str | None
    dbtable: str
    driver: str
    options: dict[str, str] = field(repr=False)

    def describe(self) -> str:
        return f"jdbc table {self.table!r} at {redact_jdbc_url(self.url)}"


def jdbc_source(
    url: str,
    table: str,
    *,
    db_schema: str | None = None,
    options: Mapping[str, object] | None = None,
    user_env: str | None = None,
    password_env: str | None = None,
) -> JdbcSource:
    """Validate a JDBC read of ``table`` (optionally in ``db_schema``) and quote it.

    ``user_env``/``password_env`` name environment variables holding the credentials.
    """
    if not isinstance(url, str) or not url.startswith("jdbc:"):
        raise ConnectorError(
            "a JDBC URL must start with 'jdbc:'", fix="e.g. jdbc:postgresql://host:5432/db"
        )
    sub = url[5:].split(":", 1)[0].lower()
    if sub not in _DIALECTS:
        raise ConnectorError(
            f"JDBC sub-protocol {sub!r} is not supported (its quoting rules are unknown)",
            table=table,
            fix=f"use one of {sorted(_DIALECTS)}",
        )
    dialect_name, default_driver = _DIALECTS[sub]
    dialect = _dialect(dialect_name)
    validate_identifier(table, kind="table", backend=dialect.name)
    quoted = quote_identifier(table, dialect)
    if db_schema is not None:
        validate_identifier(db_schema, kind="table", backend=dialect.name)
        quoted = f"{quote_identifier(db_schema, dialect)}.{quoted}"
    opts = _check_options(options or {}, table)
    for key, env in (("user", user_env), ("password", password_env)):
        if env is not None:
            if env not in os.environ:
                raise ConnectorError(
                    f"environment variable {env} is not set",
                    table=table,
                    fix=f"export {env} before reading the source",
                )
            opts[key] = os.environ[env]
    if "partitionColumn" in opts:
        validate_identifier(
            opts["partitionColumn"], kind="column", backend=dialect.name, table=table
        )
        missing = [k for k in ("lowerBound", "upperBound", "numPartitions") if k not in opts]
        if missing:
            raise ConnectorError(
                f"partitionColumn needs {missing} as well",
                table=table,
                fix="pass lowerBound, upperBound and numPartitions",
            )
    driver = opts.pop("driver", default_driver)
    return JdbcSource(url, sub, table, db_schema, quoted, driver, opts)


def _check_options(options: Mapping[str, object], table: str) -> dict[str, str]:
    sql = sorted(set(options) & _SQL_OPTIONS)
    if sql:
        raise ConnectorError(
            f"JDBC option(s) {sql} carry SQL text and are not accepted",
            table=table,
            fix="name the table (and db_schema); SynthoHive builds and quotes dbtable itself",
        )
    unknown = sorted(set(options) - ALLOWED_OPTIONS)
    if unknown:
        raise ConnectorError(
            f"unknown JDBC option(s) {unknown}",
            table=table,
            fix=f"use only {sorted(ALLOWED_OPTIONS)}",
        )
    return {k: str(v) for k, v in options.items()}


def _dialect(name: str) -> sa.Dialect:
    from sqlalchemy.dialects import registry

    return registry.load(name)()
