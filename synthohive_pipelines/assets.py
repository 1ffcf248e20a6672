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

The stages (each a :class:`Stage` in :data:`STAGES`):

- ``real/<T>`` reads the source table through the connector and snapshots it. Real snapshots
  are independent of each other (no edges): each can be refreshed alone. The cross-table rule
  of the real data — every foreign key resolves — is the check ``real/<child>:
  foreign_keys_resolve`` (see :mod:`synthohive_pipelines.checks`).
- ``model/<T>`` fits the table's relational plan and the model ``model_factory`` chooses
  (CTGAN, or the smoothed bootstrap for tiny root tables) on ``real/<T>`` with its parents'
  snapshots as context, plus the PII statistics, and saves them as one artifact folder
  (:func:`~synthohive_lib.relational.save_table_artifact`). It
  runs in the ``gpu`` concurrency pool; :class:`TrainingConfig` overrides epochs, batch size,
  device and seed per run.
- ``synthetic/<T>`` generates the table under its synthetic parents (so every foreign key
  points at a synthetic row) and has the privacy layer fill its PII columns; with the
  relational layer (pandas), or with :mod:`synthohive_lib.spark` through the ``spark``
  resource for a table whose ``engine`` is ``spark`` (checked by :func:`spark_engine_tables`
  when the definitions load). With pandas, a table without parents asked for more rows than
  its ``chunk_rows_above`` is written block by block
  (:func:`~synthohive_lib.relational.chunked.write_table_chunked`), never whole in memory.
- ``validation/<T>`` scores the synthetic table against the real one; ``validation/report``
  writes the schema-wide HTML + JSON report with its verdict banner. The report has no
  upstream assets and the lowest step priority, so it runs last in every run that selects it
  whatever failed before it (a failed step skips everything downstream in Dagster, and the
  report must be written exactly then): it judges what the store holds, with the gates'
  own functions, and marks the tables whose steps failed or were skipped in the run.

Every computation is a library call (relational, models, privacy, validation); this module
only reads and writes the store, and reports what the library returned as metadata.
"""

import hashlib
import html
import math
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import dagster as dg
import pandas as pd
from dagster_pyspark import LazyPySparkResource
from pydantic import Field

from synthohive_lib.atomic import atomic_write_text
from synthohive_lib.config import ProjectConfig
from synthohive_lib.errors import ConfigError
from synthohive_lib.io.store import StoredTable, TableStore
from synthohive_lib.models import CTGAN, AutoregressiveModel
from synthohive_lib.models.loss_curve import loss_curve_svg, svg_data_uri
from synthohive_lib.models.progress import throttled
from synthohive_lib.privacy import PiiAllowList, pii_filler, real_pii_forms
from synthohive_lib.project import (
    OutputLayout,
    build_stored_report,
    key_name,
    stored_table_quality,
    write_report,
)
from synthohive_lib.project.recipe import (
    TrainingOptions,
    fit_table,
    generate_table_to_store,
)
from synthohive_lib.relational import (
    load_table_artifact,
)
from synthohive_lib.relational.modelling import expected_model
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import Table
from synthohive_lib.spark.support import check_spark_table
from synthohive_lib.validation import (
    GateThresholds,
    Report,
    TableQuality,
    TableState,
    TableStatus,
    split_holdout,
)
from synthohive_lib.validation.staleness import mark_report_stale
from synthohive_pipelines.resources import (
    ModelChoice,
    ModelStoreResource,
    RunOverrides,
    SourceDatabase,
    TableStoreResource,
)

PREVIEW_ROWS = 5
T = TypeVar("T")
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
    identifier, else its identifier characters plus a hash of the name (collision-free);
    :func:`synthohive_lib.project.key_name`, which also names the table's score file."""
    return key_name(table)


def asset_key(stage: str, table: str) -> dg.AssetKey:
    """``<stage>/<table>``, e.g. ``AssetKey(["real", "Track"])``."""
    return dg.AssetKey([stage, asset_name(table)])


#: tag naming the table an asset is about (``--select tag:synthohive/table=Track``)
TABLE_TAG = "synthohive/table"
#: the ``synthohive/table`` value of the schema-wide ``validation/report``
ALL_TABLES = "all_tables"
_TAG_MAX = 63  # Dagster's limit on a tag value


def tag_value(text: str) -> str:
    """``text`` as a Dagster tag value (at most 63 of ``[A-Za-z0-9_.-]``): the asset name,
    shortened with its hash when too long."""
    name = asset_name(text)
    if len(name) <= _TAG_MAX:
        return name
    return f"{name[: _TAG_MAX - 9]}_{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


def asset_tags(config: ProjectConfig, stage: str, table: str, **extra: str) -> dict[str, str]:
    """The tags of every asset: its stage, its table and the project, so ``tag:`` selections
    pick one table's assets across stages (``tag:synthohive/table=Track``) or one stage's."""
    return {
        "synthohive/stage": stage,
        TABLE_TAG: table if table == ALL_TABLES else tag_value(table),
        "synthohive/project": tag_value(config.project),
        **extra,
    }


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


def markdown_cell(value: object) -> object:
    """A value as Markdown table text that renders as written: ``<``, ``>`` and ``&`` as HTML
    entities (the UI's Markdown takes ``<company>`` for a tag and shows nothing), ``|`` escaped
    (it would split the cell), line breaks as spaces. Numbers and nulls pass unchanged."""
    if not isinstance(value, str):
        return value
    text = html.escape(value, quote=False).replace("|", "\\|")
    return text.replace("\r\n", " ").replace("\n", " ")


def preview_markdown(df: pd.DataFrame, table: Table, rows: int = PREVIEW_ROWS) -> str:
    """The first rows as a Markdown table, PII columns masked (metadata is not a place for
    personal data), every text escaped so it shows as written."""
    head = df.head(rows).copy()
    for col in table.pii_columns:
        if col.name in head.columns:
            head[col.name] = head[col.name].map(
                lambda v, kind=col.pii.value: v if pd.isna(v) else f"<{kind}>"
            )
    for name in head.columns:
        if head[name].dtype == object or pd.api.types.is_string_dtype(head[name]):
            head[name] = head[name].astype(object).map(markdown_cell)
    return head.to_markdown(index=False)


def schema_version(table: Table) -> str:
    """A short hash of the table's schema entry (the asset's code version)."""
    return hashlib.sha256(table.model_dump_json().encode("utf-8")).hexdigest()[:12]


def stored_metadata(stored: StoredTable) -> dict[str, object]:
    """What every stage reports about a table it stored (``dagster/uri``: where it lives, as
    a URI the UI and catalogs link to)."""
    return {
        "dagster/row_count": stored.rows,
        "dagster/uri": dg.MetadataValue.text(Path(stored.uri).resolve().as_uri()),
        "fingerprint": dg.MetadataValue.text(stored.fingerprint),
        "path": dg.MetadataValue.path(stored.uri),
        "format": stored.format,
    }


def training_rows(frame: pd.DataFrame, table: Table, config: ProjectConfig) -> pd.DataFrame:
    """The real rows a model of ``table`` trains on: ``frame`` without the holdout
    (``validation.holdout``; :func:`synthohive_lib.validation.split_holdout`)."""
    return split_holdout(frame, table.primary_key, config.validation.holdout)[0]


def pii_allow(config: ProjectConfig) -> PiiAllowList:
    """The leak scan's allow-list from ``validation.pii_allow``."""
    allow = config.validation.pii_allow
    return PiiAllowList.of(allow.values, allow.columns)


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
        tags=asset_tags(config, stage.name, name),
        owners=config.asset_owners,
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
        tables = store.get()
        stored = tables.write(stage.name, name, frame)
        mark_report_stale(
            report_file(tables, ""), f"real/{name} was snapshotted again", context.run.run_id
        )
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


# --------------------------------------------------------------------------- stage: model

#: Concurrency pool of every model-training step: its limit (``concurrency.pools`` in
#: dagster_home/dagster.yaml, default 1) is how many tables train at once across all runs.
GPU_POOL = "gpu"

#: Seconds between two training-progress lines of one table in the run log (plus the first
#: and the last epoch).
PROGRESS_EVERY_S = 5.0


class TrainingConfig(dg.Config):
    """Run-config overrides of a table's training settings (unset: the ``overrides``
    resource's, then the project config's).

    In the launchpad: ``ops: {model__Track: {config: {epochs: 50, device: cuda}}}``; for
    every table at once: ``resources: {overrides: {config: {epochs: 50}}}``.
    """

    epochs: int | None = Field(
        default=None,
        ge=1,
        description="training epochs of this table's model (unset: "
        "resources.overrides.epochs, else the project config's epochs)",
    )
    batch_size: int | None = Field(
        default=None,
        description="rows per training step, a multiple of 10 (CTGAN's pac); "
        "unset: the project config's",
    )
    device: str | None = Field(
        default=None,
        description="auto | cpu | cuda | cuda:N | mps (unset: the project config's, else auto)",
    )
    time_budget_s: float | None = Field(
        default=None,
        gt=0,
        description="seconds this table's training may take (unset: "
        "resources.overrides.time_budget_s, else the project config's)",
    )
    seed: int | None = Field(
        default=None,
        description="random seed of the model (unset: resources.overrides.seed, else 0)",
    )
    model: ModelChoice | None = Field(
        default=None,
        description="generative model of this table: ctgan or autoregressive (unset: "
        "resources.overrides.model, else the project config's, else ctgan)",
    )


def loss_markdown(history: Sequence[Mapping[str, float]], rows: int = 12) -> str:
    """The loss curve as an inline chart (an SVG ``data:`` image the UI's Markdown shows)
    above a table of at most ``rows`` evenly spaced epochs (the exact numbers)."""
    if not history:
        return "no training epochs"
    chart = f"![loss per epoch]({svg_data_uri(loss_curve_svg(history, title='training loss'))})"
    step = max(1, len(history) // rows)
    picked = list(history[::step])
    if picked[-1] is not history[-1]:
        picked.append(history[-1])
    lines = [chart, "", "| epoch | generator loss | discriminator loss |", "|---:|---:|---:|"]
    lines += [
        f"| {int(h['epoch'])} | {h['generator_loss']:.4f} | {_loss(h, 'discriminator_loss')} |"
        for h in picked
    ]
    return "\n".join(lines)


def _loss(record: Mapping[str, float], key: str) -> str:
    """A loss of the curve's table; n/a where it is not recorded (the critic's loss of a
    DP-SGD CTGAN reads real rows outside the accountant, so it is not kept)."""
    value = record.get(key)
    return "n/a" if value is None else f"{value:.4f}"


def model_metadata(model: object | None) -> dict[str, object]:
    """What the model stage reports about the model the factory chose: its kind (class name:
    ``CTGAN``, ``SmallTableModel``, ``TextOnlyModel``, ...), and for CTGAN its device, epochs
    and loss curve (the other models have no training epochs)."""
    if model is None:
        return {"model": "none: no attribute columns to learn (keys only) or no rows"}
    meta: dict[str, object] = {"model": type(model).__name__}
    if isinstance(model, CTGAN):
        history = list(getattr(model, "loss_history_", []))
        meta.update(
            {
                "device": str(getattr(model, "device_", "")),
                "epochs": len(history),
                "loss_curve": dg.MetadataValue.md(loss_markdown(history)),
                "final_generator_loss": history[-1]["generator_loss"] if history else 0.0,
            }
        )
        meta.update(privacy_metadata(getattr(model, "privacy_", None)))
    if isinstance(model, AutoregressiveModel):
        meta.update(autoregressive_metadata(model))
    return meta


def autoregressive_metadata(model: AutoregressiveModel) -> dict[str, object]:
    """Device, epochs, fit seconds, the loss (negative log-likelihood per row) curve and,
    with DP-SGD, the epsilon/delta spent."""
    history = list(model.loss_history_)
    picked = history[:: max(1, len(history) // 12)]
    if history and picked[-1] is not history[-1]:
        picked.append(history[-1])
    rows = [
        f"| {int(h['epoch'])} | {h['train_loss']:.4f} | {h.get('val_loss', float('nan')):.4f} |"
        for h in picked
    ]
    meta: dict[str, object] = {
        "device": str(getattr(model, "device_", "")),
        "epochs": len(history),
        "fit_seconds": round(float(getattr(model, "fit_seconds_", 0.0)), 3),
        "best_epoch": model.best_epoch_ or 0,
        "loss_curve": dg.MetadataValue.md(
            "\n".join(["| epoch | train NLL | validation NLL |", "|---:|---:|---:|", *rows])
            if history
            else "no training epochs"
        ),
    }
    meta.update(privacy_metadata(model.privacy_))
    return meta


def privacy_metadata(privacy: Mapping[str, float] | None) -> dict[str, object]:
    """The epsilon and delta a DP-SGD model spent (both models); nothing without DP."""
    if not privacy:
        return {}
    return {
        "privacy_epsilon": float(privacy["epsilon"]),
        "privacy_delta": float(privacy["delta"]),
    }


def build_model_asset(stage: Stage, config: ProjectConfig, table: Table) -> dg.AssetsDefinition:
    """``model/<table>``: fit the table's relational plan and generative model on the real
    snapshots (the table's and its parents', for the parent context) and save the artifact."""
    project = config  # the inner function's `config` is the run config
    graph = project.graph
    name = table.name
    parents = graph.parents(name)
    settings = project.settings_for(name)
    named = project.context_parents(name)
    expected = expected_model(table, model=settings.model or "ctgan")

    @dg.asset(
        key=stage.key(name),
        group_name=stage.name,
        deps=stage.deps(graph, name),
        description=_table_description(stage, table, graph) + f"\n\nModel: {expected}.",
        kinds={"python"} if expected.startswith(("none", "TextOnly")) else {"pytorch"},
        tags=asset_tags(project, stage.name, name),
        owners=project.asset_owners,
        pool=GPU_POOL,
        code_version=schema_version(table),
        metadata={"table": name, "parents": ", ".join(parents) or "-"},
    )
    def _fit(
        context: dg.AssetExecutionContext,
        config: TrainingConfig,
        store: TableStoreResource,
        models: ModelStoreResource,
        overrides: RunOverrides,
    ) -> dg.MaterializeResult:
        tables = store.get()
        if len(named) > 1:
            context.log.warning(
                f"context columns of {name} name {len(named)} parents ({', '.join(named)}); "
                "the relational layer conditions on one parent, chosen by its own rule"
            )
        # this table's run config, then the run-wide overrides, then the project config
        options = TrainingOptions(
            epochs=first_set(config.epochs, overrides.epochs),
            batch_size=config.batch_size,
            device=config.device,
            time_budget_s=first_set(config.time_budget_s, overrides.time_budget_s),
            model=model_name(config.model, overrides.model, settings.model),
            seed=first_set(config.seed, overrides.seed) or 0,
        )
        fitted = fit_table(
            project,
            tables,
            name,
            options,
            folder=models.path_for(name),
            # one line per epoch, at most one every few seconds, in the run's log
            progress=throttled(lambda p: context.log.info(p.line()), PROGRESS_EVERY_S),
        )
        plan, final = fitted.plan, fitted.artifact
        meta: dict[str, object] = {
            "dagster/row_count": plan.n_rows,
            "rows": plan.n_rows,
            "seconds": fitted.seconds,
            "artifact": dg.MetadataValue.path(str(final)),
            "context_parent": plan.context.parent if plan.context is not None else "-",
            "attributes": ", ".join(plan.attributes) or "-",
            "holdout_rows": fitted.holdout_rows,
            "pii_columns": ", ".join(c.name for c in table.pii_columns) or "-",
            "training_rows": fitted.sample.rows,
            "training_sample": fitted.sample.describe(),
            "time_budget_s": fitted.time_budget_s,
        }
        meta.update(model_metadata(fitted.model))
        context.log.info(f"model of {name}: {meta.get('model')} -> {final}")
        return dg.MaterializeResult(metadata=meta)

    return _fit


def model_name(*choices: ModelChoice | str | None) -> str:
    """The first model chosen (run config, run-wide overrides, project config), else ctgan."""
    chosen = first_set(*choices)
    return "ctgan" if chosen is None else ModelChoice(chosen).value


def first_set(*values: T | None) -> T | None:
    """The first value that is not None (run config over run-wide overrides over the
    project config), else None."""
    return next((v for v in values if v is not None), None)


MODEL = Stage(
    name="model",
    description="Fitted generative model and relational plan of",
    deps=combine(same_table("real"), schema_parents("real")),
    build=build_model_asset,
)


# --------------------------------------------------------------------------- stage: synthetic


def spark_engine_tables(config: ProjectConfig) -> list[str]:
    """Tables whose ``engine`` is ``spark``, checked against what the Spark path can generate:
    a :class:`ConfigError` naming the table (raised when the definitions load, not in a run)
    for a table with secondary foreign keys, a self-reference or a link (junction) table — the
    cases :func:`synthohive_lib.spark.generate_children_spark` refuses — and for Parquet output,
    which the table store keeps as one file per table while Spark writes a folder."""
    graph = config.graph
    chosen = [n for n in graph.generation_order() if config.settings_for(n).engine == "spark"]
    for name in chosen:
        check_spark_table(graph, name)
    if chosen and config.output.format.value != "delta":
        raise ConfigError(
            f"tables {', '.join(chosen)} have engine: spark, which writes a folder of Parquet "
            f"files, but output format {config.output.format.value!r} is read by the table "
            "store as one file per table",
            table=chosen[0],
            fix="set output.format: delta (or engine: pandas for these tables)",
        )
    return chosen


class GenerationConfig(dg.Config):
    """Run-config overrides of generation: the seed, and the row count of a root table."""

    seed: int | None = Field(
        default=None,
        description="random seed of the generated rows (unset: resources.overrides.seed, else 0)",
    )
    rows: int | None = Field(
        default=None,
        ge=0,
        description="rows to generate for a table without parents "
        "(unset: the project config's rows, else as many as the real table); a child's rows "
        "follow its parents",
    )


def build_synthetic_asset(stage: Stage, config: ProjectConfig, table: Table) -> dg.AssetsDefinition:
    """``synthetic/<table>``: generate the table under its synthetic parents with its model,
    with pandas (the relational layer) or, for ``engine: spark``, with Spark."""
    project = config  # the inner function's `config` is the run config
    graph = project.graph
    name = table.name
    parents = graph.parents(name)
    settings = project.settings_for(name)
    engine = settings.engine or "pandas"
    spec = {
        "key": stage.key(name),
        "group_name": stage.name,
        "deps": stage.deps(graph, name),
        "description": _table_description(stage, table, graph),
        "kinds": {project.output.format.value, "python" if engine == "pandas" else "spark"},
        "tags": asset_tags(project, stage.name, name, **{"synthohive/engine": engine}),
        "owners": project.asset_owners,
        "code_version": schema_version(table),
        "metadata": {
            "dagster/column_schema": column_schema(table),
            "table": name,
            "parents": ", ".join(parents) or "-",
            "engine": engine,
        },
    }

    def real_forms(tables: TableStore) -> set[str]:
        # never a real value of this table or its parents (the snapshots are upstream)
        return real_pii_forms(
            {n: tables.read(REAL.name, n) for n in [name, *parents]}, project.schema
        )

    def result(
        stored: StoredTable, frame: pd.DataFrame, seconds: float, tables: TableStore, run_id: str
    ) -> dg.MaterializeResult:
        mark_report_stale(report_file(tables, ""), f"synthetic/{name} was regenerated", run_id)
        return dg.MaterializeResult(
            metadata={
                **stored_metadata(stored),
                "seconds": seconds,
                "preview": dg.MetadataValue.md(preview_markdown(frame, table)),
            },
            data_version=dg.DataVersion(stored.fingerprint),
        )

    if engine == "spark":

        @dg.asset(**spec)
        def _generate_spark(
            context: dg.AssetExecutionContext,
            config: GenerationConfig,
            store: TableStoreResource,
            models: ModelStoreResource,
            spark: LazyPySparkResource,
            overrides: RunOverrides,
        ) -> dg.MaterializeResult:
            from synthohive_lib.spark import (
                generate_children_spark,
                generate_table_spark,
                read_table_spark,
                write_table_spark,
            )

            started = time.perf_counter()
            seed = int(first_set(config.seed, overrides.seed, 0))
            folder = models.path_for(name)
            artifact = load_table_artifact(folder)
            plan = artifact.plan
            model_dir = folder / "model" if artifact.model is not None else None
            tables = store.get()
            fill = None
            if artifact.pii is not None:
                fill = pii_filler(project.schema, {name: artifact.pii}, avoid=real_forms(tables))
            # Python workers on this interpreter (they need its packages), unless set
            # otherwise, as synthohive_lib.spark.local_spark_session does
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            session = spark.spark_session  # created on first use, then shared by the run
            if plan.context is None:
                rows = project.rows_to_generate(name, plan.n_rows, config.rows)
                df = generate_table_spark(
                    session,
                    model_dir,
                    plan.n_rows if rows is None else rows,
                    seed,
                    plan=plan,
                    table=table,
                    fill_pii=fill,
                )
            else:
                parent = plan.context.parent
                synthetic_parents = read_table_spark(
                    session, str(tables.location(stage.name, parent))
                )
                df = generate_children_spark(
                    session,
                    synthetic_parents,
                    model_dir,
                    plan,
                    seed,
                    table=table,
                    fill_pii=fill,
                )
            target = tables.location(stage.name, name)
            written = write_table_spark(df, str(target), project.output.format.value, table=name)
            stored = tables.info(stage.name, name)
            frame = tables.read(stage.name, name)
            context.log.info(
                f"synthetic {name} (spark, {written.engine}): {stored.rows} rows -> {stored.uri}"
            )
            seconds = round(time.perf_counter() - started, 3)
            return result(stored, frame, seconds, tables, context.run.run_id)

        return _generate_spark

    @dg.asset(**spec)
    def _generate(
        context: dg.AssetExecutionContext,
        config: GenerationConfig,
        store: TableStoreResource,
        models: ModelStoreResource,
        overrides: RunOverrides,
    ) -> dg.MaterializeResult:
        tables = store.get()
        generated = generate_table_to_store(
            project,
            tables,
            name,
            seed=first_set(config.seed, overrides.seed) or 0,
            rows=config.rows,
            folder=models.path_for(name),
            preview_rows=PREVIEW_ROWS,
        )
        stored = generated.stored
        how = " (in blocks)" if generated.in_blocks else ""
        context.log.info(f"synthetic {name}{how}: {stored.rows} rows -> {stored.uri}")
        return result(stored, generated.preview, generated.seconds, tables, context.run.run_id)

    return _generate


SYNTHETIC = Stage(
    name="synthetic",
    description="Synthetic copy, generated under its synthetic parents, of",
    deps=combine(same_table("model"), schema_parents("synthetic")),
    build=build_synthetic_asset,
)


# --------------------------------------------------------------------------- stage: validation


def build_validation_asset(
    stage: Stage, config: ProjectConfig, table: Table
) -> dg.AssetsDefinition:
    """``validation/<table>``: fidelity, validity and privacy of the synthetic table against
    the real one (:func:`synthohive_lib.validation.table_quality`), scores in metadata."""
    graph = config.graph
    name = table.name

    @dg.asset(
        key=stage.key(name),
        group_name=stage.name,
        deps=stage.deps(graph, name),
        description=_table_description(stage, table, graph)
        + "\n\nPII columns replaced by the privacy layer are not scored.",
        kinds={"python"},
        tags=asset_tags(config, stage.name, name),
        owners=config.asset_owners,
        code_version=schema_version(table),
        metadata={"table": name},
    )
    def _validate(
        context: dg.AssetExecutionContext, store: TableStoreResource
    ) -> dg.MaterializeResult:
        tables = store.get()
        quality = stored_table_quality(
            tables,
            config.schema,
            name,
            training_rows(tables.read(REAL.name, name), table, config),
            sample_rows=config.validation.sample_rows,
        )
        target = OutputLayout.of_store(tables).table_scores(name)
        # a one-table Report gives strict JSON (NaN as null) through the library's encoder
        atomic_write_text(target, Report({name: quality}, [], title=f"{name}").to_json())
        return dg.MaterializeResult(metadata={**quality_metadata(quality), "path": str(target)})

    return _validate


VALIDATION = Stage(
    name="validation",
    description="Validation scores (fidelity, validity, privacy) of the synthetic",
    deps=combine(same_table("synthetic"), same_table("real")),
    build=build_validation_asset,
)

#: key of the schema-wide report asset
REPORT_KEY = dg.AssetKey([VALIDATION.name, "report"])


def report_file(tables: TableStore, file: str) -> Path:
    """Where validation files live: ``<output root>/validation/<file>``
    (:class:`~synthohive_lib.project.OutputLayout`, the layout the CLI writes too)."""
    return OutputLayout.of_store(tables).validation_file(file)


def _score(value: float) -> float:
    return round(float(value), 4) if not math.isnan(value) else -1.0


def quality_metadata(quality: TableQuality) -> dict[str, object]:
    """Headline scores of one table (NaN, e.g. no scorable column, is reported as -1)."""
    worst = sorted(quality.column_scores().items(), key=lambda kv: kv[1])[:5]
    meta: dict[str, object] = {
        "score": _score(quality.score),
        "column_shapes": _score(quality.column_shapes_score),
        "pair_trends": _score(quality.pair_trends_score),
        "validity": _score(quality.validity_score),
        "rows_real": quality.n_real,
        "rows_synthetic": quality.n_synthetic,
        "rows_scored": quality.n_synthetic if quality.scored_rows is None else quality.scored_rows,
        "worst_columns": dg.MetadataValue.md(
            "| column | score |\n|---|---:|\n"
            + "\n".join(f"| {c} | {_score(v)} |" for c, v in worst)
        ),
    }
    if quality.privacy is not None:
        meta["exact_copy_rate"] = _score(quality.privacy.exact_copy_rate)
    return meta


#: step priority of ``validation/report``: below every other step, so that with the
#: in-process executor (one step at a time, highest priority first) it runs last
REPORT_PRIORITY = -1000


def run_statuses(
    context: dg.AssetExecutionContext, config: ProjectConfig
) -> dict[str, TableStatus]:
    """Tables whose steps failed in this run, and tables the run selected for generation that
    never got a synthetic table (downstream of a failure): read from the run's event log."""
    instance, run_id = context.instance, context.run.run_id
    failed_steps = {
        e.step_key
        for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
        if e.step_key
    }
    materialized = {
        e.dagster_event.asset_key
        for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        if e.dagster_event is not None
    }
    selected = context.run.asset_selection
    out: dict[str, TableStatus] = {}
    for name in config.graph.generation_order():
        # the table's own asset steps; a failed gate (a check step) is in the verdict's gates
        steps = {asset_key(s.name, name).to_python_identifier() for s in (REAL, MODEL, SYNTHETIC)}
        own = sorted(steps & failed_steps)
        if own:
            out[name] = TableStatus(
                name, TableState.FAILED, own[0].replace("__", "/", 1), "the step raised an error"
            )
            continue
        key = asset_key(SYNTHETIC.name, name)
        in_run = not selected or key in selected  # empty: the whole job
        if in_run and key not in materialized and _generates(context, key):
            out[name] = TableStatus(
                name,
                TableState.SKIPPED,
                None,
                "not generated in this run: a table or gate it depends on failed",
            )
    return out


def _generates(context: dg.AssetExecutionContext, key: dg.AssetKey) -> bool:
    """Whether the run's job materializes ``key`` (``validate_synthetic`` only judges)."""
    return key in context.job_def.asset_layer.executable_asset_keys


def build_report_asset(config: ProjectConfig) -> dg.AssetsDefinition:
    """``validation/report``: the schema-wide report (HTML + JSON under the output root),
    always written, with the verdict banner (gates, failed and skipped tables, run id)."""
    order = config.graph.generation_order()
    if asset_name("report") in {asset_name(n) for n in order}:
        raise ConfigError(
            "a table named 'report' collides with the validation/report asset",
            fix="rename the table in schema.yaml",
        )
    thresholds = GateThresholds.from_config(config)
    allow = pii_allow(config)

    @dg.asset(
        key=REPORT_KEY,
        group_name=VALIDATION.name,
        # no deps on purpose: a failed upstream step would skip it (see the module docstring)
        description="Schema-wide validation report: every table and every foreign-key relation "
        "of the synthetic database against the real one, as HTML (for people) and JSON, with "
        "a verdict banner (passed or failed, which gate, the run). Runs last in every run that "
        "selects it, whatever failed before it, and judges what the store holds.",
        kinds={"html", "json"},
        tags=asset_tags(config, VALIDATION.name, ALL_TABLES),
        owners=config.asset_owners,
        op_tags={"dagster/priority": str(REPORT_PRIORITY)},
    )
    def _report(
        context: dg.AssetExecutionContext, store: TableStoreResource
    ) -> dg.MaterializeResult:
        tables = store.get()
        statuses = run_statuses(context, config)
        for name in order:  # never judged: no synthetic table at all
            if name not in statuses and not (
                tables.exists(SYNTHETIC.name, name) and tables.exists(REAL.name, name)
            ):
                statuses[name] = TableStatus(
                    name, TableState.SKIPPED, None, "no stored synthetic (or real) table yet"
                )
        judged = [n for n in order if n not in statuses]
        # the library leaves replaced PII out of the scores (listing it as not scored) and
        # runs the leak scan over it, exactly as `synthohive report` does; a synthetic table
        # above validation.sample_rows is scored on a sample and its rules checked on every
        # row block by block, never read whole
        report = build_stored_report(
            tables,
            config.schema,
            judged,
            sample_rows=config.validation.sample_rows,
            title=f"SynthoHive validation report: {config.project}",
            holdout=config.validation.holdout,
            gates=thresholds,
            statuses=statuses,
            run_id=context.run.run_id,
            pii_allow=allow,
        )
        layout = OutputLayout.of_store(tables)
        html, js = layout.report_html, layout.report_json
        write_report(report, js, html)
        verdict = report.verdict
        assert verdict is not None
        if not verdict.passed:
            context.log.error(f"validation report: {verdict.headline()} -> {html}")
        scores = "\n".join(
            f"| {t.table} | {_score(t.score)} | {_score(t.validity_score)} |"
            for t in report.tables_worst_first()
        )
        failed = "\n".join(f"- {g.describe()}" for g in verdict.failed_gates) or "- none"
        return dg.MaterializeResult(
            metadata={
                "verdict": "PASSED" if verdict.passed else "FAILED",
                "headline": verdict.headline(),
                "failed_gates": dg.MetadataValue.md(failed),
                "score": _score(report.score),
                "validity": _score(report.validity_score),
                "tables": dg.MetadataValue.md(
                    "| table | score | validity |\n|---|---:|---:|\n" + scores
                ),
                "summary": dg.MetadataValue.md(report_summary_markdown(report, html)),
                "report": dg.MetadataValue.url(html.resolve().as_uri()),
                "dagster/uri": dg.MetadataValue.text(html.resolve().as_uri()),
                "html": dg.MetadataValue.path(str(html)),
                "json": dg.MetadataValue.path(str(js)),
            }
        )

    return _report


def report_summary_markdown(report: Report, html: Path, worst: int = 3) -> str:
    """The report's verdict, headline score and worst tables as Markdown (the numbers of
    the page itself: ``report.verdict``, ``report.score``, ``tables_worst_first``), with a
    link to the HTML file."""
    verdict = report.verdict
    lines = []
    if verdict is not None:  # the headline starts with PASSED or FAILED
        lines += [f"**{markdown_cell(verdict.headline())}**", ""]
    tables = report.tables_worst_first()
    lines.append(
        f"Overall score **{_score(report.score)}**, validity {_score(report.validity_score)}"
    )
    if tables:
        lines += ["", "| worst tables | score |", "|---|---:|"]
        lines += [f"| {markdown_cell(t.table)} | {_score(t.score)} |" for t in tables[:worst]]
    if verdict is not None and verdict.failed_gates:
        lines += ["", "Failed gates:"]
        lines += [f"- {markdown_cell(g.describe())}" for g in verdict.failed_gates]
    lines += ["", f"[Open report.html]({html.resolve().as_uri()}) (`{html}`)"]
    return "\n".join(lines)


#: the stages, in pipeline order
STAGES: list[Stage] = [REAL, MODEL, SYNTHETIC, VALIDATION]


def build_assets(
    config: ProjectConfig, stages: Sequence[Stage] | None = None
) -> list[dg.AssetsDefinition]:
    """One asset per table (in generation order) for every stage, plus the schema-wide
    report when the validation stage is built."""
    order = config.graph.generation_order()
    chosen = STAGES if stages is None else stages
    if SYNTHETIC in chosen:
        spark_engine_tables(config)  # a table Spark cannot generate fails here, not in a run
    assets = [
        stage.build(stage, config, config.schema.table(name)) for stage in chosen for name in order
    ]
    if VALIDATION in chosen:
        assets.append(build_report_asset(config))
    return assets
