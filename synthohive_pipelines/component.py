"""SynthoHive as a Dagster Component: add a project to any ``dg`` project with a ``defs.yaml``.

A team with its own Dagster project adds SynthoHive the way it adds dbt, without writing
Python::

    # <project>/defs/synthetic_chinook/defs.yaml
    type: synthohive_pipelines.SynthoHiveComponent
    attributes:
      config: ../../../synthohive.yaml     # the project config, relative to this file
      environment: ci                      # optional: local | ci | prod
      overrides:                           # optional: config keys over the file's
        defaults: {epochs: 5}
        output: {root: /data/synthohive}

The component loads the project config (:func:`synthohive_lib.config.load_project_config`,
with the same validation and error messages as everywhere else) and builds exactly the
definitions :func:`synthohive_pipelines.definitions.definitions_for` builds for
``workspace.yaml``: the same assets, checks, jobs, sensor, schedule, resources and executor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from synthohive_lib.config import load_project_config
from synthohive_pipelines.definitions import definitions_for


class SynthoHiveComponent(dg.Component, dg.Model, dg.Resolvable):
    """A SynthoHive project (its schema's tables through real -> model -> synthetic ->
    validation) as Dagster definitions, from its project config file."""

    config: str = Field(
        description="path of the project config (synthohive.yaml); a relative path is "
        "relative to the folder of this defs.yaml"
    )
    environment: str | None = Field(
        default=None,
        description="local | ci | prod: applies environments.<env> of the config (default: "
        "$SYNTHOHIVE_ENV, else the config's environment)",
    )
    overrides: dict[str, Any] | None = Field(
        default=None,
        description="project config keys merged over the file's, e.g. {defaults: {epochs: "
        "5}}; validated like the file",
    )

    def config_path(self, folder: Path) -> Path:
        """The project config file, resolved against ``folder`` (the defs.yaml's)."""
        path = Path(self.config).expanduser()
        return path if path.is_absolute() else (folder / path).resolve()

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        folder = context.path if context.path.is_dir() else context.path.parent
        config = load_project_config(
            self.config_path(folder), overrides=self.overrides, environment=self.environment
        )
        return definitions_for(config)
