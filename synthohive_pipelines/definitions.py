"""The Dagster entry point: ``Definitions`` built from the project config.

``workspace.yaml`` loads :func:`defs`, a lazy ``@dg.definitions`` entry point that builds the
definitions of the default project config (``$SYNTHOHIVE_CONFIG``, else ``synthohive.yaml``),
in the environment named by ``$SYNTHOHIVE_ENV``, when Dagster loads the code location, not
when this module is imported. Tests and tools call :func:`build_definitions` with a path. The
graph is a pure function of the config and schema files, so the webserver, the daemon and
every run worker build the same one.
"""

from __future__ import annotations

import os

import dagster as dg

from synthohive_lib.config import ProjectConfig, load_project_config
from synthohive_pipelines.assets import build_assets
from synthohive_pipelines.checks import build_checks
from synthohive_pipelines.database import build_database_asset
from synthohive_pipelines.housekeeping import orphaned_runs
from synthohive_pipelines.jobs import (
    build_schedules,
    build_synthesize_all,
    build_validate_synthetic,
    executor_for,
)
from synthohive_pipelines.resources import build_resources
from synthohive_pipelines.sensors import build_sensors


def definitions_for(config: ProjectConfig) -> dg.Definitions:
    """Assets, checks, jobs, the sensor, the schedule, resources and the executor of a loaded
    config (``execution.executor``, in-process by default, for every run)."""
    assets = build_assets(config)
    if config.output.url is not None:  # the synthetic copy also goes into a database
        assets.append(build_database_asset(config))
    job = build_synthesize_all(config)
    return dg.Definitions(
        assets=assets,
        asset_checks=build_checks(config),
        jobs=[job, build_validate_synthetic(config)],
        schedules=build_schedules(config, job),
        sensors=[*build_sensors(config, assets, job), orphaned_runs],
        resources=build_resources(config),
        # every run, not only the two jobs': "Materialize" in the UI and `dagster asset
        # materialize` run the implicit asset job, which would otherwise get Dagster's
        # default multiprocess executor (a process and a torch import per step)
        executor=executor_for(config),
    )


def build_definitions(config_path: str | os.PathLike[str] | None = None) -> dg.Definitions:
    """``Definitions`` of the project config at ``config_path`` (default: the project's)."""
    return definitions_for(load_project_config(config_path))


@dg.definitions
def defs() -> dg.Definitions:
    """The project's definitions, for ``workspace.yaml`` (``attribute: defs``)."""
    return build_definitions()
