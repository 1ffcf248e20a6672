"""Dagster resources, built from the project config of the selected environment.

One environment variable, ``SYNTHOHIVE_ENV`` (``local`` | ``ci`` | ``prod``; default: the
config file's ``environment``), picks the environment; the config's ``environments.<env>``
section replaces the source, the output (root + format) and the Spark settings for it
(:meth:`synthohive_lib.config.ProjectConfig.in_environment`). The resources then are:

- ``source`` — :class:`SourceDatabase`: the database the real tables come from. A URL written
  as ``env:VARNAME`` becomes a Dagster :class:`~dagster.EnvVar`, so the URL (and any password
  in it) is read by the run worker at run time and never shown in the UI or stored in run
  config.
- ``store`` — :class:`TableStoreResource`: snapshots and synthetic tables (Parquet or Delta)
  under the output root.
- ``models`` — :class:`ModelStoreResource`: fitted model artifacts under ``<root>/model``.
- ``overrides`` — :class:`RunOverrides`: project-wide settings for one run (epochs, time
  budget, seed for every table at once), empty unless a run's config sets them
  (``resources: {overrides: {config: {epochs: 5}}}`` in the launchpad).
- ``spark`` — dagster-pyspark's :class:`~dagster_pyspark.LazyPySparkResource`, configured from
  the config's ``spark`` section: the Spark session is created the first time an asset asks
  for it, never when the code location loads or a run starts without it.

Every resource is thin: it holds configuration and hands out the library objects that do the
work (:func:`synthohive_lib.io.open_connector`, :func:`synthohive_lib.io.store.open_store`).
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pydantic import Field

from synthohive_lib.config import OUTPUT_ROOT_ENV_VAR, ProjectConfig, resolve_sqlite_url
from synthohive_lib.errors import ConfigError
from synthohive_lib.io.base import Connector
from synthohive_lib.io.store import TableStore, open_store
from synthohive_lib.io.urls import redact_url
from synthohive_lib.project import OutputLayout

#: Spark settings used when the project config has no ``spark`` section: local mode, bound to
#: the loopback interface, small shuffle (the bundled examples are small)
DEFAULT_SPARK_CONFIG = {
    "spark.master": "local[2]",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
}


class SourceDatabase(dg.ConfigurableResource):
    """The database (or folder of files) the real tables are read from."""

    url: str
    #: directory a relative ``sqlite:///`` path is resolved against ("" = leave it as is)
    base_dir: str = ""

    def resolved_url(self) -> str:
        base = Path(self.base_dir) if self.base_dir else None
        return resolve_sqlite_url(self.url, base)

    def describe(self) -> str:
        """The source URL with credentials redacted (safe for logs and metadata)."""
        return redact_url(self.resolved_url())

    def open(self) -> Connector:
        """A connector on the source; use it as a context manager so it is closed."""
        from synthohive_lib.io import open_connector

        return open_connector(self.resolved_url())


def _local_root(root: str) -> str:
    """The output root, refused when it is an object-store URI: the table store writes local
    (or mounted) paths only, and a URI silently turned into a local folder named ``s3:`` would
    lose every output."""
    if "://" in root:
        raise ConfigError(
            f"output root {redact_url(root)} is an object-store URI, which "
            "synthohive_lib.io.store does not support yet",
            fix="use a local or mounted path for output.root (or SYNTHOHIVE_OUTPUT_ROOT)",
        )
    return root


class TableStoreResource(dg.ConfigurableResource):
    """Where stages keep their tables: an output root and a format (parquet | delta)."""

    root: str
    format: str = "parquet"

    def get(self) -> TableStore:
        return open_store(_local_root(self.root), self.format)


class ModelStoreResource(dg.ConfigurableResource):
    """Where fitted models are kept: one artifact folder per table under ``<root>/model``."""

    root: str

    def path_for(self, table: str) -> Path:
        """The artifact folder of ``table`` (file-system-safe, collision-free name)."""
        return OutputLayout.at(_local_root(self.root)).model_folder(table)


class ModelChoice(Enum):
    """The generative models a run can pick (an enum: the launchpad offers the choices)."""

    ctgan = "ctgan"
    autoregressive = "autoregressive"


class RunOverrides(dg.ConfigurableResource):
    """Settings for every table of one run, over the project config (and under a table's own
    run config, ``ops: {model__T: {config: ...}}``). Unset fields change nothing.

    In the launchpad: ``resources: {overrides: {config: {epochs: 5, seed: 7}}}``.
    """

    epochs: int | None = Field(
        default=None,
        ge=1,
        description="training epochs of every table's model (unset: each table's configured "
        "epochs)",
    )
    time_budget_s: float | None = Field(
        default=None,
        gt=0,
        description="seconds each table's training may take: it stops after the epoch that "
        "exceeds them (unset: no limit beyond the epochs)",
    )
    seed: int | None = Field(
        default=None,
        description="random seed of every model and every generated table (unset: 0, so "
        "reruns repeat)",
    )
    model: ModelChoice | None = Field(
        default=None,
        description="generative model of every table that has one: ctgan or autoregressive "
        "(unset: each table's configured model, else ctgan)",
    )


def build_resources(config: ProjectConfig) -> dict[str, object]:
    """The resources of a project config (already resolved for its environment)."""
    if config.source.env_var is not None:
        source = SourceDatabase(url=dg.EnvVar(config.source.env_var))
    else:
        source = SourceDatabase(url=config.source.url, base_dir=str(config.base_dir))
    raw = os.environ.get(OUTPUT_ROOT_ENV_VAR) or config.output.root or ""
    # a URI is kept as written, so the store refuses it loudly instead of a local "s3:" folder
    root = raw if "://" in raw else str(config.output_root())
    return {
        "source": source,
        "store": TableStoreResource(root=root, format=config.output.format.value),
        "models": ModelStoreResource(root=root),
        "overrides": RunOverrides(),
        "spark": LazyPySparkResource(spark_config=dict(config.spark or DEFAULT_SPARK_CONFIG)),
    }
