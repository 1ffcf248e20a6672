"""Asset checks: the rules of the schema turned into gates on the stored tables.

Per table of the real stage:

- ``matches_schema`` on ``real/<T>`` (blocking): the snapshot has every column of the schema,
  the primary key is unique and never null, and non-nullable columns hold no nulls.
- ``foreign_keys_resolve`` on ``real/<T>`` for every table with foreign keys: each foreign key
  (self-references included) finds its parent row. It reads the parents' snapshots, so it
  depends on ``real/<P>`` for every parent ``P`` in the schema graph: these check
  dependencies are exactly the schema graph's edges. A foreign key whose ``on_orphan`` policy
  is ``raise`` fails the check with severity ERROR (blocking what comes after); with ``drop``
  or ``null`` orphans are reported as a WARN, since the later stages handle them. When a
  parent has no snapshot yet (only the child was materialized) the check fails as a WARN
  naming the missing parents; the fingerprints of the parent snapshots it used are in its
  metadata.

The rules are :func:`synthohive_lib.schema.validate.validate_data` (the same code that
validates a source against its schema and applies the ``on_orphan`` policies later); this
module only reads the stored tables and turns its report into check results.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg

from synthohive_lib.config import ProjectConfig
from synthohive_lib.errors import SchemaIssue
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import OrphanPolicy, Schema, Table
from synthohive_lib.schema.validate import validate_data
from synthohive_pipelines.assets import REAL, DepsRule, Stage, asset_key, schema_parents
from synthohive_pipelines.resources import TableStoreResource


@dataclass(frozen=True)
class CheckRule:
    """One check per table of a stage: which tables get it, its extra deps, how it is built."""

    name: str
    stage: Stage
    applies: Callable[[Table], bool]
    deps: DepsRule
    build: Callable[["CheckRule", ProjectConfig, Table], dg.AssetChecksDefinition]


def _alone(table: Table) -> Table:
    """``table`` without its foreign keys: checked on its own, not against other tables."""
    return table.model_copy(update={"foreign_keys": []})


def _issues_json(issues: Sequence[SchemaIssue]) -> dg.MetadataValue:
    return dg.MetadataValue.json(
        [{"code": i.code, "column": i.column, "message": i.message} for i in issues]
    )


def build_matches_schema(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    name = table.name
    stage = rule.stage.name
    alone = Schema(name=config.schema.name, tables=[_alone(table)])

    @dg.asset_check(
        asset=asset_key(stage, name),
        name=rule.name,
        blocking=True,
        additional_deps=rule.deps(config.graph, name),
        description=f"The {stage} table {name} has the schema's columns, a unique non-null "
        "primary key and no nulls in non-nullable columns.",
    )
    def _check(store: TableStoreResource) -> dg.AssetCheckResult:
        frame = store.get().read(stage, name)
        report = validate_data(alone, {name: frame}, raise_on_error=False)
        return dg.AssetCheckResult(
            passed=report.ok,
            severity=dg.AssetCheckSeverity.ERROR,
            description=None if report.ok else "; ".join(str(i) for i in report.issues)[:1000],
            metadata={
                "issues": _issues_json(report.issues),
                "warnings": _issues_json(report.warnings),
                "rows": len(frame),
            },
        )

    return _check


def build_foreign_keys_resolve(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    name = table.name
    stage = rule.stage.name
    needed = sorted({fk.references for fk in table.foreign_keys} - {name})
    # the child with its foreign keys, its parents alone: only this table's keys are checked
    scope = Schema(
        name=config.schema.name,
        tables=[_alone(config.schema.table(p)) for p in needed] + [table],
    )

    @dg.asset_check(
        asset=asset_key(stage, name),
        name=rule.name,
        blocking=True,
        additional_deps=rule.deps(config.graph, name),
        description=f"Every foreign key of the {stage} table {name} finds its parent row "
        "(orphans fail the check when the key's on_orphan policy is 'raise').",
    )
    def _check(store: TableStoreResource) -> dg.AssetCheckResult:
        tables = store.get()
        missing = [p for p in needed if not tables.exists(stage, p)]
        if missing:  # e.g. only this table was materialized, never its parents
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"not checked: no {stage} snapshot of {', '.join(missing)} yet",
                metadata={"missing_parents": ", ".join(missing)},
            )
        frames = {p: tables.read(stage, p) for p in [*needed, name]}
        report = validate_data(scope, frames, raise_on_error=False)
        orphans = [o for o in report.orphans if o.child == name]
        errors = [i for i in report.issues if i.code == "orphan_foreign_key" and i.table == name]
        raising = any(fk.on_orphan is OrphanPolicy.RAISE for fk in table.foreign_keys)
        return dg.AssetCheckResult(
            passed=not orphans,
            # ERROR when an orphan breaks a 'raise' key (or, passing, when one could)
            severity=(
                dg.AssetCheckSeverity.ERROR
                if errors or (not orphans and raising)
                else dg.AssetCheckSeverity.WARN
            ),
            description="; ".join(str(o) for o in orphans)[:1000] or None,
            metadata={
                "orphan_rows": sum(o.count for o in orphans),
                "orphans": dg.MetadataValue.json(
                    {o.relation: {"rows": o.count, "on_orphan": o.policy.value} for o in orphans}
                ),
                "foreign_keys": dg.MetadataValue.json(
                    [
                        f"({', '.join(fk.columns)}) -> {fk.references}"
                        f"({', '.join(fk.referenced_columns)}), on_orphan: {fk.on_orphan.value}"
                        for fk in table.foreign_keys
                    ]
                ),
                # which parent snapshots the child was checked against
                "parent_fingerprints": dg.MetadataValue.json(
                    {p: tables.info(stage, p).fingerprint for p in needed}
                ),
            },
        )

    return _check


def _no_deps(graph: SchemaGraph, table: str) -> list[dg.AssetKey]:
    return []


CHECKS: list[CheckRule] = [
    CheckRule("matches_schema", REAL, lambda t: True, _no_deps, build_matches_schema),
    CheckRule(
        "foreign_keys_resolve",
        REAL,
        lambda t: bool(t.foreign_keys),
        schema_parents(REAL.name),
        build_foreign_keys_resolve,
    ),
]


def build_checks(
    config: ProjectConfig, rules: Sequence[CheckRule] | None = None
) -> list[dg.AssetChecksDefinition]:
    """Every check rule applied to every table it applies to."""
    order = config.graph.generation_order()
    out = []
    for rule in CHECKS if rules is None else rules:
        for name in order:
            table = config.schema.table(name)
            if rule.applies(table):
                out.append(rule.build(rule, config, table))
    return out
