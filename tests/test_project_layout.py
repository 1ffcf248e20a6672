"""One output layout: the CLI (``synthohive run``), the Dagster resources and a notebook ask
the same :class:`OutputLayout`, so each finds the files the other wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthohive_lib.config import load_project_config
from synthohive_lib.io.store import open_store
from synthohive_lib.pipeline import model_folder
from synthohive_lib.project import OutputLayout, key_name

from .test_cli_run import subset_project


def test_the_layout_names_the_model_folder_scores_and_report_under_the_root(
    tmp_path: Path,
) -> None:
    layout = OutputLayout.at(tmp_path)
    assert layout.model_folder("Track") == tmp_path / "model" / "Track"
    assert layout.table_scores("Track") == tmp_path / "validation" / "Track.json"
    assert layout.report_html == tmp_path / "validation" / "report.html"
    assert layout.report_json == tmp_path / "validation" / "report.json"
    # an unsafe name gets a collision-free folder and score file, never a path separator
    odd = layout.model_folder("order/items")
    assert odd.parent == tmp_path / "model" and "/" not in odd.name
    assert layout.table_scores("order items") != layout.table_scores("order_items")


def test_key_name_keeps_identifiers_and_hashes_the_rest() -> None:
    assert key_name("InvoiceLine") == "InvoiceLine"
    assert key_name("order items") == key_name("order items")
    assert key_name("order items") != key_name("order-items")
    assert key_name("order items").startswith("order_items_")


def test_the_cli_and_the_dagster_resources_use_the_same_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dagster")
    from synthohive_pipelines.assets import asset_name, report_file
    from synthohive_pipelines.resources import build_resources

    monkeypatch.delenv("SYNTHOHIVE_OUTPUT_ROOT", raising=False)
    config = load_project_config(subset_project(tmp_path))
    resources = build_resources(config)
    store = resources["store"].get()
    layout = OutputLayout.of_store(store)
    assert layout.root == config.output_root() == tmp_path / "out"
    for table in ("Album", "order items"):
        assert model_folder(config, table) == resources["models"].path_for(table)
        assert layout.model_folder(table) == model_folder(config, table)
        assert asset_name(table) == key_name(table)
    assert report_file(store, "report.html") == layout.report_html
    assert open_store(tmp_path / "out", "parquet").root == layout.root
