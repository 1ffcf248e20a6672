"""The whole pipeline in one process, without Dagster: what ``synthohive run`` does.

For a data engineer who wants a synthetic database from a project config and nothing else
(a notebook, a cron job, a laptop without the Dagster UI). It walks the tables in generation
order and makes the same library calls as the Dagster assets
(:mod:`synthohive_pipelines.assets`), stage by stage:

1. ``real``: :meth:`Connector.read_table` -> :meth:`TableStore.write` (snapshot);
2. ``model``: :func:`~synthohive_lib.schema.validate.validate_data` (orphan policies) ->
   :meth:`TablePlan.fit` -> :func:`training_sample` (``max_training_rows``) ->
   :func:`training_frames` + :func:`model_factory` -> ``fit`` within the table's
   :meth:`ProjectConfig.time_budget_for`;
   :meth:`PiiPlan.fit`; :func:`save_table_artifact`;
3. ``synthetic``: :func:`generate_table` (or :func:`write_table_chunked` for a big table
   without parents) with PII filled by :func:`pii_filler`, never a real value;
4. ``validation``: :func:`build_report_from_frames` with the project's gates ->
   ``report.html`` + ``report.json``; the gates are the report's verdict
   (:mod:`synthohive_lib.validation.verdict`, the functions the Dagster checks call).

Outputs land where the Dagster run puts them (``<output root>/<stage>/<table>``,
``<output root>/model/<table>``, ``<output root>/validation/report.html``), so the UI and
``dagster job execute -j validate_synthetic`` can pick them up afterwards. ``engine: spark``
tables are generated with pandas here (Spark runs only under Dagster's ``spark`` resource).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synthohive_lib.config import ProjectConfig
from synthohive_lib.io.atomic import atomic_write_text
from synthohive_lib.io.store import TableStore, open_store
from synthohive_lib.project import OutputLayout
from synthohive_lib.validation.report import Report
from synthohive_lib.validation.verdict import (
    FIDELITY_THRESHOLD as DEFAULT_FIDELITY_THRESHOLD,
)
from synthohive_lib.validation.verdict import (
    MAX_EXACT_COPY_RATE as DEFAULT_MAX_EXACT_COPY_RATE,
)
from synthohive_lib.validation.verdict import GateResult

__all__ = [
    "DEFAULT_FIDELITY_THRESHOLD",
    "DEFAULT_MAX_EXACT_COPY_RATE",
    "GateResult",
    "ProjectRun",
    "run_project",
]

Log = Callable[[str], None]


@dataclass
class ProjectRun:
    """What :func:`run_project` did: per-table rows and models, the report, the gates."""

    output_root: Path
    rows: dict[str, int] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    report: Report | None = None
    report_html: Path | None = None
    report_json: Path | None = None
    gates: list[GateResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every gate passed."""
        return all(g.passed for g in self.gates)

    @property
    def failed_gates(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed]


def model_folder(config: ProjectConfig, table: str) -> Path:
    """``<output root>/model/<table>`` (the Dagster ``models`` resource's folder: both ask
    :class:`~synthohive_lib.project.OutputLayout`)."""
    return OutputLayout.at(config.output_root()).model_folder(table)


def snapshot_tables(config: ProjectConfig, store: TableStore, tables: Sequence[str]) -> None:
    """``real/<T>``: read each source table (typed by the schema) into the store."""
    from synthohive_lib.io import open_connector

    with open_connector(config.source_url()) as source:
        for name in tables:
            store.write("real", name, source.read_table(name, config.schema.table(name)))


def fit_table(
    config: ProjectConfig,
    store: TableStore,
    name: str,
    *,
    epochs: int | None = None,
    seed: int = 0,
    time_budget_s: float | None = None,
) -> str:
    """``model/<T>``: fit and save the table's artifact; the chosen model's class name."""
    from synthohive_lib.privacy import PiiPlan
    from synthohive_lib.relational import (
        TablePlan,
        model_factory,
        model_request,
        save_table_artifact,
        training_frames,
    )
    from synthohive_lib.relational.sampling import plan_for_sample, training_sample
    from synthohive_lib.schema.model import Schema
    from synthohive_lib.schema.validate import validate_data
    from synthohive_lib.validation.holdout import holdout_mask

    table = config.schema.table(name)
    parents = config.graph.parents(name)
    settings = config.settings_for(name)
    raw = {n: store.read("real", n) for n in [*parents, name]}
    real_rows = {
        t: store.info("real", t).rows for t in config.schema.table_names if store.exists("real", t)
    }
    scope = Schema(
        name=config.schema.name,
        tables=[config.schema.table(p).model_copy(update={"foreign_keys": []}) for p in parents]
        + [table],
    )
    frames = dict(validate_data(scope, raw).frames)
    named = config.context_parents(name)
    plan = TablePlan.fit(
        config.schema,
        name,
        frames,
        context_columns=settings.context_columns if len(named) == 1 else None,
    )
    options = {
        "epochs": epochs if epochs is not None else settings.epochs,
        "batch_size": settings.batch_size,
        "device": settings.device,
        "time_budget_s": time_budget_s
        if time_budget_s is not None
        else config.time_budget_for(name, real_rows),
        "seed": seed,
        "verbose": False,
        "privacy": settings.privacy.model_dump() if settings.privacy else None,
    }
    # the plan counts on every row; the model trains on a bounded sample of the rows outside
    # the holdout (validation.holdout), as the Dagster model stage does
    held_out = holdout_mask(frames[name], table.primary_key, config.validation.holdout)
    sample = training_sample(
        config.schema,
        name,
        frames[name][~held_out] if held_out.any() else frames[name],
        max_rows=config.max_training_rows_for(name),
        seed=seed,
    )
    pii = PiiPlan.fit(frames[name], table) if table.pii_columns else None
    model = None
    if plan.attributes and plan.n_rows:
        # as the Dagster model stage: the plan knows only the context categories of the
        # sample, and the table's own model choice (ctgan | autoregressive) and privacy hold
        plan = plan_for_sample(plan, config.schema, frames, sample)
        data, parent_context = training_frames(plan, {**frames, name: sample.frame})
        factory = model_factory(
            model=settings.model or "ctgan",
            **{k: v for k, v in options.items() if v is not None},
        )
        model = factory(model_request(config.schema, plan)).fit(data, parent_context)
    save_table_artifact(model_folder(config, name), plan, model, pii)
    return type(model).__name__ if model is not None else "none"


def generate_into_store(config: ProjectConfig, store: TableStore, name: str, seed: int = 0) -> int:
    """``synthetic/<T>``: generate the table under its synthetic parents; rows written."""
    from synthohive_lib.privacy import pii_filler, real_pii_forms
    from synthohive_lib.relational import generate_table, load_table_artifact
    from synthohive_lib.relational.chunked import write_table_chunked

    table = config.schema.table(name)
    parents = config.graph.parents(name)
    artifact = load_table_artifact(model_folder(config, name))
    plan, model = artifact.plan, artifact.model
    avoid = real_pii_forms({n: store.read("real", n) for n in [name, *parents]}, config.schema)
    fill = pii_filler(config.schema, {name: artifact.pii}, avoid=avoid) if artifact.pii else None
    # a table without parents: scale x its configured or real rows; a child: None (its
    # parents' cardinality decides), so a scaled database keeps its children per parent
    rows = config.rows_to_generate(name, plan.n_rows)
    n_rows = plan.n_rows if rows is None else rows
    if config.generates_in_blocks(name, n_rows):
        stored = write_table_chunked(
            store, "synthetic", plan, model, n_rows, seed, table=table, fill_pii=fill, avoid=avoid
        )
        return stored.rows
    synthetic_parents = {
        parent: store.read("synthetic", parent, columns=sorted(columns))
        for parent, columns in plan.parent_columns_needed().items()
    }
    frame = generate_table(
        plan,
        model,
        synthetic_parents,
        table=table,
        rows=rows,
        seed=seed,
        fill_pii=fill,
        avoid=avoid,
    )
    return store.write("synthetic", name, frame).rows


def run_project(
    config: ProjectConfig,
    *,
    epochs: int | None = None,
    seed: int = 0,
    time_budget_s: float | None = None,
    log: Log | None = None,
) -> ProjectRun:
    """Snapshot, fit, generate and validate every table of ``config``; write the report.

    ``epochs``, ``seed`` and ``time_budget_s`` apply to every table (the Dagster run's
    ``resources.overrides``). The report is written whatever the gates say; the caller
    decides what a failed gate means (the CLI exits 1).
    """
    from synthohive_lib.privacy import PiiAllowList
    from synthohive_lib.validation import GateThresholds, build_report_from_frames

    say = log or (lambda _message: None)
    order = config.graph.generation_order()
    store = open_store(config.output_root(), config.output.format.value)
    run = ProjectRun(output_root=config.output_root())
    started = time.perf_counter()
    snapshot_tables(config, store, order)
    say(f"real: {len(order)} tables snapshotted ({time.perf_counter() - started:.1f} s)")
    for name in order:
        began = time.perf_counter()
        run.models[name] = fit_table(
            config, store, name, epochs=epochs, seed=seed, time_budget_s=time_budget_s
        )
        run.rows[name] = generate_into_store(config, store, name, seed=seed)
        run.seconds[name] = round(time.perf_counter() - began, 2)
        say(f"{name}: {run.models[name]}, {run.rows[name]} rows ({run.seconds[name]} s)")
    real: dict[str, pd.DataFrame] = {n: store.read("real", n) for n in order}
    synthetic: dict[str, pd.DataFrame] = {n: store.read("synthetic", n) for n in order}
    allow = config.validation.pii_allow
    report = build_report_from_frames(
        real,
        synthetic,
        config.schema,
        title=f"SynthoHive validation report: {config.project}",
        holdout=config.validation.holdout,
        gates=GateThresholds.from_config(config),
        run_id=f"synthohive-run-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}",
        pii_allow=PiiAllowList.of(allow.values, allow.columns),
    )
    layout = OutputLayout.at(config.output_root())
    run.report, run.report_html, run.report_json = report, layout.report_html, layout.report_json
    atomic_write_text(run.report_json, report.to_json())
    atomic_write_text(run.report_html, report.to_html())
    assert report.verdict is not None
    run.gates = list(report.verdict.gates)
    return run
