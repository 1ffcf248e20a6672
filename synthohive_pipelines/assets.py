"""The asset factory: schema graph + project config -> one asset per table per stage.

Every stage is a :class:`Stage` in :data:`STAGES`. A stage says, for one table, which assets
it depends on (:attr:`Stage.deps`) and how to build the asset (:attr:`Stage.build`);
:func:`build_assets` walks the tables in generation order and asks every registered stage for
its asset. The dependency rules are generic functions of the schema graph, so a later stage
states its shape in one line, e.g. the synthetic stage::

    Stage("synthetic", deps=combine(same_table("model"), schema_parents("synthetic")), ...)

which makes ``synthetic/<child>`` depend on ``model/<child>`` and on ``synthetic/<parent>`` for
every parent in the schema graph.

Stages hand tables over by location, not by value: an asset writes its table with the
:class:`~synthohive_lib.io.store.TableStore` under ``<output root>/<stage>/<table>`` and returns
a :class:`~dagster.MaterializeResult` whose metadata carries the path and fingerprint; the
assets downstream read it back from the store. No IO manager pickles DataFrames.

Stage ``real`` (implemented): ``real/<table>`` reads the source table through the connector
and snapshots it. Real snapshots are independent of each other (no edges between them): each
can be refreshed alone. The cross-table rule of the real data — every foreign key resolves —
is the asset check ``real/<child>:foreign_keys_resolve``, which depends on ``real/<parent>``
for every parent (see :mod:`synthohive_pipelines.checks`).
"""

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg
import pandas as pd

from synthohive_lib.config import ProjectConfig
from synthohive_lib.io.store import StoredTable
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import Table
from synthohive_pipelines.resources import SourceDatabase, TableStoreResource

PREVIEW_ROWS = 5
_IDENT = re.compile(r"^[A-Za-z0-9_]+$")

# Dagster kinds (icons in the UI) of the source backends and output formats.
_SOURCE_KINDS = {
    "sqlite": "sqlite",
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "mssql": "mssql",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "duckdb": "duckdb",
}


# --------------------------------------------------------------------------- keys


def asset_name(table: str) -> str:
    """The key component of ``table``: the name itself when Dagster accepts it as an
    identifier, else its identifier characters plus a hash of the name (collision-free)."""
    if _IDENT.match(table):
        return table
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", table).strip("_") or "table"
    return f"{stem}_{hashlib.sha256(table.encode('utf-8')).hexdigest()[:8]}"


def asset_key(stage: str, table: str) -> dg.AssetKey:
    """``<stage>/<table>``, e.g. ``AssetKey(["real", "Track"])``."""
    return dg.AssetKey([stage, asset_name(table)])


# --------------------------------------------------------------------------- stage registry

#: deps of one table's asset in a stage: (schema graph, table) -> upstream asset keys
DepsRule = Callable[[SchemaGraph, str], list[dg.AssetKey]]


def no_deps(graph: SchemaGraph, table: str) -> list[dg.AssetKey]:
    """No upstream assets (a stage that reads from outside the asset graph)."""
    return []


def same_table(stage: str) -> DepsRule:
    """Depend on the same table in ``stage`` (e.g. ``model/T`` on ``real/T``)."""

    def rule(graph: SchemaGraph, table: str) -> list[dg.AssetKey]:
        return [asset_key(stage, table)]

    return rule


def schema_parents(stage: str) -> DepsRule:
    """Depend on every parent of the table in the schema graph, in ``stage``
    (self-references excluded: they shape rows inside one table, not the order of tables)."""

    def rule(graph: SchemaGraph, table: str) -> list[dg.AssetKey]:
        return [asset_key(stage, parent) for parent in graph.parents(table)]

    return rule


def combine(*rules: DepsRule) -> DepsRule:
    """The union of several rules, in order, without repeats."""

    def rule(graph: SchemaGraph, table: str) -> list[dg.AssetKey]:
        out: list[dg.AssetKey] = []
        for r in rules:
            out += [k for k in r(graph, table) if k not in out]
        return out

    return rule


@dataclass(frozen=True)
class Stage:
    """One column of the asset graph: an asset per table, built the same way for each."""

    name: str
    description: str
    deps: DepsRule
    build: Callable[["Stage", ProjectConfig, Table], dg.AssetsDefinition]

    def key(self, table: str) -> dg.AssetKey:
        return asset_key(self.name, table)


# --------------------------------------------------------------------------- metadata helpers


def source_kind(config: ProjectConfig) -> str | None:
    """The Dagster kind of the source backend (None when it is not known at load time)."""
    return _SOURCE_KINDS.get(config.source.dialect)


def kinds_for(config: ProjectConfig, *extra: str) -> set[str]:
    kinds = {config.output.format.value, *extra}
    kind = source_kind(config)
    if kind:
        kinds.add(kind)
    return kinds


def column_schema(table: Table) -> dg.TableSchema:
    """The table's columns as Dagster's column schema (storage type, semantic type, PII)."""
    pk = set(table.primary_key)
    fks = {c: fk.references for fk in table.foreign_keys for c in fk.columns}
    columns = []
    for col in table.columns:
        notes = [f"semantic type: {col.type.value}"]
        if col.name in pk:
            notes.append("primary key")
        if col.name in fks:
            notes.append(f"references {fks[col.name]}")
        if col.pii is not None:
            notes.append(f"PII: {col.pii.value}")
        if col.description:
            notes.append(col.description)
        columns.append(
            dg.TableColumn(
                name=col.name,
                type=col.storage.value,
                description="; ".join(notes),
                constraints=dg.TableColumnConstraints(
                    nullable=col.nullable, unique=col.unique or [col.name] == table.primary_key
                ),
            )
        )
    constraints = [f"primary key ({', '.join(table.primary_key)})"] if table.primary_key else []
    constraints += [
        f"foreign key ({', '.join(fk.columns)}) -> "
        f"{fk.references}({', '.join(fk.referenced_columns)}), on orphan: {fk.on_orphan.value}"
        for fk in table.foreign_keys
    ]
    return dg.TableSchema(
        columns=columns, constraints=dg.TableConstraints(other=constraints) if constraints else None
    )


def preview_markdown(df: pd.DataFrame, table: Table, rows: int = PREVIEW_ROWS) -> str:
    """The first rows as a Markdown table, PII columns masked (metadata is not a place for
    personal data)."""
    head = df.head(rows).copy()
    for col in table.pii_columns:
        if col.name in head.columns:
            head[col.name] = head[col.name].map(
                lambda v, kind=col.pii.value: v if pd.isna(v) else f"<{kind}>"
            )
    return head.to_markdown(index=False)


def schema_version(table: Table) -> str:
    """A short hash of the table's schema entry (the asset's code version)."""
    return hashlib.sha256(table.model_dump_json().encode("utf-8")).hexdigest()[:12]


def stored_metadata(stored: StoredTable) -> dict[str, object]:
    """What every stage reports about a table it stored."""
    return {
        "dagster/row_count": stored.rows,
        "fingerprint": dg.MetadataValue.text(stored.fingerprint),
        "path": dg.MetadataValue.path(stored.uri),
        "format": stored.format,
    }


def _table_description(stage: Stage, table: Table, graph: SchemaGraph) -> str:
    parents = graph.parents(table.name)
    lines = [f"{stage.description} `{table.name}`."]
    if table.description:
        lines.append(table.description)
    lines.append(
        f"{len(table.columns)} columns; primary key ({', '.join(table.primary_key) or 'none'}); "
        + (f"parents: {', '.join(parents)}." if parents else "no parent tables.")
    )
    return "\n\n".join(lines)


# --------------------------------------------------------------------------- stage: real


def build_real_asset(stage: Stage, config: ProjectConfig, table: Table) -> dg.AssetsDefinition:
    """``real/<table>``: read the source table, snapshot it in the store, report it."""
    graph = config.graph
    name = table.name

    @dg.asset(
        key=stage.key(name),
        group_name=stage.name,
        deps=stage.deps(graph, name),
        description=_table_description(stage, table, graph),
        kinds=kinds_for(config),
        tags={"synthohive/stage": stage.name},
        # changes when the table's schema changes, so the UI marks the snapshot out of date
        code_version=schema_version(table),
        metadata={
            "dagster/column_schema": column_schema(table),
            "table": name,
            "parents": ", ".join(graph.parents(name)) or "-",
        },
    )
    def _snapshot(
        context: dg.AssetExecutionContext, source: SourceDatabase, store: TableStoreResource
    ) -> dg.MaterializeResult:
        started = time.perf_counter()
        with source.open() as connector:
            frame = connector.read_table(name, table)
            where = connector.describe()
        stored = store.get().write(stage.name, name, frame)
        context.log.info(f"snapshot of {name}: {stored.rows} rows -> {stored.uri}")
        return dg.MaterializeResult(
            metadata={
                **stored_metadata(stored),
                "source": where,
                "seconds": round(time.perf_counter() - started, 3),
                "preview": dg.MetadataValue.md(preview_markdown(frame, table)),
            },
            data_version=dg.DataVersion(stored.fingerprint),
        )

    return _snapshot


REAL = Stage(
    name="real",
    description="Snapshot of the source table",
    deps=no_deps,
    build=build_real_asset,
)

#: the stages, in pipeline order; later stages (model, synthetic, validation) append here
STAGES: list[Stage] = [REAL]


def build_assets(
    config: ProjectConfig, stages: Sequence[Stage] | None = None
) -> list[dg.AssetsDefinition]:
    """One asset per table (in generation order) for every stage."""
    order = config.graph.generation_order()
    return [
        stage.build(stage, config, config.schema.table(name))
        for stage in (STAGES if stages is None else stages)
        for name in order
    ]
