"""The project configuration: one YAML file that says what to synthesize, from where, to where.

A project file (``synthohive.yaml`` at the repository root for the bundled example) looks like::

    project: chinook
    environment: local                 # local | ci | prod
    source:
      url: sqlite:///examples/chinook/chinook.sqlite   # or env:SYNTHOHIVE_SOURCE_URL
    schema: examples/chinook/schema.yaml
    output:
      root: .synthohive                # SYNTHOHIVE_OUTPUT_ROOT overrides it
      format: parquet                  # parquet | delta
    execution:
      executor: in_process             # in_process (default) | multiprocess
      max_concurrent: 2                # multiprocess only
    training_budget_s: 1500            # model stage of all tables, split by size (default)
    defaults:                          # settings for every table ...
      epochs: 300
      max_training_rows: 200000        # a larger table trains on a family-preserving sample
      time_budget_s: 600               # seconds one table's model may train
      model: ctgan                     # ctgan (default) | autoregressive
      scale: 1.0                       # root tables get round(scale x rows); children follow
    tables:                            # ... overridden per table
      Track: {epochs: 5, batch_size: 500, device: auto, engine: pandas}

Rules:

- Keys are strict: an unknown or misspelt key is a :class:`~synthohive_lib.errors.ConfigError`
  naming the key path (``tables.Track.epoch``) and the closest valid key.
- Relative paths (schema, output root, a relative SQLite database) are resolved against the
  directory of the config file, never against the current directory, so the same file works
  from anywhere.
- ``source.url: env:VARNAME`` keeps credentials out of the file: the URL is read from the
  environment when it is needed (:meth:`SourceConfig.resolve_url`), and is never written to
  logs or metadata.
- Values are checked as the run would check them, so a config that loads also runs: numbers
  are strict (``epochs: true`` or ``epochs: "300"`` is refused, not read as 1 or 300), and
  ``batch_size`` must be a multiple of CTGAN's ``pac`` (10). Every refusal names the key
  path (``tables.Track.batch_size``) and the fix.
- Table names under ``tables`` must exist in the schema; context columns must exist in a
  parent of the table (checked by :meth:`ProjectConfig.check_against`).

The module never imports Dagster: the pipelines layer reads a :class:`ProjectConfig` and wires
it into resources.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from synthohive_lib.errors import ConfigError, SynthoHiveError

if TYPE_CHECKING:
    from synthohive_lib.schema.graph import SchemaGraph
    from synthohive_lib.schema.model import Schema

#: environment variable naming the project config file
CONFIG_ENV_VAR = "SYNTHOHIVE_CONFIG"
#: environment variable that overrides ``output.root``
OUTPUT_ROOT_ENV_VAR = "SYNTHOHIVE_OUTPUT_ROOT"
#: environment variable that selects the environment (``local`` | ``ci`` | ``prod``), overriding
#: the file's ``environment`` key; the matching ``environments.<env>`` overrides then apply
ENVIRONMENT_ENV_VAR = "SYNTHOHIVE_ENV"
#: file name looked up when no path and no environment variable is given
DEFAULT_CONFIG_NAME = "synthohive.yaml"
#: output root used when the config file does not set one (relative to the config file)
DEFAULT_OUTPUT_DIR = ".synthohive"
#: rows above which the pandas engine generates a table without parents block by block
#: (``chunk_rows_above``): below it one in-memory frame is simpler and as fast; above it a
#: one-shot frame costs about 1.2 GB per million Adult-like rows, a block stays flat
DEFAULT_CHUNK_ROWS_ABOVE = 1_000_000
#: rows a table's generative model trains on at most (``max_training_rows``): above it the
#: model trains on a family-preserving sample (:mod:`synthohive_lib.relational.sampling`);
#: bounds the transformer's fit and the training matrix (about 0.2 GB for 40 columns)
DEFAULT_MAX_TRAINING_ROWS = 200_000
#: seconds a table's model may train (``time_budget_s``), counted from the start of its fit;
#: with DEFAULT_MAX_TRAINING_ROWS it bounds the model stage of any table, however large
DEFAULT_TIME_BUDGET_S = 600.0
#: seconds for the model stage of all tables together (``training_budget_s``), split by their
#: training rows: with four tables at the per-table cap a database would take 40 minutes of
#: training; 1,500 s bounds the training of a database's tables to 25 minutes of wall time
#: (each table also gets at least 1 % of it, so more than 100 tables can exceed it)
DEFAULT_TRAINING_BUDGET_S = 1500.0
#: synthetic rows a table's statistical figures are scored on at most
#: (``validation.sample_rows``): at 200,000 rows a KS figure's sampling error is about 0.002;
#: peak memory of a run stayed flat from 1M to 10M generated rows (benchmarks/RESULTS.md)
DEFAULT_VALIDATION_SAMPLE_ROWS = 200_000

_ENV_PREFIX = "env:"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DEVICE = re.compile(r"^(auto|cpu|cuda(:\d+)?|mps)$")
_PASSWORD_IN_URL = re.compile(r"^[^:/]+://[^/@:]*:[^/@]+@")
_PROJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_OWNER_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OWNER_TEAM = re.compile(r"^team:[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: largest ``scale`` (synthetic rows of a root table per real or configured row) accepted
MAX_SCALE = 100.0

#: CTGAN's ``pac`` (rows judged together by the discriminator): a batch must be a multiple
#: of it, or CTGAN refuses to train; kept equal to ``CTGANConfig.pac`` (tested), written here
#: so loading a config never imports the model layer (and torch)
CTGAN_PAC = 10

#: numbers in the config are strict: YAML's ``true`` is not 1 and ``"300"`` is not 300 (lax
#: Pydantic would take both, and the run would train one epoch or fail much later)
StrictCount = Annotated[int, Field(strict=True)]
StrictNumber = Annotated[float, Field(strict=True)]


class Environment(StrEnum):
    """Where the project runs; later stages pick sizes and gates from it."""

    LOCAL = "local"
    CI = "ci"
    PROD = "prod"


class OutputFormat(StrEnum):
    """On-disk format of snapshots and outputs (see :mod:`synthohive_lib.io.store`)."""

    PARQUET = "parquet"
    DELTA = "delta"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(_Strict):
    """Where the real data is read from."""

    url: str = Field(min_length=1, description="SQLAlchemy URL, or env:VARNAME to read it")

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_database_url(value, "source.url")

    @property
    def env_var(self) -> str | None:
        """The environment variable holding the URL, when the URL is ``env:VARNAME``."""
        if self.url.startswith(_ENV_PREFIX):
            return self.url[len(_ENV_PREFIX) :]
        return None

    def resolve_url(self, base_dir: Path | None = None, *, key: str = "source.url") -> str:
        """The usable URL: read from the environment when needed, relative SQLite paths made
        absolute against ``base_dir`` (the config file's directory).

        An ``env:`` URL's value is used as given (a relative SQLite path in it is relative to
        the current directory, like any path in an environment variable).
        """
        if self.env_var is not None:
            value = os.environ.get(self.env_var)
            if not value:
                raise ConfigError(
                    f"{key} reads the environment variable {self.env_var}, which is not set",
                    fix=f"export {self.env_var}=<SQLAlchemy URL> before running",
                )
            return value
        return resolve_sqlite_url(self.url, base_dir)

    @property
    def dialect(self) -> str:
        """The backend name (``sqlite``, ``postgresql``, ...); ``unknown`` for an env URL
        that is not set yet."""
        url = self.url
        if self.env_var is not None:
            url = os.environ.get(self.env_var, "")
        scheme = url.split("://", 1)[0] if "://" in url else "unknown"
        return scheme.split("+", 1)[0] or "unknown"


def check_database_url(value: str, key: str) -> str:
    """``value`` is a SQLAlchemy URL without a password, or ``env:VARNAME`` (``key`` names the
    config key in the message)."""
    if value.startswith(_ENV_PREFIX):
        name = value[len(_ENV_PREFIX) :]
        if not _ENV_NAME.match(name):
            raise ValueError(
                f"{value!r} is not a valid env reference; write env:VARNAME "
                "(letters, digits and underscores)"
            )
    elif "://" not in value:
        raise ValueError(
            "expected a URL such as sqlite:///path/to/db.sqlite or "
            "postgresql+psycopg2://user@host/db, or env:VARNAME"
        )
    elif _PASSWORD_IN_URL.match(value):
        raise ValueError(
            "the URL holds a password; passwords never belong in a config file: write "
            f"{key}: env:VARNAME and export VARNAME=<the URL>"
        )
    return value


class OutputConfig(_Strict):
    """Where snapshots, models and synthetic tables are written, and in which format; with
    ``url``, the synthetic copy is also written into that database (``synthetic/database``)."""

    root: str | None = Field(
        default=None,
        description=f"folder for all outputs; default {DEFAULT_OUTPUT_DIR}/ next to the config "
        f"file; {OUTPUT_ROOT_ENV_VAR} overrides it",
    )
    format: OutputFormat = OutputFormat.PARQUET
    url: str | None = Field(
        default=None,
        min_length=1,
        description="SQLAlchemy URL (PostgreSQL, MySQL/MariaDB, SQLite) or env:VARNAME of a "
        "database the synthetic copy is written into, with its keys, all or nothing",
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else check_database_url(value, "output.url")

    def resolve_url(self, base_dir: Path | None = None) -> str | None:
        """The usable output database URL (``env:`` read now, relative SQLite made absolute);
        None without ``url``."""
        if self.url is None:
            return None
        return SourceConfig(url=self.url).resolve_url(base_dir, key="output.url")


class ExecutionConfig(_Strict):
    """How a Dagster run executes the steps (read by the pipelines layer)."""

    #: in_process by default: every step in the run's process, so a materialization started
    #: from the UI or ``dagster asset materialize`` costs what the step costs (the
    #: multiprocess executor starts a Python process, and imports torch, per step)
    executor: Literal["multiprocess", "in_process"] = "in_process"
    max_concurrent: StrictCount = Field(default=2, ge=1, le=64)


class PrivacySettings(_Strict):
    """Differential privacy of a table's model (DP-SGD, both models; see docs/models.md)."""

    epsilon: float = Field(gt=0, description="privacy budget; training stops when it is spent")
    delta: float | None = Field(
        default=1e-5, gt=0, lt=1, description="None: 1 / (10 x training rows)"
    )
    max_grad_norm: float = Field(default=1.0, gt=0, description="per-row gradient clip")


class TableSettings(_Strict):
    """Per-table settings used by the model and generation stages; every key is optional."""

    model: Literal["ctgan", "autoregressive"] | None = Field(
        default=None,
        description="the table's generative model: ctgan (default) or autoregressive "
        "(column by column; see docs/models.md)",
    )
    privacy: PrivacySettings | None = Field(
        default=None,
        description="DP-SGD for the table's model: {epsilon, delta, max_grad_norm}"
        " (ctgan: the critic; autoregressive: the whole network)",
    )

    epochs: StrictCount | None = Field(default=None, ge=1)
    batch_size: StrictCount | None = Field(
        default=None, description=f"rows per training step; a multiple of {CTGAN_PAC}"
    )
    device: str | None = Field(default=None, description="auto | cpu | cuda | cuda:N | mps")
    context_columns: list[str] | None = Field(
        default=None,
        description="parent columns that condition this table's model: 'Column' (looked up in "
        "the parents) or 'Parent.Column'",
    )
    engine: Literal["pandas", "spark"] | None = None
    rows: StrictCount | None = Field(
        default=None, ge=0, description="rows to generate (roots only)"
    )
    scale: StrictNumber | None = Field(
        default=None,
        description="synthetic rows of a table without parents per real row (or per "
        "configured ``rows``), as SDV's sample(scale=...); children follow their parents' "
        f"cardinality; 0 < scale <= {MAX_SCALE:g}; default 1",
    )
    chunk_rows_above: StrictCount | None = Field(
        default=None,
        ge=0,
        description="a table without parents (no foreign key, no self-reference) asked for "
        "more rows than this is generated block by block straight into the store (pandas "
        f"engine; memory of one block); default {DEFAULT_CHUNK_ROWS_ABOVE:,}",
    )
    max_training_rows: StrictCount | None = Field(
        default=None,
        ge=1,
        description="rows the model trains on at most; a larger table trains on a sample "
        "(uniform for a table without parents, whole families by parent for a child); "
        f"default {DEFAULT_MAX_TRAINING_ROWS:,}",
    )
    time_budget_s: StrictNumber | None = Field(
        default=None,
        gt=0,
        description="seconds the table's model may train (from the start of its fit); "
        f"default {DEFAULT_TIME_BUDGET_S:.0f}",
    )
    fidelity_threshold: StrictNumber | None = Field(
        default=None,
        ge=0,
        le=1,
        description="lowest column-shape score a synthetic column may have (blocking check; "
        "default 0.8)",
    )
    max_exact_copy_rate: StrictNumber | None = Field(
        default=None,
        ge=0,
        le=1,
        description="highest share of synthetic rows that equal a real row on the attribute "
        "columns (blocking check; default 0.05)",
    )
    change_column: str | None = Field(
        default=None,
        description="a column that only grows when rows change (updated_at, a sequence); its "
        "maximum is part of the table's change fingerprint (per table only)",
    )

    @field_validator("batch_size")
    @classmethod
    def _check_batch_size(cls, value: int | None) -> int | None:
        if value is not None and (value < CTGAN_PAC or value % CTGAN_PAC):
            lower = max(CTGAN_PAC, value - value % CTGAN_PAC)
            options = f"{lower} or {lower + CTGAN_PAC}" if value > CTGAN_PAC else str(CTGAN_PAC)
            raise ValueError(
                f"{value} is not a positive multiple of CTGAN's pac ({CTGAN_PAC}: rows the "
                f"discriminator judges together); use {options}"
            )
        return value

    @field_validator("scale")
    @classmethod
    def _check_scale(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value <= MAX_SCALE:
            raise ValueError(
                f"{value!r} is outside 0 < scale <= {MAX_SCALE:g}; write a factor such as "
                "0.1, 0.5, 2 or 10"
            )
        return value

    @field_validator("device")
    @classmethod
    def _check_device(cls, value: str | None) -> str | None:
        if value is not None and not _DEVICE.match(value):
            raise ValueError(f"{value!r} is not a device; use auto, cpu, cuda, cuda:N or mps")
        return value

    def merged_over(self, base: TableSettings) -> TableSettings:
        """These settings, falling back to ``base`` for every key not set here."""
        data = base.model_dump(exclude_none=True)
        data.update(self.model_dump(exclude_none=True))
        return TableSettings(**data)


class OrchestrationConfig(_Strict):
    """When the pipelines run by themselves: the source-change sensor and the full refresh.

    Both are created STOPPED; an operator turns them on in the UI or with
    ``dagster sensor start -w workspace.yaml`` / ``dagster schedule start -w workspace.yaml``
    (see docs/pipelines.md).
    """

    sensor_interval_seconds: StrictCount = Field(
        default=300, ge=10, description="seconds between two fingerprints of the source"
    )
    refresh_cron: str = Field(
        default="0 3 * * 0", min_length=9, description="cron of the full refresh schedule"
    )
    timezone: str = Field(default="UTC", description="IANA time zone of refresh_cron")

    @field_validator("refresh_cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(
                f"{value!r} is not a cron expression of 5 fields (minute hour day month weekday)"
            )
        return value


class PiiAllowConfig(_Strict):
    """What the PII leak scan accepts (``validation.pii_allow``): values that are never a
    leak (public words that happen to be someone's name or city), and synthetic columns
    (``Table.column``) whose hits are listed as coincidences instead of failing."""

    values: list[str] = Field(default_factory=list, description="values never counted as leaks")
    columns: list[str] = Field(
        default_factory=list, description="synthetic Table.column whose hits are accepted"
    )


class ValidationConfig(_Strict):
    """How synthetic data is judged: the holdout and the leak scan's allow-list."""

    holdout: float = Field(
        default=0.1,
        ge=0.0,
        le=0.5,
        description="share of each table's real rows (50 rows or more) never used for "
        "training; the report's yardstick for fidelity maxima and DCR share (0: none)",
    )
    sample_rows: StrictCount = Field(
        default=DEFAULT_VALIDATION_SAMPLE_ROWS,
        ge=1,
        description="synthetic rows the statistical figures of a larger table are scored on "
        "(a uniform sample, drawn block by block); its keys, foreign keys, exact copies, PII "
        "leaks and identifiers are still checked on every row",
    )
    pii_allow: PiiAllowConfig = Field(default_factory=PiiAllowConfig)


class EnvironmentOverrides(_Strict):
    """What changes in one environment (``environments.prod`` ...): source, output, Spark."""

    source: SourceConfig | None = None
    output: OutputConfig | None = None
    spark: dict[str, str] | None = None


class ProjectConfig(_Strict):
    """A loaded, validated project configuration (see the module docstring for the file)."""

    project: str = Field(min_length=1)
    environment: Environment = Environment.LOCAL
    source: SourceConfig
    schema_path: str = Field(alias="schema", min_length=1)
    output: OutputConfig = Field(default_factory=OutputConfig)
    execution: ExecutionConfig = Field(default_factory=ExecutionConfig)
    defaults: TableSettings = Field(default_factory=TableSettings)
    tables: dict[str, TableSettings] = Field(default_factory=dict)
    description: str | None = None
    #: who answers for the project's assets: e-mail addresses or ``team:<name>`` (Dagster's
    #: owners, shown on every asset and usable in ``owner:`` selections); default
    #: ``team:<project>``
    owners: list[str] = Field(default_factory=list)
    orchestration: OrchestrationConfig = Field(default_factory=OrchestrationConfig)
    #: seconds for the model stage of all tables together, split across tables by their
    #: rows (:meth:`time_budget_for`); each table's own ``time_budget_s`` still caps its share
    training_budget_s: StrictNumber | None = Field(default=DEFAULT_TRAINING_BUDGET_S, gt=0)
    validation: ValidationConfig = Field(default_factory=ValidationConfig)
    #: Spark configuration (``spark.master`` ...) for tables whose engine is ``spark``
    spark: dict[str, str] = Field(default_factory=dict)
    #: per-environment overrides, applied by :meth:`in_environment`
    environments: dict[Environment, EnvironmentOverrides] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _config_path: Path | None = PrivateAttr(default=None)

    @field_validator("project")
    @classmethod
    def _check_project(cls, value: str) -> str:
        if not _PROJECT_NAME.match(value):
            raise ValueError(
                f"{value!r} is not a project name; use letters, digits, '_' and '-', "
                "starting with a letter"
            )
        return value

    @field_validator("owners")
    @classmethod
    def _check_owners(cls, value: list[str]) -> list[str]:
        for owner in value:
            if not (_OWNER_EMAIL.match(owner) or _OWNER_TEAM.match(owner)):
                raise ValueError(
                    f"{owner!r} is not an owner; write an e-mail address (ana@example.com) or "
                    "team:<name> (team:data-platform)"
                )
        return value

    @property
    def asset_owners(self) -> list[str]:
        """The owners of every asset: ``owners``, else ``team:<project>``."""
        return list(self.owners) or [f"team:{self.project}"]

    # ------------------------------------------------------------------ locations
    @property
    def base_dir(self) -> Path:
        """The directory relative paths are resolved against (the config file's folder)."""
        return self._base_dir

    @property
    def config_path(self) -> Path | None:
        """The file this config was loaded from, if any."""
        return self._config_path

    @property
    def schema_file(self) -> Path:
        """Absolute path of the schema YAML."""
        return _resolve(self.schema_path, self._base_dir)

    def output_root(self) -> Path:
        """Absolute output root: ``$SYNTHOHIVE_OUTPUT_ROOT``, else ``output.root``, else
        ``.synthohive/`` next to the config file."""
        env = os.environ.get(OUTPUT_ROOT_ENV_VAR)
        if env:
            return Path(env).expanduser().resolve()
        return _resolve(self.output.root or DEFAULT_OUTPUT_DIR, self._base_dir)

    def source_url(self) -> str:
        """The usable source URL (reads ``env:`` references now; keep it out of logs)."""
        return self.source.resolve_url(self._base_dir)

    def output_database_url(self) -> str | None:
        """The database the synthetic copy is written into (``output.url``), usable now."""
        return self.output.resolve_url(self._base_dir)

    def in_environment(self, environment: str | Environment | None = None) -> ProjectConfig:
        """This config as it applies in ``environment`` (default ``$SYNTHOHIVE_ENV``, else the
        file's ``environment``): ``environments.<env>`` replaces source, output and Spark."""
        name = environment or os.environ.get(ENVIRONMENT_ENV_VAR) or self.environment
        try:
            env = Environment(str(name))
        except ValueError:
            raise ConfigError(
                f"unknown environment {name!r} (from {ENVIRONMENT_ENV_VAR} or 'environment')",
                fix=f"use one of {', '.join(e.value for e in Environment)}",
            ) from None
        update: dict[str, Any] = {"environment": env}
        over = self.environments.get(env)
        if over is not None:
            if over.source is not None:
                update["source"] = over.source
            if over.output is not None:
                update["output"] = over.output
            if over.spark is not None:
                update["spark"] = over.spark
        copy = self.model_copy(update=update)
        copy._base_dir, copy._config_path = self._base_dir, self._config_path
        return copy

    # ------------------------------------------------------------------ schema
    @cached_property
    def schema(self) -> Schema:
        """The schema named by ``schema`` (loaded once)."""
        from synthohive_lib.schema.yaml_io import load_schema

        path = self.schema_file
        if not path.is_file():
            raise ConfigError(
                f"schema file {path} does not exist",
                fix="set 'schema' to the path of a schema.yaml, relative to the config file",
            )
        return load_schema(path)

    @cached_property
    def graph(self) -> SchemaGraph:
        """The schema's parent → child graph."""
        from synthohive_lib.schema.graph import SchemaGraph

        return SchemaGraph(self.schema)

    def settings_for(self, table: str) -> TableSettings:
        """The effective settings of ``table``: its overrides over ``defaults``."""
        own = self.tables.get(table)
        return own.merged_over(self.defaults) if own is not None else self.defaults

    def max_training_rows_for(self, table: str) -> int:
        """Rows ``table``'s model trains on at most (default :data:`DEFAULT_MAX_TRAINING_ROWS`)."""
        rows = self.settings_for(table).max_training_rows
        return DEFAULT_MAX_TRAINING_ROWS if rows is None else rows

    def time_budget_for(self, table: str, rows: Mapping[str, int] | None = None) -> float:
        """Seconds ``table``'s model may train: its ``time_budget_s`` (default
        :data:`DEFAULT_TIME_BUDGET_S`), and no more than its share of ``training_budget_s``
        (default :data:`DEFAULT_TRAINING_BUDGET_S`; ``null`` switches the project budget off).

        Shares follow the tables' training rows (``rows``: real rows per table, each capped at
        its ``max_training_rows``; a table missing from it counts as the median table). A
        table whose share exceeds its own ``time_budget_s`` gets its own budget and the rest
        is shared among the others (water-filling), so the project budget is not wasted on a
        cap. Every table gets at least 1 % of the project budget, so a small table still trains.
        """
        budget = self._own_time_budget(table)
        if self.training_budget_s is None:
            return budget
        caps = {t: self._own_time_budget(t) for t in self.schema.table_names}
        sizes = {
            t: min(int(n), self.max_training_rows_for(t))
            for t, n in (rows or {}).items()
            if self.schema.has_table(t)
        }
        known = sorted(sizes.values())
        fill = known[len(known) // 2] if known else 1
        weights = {t: float(max(sizes.get(t, fill), 1)) for t in caps}
        shares = split_budget(float(self.training_budget_s), weights, caps)
        return min(budget, max(shares.get(table, 0.0), self.training_budget_s / 100))

    def _own_time_budget(self, table: str) -> float:
        own = self.settings_for(table).time_budget_s
        return DEFAULT_TIME_BUDGET_S if own is None else float(own)

    def rows_to_generate(self, table: str, real_rows: int, rows: int | None = None) -> int | None:
        """Rows to generate for ``table``: ``None`` for a table with parents (its size is the
        sum of the children-per-parent counts its cardinality model draws under the synthetic
        parents, so it follows their scale); for a table without parents ``round(scale x
        base)``, where ``base`` is ``rows`` (a run's override), else its configured ``rows``,
        else ``real_rows``. The one place every engine asks, so pandas, blocks, Spark and the
        Dagster assets agree."""
        if self.graph.parents(table):
            return None
        settings = self.settings_for(table)
        base = rows if rows is not None else settings.rows
        if base is None:
            base = real_rows
        return scaled_rows(base, 1.0 if settings.scale is None else float(settings.scale))

    def generates_in_blocks(self, table: str, rows: int) -> bool:
        """Whether the pandas engine makes ``rows`` rows of ``table`` block by block
        (:func:`synthohive_lib.relational.chunked.write_table_chunked`) instead of as one
        in-memory frame: only a table without foreign keys (parents or a self-reference need
        other rows, which blocks do not see) whose ``rows`` exceed its ``chunk_rows_above``
        (default :data:`DEFAULT_CHUNK_ROWS_ABOVE`). The two paths give different rows for
        the same seed, so the choice is made here, once, from the config alone."""
        if self.schema.table(table).foreign_keys:
            return False
        threshold = self.settings_for(table).chunk_rows_above
        return rows > (DEFAULT_CHUNK_ROWS_ABOVE if threshold is None else threshold)

    def context_parents(self, table: str) -> list[str]:
        """The distinct parents named by ``table``'s context columns, in the order written
        (a bare ``Column`` is looked up in the parents; call after :meth:`check_against`)."""
        from synthohive_lib.schema.graph import split_context_ref

        refs = self.settings_for(table).context_columns or []
        parents = self.schema.table(table).parent_tables
        out: list[str] = []
        for ref in refs:
            owner, _ = split_context_ref(ref, parents)
            if owner is None:
                owners = [p for p in parents if self.schema.table(p).has_column(ref)]
                owner = owners[0] if owners else ""
            if owner and owner not in out:
                out.append(owner)
        return out

    def check_against(self, schema: Schema) -> None:
        """Raise a :class:`ConfigError` listing every table override that does not fit
        ``schema`` (unknown table, unknown context column)."""
        problems: list[str] = []
        known = schema.table_names
        for name, settings in self.tables.items():
            if not schema.has_table(name):
                hint = _closest(name, known)
                problems.append(
                    f"tables.{name}: no table {name!r} in the schema{hint}; "
                    f"known tables: {', '.join(known)}"
                )
                continue
            problems += _check_context_columns(schema, name, settings)
            fks = schema.table(name).foreign_keys
            if settings.chunk_rows_above is not None and fks:
                refs = ", ".join(sorted({fk.references for fk in fks}))
                problems.append(
                    f"tables.{name}.chunk_rows_above: {name} has foreign keys (to {refs}), and "
                    "only tables without parents or self-references are generated block by "
                    "block; remove the key (a child's size follows its parents)"
                )
            parents = sorted(set(schema.table(name).parent_tables) - {name})
            if settings.scale is not None and parents:
                problems.append(
                    f"tables.{name}.scale: {name} has parents ({', '.join(parents)}) and its "
                    "size follows their cardinality; set scale on the root table(s) or under "
                    "defaults.scale"
                )
            column = settings.change_column
            if column is not None and not schema.table(name).has_column(column):
                hint = _closest(column, schema.table(name).column_names)
                problems.append(
                    f"tables.{name}.change_column: {name} has no column {column!r}{hint}"
                )
        for i, where in enumerate(self.validation.pii_allow.columns):
            table, _, column = where.partition(".")
            if not schema.has_table(table) or not schema.table(table).has_column(column):
                known_columns = [f"{t.name}.{c}" for t in schema.tables for c in t.column_names]
                problems.append(
                    f"validation.pii_allow.columns[{i}]: no column {where!r} in the schema"
                    f"{_closest(where, known_columns)}; write it as Table.column"
                )
        if self.defaults.change_column:
            problems.append(
                "defaults.change_column: a change column is per table; "
                "set it under tables.<Table>.change_column"
            )
        if self.defaults.context_columns:
            problems.append(
                "defaults.context_columns: context columns are per table; "
                "set them under tables.<Table>.context_columns"
            )
        if problems:
            raise ConfigError(
                f"config {self._config_path or '<memory>'} does not fit schema "
                f"{schema.name!r}:\n  - " + "\n  - ".join(problems),
                fix="correct the table / column names (they are case-sensitive)",
            )


# --------------------------------------------------------------------------- loading


def default_config_path() -> Path:
    """``$SYNTHOHIVE_CONFIG``, else ``synthohive.yaml`` in the current directory, else the one
    at the root of the repository this package lives in."""
    env = os.environ.get(CONFIG_ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    here = Path.cwd() / DEFAULT_CONFIG_NAME
    if here.is_file():
        return here.resolve()
    return (Path(__file__).resolve().parents[1] / DEFAULT_CONFIG_NAME).resolve()


def load_project_config(
    path: str | os.PathLike[str] | None = None,
    *,
    check_schema: bool = True,
    overrides: Mapping[str, Any] | None = None,
    environment: str | None = None,
) -> ProjectConfig:
    """Load and validate a project config file (default: :func:`default_config_path`).

    ``overrides`` are config keys merged over the file's before validation (mappings key by
    key, anything else replaced), e.g. ``{"defaults": {"epochs": 5}, "output": {"root":
    "/tmp/out"}}``: how a Dagster Component or a CLI flag changes a project without editing
    its file. They are validated like the file (a wrong key names its path); relative paths
    in them resolve against the file's folder too. ``environment`` picks the environment
    (default ``$SYNTHOHIVE_ENV``, else the file's ``environment``).

    With ``check_schema`` (the default) the schema file is loaded and validated too
    (:func:`~synthohive_lib.schema.validate.validate_schema`; its problems raise one
    :class:`~synthohive_lib.errors.SchemaValidationError`), and the table overrides are checked
    against it, so every mistake surfaces here rather than half-way through a run.
    """
    file = Path(path).expanduser().resolve() if path is not None else default_config_path()
    if not file.is_file():
        raise ConfigError(
            f"project config {file} does not exist",
            fix=f"pass the path of a project YAML, or set {CONFIG_ENV_VAR}",
        )
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"project config {file} is not valid YAML: {exc}") from exc
    if overrides and isinstance(data, dict):  # a file that is not a mapping is refused below
        data = merge_config(data, overrides)
        source = f"{file} (with overrides)"
    else:
        source = str(file)
    config = project_config_from_dict(data, base_dir=file.parent, source=source)
    config._config_path = file
    config = config.in_environment(environment)
    if check_schema:
        from synthohive_lib.schema.validate import validate_schema

        try:
            schema = config.schema
        except ConfigError:
            raise
        except SynthoHiveError as exc:
            raise ConfigError(
                f"schema file {config.schema_file} named by {file} cannot be loaded: {exc}"
            ) from exc
        validate_schema(schema)  # every structural problem at once (SchemaValidationError)
        config.check_against(schema)
    return config


def project_config_from_dict(
    data: Any, *, base_dir: str | os.PathLike[str] | None = None, source: str = "config"
) -> ProjectConfig:
    """Validate a parsed config document; relative paths resolve against ``base_dir``."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: expected a mapping at the top level, got {type(data).__name__}",
            fix="start the file with 'project: <name>'",
        )
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, data, source) from exc
    config._base_dir = Path(base_dir).resolve() if base_dir is not None else Path.cwd()
    return config


def merge_config(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged into ``base``: nested mappings key by key, other values replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_config(out[key], value)
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------- helpers


def resolve_sqlite_url(url: str, base_dir: Path | None) -> str:
    """Make the database path of a relative ``sqlite:///relative/path`` URL absolute against
    ``base_dir``; every other URL is returned unchanged."""
    match = re.match(r"^(sqlite(?:\+\w+)?):///(.*)$", url)
    if not match or base_dir is None:
        return url
    scheme, rest = match.groups()
    path, sep, query = rest.partition("?")
    if not path or path == ":memory:" or path.startswith("/") or path.startswith("file:"):
        return url
    absolute = (Path(base_dir) / path).resolve()
    return f"{scheme}:///{absolute}{sep}{query}"


def _resolve(path: str, base_dir: Path) -> Path:
    p = Path(path).expanduser()
    return (p if p.is_absolute() else base_dir / p).resolve()


def _closest(word: str, options: list[str]) -> str:
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not match:
        match = [o for o in options if o.lower() == word.lower()]
    return f" (did you mean {match[0]!r}?)" if match else ""


def _check_context_columns(schema: Schema, table: str, settings: TableSettings) -> list[str]:
    from synthohive_lib.schema.graph import split_context_ref

    problems: list[str] = []
    parents = schema.table(table).parent_tables
    for ref in settings.context_columns or []:
        where = f"tables.{table}.context_columns: {ref!r}"
        if not parents:
            problems.append(f"{where}: {table} has no parent tables to take context from")
            continue
        parent, column = split_context_ref(ref, parents)
        if parent is not None:
            if parent not in parents:
                problems.append(
                    f"{where}: {parent!r} is not a parent of {table} "
                    f"(parents: {', '.join(parents)})"
                )
            elif not schema.table(parent).has_column(column):
                hint = _closest(column, schema.table(parent).column_names)
                problems.append(f"{where}: {parent} has no column {column!r}{hint}")
            continue
        owners = [p for p in parents if schema.table(p).has_column(ref)]
        if not owners:
            problems.append(f"{where}: no parent of {table} ({', '.join(parents)}) has this column")
        elif len(owners) > 1:
            problems.append(
                f"{where}: ambiguous, found in {', '.join(owners)}; write 'Parent.{ref}'"
            )
    return problems


def _model_fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """Valid keys of the model found by walking ``loc`` (a Pydantic error location)."""
    model: type[BaseModel] | None = ProjectConfig
    i = 0
    while model is not None and i < len(loc):
        key = loc[i]
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        if key == "tables" and model is ProjectConfig:
            model, i = TableSettings, i + 2
            continue
        if key == "environments" and model is ProjectConfig:
            model, i = EnvironmentOverrides, i + 2
            continue
        field = fields.get(key)
        if field is None:
            break
        ann = field.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        i += 1
    return _model_fields(model) if model is not None else []


#: the fix for a value of the wrong type, by Pydantic error type (strict numbers)
_TYPE_FIXES = {
    "int_type": "expected a whole number, e.g. 300; write it without quotes, never true/false",
    "float_type": "expected a number, e.g. 0.8; write it without quotes, never true/false",
}


def check_scale(value: object, key: str = "scale") -> float:
    """``value`` as a scale factor, or a :class:`ConfigError` naming ``key``: a number (never a
    boolean: YAML's ``yes`` is not 1) with 0 < scale <= :data:`MAX_SCALE`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            f"{key}: {value!r} is not a number",
            fix="pass a factor such as 0.5 (half the rows) or 2 (twice)",
        )
    if not 0 < value <= MAX_SCALE:
        raise ConfigError(
            f"{key}: {value!r} is outside 0 < scale <= {MAX_SCALE:g}",
            fix="pass a factor such as 0.1, 1 or 10",
        )
    return float(value)


def scaled_rows(rows: int, scale: float) -> int:
    """Rows of a table without parents at ``scale``: at least one when ``rows`` is not 0."""
    return max(1, round(scale * rows)) if rows else 0


def _yaml_kind(value: object) -> str:
    """How YAML spelled ``value``: what the user sees in the file, not a Python type."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, float):
        return "decimal number"
    return type(value).__name__


def _explain(exc: ValidationError, data: dict[str, Any], source: str) -> ConfigError:
    lines: list[str] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = ".".join(str(p) for p in loc) or "<top>"
        if err["type"] == "extra_forbidden":
            options = _fields_at(loc[:-1])
            hint = _closest(str(loc[-1]), options)
            lines.append(f"{path}: unknown key{hint}; valid keys here: {', '.join(options) or '-'}")
        elif err["type"] == "missing":
            lines.append(f"{path}: required key is missing")
        elif err["type"] in _TYPE_FIXES:
            got = err.get("input")
            lines.append(f"{path}: {_TYPE_FIXES[err['type']]} (got {got!r}, a {_yaml_kind(got)})")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            # a URL (source, output, any environment's) may hold a password: never echo it
            got = "" if "url" in loc or loc[:1] == ("source",) else f" (got {err.get('input')!r})"
            lines.append(f"{path}: {msg}{got}")
    return ConfigError(
        f"{source}: invalid project config:\n  - " + "\n  - ".join(lines),
        fix="see docs/pipelines.md for the config keys",
    )


def split_budget(
    total: float, weights: Mapping[str, float], caps: Mapping[str, float]
) -> dict[str, float]:
    """``total`` seconds split in proportion to ``weights``, no share above its cap.

    Water-filling: tables whose proportional share would exceed their cap get the cap, and
    what they leave is split again among the rest, until no share exceeds its cap. The
    shares sum to ``total`` unless every table is capped (then to the sum of the caps).
    """
    shares: dict[str, float] = {}
    open_tables = {t: w for t, w in weights.items() if w > 0}
    left = total
    while open_tables:
        weight = sum(open_tables.values())
        capped = {t for t, w in open_tables.items() if left * w / weight >= caps[t]}
        if not capped:
            shares.update({t: left * w / weight for t, w in open_tables.items()})
            break
        for t in capped:
            shares[t] = caps[t]
            left -= caps[t]
            del open_tables[t]
    return shares
