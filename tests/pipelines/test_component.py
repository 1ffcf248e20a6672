"""SynthoHive inside another team's Dagster project (the Component), and this repository as a
``dg`` project (``[tool.dg]`` in pyproject.toml): the real ``dg`` CLI in subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from synthohive_lib.config import load_project_config
from synthohive_lib.io.store import open_store
from synthohive_pipelines.component import SynthoHiveComponent
from synthohive_pipelines.definitions import build_definitions, definitions_for

from .conftest import REPO, ProjectFactory

DG = Path(sys.executable).parent / "dg"


def dg_env(*paths: Path, **extra: str) -> dict[str, str]:
    """The environment dg runs in: this interpreter's venv, the given import paths."""
    env = {**os.environ, **extra}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(Path(sys.executable).parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in [*paths, REPO])
    env.pop("SYNTHOHIVE_OUTPUT_ROOT", None)
    return env


def run_dg(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(DG), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def team_project(folder: Path, config: Path, overrides: dict[str, object]) -> Path:
    """A minimal dg project ``team_proj`` whose defs folder holds one SynthoHive defs.yaml
    (the config path written relative to the defs.yaml, as a team would)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "team-proj"\nversion = "0.1.0"\n\n'
        '[tool.dg]\ndirectory_type = "project"\n\n'
        '[tool.dg.project]\nroot_module = "team_proj"\n'
    )
    package = folder / "team_proj"
    component = package / "defs" / "synthetic_chinook"
    component.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "defs" / "__init__.py").write_text("")
    (package / "definitions.py").write_text(
        "from pathlib import Path\n\nimport dagster as dg\n\n\n@dg.definitions\n"
        "def defs() -> dg.Definitions:\n"
        "    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)\n"
    )
    (component / "defs.yaml").write_text(
        yaml.safe_dump(
            {
                "type": "synthohive_pipelines.SynthoHiveComponent",
                "attributes": {
                    "config": os.path.relpath(config, component),
                    "overrides": overrides,
                },
            },
            sort_keys=False,
        )
    )
    return folder


def graph_of(entries: list[dict]) -> dict[str, set[str]]:
    return {a["asset_key"]: set(a["dependency_keys"]) for a in entries}


@pytest.mark.slow
def test_the_component_in_a_dg_project_builds_the_same_asset_graph(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    config = make_project()
    overrides = {"defaults": {"epochs": 1}, "output": {"root": str(tmp_path / "team_out")}}
    project = team_project(tmp_path / "team", config, overrides)
    listed = json.loads(run_dg(["list", "defs", "--json"], project, dg_env(project)).stdout)
    built = build_definitions(config)
    expected = built.resolve_asset_graph()
    want = {
        key.to_user_string(): {d.to_user_string() for d in expected.get(key).parent_keys}
        for key in expected.get_all_asset_keys()
    }
    assert graph_of(listed["assets"]) == want
    assert {j["name"] for j in listed["jobs"]} >= {"synthesize_all", "validate_synthetic"}
    sensors = {s["name"] for s in listed["sensors"]}
    assert sensors == {sensor.name for sensor in built.sensors or []}
    assert {"source_changes", "orphaned_runs"} <= sensors


def test_the_components_overrides_and_relative_path_reach_the_definitions(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    config = make_project()
    folder = tmp_path / "defs" / "synthetic_chinook"
    folder.mkdir(parents=True)
    component = SynthoHiveComponent(
        config=os.path.relpath(config, folder),
        environment="local",
        overrides={"defaults": {"epochs": 3}, "output": {"root": str(tmp_path / "o")}},
    )
    assert component.config_path(folder) == config
    loaded = load_project_config(component.config_path(folder), overrides=component.overrides)
    assert loaded.defaults.epochs == 3 and loaded.output_root() == tmp_path / "o"
    defs = definitions_for(loaded)
    assert defs.resources["store"].root == str(tmp_path / "o")


def test_a_wrong_override_is_refused_with_its_key_path(make_project: ProjectFactory) -> None:
    from synthohive_lib.errors import ConfigError

    with pytest.raises(ConfigError, match=r"defaults\.epoch: unknown key \(did you mean 'epochs'"):
        load_project_config(make_project(), overrides={"defaults": {"epoch": 3}})


@pytest.mark.slow
def test_this_repository_is_a_dg_project_dg_lists_and_launches_it(tmp_path: Path) -> None:
    """``dg list defs`` sees the project's assets; ``dg launch --job synthesize_all`` runs
    the job (on two lookup tables, one epoch) into the instance and the store."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(REPO / "examples" / "chinook" / "chinook.sqlite", folder / "chinook.sqlite")
    doc = yaml.safe_load((REPO / "examples" / "chinook" / "schema.yaml").read_text())
    doc["tables"] = {n: t for n, t in doc["tables"].items() if n in ("Genre", "MediaType")}
    (folder / "schema.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    config = folder / "synthohive.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "project": "dg_launch",
                "source": {"url": "sqlite:///chinook.sqlite"},
                "schema": "schema.yaml",
                "output": {"root": "out"},
                "defaults": {"epochs": 1, "max_exact_copy_rate": 1.0},
            }
        )
    )
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = dg_env(SYNTHOHIVE_CONFIG=str(config), DAGSTER_HOME=str(home))

    listed = json.loads(run_dg(["list", "defs", "--json"], REPO, env).stdout)
    assert {a["asset_key"] for a in listed["assets"]} >= {"real/Genre", "synthetic/MediaType"}

    run_dg(["launch", "--job", "synthesize_all"], REPO, env)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (record,) = instance.get_run_records()
        assert record.dagster_run.job_name == "synthesize_all"
        assert record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
    assert len(open_store(folder / "out", "parquet").read("synthetic", "Genre")) == 25


DAEMON_HEALTH = """
{ instance { daemonHealth { allDaemonStatuses { daemonType healthy required } } } }
"""

ASSET_KEYS = "{ assetNodes { assetKey { path } } }"


@pytest.mark.slow
def test_dg_dev_serves_the_projects_assets_and_runs_the_daemon(tmp_path: Path) -> None:
    """``dg dev`` in this repository (the ``[tool.dg]`` project) serves the UI on the same
    asset graph as the definitions and starts the daemon that ticks the sensors."""
    from scripts.ui_server import graphql, running_webserver

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = dg_env(DAGSTER_HOME=str(home), SYNTHOHIVE_CONFIG=str(REPO / "synthohive.yaml"))
    with running_webserver(env, command=[str(DG), "dev", "--use-active-venv"]) as (url, _):
        served = {"/".join(n["assetKey"]["path"]) for n in graphql(url, ASSET_KEYS)["assetNodes"]}
        expected = build_definitions(REPO / "synthohive.yaml")
        assert served == {
            k.to_user_string() for k in expected.resolve_asset_graph().get_all_asset_keys()
        }
        deadline = time.monotonic() + 120
        healthy: set[str] = set()
        while time.monotonic() < deadline and "SENSOR" not in healthy:
            statuses = graphql(url, DAEMON_HEALTH)["instance"]["daemonHealth"]["allDaemonStatuses"]
            healthy = {s["daemonType"] for s in statuses if s["healthy"]}
            time.sleep(1)
        assert "SENSOR" in healthy, statuses
