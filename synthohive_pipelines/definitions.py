"""The Dagster entry point: ``Definitions`` built from the project config.

``workspace.yaml`` loads :func:`defs`, a lazy ``@dg.definitions`` entry point that builds the
definitions of the default project config (``$SYNTHOHIVE_CONFIG``, else ``synthohive.yaml``)
when Dagster loads the code location, not when this module is imported. Tests and tools call
:func:`build_definitions` with a path. The graph is a pure function of the config and schema
files, so the webserver, the daemon and every run worker build the same one.
"""

import os

import dagster as dg

from synthohive_lib.config import ProjectConfig, load_project_config
from synthohive_pipelines.assets import build_assets
from synthohive_pipelines.checks import build_checks
from synthohive_pipelines.jobs import build_jobs
from synthohive_pipelines.resources import build_resources


def definitions_for(config: ProjectConfig) -> dg.Definitions:
    """Assets, checks, jobs and resources of a loaded project config."""
    return dg.Definitions(
        assets=build_assets(config),
        asset_checks=build_checks(config),
        jobs=build_jobs(config),
        resources=build_resources(config),
    )


def build_definitions(config_path: str | os.PathLike[str] | None = None) -> dg.Definitions:
    """``Definitions`` of the project config at ``config_path`` (default: the project's)."""
    return definitions_for(load_project_config(config_path))


@dg.definitions
def defs() -> dg.Definitions:
    """The project's definitions, for ``workspace.yaml`` (``attribute: defs``)."""
    return build_definitions()
