"""Typed errors of the Spark layer (subclasses of the library's own, so callers catch as usual).

They live here rather than in :mod:`synthohive_lib.errors` because only Spark code raises
them; every one names the table and the offending columns, with a fix.
"""

from __future__ import annotations

from synthohive_lib.errors import ConnectorError


class SparkSchemaMismatchError(ConnectorError):
    """A Spark DataFrame lacks columns a model/plan needs, or holds them with the wrong type.

    ``missing`` lists absent columns; ``mismatched`` maps a column to ``(expected, found)``.
    """

    def __init__(
        self,
        message: str,
        *,
        missing: list[str] | None = None,
        mismatched: dict[str, tuple[str, str]] | None = None,
        table: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.missing = list(missing or [])
        self.mismatched = dict(mismatched or {})
        super().__init__(message, table=table, fix=fix)
