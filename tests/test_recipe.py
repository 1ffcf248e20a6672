"""The application layer alone runs the whole pipeline: a notebook gets what Dagster gets.

``synthohive_lib.project.recipe`` is the one per-table recipe (fit, generate) that the CLI
(:func:`~synthohive_lib.pipeline.run_project`) and the Dagster assets call. These tests run the
same project both ways — through the library only, as a notebook would, and through the
Dagster job ``synthesize_all`` — and require identical synthetic tables for the same seed.
Training runs a fixed number of epochs with no time budget, so both fits see the same steps.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from synthohive_lib.config import load_project_config
from synthohive_lib.io.store import open_store
from synthohive_lib.pipeline import run_project
from synthohive_lib.project.recipe import TrainingOptions, fit_table, generate_table_to_store
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import SYNTHESIZE_ALL
from tests.test_cli_run import SUBSET, subset_project


def _project(folder: Path, root: str) -> Path:
    """The Chinook subset with two epochs, no time budget, output under ``root``."""
    folder.mkdir(parents=True)
    path = subset_project(folder, epochs=2, fidelity_threshold=0.0)
    text = path.read_text().replace("root: out", f"root: {root}")
    path.write_text(text + "training_budget_s: null\n")
    return path


@pytest.mark.slow
def test_a_notebook_run_through_the_application_layer_equals_synthesize_all(
    tmp_path: Path,
) -> None:
    notebook = load_project_config(_project(tmp_path / "notebook", "out"))
    run = run_project(notebook, seed=0)
    assert set(run.rows) == set(SUBSET)

    dagster_path = _project(tmp_path / "dagster", "out")
    result = (
        build_definitions(dagster_path)
        .resolve_job_def(SYNTHESIZE_ALL)
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    )
    assert result.success
    by_notebook = open_store(notebook.output_root())
    by_dagster = open_store(load_project_config(dagster_path).output_root())
    for table in SUBSET:
        pd.testing.assert_frame_equal(
            by_notebook.read("synthetic", table), by_dagster.read("synthetic", table)
        )


@pytest.mark.slow
def test_fit_table_reports_the_sample_budget_and_model_it_trained(tmp_path: Path) -> None:
    config = load_project_config(_project(tmp_path / "p", "out"))
    store = open_store(config.output_root())
    run_project(config, seed=0)  # snapshots and parents' synthetic tables in place
    fitted = fit_table(config, store, "Album", TrainingOptions(epochs=1, seed=4, time_budget_s=30))
    assert fitted.model_kind != "none" and fitted.time_budget_s == 30
    assert fitted.sample.rows + fitted.holdout_rows == fitted.plan.n_rows
    assert (fitted.artifact / "plan.json").is_file()
    first = generate_table_to_store(config, store, "Album", seed=5)
    again = generate_table_to_store(config, store, "Album", seed=5)
    assert first.stored.rows == len(store.read("synthetic", "Album")) > 0
    pd.testing.assert_frame_equal(first.preview, again.preview)
    albums, artists = store.read("synthetic", "Album"), store.read("synthetic", "Artist")
    assert albums["ArtistId"].isin(artists["ArtistId"]).all()
