"""Resources per environment (SYNTHOHIVE_ENV), the lazy Spark resource, refused object-store
roots, and the config keys the pipelines read (orchestration, change columns)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster_pyspark import LazyPySparkResource

from synthohive_lib.config import ENVIRONMENT_ENV_VAR, OUTPUT_ROOT_ENV_VAR, load_project_config
from synthohive_lib.errors import ConfigError
from synthohive_pipelines.assets import asset_key
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import SYNTHESIZE_ALL
from synthohive_pipelines.resources import ModelStoreResource, TableStoreResource

from .conftest import ProjectFactory

ENVIRONMENTS = {
    "ci": {"output": {"root": "ci_out", "format": "delta"}},
    "prod": {
        "source": {"url": "env:SH_TEST_PROD_URL"},
        "output": {"root": "prod_out", "format": "delta"},
        "spark": {"spark.master": "local[1]"},
    },
}


def test_env_var_selects_the_environment(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_project(environments=ENVIRONMENTS)
    local = build_definitions(path).resources
    assert local["store"].format == "parquet" and local["store"].root.endswith("/out")

    monkeypatch.setenv(ENVIRONMENT_ENV_VAR, "prod")
    monkeypatch.setenv("SH_TEST_PROD_URL", f"sqlite:///{path.parent / 'chinook.sqlite'}")
    config = load_project_config(path)
    assert config.environment.value == "prod"
    prod = build_definitions(path).resources
    assert prod["store"].format == "delta" and prod["store"].root.endswith("/prod_out")
    assert prod["models"].root == prod["store"].root
    assert isinstance(prod["spark"], LazyPySparkResource)
    assert prod["spark"].spark_config == {"spark.master": "local[1]"}
    # the URL is an EnvVar: resolved by the run, not written into the definitions
    assert isinstance(prod["source"].url, dg.EnvVar) and prod["source"].url == "SH_TEST_PROD_URL"

    monkeypatch.setenv(ENVIRONMENT_ENV_VAR, "staging")
    with pytest.raises(ConfigError, match="unknown environment 'staging'"):
        load_project_config(path)


def test_prod_run_reads_the_source_from_the_env_var(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_project(environments=ENVIRONMENTS)
    monkeypatch.setenv(ENVIRONMENT_ENV_VAR, "prod")
    monkeypatch.setenv("SH_TEST_PROD_URL", f"sqlite:///{path.parent / 'chinook.sqlite'}")
    defs = build_definitions(path)
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=[asset_key("real", "Genre")]
    )
    assert result.success
    assert (path.parent / "prod_out" / "real" / "Genre" / "_delta_log").is_dir()
    assert "SH_TEST" not in str(result.asset_materializations_for_node("real__Genre")[0].metadata)


def test_spark_is_never_started_unless_an_asset_asks(make_project: ProjectFactory) -> None:
    from pyspark.sql import SparkSession

    defs = build_definitions(make_project())
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=[asset_key("real", "MediaType")]
    )
    assert result.success
    assert SparkSession.getActiveSession() is None
    assert "spark" in defs.resources


@pytest.mark.parametrize("root", ["s3://bucket/synthohive", "abfss://c@acct.dfs.core.windows.net/x"])
def test_object_store_roots_are_refused_loudly(root: str) -> None:
    with pytest.raises(ConfigError, match="object-store URI"):
        TableStoreResource(root=root, format="delta").get()
    with pytest.raises(ConfigError, match="object-store URI"):
        ModelStoreResource(root=root).path_for("Track")


def test_object_store_output_root_env_is_kept_as_written(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OUTPUT_ROOT_ENV_VAR, "s3://bucket/out")
    store = build_definitions(make_project()).resources["store"]
    assert store.root == "s3://bucket/out"  # not a local folder named "s3:"


def test_change_column_must_exist_and_is_per_table(make_project: ProjectFactory) -> None:
    with pytest.raises(ConfigError, match=r"tables\.Invoice\.change_column.*'InvoiceDat'"):
        load_project_config(make_project(tables={"Invoice": {"change_column": "InvoiceDat"}}))
    with pytest.raises(ConfigError, match=r"defaults\.change_column"):
        load_project_config(make_project(defaults={"change_column": "x"}))


def test_orchestration_cron_is_checked(make_project: ProjectFactory) -> None:
    with pytest.raises(ConfigError, match="refresh_cron"):
        load_project_config(make_project(orchestration={"refresh_cron": "every sunday"}))


def test_models_live_under_the_output_root(tmp_path: Path) -> None:
    models = ModelStoreResource(root=str(tmp_path))
    assert models.path_for("Track") == tmp_path / "model" / "Track"
    assert models.path_for("order items").parent == tmp_path / "model"
