"""Typed exceptions shared by the whole library.

Every error the library raises on bad input derives from :class:`SynthoHiveError` and says
*where* (table, column) and *how to fix it*, so a data engineer can act on the message alone.
Credentials never appear in these messages: connection URLs are redacted before they are
formatted (see :func:`synthohive_lib.io.urls.redact_url`).
"""

from __future__ import annotations

from dataclasses import dataclass


class SynthoHiveError(Exception):
    """Base class of every error raised by SynthoHive on bad input or a failed operation."""

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.table = table
        self.column = column
        self.fix = fix
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.table and self.column:
            where = f"[{self.table}.{self.column}] "
        elif self.table:
            where = f"[{self.table}] "
        elif self.column:  # no table given (a model fitted on a bare frame): the column alone
            where = f"[{self.column}] "
        text = f"{where}{self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


@dataclass(frozen=True)
class SchemaIssue:
    """One problem found while validating a schema (or data against a schema)."""

    code: str
    message: str
    table: str | None = None
    column: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.table and self.column:
            where = f"{self.table}.{self.column}: "
        elif self.table:
            where = f"{self.table}: "
        elif self.column:
            where = f"{self.column}: "
        text = f"{where}{self.message}"
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


class SchemaValidationError(SynthoHiveError):
    """All problems found in one validation pass, collected rather than raised one by one."""

    def __init__(self, issues: list[SchemaIssue]) -> None:
        self.issues = list(issues)
        lines = "\n".join(f"  - [{i.code}] {i}" for i in self.issues)
        super().__init__(f"schema validation found {len(self.issues)} problem(s):\n{lines}")

    def codes(self) -> set[str]:
        """The distinct issue codes, handy for tests and for deciding what to do."""
        return {i.code for i in self.issues}


class SchemaFileError(SynthoHiveError):
    """A schema.yaml (or project config) file that cannot be parsed or has unknown keys."""


class UnknownColumnError(SynthoHiveError, KeyError):
    """A column looked up by name (``Table.column``) that its table does not declare.

    Also a :class:`KeyError`, which the lookup raised before it was typed, so callers that
    catch ``KeyError`` keep working; ``str()`` is the plain message, not KeyError's quoted repr.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self._format()


class ConfigError(SynthoHiveError):
    """A project configuration that is missing, malformed or inconsistent."""


class UnreachableRowTargetError(ConfigError):
    """A child row target the synthetic parents cannot hold within the real children-per-parent
    range (or with no parent able to have children).

    Its own type so that a caller that may fall back to sizing the child by its parents
    (:class:`~synthohive_lib.relational.RelationalSynthesizer` with a scale, not an explicit
    row count) catches exactly this and no other configuration error. A ``ConfigError`` still:
    asked for explicitly, the target is the user's to change.
    """


class SourceUnreachableError(SynthoHiveError):
    """A database or path that cannot be reached.

    The message names host and database, never a password.
    """


class ConnectorError(SynthoHiveError):
    """A read or write through a connector failed (unknown table, bad identifier, write error)."""


class UnsafeIdentifierError(ConnectorError):
    """A table or column name that cannot be used safely as an identifier."""


class EmptyTableError(SynthoHiveError):
    """A table with no rows where rows are needed (training, inference of types)."""


class MixedTypeColumnError(SynthoHiveError):
    """A file column whose values mix incompatible types (e.g. numbers and free text)."""


class ModelError(SynthoHiveError):
    """A generative model that cannot be fitted, sampled, saved or loaded as asked."""


class ArtifactError(ModelError):
    """A saved model artifact that is missing, altered, truncated or of an unknown format."""


class QualityGateError(SynthoHiveError):
    """Synthetic data whose column scores fall below the requested quality threshold.

    ``failing`` maps each failing column (``table.column`` for schema-wide gates) to its score,
    worst first, so callers and logs can act on the exact columns.
    """

    def __init__(
        self, failing: dict[str, float], threshold: float, *, table: str | None = None
    ) -> None:
        self.failing = dict(failing)
        self.threshold = threshold
        listed = ", ".join(f"{c}={s:.3f}" for c, s in self.failing.items())
        super().__init__(
            f"{len(self.failing)} column(s) below quality threshold {threshold:.3f}: {listed}",
            table=table,
            fix="train longer or with more capacity, check the column types in the schema, "
            "or lower quality_threshold",
        )


class PrivacyError(SynthoHiveError):
    """A PII setting that cannot be applied: an absent column, an unknown action or locale,
    or a PII column asked for as model input (parent context)."""


class MissingHashKeyError(PrivacyError):
    """``hash`` was asked for but no key is set: hashing unsalted would be reversible by a
    dictionary attack on names, e-mails or phones, so SynthoHive refuses instead."""


class PiiLeakError(PrivacyError):
    """Real PII values found in synthetic output.

    ``leaks`` maps ``table.column`` to the number of leaking synthetic values. The message
    names columns and counts, never a real value beyond a masked example.
    """

    def __init__(self, leaks: dict[str, int], examples: dict[str, str] | None = None) -> None:
        self.leaks = dict(leaks)
        shown = examples or {}
        listed = ", ".join(
            f"{where}={count}" + (f" (e.g. {shown[where]})" if where in shown else "")
            for where, count in self.leaks.items()
        )
        super().__init__(
            f"{sum(self.leaks.values())} real PII value(s) in synthetic output: {listed}",
            fix="mark the source columns as pii in schema.yaml (with a fake, mask, hash or "
            "drop action) so they never reach the model, then generate again",
        )
