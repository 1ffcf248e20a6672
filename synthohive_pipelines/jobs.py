"""Jobs: ``synthesize_all`` materializes every asset (and runs every check) of the project."""

import dagster as dg

from synthohive_lib.config import ProjectConfig

SYNTHESIZE_ALL = "synthesize_all"


def executor_for(config: ProjectConfig) -> dg.ExecutorDefinition:
    """The executor the project config asks for (``execution`` section)."""
    if config.execution.executor == "in_process":
        return dg.in_process_executor
    return dg.multiprocess_executor.configured({"max_concurrent": config.execution.max_concurrent})


def build_jobs(config: ProjectConfig) -> list:
    return [
        dg.define_asset_job(
            SYNTHESIZE_ALL,
            selection=dg.AssetSelection.all(),
            executor_def=executor_for(config),
            description=f"Every stage of project {config.project!r}: snapshots of the real "
            "tables and the checks on them (later: models, synthetic tables, validation).",
            tags={"synthohive/project": config.project},
        )
    ]
