"""The whole pipeline in one process, without Dagster: what ``synthohive run`` does.

For a data engineer who wants a synthetic database from a project config and nothing else
(a notebook, a cron job, a laptop without the Dagster UI). It walks the tables in generation
order and runs the per-table recipe the Dagster assets run
(:mod:`synthohive_lib.project.recipe`: :func:`fit_table`, :func:`generate_table_to_store`),
stage by stage:

1. ``real``: :meth:`Connector.read_table` -> :meth:`TableStore.write` (snapshot);
2. ``model``: :func:`~synthohive_lib.schema.validate.validate_data` (orphan policies) ->
   :meth:`TablePlan.fit` -> :func:`training_sample` (``max_training_rows``) ->
   :func:`training_frames` + :func:`model_factory` -> ``fit`` within the table's
   :meth:`ProjectConfig.time_budget_for`;
   :meth:`PiiPlan.fit`; :func:`save_table_artifact`;
3. ``synthetic``: :func:`generate_table` (or :func:`write_table_chunked` for a big table
   without parents) with PII filled by :func:`pii_filler`, never a real value;
4. ``validation``: :func:`build_stored_report` with the project's gates ->
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

from synthohive_lib.config import ProjectConfig
from synthohive_lib.io.store import TableStore, open_store
from synthohive_lib.project import OutputLayout, build_stored_report, write_report
from synthohive_lib.project.recipe import TrainingOptions, fit_table, generate_table_to_store
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
    from synthohive_lib.validation import GateThresholds

    say = log or (lambda _message: None)
    order = config.graph.generation_order()
    store = open_store(config.output_root(), config.output.format.value)
    run = ProjectRun(output_root=config.output_root())
    options = TrainingOptions(epochs=epochs, seed=seed, time_budget_s=time_budget_s)
    started = time.perf_counter()
    snapshot_tables(config, store, order)
    say(f"real: {len(order)} tables snapshotted ({time.perf_counter() - started:.1f} s)")
    for name in order:
        began = time.perf_counter()
        fitted = fit_table(config, store, name, options)
        run.models[name] = fitted.model_kind
        run.rows[name] = generate_table_to_store(config, store, name, seed=seed).stored.rows
        run.seconds[name] = round(time.perf_counter() - began, 2)
        say(f"{name}: {run.models[name]}, {run.rows[name]} rows ({run.seconds[name]} s)")
    allow = config.validation.pii_allow
    report = build_stored_report(
        store,
        config.schema,
        order,
        sample_rows=config.validation.sample_rows,
        seed=seed,
        title=f"SynthoHive validation report: {config.project}",
        holdout=config.validation.holdout,
        gates=GateThresholds.from_config(config),
        run_id=f"synthohive-run-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}",
        pii_allow=PiiAllowList.of(allow.values, allow.columns),
    )
    layout = OutputLayout.at(config.output_root())
    run.report, run.report_html, run.report_json = report, layout.report_html, layout.report_json
    write_report(report, run.report_json, run.report_html)
    assert report.verdict is not None
    run.gates = list(report.verdict.gates)
    return run
