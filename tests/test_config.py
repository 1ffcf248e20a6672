"""The project config: strict keys, path resolution, env references, checks against the schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from synthohive_lib.config import (
    CONFIG_ENV_VAR,
    DEFAULT_CHUNK_ROWS_ABOVE,
    DEFAULT_MAX_TRAINING_ROWS,
    DEFAULT_TIME_BUDGET_S,
    DEFAULT_TRAINING_BUDGET_S,
    OUTPUT_ROOT_ENV_VAR,
    Environment,
    OutputFormat,
    ProjectConfig,
    default_config_path,
    load_project_config,
    project_config_from_dict,
    resolve_sqlite_url,
    split_budget,
)
from synthohive_lib.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
CHINOOK_SCHEMA = REPO / "examples" / "chinook" / "schema.yaml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OUTPUT_ROOT_ENV_VAR, raising=False)
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)


def base(**over: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "project": "chinook",
        "source": {"url": "sqlite:///chinook.sqlite"},
        "schema": "schema.yaml",
    }
    doc.update(over)
    return doc


def write_project(tmp_path: Path, doc: dict[str, object]) -> Path:
    shutil.copy(CHINOOK_SCHEMA, tmp_path / "schema.yaml")
    path = tmp_path / "project.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# --------------------------------------------------------------------------- bundled files


@pytest.mark.parametrize("name", ["synthohive.yaml", "synthohive.ci.yaml"])
def test_bundled_configs_load(name: str) -> None:
    config = load_project_config(REPO / name)
    assert config.project == "chinook"
    assert config.schema_file == CHINOOK_SCHEMA
    assert config.source_url() == f"sqlite:///{REPO / 'examples' / 'chinook' / 'chinook.sqlite'}"
    assert config.output_root().is_relative_to(REPO / ".synthohive")
    assert set(config.tables) <= set(config.schema.table_names)


def test_ci_config_is_small() -> None:
    config = load_project_config(REPO / "synthohive.ci.yaml")
    assert config.environment is Environment.CI
    assert config.output.format is OutputFormat.DELTA
    assert config.execution.executor == "in_process"
    assert config.settings_for("Track").epochs is not None


def test_default_config_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no synthohive.yaml here: the repository's one
    assert default_config_path() == REPO / "synthohive.yaml"
    (tmp_path / "synthohive.yaml").write_text("project: x\n")
    assert default_config_path() == tmp_path / "synthohive.yaml"
    monkeypatch.setenv(CONFIG_ENV_VAR, str(tmp_path / "other.yaml"))
    assert default_config_path() == tmp_path / "other.yaml"


# --------------------------------------------------------------------------- locations


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path) -> None:
    path = write_project(tmp_path, base())
    config = load_project_config(path)
    assert config.base_dir == tmp_path
    assert config.config_path == path
    assert config.schema_file == tmp_path / "schema.yaml"
    assert config.source_url() == f"sqlite:///{tmp_path / 'chinook.sqlite'}"
    assert config.output_root() == tmp_path / ".synthohive"


def test_output_root_from_file_and_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_project_config(write_project(tmp_path, base(output={"root": "out/x"})))
    assert config.output_root() == tmp_path / "out" / "x"
    monkeypatch.setenv(OUTPUT_ROOT_ENV_VAR, str(tmp_path / "elsewhere"))
    assert config.output_root() == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///db.sqlite", "sqlite:////base/db.sqlite"),
        ("sqlite:///sub/../db.sqlite?mode=ro", "sqlite:////base/db.sqlite?mode=ro"),
        ("sqlite+pysqlite:///db.sqlite", "sqlite+pysqlite:////base/db.sqlite"),
        ("sqlite:////abs/db.sqlite", "sqlite:////abs/db.sqlite"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite://", "sqlite://"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
    ],
)
def test_resolve_sqlite_url(url: str, expected: str) -> None:
    assert resolve_sqlite_url(url, Path("/base")) == expected


def test_env_source_url(monkeypatch: pytest.MonkeyPatch) -> None:
    config = project_config_from_dict(base(source={"url": "env:SH_TEST_SOURCE"}), base_dir="/b")
    assert config.source.env_var == "SH_TEST_SOURCE"
    monkeypatch.delenv("SH_TEST_SOURCE", raising=False)
    with pytest.raises(ConfigError, match="SH_TEST_SOURCE, which is not set"):
        config.source_url()
    assert config.source.dialect == "unknown"
    monkeypatch.setenv("SH_TEST_SOURCE", "postgresql+psycopg2://u:secret@h/db")
    assert config.source_url() == "postgresql+psycopg2://u:secret@h/db"
    assert config.source.dialect == "postgresql"


def test_password_in_file_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError, match=r"source\.url") as info:
        project_config_from_dict(base(source={"url": "postgresql://me:hunter2@db/x"}))
    assert "hunter2" not in str(info.value)
    assert "env:VARNAME" in str(info.value)


# --------------------------------------------------------------------------- strict keys


@pytest.mark.parametrize(
    ("doc", "path", "hint"),
    [
        (base(outptu={}), "outptu", "output"),
        (base(output={"fromat": "delta"}), "output.fromat", "format"),
        (base(source={"url": "sqlite:///a", "pasword": "x"}), "source.pasword", None),
        (base(tables={"Track": {"epoch": 3}}), "tables.Track.epoch", "epochs"),
        (base(defaults={"batchsize": 3}), "defaults.batchsize", "batch_size"),
        (base(execution={"workers": 3}), "execution.workers", None),
    ],
)
def test_unknown_keys_are_errors_naming_the_key(
    doc: dict[str, object], path: str, hint: str | None
) -> None:
    with pytest.raises(ConfigError) as info:
        project_config_from_dict(doc, source="p.yaml")
    text = str(info.value)
    assert f"{path}: unknown key" in text
    assert "p.yaml" in text
    if hint:
        assert f"did you mean {hint!r}" in text


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ({"source": {"url": "sqlite:///a"}, "schema": "s"}, "project: required key is missing"),
        (base(source={}), "source.url: required key is missing"),
        (base(output={"format": "csv"}), "output.format"),
        (base(environment="staging"), "environment"),
        (base(tables={"Track": {"epochs": 0}}), "tables.Track.epochs"),
        (base(tables={"Track": {"device": "gpu"}}), "'gpu' is not a device"),
        (base(tables={"Track": {"engine": "polars"}}), "tables.Track.engine"),
        (base(defaults={"chunk_rows_above": -1}), "defaults.chunk_rows_above"),
        (base(source={"url": "not a url"}), "source.url: expected a URL"),
        (base(source={"url": "env:1BAD"}), "not a valid env reference"),
        (base(project="my project"), "is not a project name"),
    ],
)
def test_invalid_values_are_errors(doc: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError, match="invalid project config") as info:
        project_config_from_dict(doc)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("doc", "path", "fix"),
    [
        (base(defaults={"batch_size": 7}), "defaults.batch_size", "use 10"),
        (base(tables={"Track": {"batch_size": 105}}), "tables.Track.batch_size", "use 100 or 110"),
        (base(defaults={"epochs": True}), "defaults.epochs", "never true/false"),
        (base(tables={"Track": {"epochs": "300"}}), "tables.Track.epochs", "without quotes"),
        (base(defaults={"rows": 10.5}), "defaults.rows", "whole number"),
        (base(defaults={"fidelity_threshold": True}), "defaults.fidelity_threshold", "number"),
        (base(execution={"max_concurrent": False}), "execution.max_concurrent", "whole number"),
        (
            base(orchestration={"sensor_interval_seconds": "60"}),
            "orchestration.sensor_interval_seconds",
            "without quotes",
        ),
    ],
)
def test_values_the_run_would_refuse_are_refused_at_load_with_path_and_fix(
    doc: dict[str, object], path: str, fix: str
) -> None:
    with pytest.raises(ConfigError, match="invalid project config") as info:
        project_config_from_dict(doc)
    line = next(line for line in str(info.value).splitlines() if path in line)
    assert fix in line


def test_the_config_batch_rule_is_ctgans() -> None:
    """The pac the config checks against is the one CTGAN refuses batches by."""
    from synthohive_lib.config import CTGAN_PAC
    from synthohive_lib.errors import ModelError
    from synthohive_lib.models.config import CTGANConfig

    assert CTGANConfig().pac == CTGAN_PAC
    with pytest.raises(ModelError):
        CTGANConfig(batch_size=7)
    project_config_from_dict(base(defaults={"batch_size": 70, "fidelity_threshold": 1}))


def test_executor_defaults_to_in_process() -> None:
    assert project_config_from_dict(base()).execution.executor == "in_process"


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_project_config(path)


def test_bad_yaml_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("project: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_project_config(path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_project_config(tmp_path / "missing.yaml")
    path.write_text(yaml.safe_dump(base(schema="nowhere.yaml")))
    with pytest.raises(ConfigError, match=r"schema file .*nowhere\.yaml does not exist"):
        load_project_config(path)


# --------------------------------------------------------------------------- against the schema


def test_unknown_table_is_an_error(tmp_path: Path) -> None:
    path = write_project(tmp_path, base(tables={"Tracks": {"epochs": 3}, "Album": {}}))
    with pytest.raises(ConfigError) as info:
        load_project_config(path)
    text = str(info.value)
    assert "tables.Tracks: no table 'Tracks' in the schema (did you mean 'Track'?)" in text
    assert "tables.Album" not in text  # a valid override is not reported


def test_validation_section_defaults_and_allow_list_columns_are_checked(tmp_path: Path) -> None:
    config = load_project_config(write_project(tmp_path, base()))
    assert config.validation.holdout == 0.1 and config.validation.pii_allow.values == []
    allow = {"values": ["Dublin"], "columns": ["Artist.Name", "Artist.Nmae"]}
    path = write_project(tmp_path, base(validation={"holdout": 0.2, "pii_allow": allow}))
    with pytest.raises(ConfigError) as info:
        load_project_config(path)
    text = str(info.value)
    assert "validation.pii_allow.columns[1]: no column 'Artist.Nmae' in the schema" in text
    assert "(did you mean 'Artist.Name'?)" in text and "columns[0]" not in text
    path = write_project(tmp_path, base(validation={"holdout": 0.7}))
    with pytest.raises(ConfigError, match=r"validation\.holdout"):
        load_project_config(path)


def test_context_columns_are_checked(tmp_path: Path) -> None:
    tables = {
        "Track": {"context_columns": ["Genre.Name", "Album.Nope", "Artist.Name", "Name"]},
        "Artist": {"context_columns": ["Name"]},
        "InvoiceLine": {"context_columns": ["BillingCountry"]},
    }
    with pytest.raises(ConfigError) as info:
        load_project_config(write_project(tmp_path, base(tables=tables)))
    text = str(info.value)
    assert "'Album.Nope': Album has no column 'Nope'" in text
    assert "'Artist' is not a parent of Track" in text
    assert "'Name': ambiguous, found in Genre, MediaType" in text
    assert "Artist has no parent tables" in text
    assert "Genre.Name" not in text
    assert "BillingCountry" not in text  # found in the parent Invoice


def test_chunk_rows_above_is_refused_on_a_table_with_foreign_keys(tmp_path: Path) -> None:
    """Blocks cannot see other rows, so a child (or a self-referencing table) is never chunked;
    a threshold set on one would silently do nothing."""
    tables = {"Invoice": {"chunk_rows_above": 10}, "Employee": {"chunk_rows_above": 10},
              "Artist": {"chunk_rows_above": 10}}  # fmt: skip
    with pytest.raises(ConfigError) as info:
        load_project_config(write_project(tmp_path, base(tables=tables)))
    text = str(info.value)
    assert "tables.Invoice.chunk_rows_above: Invoice has foreign keys (to Customer)" in text
    assert "tables.Employee.chunk_rows_above: Employee has foreign keys (to Employee)" in text
    assert "Artist" not in text  # a root table may set it


def test_which_tables_the_pandas_engine_generates_block_by_block(tmp_path: Path) -> None:
    config = load_project_config(
        write_project(tmp_path, base(tables={"Genre": {"chunk_rows_above": 100}}))
    )
    # the threshold is exclusive: a table asked for exactly that many rows stays in memory
    assert not config.generates_in_blocks("Genre", 100)
    assert config.generates_in_blocks("Genre", 101)
    # default threshold for every other root
    assert not config.generates_in_blocks("Artist", DEFAULT_CHUNK_ROWS_ABOVE)
    assert config.generates_in_blocks("Artist", DEFAULT_CHUNK_ROWS_ABOVE + 1)
    # a child or a self-referencing table never, whatever its size
    assert not config.generates_in_blocks("Album", 10**9)
    assert not config.generates_in_blocks("Employee", 10**9)
    zero = load_project_config(write_project(tmp_path, base(defaults={"chunk_rows_above": 0})))
    assert zero.generates_in_blocks("Artist", 1) and not zero.generates_in_blocks("Artist", 0)


def test_structural_schema_problems_surface_at_load(tmp_path: Path) -> None:
    from synthohive_lib.errors import SchemaValidationError

    path = write_project(tmp_path, base())
    doc = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    doc["tables"]["Album"]["foreign_keys"][0]["references"] = "Artists"  # no such table
    (tmp_path / "schema.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(SchemaValidationError, match="Artists"):
        load_project_config(path)


def test_check_schema_can_be_skipped(tmp_path: Path) -> None:
    path = write_project(tmp_path, base(tables={"Nope": {}}))
    config = load_project_config(path, check_schema=False)
    assert "Nope" in config.tables


def test_settings_merge_defaults_under_table_overrides() -> None:
    config = project_config_from_dict(
        base(
            defaults={"epochs": 300, "device": "auto", "batch_size": 1000},
            tables={"Track": {"epochs": 5, "device": "cuda:1", "engine": "spark"}},
        )
    )
    track = config.settings_for("Track")
    assert (track.epochs, track.device, track.batch_size) == (5, "cuda:1", 1000)
    assert track.engine == "spark"
    album = config.settings_for("Album")
    assert (album.epochs, album.device, album.engine) == (300, "auto", None)


def test_config_is_immutable() -> None:
    config = project_config_from_dict(base())
    assert isinstance(config, ProjectConfig)
    with pytest.raises(Exception, match="frozen"):
        config.project = "other"  # type: ignore[misc]


def test_training_rows_and_time_budget_default_and_are_overridden_per_table() -> None:
    config = project_config_from_dict(  # null: no project budget, each table's own alone
        base(
            training_budget_s=None,
            tables={"Track": {"max_training_rows": 1000, "time_budget_s": 30}},
        )
    )
    assert config.max_training_rows_for("Track") == 1000
    assert config.max_training_rows_for("Album") == DEFAULT_MAX_TRAINING_ROWS
    assert config.time_budget_for("Track") == 30
    assert config.time_budget_for("Album") == DEFAULT_TIME_BUDGET_S


def test_the_project_training_budget_is_on_by_default_and_bounds_the_whole_model_stage(
    tmp_path: Path,
) -> None:
    config = load_project_config(write_project(tmp_path, base()))
    assert config.training_budget_s == DEFAULT_TRAINING_BUDGET_S
    rows = {t: 1_000_000 for t in config.schema.table_names}  # every table at its caps
    budgets = [config.time_budget_for(t, rows) for t in config.schema.table_names]
    assert sum(budgets) == pytest.approx(DEFAULT_TRAINING_BUDGET_S)
    assert max(budgets) <= DEFAULT_TIME_BUDGET_S


def test_what_a_capped_table_leaves_of_the_training_budget_goes_to_the_others() -> None:
    shares = split_budget(
        1500.0,
        {"big": 200_000, "mid": 26_000, "small": 1_500},
        {"big": 600.0, "mid": 600.0, "small": 600.0},
    )
    assert shares["big"] == 600.0 and shares["mid"] == 600.0
    assert shares["small"] == pytest.approx(300.0)
    # proportional when nothing is capped; the shares always sum to the budget
    even = split_budget(100.0, {"a": 1, "b": 3}, {"a": 600.0, "b": 600.0})
    assert even == {"a": pytest.approx(25.0), "b": pytest.approx(75.0)}
    # all capped: each gets its cap
    assert split_budget(1e6, {"a": 1, "b": 1}, {"a": 5.0, "b": 7.0}) == {"a": 5.0, "b": 7.0}


def test_the_training_budget_is_split_across_tables_by_their_training_rows(
    tmp_path: Path,
) -> None:
    doc = base(training_budget_s=1000, defaults={"max_training_rows": 3000, "time_budget_s": 900})
    config = load_project_config(write_project(tmp_path, doc))
    rows = {"Track": 3503, "InvoiceLine": 2240, "Genre": 25}  # Track capped at 3,000 rows
    budgets = {t: config.time_budget_for(t, rows) for t in config.schema.table_names}
    assert sum(budgets.values()) <= 1000 + 1000 / 100 * len(budgets)
    assert budgets["Track"] > budgets["InvoiceLine"] > budgets["Genre"]
    assert budgets["Genre"] == pytest.approx(10.0)  # the 1 % floor
    # a table's own time_budget_s still caps its share
    doc = base(training_budget_s=1000, tables={"Track": {"time_budget_s": 60}})
    capped = load_project_config(write_project(tmp_path, doc))
    assert capped.time_budget_for("Track", rows) == 60


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        (base(defaults={"max_training_rows": 0}), "defaults.max_training_rows"),
        (base(tables={"Track": {"time_budget_s": -1}}), "tables.Track.time_budget_s"),
        (base(training_budget_s=0), "training_budget_s"),
    ],
)
def test_non_positive_sizes_and_budgets_are_errors_naming_the_key(
    doc: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigError, match=fragment):
        project_config_from_dict(doc)


def test_model_and_privacy_are_per_table_settings_falling_back_to_defaults(tmp_path) -> None:
    """``model`` and ``privacy`` set in ``defaults`` reach every table; a table overrides."""
    from synthohive_lib.config import TableSettings

    defaults = TableSettings(model="autoregressive", privacy={"epsilon": 5})
    table = TableSettings(model="ctgan").merged_over(defaults)
    assert table.model == "ctgan"
    assert table.privacy is not None and table.privacy.epsilon == 5
    assert table.privacy.delta == 1e-5 and table.privacy.max_grad_norm == 1.0
    assert TableSettings().model is None  # unset: the factory's default, CTGAN


def test_an_unknown_model_or_a_non_positive_epsilon_is_refused() -> None:
    import pydantic

    from synthohive_lib.config import TableSettings

    with pytest.raises(pydantic.ValidationError, match="ctgan"):
        TableSettings(model="tvae")
    with pytest.raises(pydantic.ValidationError, match="greater than 0"):
        TableSettings(privacy={"epsilon": 0})
