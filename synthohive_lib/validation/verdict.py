"""The verdict of a run: which gates passed, which failed, and which tables never got that far.

The blocking Dagster checks and the report's banner are two views of the same judgement, so
both are built from the functions here: each gate function turns a metric the library already
computes into a :class:`GateResult` (the number that gates, its threshold, the columns at
fault, one line of explanation). The checks wrap a ``GateResult`` in an
``AssetCheckResult``; the report collects every table's results into a :class:`Verdict`,
together with the tables that failed (a step raised) or were skipped (downstream of a
failure), and the run it belongs to. A report cannot say PASSED while a gate failed, and a
stale report names a run that is not the current one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from synthohive_lib.validation.privacy import CopyRateCheck
from synthohive_lib.validation.quality import TableQuality
from synthohive_lib.validation.structure import KeyUniqueness, ReferentialIntegrity

#: gate names, the same as the Dagster check names
FIDELITY_GATE = "fidelity_gate"
PRIVACY_GATE = "privacy_gate"
NO_PII_LEAK = "no_pii_leak"
REFERENTIAL_INTEGRITY = "referential_integrity"
KEY_UNIQUE = "key_unique"

_MAX_COLUMNS_NAMED = 8

#: defaults of the gates when neither ``defaults`` nor a table's settings set them
FIDELITY_THRESHOLD = 0.80
MAX_EXACT_COPY_RATE = 0.05


@dataclass(frozen=True)
class GateThresholds:
    """The thresholds of the gates per table (a project's ``fidelity_threshold`` and
    ``max_exact_copy_rate``); one object for the checks and the report alike."""

    fidelity: Mapping[str, float] = field(default_factory=dict)
    copy_limit: Mapping[str, float] = field(default_factory=dict)
    default_fidelity: float = FIDELITY_THRESHOLD
    default_copy_limit: float = MAX_EXACT_COPY_RATE

    def fidelity_for(self, table: str) -> float:
        return self.fidelity.get(table, self.default_fidelity)

    def copy_limit_for(self, table: str) -> float:
        return self.copy_limit.get(table, self.default_copy_limit)

    @classmethod
    def from_config(cls, config: Any) -> GateThresholds:
        """From a :class:`~synthohive_lib.config.ProjectConfig` (duck typed: ``schema`` and
        ``settings_for(table)``): each table's setting, else the library's default."""
        fidelity, copies = {}, {}
        for table in config.schema.tables:
            settings = config.settings_for(table.name)
            if settings.fidelity_threshold is not None:
                fidelity[table.name] = settings.fidelity_threshold
            if settings.max_exact_copy_rate is not None:
                copies[table.name] = settings.max_exact_copy_rate
        return cls(fidelity, copies)


@dataclass(frozen=True)
class GateResult:
    """One gate on one table: passed or not, on which number, against which threshold."""

    table: str
    gate: str
    passed: bool
    measure: str  # what ``value`` is, in words
    value: float | None
    threshold: float | None
    comparison: str  # ">=" or "<=": how value must relate to threshold to pass
    detail: str  # one line for people, names the columns at fault
    columns: tuple[str, ...] = ()

    def describe(self) -> str:
        """``table gate: measure value (must be >= threshold): detail``."""
        number = "" if self.value is None else f" {self.value:.4g}"
        bound = "" if self.threshold is None else f" (must be {self.comparison} {self.threshold:g})"
        return f"{self.table} {self.gate}: {self.measure}{number}{bound} — {self.detail}"

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {**asdict(self), "columns": list(self.columns)}


def fidelity_gate(quality: TableQuality, threshold: float) -> GateResult:
    """Every scored column's shape score (nulls included) must reach ``threshold``."""
    failing = quality.failing_columns(threshold)
    scores = quality.column_scores()
    worst = next(iter(scores.values()), None)
    if failing:
        named = ", ".join(f"{c} ({v:.3f})" for c, v in list(failing.items())[:_MAX_COLUMNS_NAMED])
        more = len(failing) - _MAX_COLUMNS_NAMED
        detail = f"below {threshold:g}: {named}" + (f" and {more} more" if more > 0 else "")
    else:
        detail = f"all {len(scores)} scored columns reach {threshold:g}"
    return GateResult(
        table=quality.table,
        gate=FIDELITY_GATE,
        passed=not failing,
        measure="worst column-shape score",
        value=worst,
        threshold=threshold,
        comparison=">=",
        detail=detail,
        columns=tuple(failing),
    )


def privacy_gate(table: str, check: CopyRateCheck, columns: tuple[str, ...] = ()) -> GateResult:
    """The exact-copy rate beyond the real data's own repeats must stay within the limit."""
    return GateResult(
        table=table,
        gate=PRIVACY_GATE,
        passed=check.passed,
        measure="excess exact-copy rate",
        value=check.excess,
        threshold=check.limit,
        comparison="<=",
        detail=check.describe(),
        columns=columns,
    )


def integrity_gate(table: str, results: Mapping[str, ReferentialIntegrity]) -> GateResult:
    """Every synthetic foreign key must find its parent: orphans fail."""
    orphans = sum(r.orphan_rows for r in results.values())
    bad = {name: r.orphan_rows for name, r in results.items() if r.orphan_rows}
    return GateResult(
        table=table,
        gate=REFERENTIAL_INTEGRITY,
        passed=orphans == 0,
        measure="orphan rows",
        value=float(orphans),
        threshold=0.0,
        comparison="<=",
        detail="; ".join(f"{k}: {v} orphan rows" for k, v in bad.items())
        or f"every key of {len(results)} relation(s) resolves",
    )


def key_gate(table: str, key: tuple[str, ...], result: KeyUniqueness) -> GateResult:
    """The primary key must be non-null and unique."""
    bad = result.duplicate_rows + result.null_rows
    return GateResult(
        table=table,
        gate=KEY_UNIQUE,
        passed=bad == 0,
        measure="duplicate or null keys",
        value=float(bad),
        threshold=0.0,
        comparison="<=",
        detail=f"{result.duplicate_rows} duplicate and {result.null_rows} null keys "
        f"({', '.join(key)})",
        columns=key if bad else (),
    )


def leak_gate(table: str, leaks: list, coincidences: int = 0) -> GateResult:
    """No real PII value of the table or its parents may appear (``leaks`` are
    :class:`~synthohive_lib.privacy.leaks.ColumnLeak` of kind ``leak``)."""
    rows = sum(leak.rows for leak in leaks)
    detail = (
        "; ".join(f"{x.where}: {x.rows} rows, e.g. {x.example}" for x in leaks)
        if leaks
        else "no real PII value found"
        + (f" ({coincidences} coincidences listed in the report)" if coincidences else "")
    )
    return GateResult(
        table=table,
        gate=NO_PII_LEAK,
        passed=not leaks,
        measure="synthetic rows holding real PII",
        value=float(rows),
        threshold=0.0,
        comparison="<=",
        detail=detail[:1000],
        columns=tuple(leak.column for leak in leaks),
    )


class TableState(StrEnum):
    """How far a table got in the run."""

    JUDGED = "judged"  # synthetic table present and scored
    FAILED = "failed"  # a step of this table raised
    SKIPPED = "skipped"  # not run: downstream of a failure


@dataclass(frozen=True)
class TableStatus:
    """A table that did not reach the report, and why."""

    table: str
    state: TableState
    step: str | None = None  # the failed step, e.g. ``model/Track``
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {**asdict(self), "state": self.state.value}


@dataclass
class Verdict:
    """Everything the banner says: passed or failed, why, and for which run."""

    gates: list[GateResult] = field(default_factory=list)
    tables: dict[str, TableStatus] = field(default_factory=dict)  # failed and skipped only
    run_id: str | None = None
    judged_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def failed_gates(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed]

    @property
    def failed_tables(self) -> list[TableStatus]:
        return [s for s in self.tables.values() if s.state is TableState.FAILED]

    @property
    def skipped_tables(self) -> list[TableStatus]:
        return [s for s in self.tables.values() if s.state is TableState.SKIPPED]

    @property
    def passed(self) -> bool:
        return not self.failed_gates and not self.tables

    def headline(self) -> str:
        """One line: ``PASSED`` or ``FAILED: <what>``."""
        if self.passed:
            return f"PASSED: {len(self.gates)} gates on {len({g.table for g in self.gates})} tables"
        parts = [f"{g.gate} on {g.table}" for g in self.failed_gates]
        parts += [f"{s.table} failed ({s.step})" for s in self.failed_tables]
        if self.skipped_tables:
            parts.append(f"{len(self.skipped_tables)} tables skipped")
        return "FAILED: " + "; ".join(parts)

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {
            "passed": self.passed,
            "headline": self.headline(),
            "run_id": self.run_id,
            "judged_at": self.judged_at,
            "failed_gates": [g.to_dict() for g in self.failed_gates],
            "gates": [g.to_dict() for g in self.gates],
            "failed_tables": [s.to_dict() for s in self.failed_tables],
            "skipped_tables": [s.to_dict() for s in self.skipped_tables],
        }
