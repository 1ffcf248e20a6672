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

Per table of the synthetic stage, all blocking with severity ERROR (a failure skips
``validation/<T>``, the synthetic children and the report, and fails the run):

- ``referential_integrity``: every synthetic foreign key resolves — perfect, not "mostly";
- ``key_unique``: the synthetic primary key is non-null and unique;
- ``fidelity_gate``: every scored column's shape score reaches ``fidelity_threshold``
  (PII columns replaced by the privacy layer are not scored: they are never learned; the
  library's ``scored_columns`` decides, the same function the report goes by);
- ``privacy_gate``: at most ``max_exact_copy_rate`` of the synthetic rows equal a real row on
  the attribute columns, beyond the share of real rows that equal another real row (faithful
  data over a small space, e.g. country + state, repeats rows by construction);
- ``identifiers_regenerated``: at most 0.1 % of the synthetic values of each identifier column
  outside the keys (``id``-typed, near-unique codes) are real ones;
- ``no_pii_leak``: no real PII value of the table or its parents appears in the synthetic one.

Metrics come from :mod:`synthohive_lib.validation` and :mod:`synthohive_lib.privacy`, the same
code as the report, so a gate and the report never disagree: every check turns a
:class:`~synthohive_lib.validation.verdict.GateResult` of the library's gate functions into an
``AssetCheckResult``, and the report's verdict banner is built from the same functions.
Fidelity and exact copies are judged against the *training* rows (the holdout of
``validation.holdout`` left out, as the model stage left it out); the leak scan looks for
every real value, holdout included.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg

from synthohive_lib.config import ProjectConfig
from synthohive_lib.errors import SchemaIssue
from synthohive_lib.io.sampling import StoredRows
from synthohive_lib.privacy import leak_scope
from synthohive_lib.privacy.identifiers import (
    MAX_IDENTIFIER_COPY_SHARE,
    identifier_columns,
    identifier_gate,
)
from synthohive_lib.project import stored_table_quality
from synthohive_lib.project.every_row import (
    copy_check_of,
    identifier_copies_of,
    key_uniqueness_of,
    leak_scan_of,
    referential_integrity_of,
)
from synthohive_lib.relational.plan import attribute_columns
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import OrphanPolicy, Schema, Table
from synthohive_lib.schema.validate import validate_data
from synthohive_lib.validation import (
    GateResult,
    GateThresholds,
    TableQuality,
    copy_columns,
    fidelity_gate,
    integrity_gate,
    key_gate,
    leak_gate,
    privacy_gate,
)
from synthohive_lib.validation.relations import Relation
from synthohive_pipelines.assets import (
    REAL,
    SYNTHETIC,
    DepsRule,
    Stage,
    asset_key,
    combine,
    pii_allow,
    same_table,
    schema_parents,
    training_rows,
)
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
                # rows sharing a primary key that on_duplicate_key: drop removes downstream
                "duplicate_rows_dropped": report.duplicate_rows_dropped.get(name, 0),
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


# --------------------------------------------------------------------------- synthetic gates

#: defaults of the gates when neither ``defaults`` nor the table's settings set them
FIDELITY_THRESHOLD = GateThresholds().default_fidelity
MAX_EXACT_COPY_RATE = GateThresholds().default_copy_limit


def gate_check_result(gate: GateResult, metadata: dict[str, object]) -> dg.AssetCheckResult:
    """A library gate result as a blocking (ERROR) check result: the same pass/fail and the
    same sentence as the report's verdict banner."""
    return dg.AssetCheckResult(
        passed=gate.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=gate.describe()[:1000],
        metadata={
            "measure": gate.measure,
            "value": gate.value if gate.value is not None else -1.0,
            "threshold": gate.threshold if gate.threshold is not None else -1.0,
            **metadata,
        },
    )


def _relations(table: Table) -> list[Relation]:
    return [
        Relation(fk.references, table.name, tuple(fk.columns), tuple(fk.referenced_columns))
        for fk in table.foreign_keys
    ]


def build_referential_integrity(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    """Every foreign key of the synthetic table resolves: perfect or the check fails."""
    name = table.name
    stage = rule.stage.name
    relations = _relations(table)

    @dg.asset_check(
        asset=asset_key(stage, name),
        name=rule.name,
        blocking=True,
        additional_deps=rule.deps(config.graph, name),
        description=f"Every foreign key of the synthetic table {name} finds its synthetic "
        "parent row (referential integrity must be perfect).",
    )
    def _check(store: TableStoreResource) -> dg.AssetCheckResult:
        tables = store.get()
        child = StoredRows(tables, stage, name)
        results = {
            rel.name: referential_integrity_of(child, StoredRows(tables, stage, rel.parent), rel)
            for rel in relations
        }
        gate = integrity_gate(name, results)
        return gate_check_result(
            gate,
            {
                "orphan_rows": int(gate.value or 0),
                "relations": dg.MetadataValue.json({k: r.to_dict() for k, r in results.items()}),
            },
        )

    return _check


def build_key_unique(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    """The synthetic primary key is present and unique on every row."""
    name = table.name
    stage = rule.stage.name
    key = list(table.primary_key)

    @dg.asset_check(
        asset=asset_key(stage, name),
        name=rule.name,
        blocking=True,
        additional_deps=rule.deps(config.graph, name),
        description=f"The primary key ({', '.join(key)}) of the synthetic table {name} is "
        "non-null and unique.",
    )
    def _check(store: TableStoreResource) -> dg.AssetCheckResult:
        result = key_uniqueness_of(StoredRows(store.get(), stage, name), key)
        return gate_check_result(key_gate(name, tuple(key), result), result.to_dict())

    return _check


def _quality(
    store: TableStoreResource, table: Table, config: ProjectConfig, privacy: bool
) -> TableQuality:
    tables = store.get()
    return stored_table_quality(
        tables,
        config.schema,
        table.name,
        training_rows(tables.read(REAL.name, table.name), table, config),
        sample_rows=config.validation.sample_rows,
        privacy=privacy,
    )


def build_fidelity_gate(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    """Every synthetic column's shape score is at least the table's fidelity threshold."""
    name = table.name
    settings = config.settings_for(name)
    threshold = (
        settings.fidelity_threshold
        if settings.fidelity_threshold is not None
        else FIDELITY_THRESHOLD
    )

    @dg.asset_check(
        asset=asset_key(rule.stage.name, name),
        name=rule.name,
        blocking=True,
        additional_deps=rule.deps(config.graph, name),
        description=f"Every column of the synthetic table {name} has a column-shape score "
        f">= {threshold} against the real table (tables.{name}.fidelity_threshold).",
    )
    def _check(store: TableStoreResource) -> dg.AssetCheckResult:
        quality = _quality(store, table, config, privacy=False)
        return gate_check_result(
            fidelity_gate(quality, threshold),
            {
                "column_shapes": float(quality.column_shapes_score),
                "column_scores": dg.MetadataValue.json(
                    {c: round(float(v), 4) for c, v in quality.column_scores().items()}
                ),
            },
        )

    return _check


def build_privacy_gate(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    """At most the allowed excess of synthetic rows copying a real row (attribute columns)."""
    name = table.name
    settings = config.settings_for(name)
    limit = (
        settings.max_exact_copy_rate
        if settings.max_exact_copy_rate is not None
        else MAX_EXACT_COPY_RATE
    )
    attributes = copy_columns(table)

    @dg.asset_check(
        asset=asset_key(rule.stage.name, name),
        name=rule.name,
        blocking=True,
        additional_deps=rule.deps(config.graph, name),
        description=f"At most {limit:.0%} of the synthetic rows of {name} equal a real row on "
        "the attribute columns beyond the share of real rows that equal another real row "
        f"(tables.{name}.max_exact_copy_rate).",
    )
    def _check(store: TableStoreResource) -> dg.AssetCheckResult:
        tables = store.get()
        real = training_rows(tables.read(REAL.name, name), table, config)
        result = copy_check_of(
            real[attributes], StoredRows(tables, SYNTHETIC.name, name), attributes, limit
        )
        return gate_check_result(
            privacy_gate(name, result),
            {
                "exact_copy_rate": round(result.rate, 4),
                "natural_copy_rate": round(result.natural, 4),
                "excess_copy_rate": round(result.excess, 4),
                "limit": limit,
            },
        )

    return _check


def build_no_pii_leak(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    """No real PII value (of this table or its parents) appears in the synthetic table."""
    name = table.name
    scope = leak_scope(config.schema, name)
    allow = pii_allow(config)

    @dg.asset_check(
        asset=asset_key(rule.stage.name, name),
        name=rule.name,
        blocking=True,
        additional_deps=rule.deps(config.graph, name),
        description=f"No real PII value of {', '.join(scope)} appears in any column of the "
        f"synthetic table {name} (synthohive_lib.privacy.scan_for_leaks; examples masked).",
    )
    def _check(store: TableStoreResource) -> dg.AssetCheckResult:
        tables = store.get()
        report = leak_scan_of(
            {n: tables.read(REAL.name, n) for n in scope},
            StoredRows(tables, SYNTHETIC.name, name),
            config.schema,
            name,
            allow,
        )
        return gate_check_result(
            leak_gate(name, report.leaks, len(report.coincidences)),
            {
                "leaking_rows": report.leaking_rows,
                "coincidences": len(report.coincidences),
                "columns_scanned": report.columns_scanned,
                "real_pii_values": report.real_values,
            },
        )

    return _check


def build_identifiers_regenerated(
    rule: CheckRule, config: ProjectConfig, table: Table
) -> dg.AssetChecksDefinition:
    """At most 0.1 % of the synthetic values of each non-key identifier column are real ones."""
    name = table.name

    @dg.asset_check(
        asset=asset_key(rule.stage.name, name),
        name=rule.name,
        blocking=True,
        additional_deps=rule.deps(config.graph, name),
        description=f"At most {MAX_IDENTIFIER_COPY_SHARE:.1%} of the synthetic values of each "
        f"identifier column of {name} outside its keys ('id'-typed, or near-unique codes) equal "
        "a real value of that column (synthohive_lib.privacy.identifiers).",
    )
    def _check(store: TableStoreResource) -> dg.AssetCheckResult:
        tables = store.get()
        real = tables.read(REAL.name, name)
        columns = identifier_columns(table, real)
        copies = identifier_copies_of(real, StoredRows(tables, SYNTHETIC.name, name), columns)
        return gate_check_result(
            identifier_gate(name, copies),
            {"columns": ", ".join(columns) or "-", "copied_rows": sum(c.rows for c in copies)},
        )

    return _check


CHECKS: list[CheckRule] = [
    CheckRule("matches_schema", REAL, lambda t: True, _no_deps, build_matches_schema),
    CheckRule(
        "foreign_keys_resolve",
        REAL,
        lambda t: bool(t.foreign_keys),
        schema_parents(REAL.name),
        build_foreign_keys_resolve,
    ),
    CheckRule(
        "referential_integrity",
        SYNTHETIC,
        lambda t: bool(t.foreign_keys),
        schema_parents(SYNTHETIC.name),
        build_referential_integrity,
    ),
    CheckRule("key_unique", SYNTHETIC, lambda t: bool(t.primary_key), _no_deps, build_key_unique),
    CheckRule(
        "fidelity_gate",
        SYNTHETIC,
        lambda t: bool(attribute_columns(t)),
        same_table(REAL.name),
        build_fidelity_gate,
    ),
    CheckRule(
        "privacy_gate",
        SYNTHETIC,
        lambda t: bool(attribute_columns(t)),
        same_table(REAL.name),
        build_privacy_gate,
    ),
    CheckRule(
        "no_pii_leak",
        SYNTHETIC,
        lambda t: True,
        combine(same_table(REAL.name), schema_parents(REAL.name)),
        build_no_pii_leak,
    ),
    CheckRule(
        "identifiers_regenerated",
        SYNTHETIC,
        lambda t: bool(attribute_columns(t)),
        same_table(REAL.name),
        build_identifiers_regenerated,
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
