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

The measurements come from :mod:`synthohive_lib.validation.structure` (the same functions the
validation report uses); this module only reads the stored tables and turns the numbers into
check results.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg

from synthohive_lib.config import ProjectConfig
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import OrphanPolicy, Table
from synthohive_lib.validation.structure import key_uniqueness, referential_integrity
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


def build_matches_schema(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    name = table.name
    stage = rule.stage.name
    not_null = [c.name for c in table.columns if not c.nullable]

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
        missing = [c for c in table.column_names if c not in frame.columns]
        extra = [str(c) for c in frame.columns if c not in table.column_names]
        present = [c for c in not_null if c in frame.columns]
        nulls = {c: int(n) for c, n in frame[present].isna().sum().items() if n}
        metadata: dict[str, object] = {
            "missing_columns": ", ".join(missing) or "-",
            "extra_columns": ", ".join(extra) or "-",
            "nulls_in_non_nullable": dg.MetadataValue.json(nulls),
        }
        pk_ok = True
        if table.primary_key and not set(table.primary_key) - set(frame.columns):
            pk = key_uniqueness(frame, table.primary_key)
            metadata["primary_key_duplicate_rows"] = pk.duplicate_rows
            metadata["primary_key_null_rows"] = pk.null_rows
            pk_ok = pk.duplicate_rows == 0 and pk.null_rows == 0
        return dg.AssetCheckResult(
            passed=not missing and not nulls and pk_ok,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=metadata,
        )

    return _check


def build_foreign_keys_resolve(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    name = table.name
    stage = rule.stage.name

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
        needed = sorted({fk.references for fk in table.foreign_keys} - {name})
        missing = [p for p in needed if not tables.exists(stage, p)]
        if missing:  # e.g. only this table was materialized, never its parents
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"not checked: no {stage} snapshot of {', '.join(missing)} yet",
                metadata={"missing_parents": ", ".join(missing)},
            )
        child = tables.read(stage, name)
        parents = {p: tables.read(stage, p) for p in needed}
        parents[name] = child  # a self-reference resolves inside the table
        results: dict[str, dict[str, object]] = {}
        blocking_orphans = 0
        total_orphans = 0
        raising = any(fk.on_orphan is OrphanPolicy.RAISE for fk in table.foreign_keys)
        for fk in table.foreign_keys:
            label = f"({', '.join(fk.columns)}) -> {fk.references}"
            ri = referential_integrity(
                child, parents[fk.references], fk.columns, fk.referenced_columns
            )
            results[label] = {**ri.to_dict(), "on_orphan": fk.on_orphan.value}
            total_orphans += ri.orphan_rows
            if fk.on_orphan is OrphanPolicy.RAISE:
                blocking_orphans += ri.orphan_rows
        return dg.AssetCheckResult(
            passed=total_orphans == 0,
            # ERROR when an orphan breaks a 'raise' key (or, passing, when one could)
            severity=(
                dg.AssetCheckSeverity.ERROR
                if blocking_orphans or (not total_orphans and raising)
                else dg.AssetCheckSeverity.WARN
            ),
            metadata={
                "orphan_rows": total_orphans,
                "foreign_keys": dg.MetadataValue.json(results),
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
