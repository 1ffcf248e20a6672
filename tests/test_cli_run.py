"""``synthohive run``: the whole pipeline from a project config, without Dagster.

A Chinook subset of small tables (two lookups, Artist and its child Album, Employee and its
child Customer, which CTGAN learns; one epoch) keeps each run to seconds. The run goes
through a subprocess so the test also sees that nothing of Dagster is imported on the way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from synthohive_lib.io.store import open_store

REPO = Path(__file__).resolve().parents[1]
CHINOOK = REPO / "examples" / "chinook"
SUBSET = ["Artist", "Album", "Genre", "MediaType", "Employee", "Customer"]

#: runs the CLI and fails if Dagster was imported on the way (the library never imports it)
RUNNER = """
import sys
from synthohive_lib.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m == "dagster" or m.startswith("dagster."))
print("DAGSTER_MODULES", len(loaded), file=sys.stderr)
sys.exit(code)
"""


def subset_project(folder: Path, **defaults: object) -> Path:
    doc = yaml.safe_load((CHINOOK / "schema.yaml").read_text())
    doc["tables"] = {n: t for n, t in doc["tables"].items() if n in SUBSET}
    doc["tables"]["Customer"]["columns"]["State"]["type"] = "categorical"
    (folder / "schema.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    shutil.copy(CHINOOK / "chinook.sqlite", folder / "chinook.sqlite")
    config = {
        "project": "chinook_run",
        "source": {"url": "sqlite:///chinook.sqlite"},
        "schema": "schema.yaml",
        "output": {"root": "out"},
        "defaults": {"epochs": 1, "device": "cpu", "max_exact_copy_rate": 1.0, **defaults},
    }
    path = folder / "synthohive.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SYNTHOHIVE_OUTPUT_ROOT", None)
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_run_synthesizes_every_table_writes_the_report_and_never_imports_dagster(
    tmp_path: Path,
) -> None:
    config = subset_project(tmp_path, fidelity_threshold=0.0)
    done = run_cli("run", "--config", str(config), "--seed", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "DAGSTER_MODULES 0" in done.stderr
    store = open_store(tmp_path / "out", "parquet")
    for table in SUBSET:
        real, synthetic = store.read("real", table), store.read("synthetic", table)
        assert list(synthetic.columns) == list(real.columns) and len(synthetic) > 0
    albums, artists = store.read("synthetic", "Album"), store.read("synthetic", "Artist")
    assert albums["ArtistId"].isin(artists["ArtistId"]).all()  # keys resolve
    assert (tmp_path / "out" / "model" / "Album" / "plan.json").is_file()
    report = json.loads((tmp_path / "out" / "validation" / "report.json").read_text())
    assert {t["table"] for t in report["tables"]} == set(SUBSET)
    assert (tmp_path / "out" / "validation" / "report.html").is_file()
    assert "All " in done.stdout and "gates passed" in done.stdout


@pytest.mark.slow
def test_a_failed_gate_exits_1_names_it_and_still_writes_the_report(tmp_path: Path) -> None:
    config = subset_project(tmp_path, fidelity_threshold=0.99)
    done = run_cli("run", "--config", str(config))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED fidelity_gate on Customer: below 0.99: " in done.stderr
    assert (tmp_path / "out" / "validation" / "report.html").is_file()


def test_an_invalid_config_is_refused_before_anything_runs(tmp_path: Path) -> None:
    config = subset_project(tmp_path, batch_size=7)
    done = run_cli("run", "--config", str(config))
    assert done.returncode == 2
    assert "defaults.batch_size: 7 is not a positive multiple of CTGAN's pac" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_run_fits_the_model_each_table_chose(tmp_path: Path) -> None:
    """``model: autoregressive`` in a table's settings reaches ``synthohive run`` as it
    reaches the Dagster model stage (the CLI once fitted CTGAN whatever was chosen)."""
    from synthohive_lib.config import load_project_config
    from synthohive_lib.pipeline import run_project

    path = subset_project(tmp_path)
    doc = yaml.safe_load(path.read_text())
    doc["tables"] = {"Customer": {"model": "autoregressive"}}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    run = run_project(load_project_config(path), epochs=1)
    assert run.models["Customer"] == "AutoregressiveModel"
    assert run.models["Album"] != "AutoregressiveModel"
