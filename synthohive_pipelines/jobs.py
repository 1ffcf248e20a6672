"""Jobs and schedules: ``synthesize_all`` and its weekly ``full_refresh`` schedule.

``synthesize_all`` materializes every asset and runs every check of the project;
``validate_synthetic`` re-runs the gates on the stored synthetic tables and the validation
assets after them. Its executor
comes from the config's ``execution`` section:

- ``in_process`` — every step in the run worker's process. The right choice for the demo and
  CI: no per-step process start-up (seconds per step on a small machine), and one step at a
  time uses the GPU.
- ``multiprocess`` — one process per step, at most ``max_concurrent`` at once, for schemas with
  many tables on a big machine. Steps are started with the **forkserver** method, never
  ``fork``: a forked child of a process that has initialised CUDA cannot use CUDA
  ("Cannot re-initialize CUDA in forked subprocess"), and torch is imported by the model steps.
  Training steps still queue on the ``gpu`` concurrency pool (see ``assets.GPU_POOL``), so two
  runs (or two steps) never train on one GPU at once.

The ``full_refresh`` schedule runs ``synthesize_all`` on ``orchestration.refresh_cron`` (default
Sundays 03:00 UTC). It is created STOPPED: turn it on in the UI (*Automation*) or with
``dagster schedule start full_refresh -w workspace.yaml`` while the daemon runs (docs/pipelines.md).
"""

from __future__ import annotations

import dagster as dg

from synthohive_lib.config import ProjectConfig
from synthohive_pipelines.assets import SYNTHETIC, VALIDATION, asset_key

SYNTHESIZE_ALL = "synthesize_all"
VALIDATE_SYNTHETIC = "validate_synthetic"
FULL_REFRESH = "full_refresh"


def executor_for(config: ProjectConfig) -> dg.ExecutorDefinition:
    """The executor the project config asks for (``execution`` section)."""
    if config.execution.executor == "in_process":
        return dg.in_process_executor
    return dg.multiprocess_executor.configured(
        {
            "max_concurrent": config.execution.max_concurrent,
            "start_method": {"forkserver": {}},
        }
    )


def build_synthesize_all(config: ProjectConfig) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        SYNTHESIZE_ALL,
        selection=dg.AssetSelection.all(),
        executor_def=executor_for(config),
        description=f"Every stage of project {config.project!r}: snapshots of the real "
        "tables, models, synthetic tables, validation, and every check on them.",
        tags={"synthohive/project": config.project},
    )


def build_validate_synthetic(config: ProjectConfig) -> dg.UnresolvedAssetJobDefinition:
    """The gates and the validation assets over the stored synthetic tables, without
    regenerating them: re-judge a synthetic database after a threshold changed, or one
    written by another process. A failing blocking check fails the run (and the CLI)."""
    return dg.define_asset_job(
        VALIDATE_SYNTHETIC,
        selection=dg.AssetSelection.checks_for_assets(
            *[asset_key(SYNTHETIC.name, t) for t in config.graph.generation_order()]
        )
        | dg.AssetSelection.groups(VALIDATION.name),
        executor_def=executor_for(config),
        description="Blocking checks on the stored synthetic tables, then the validation "
        "assets and report (no model is fitted, no table regenerated).",
        tags={"synthohive/project": config.project},
    )


def build_schedules(
    config: ProjectConfig, job: dg.UnresolvedAssetJobDefinition
) -> list[dg.ScheduleDefinition]:
    """The full refresh on the configured cron (STOPPED by default)."""
    orchestration = config.orchestration
    return [
        dg.ScheduleDefinition(
            name=FULL_REFRESH,
            cron_schedule=orchestration.refresh_cron,
            execution_timezone=orchestration.timezone,
            job=job,
            default_status=dg.DefaultScheduleStatus.STOPPED,
            description=f"Full refresh of every asset on '{orchestration.refresh_cron}' "
            f"({orchestration.timezone}).",
        )
    ]
