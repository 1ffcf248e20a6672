"""What the definitions tell Dagster beyond the graph: the executor of every run, owners and
tags (``tag:`` selection), descriptions that name the model a table gets, run-config fields
with descriptions, Markdown metadata that renders as written, the loss curve as a picture."""

from __future__ import annotations

import base64
import re

import dagster as dg
import pandas as pd
import pytest

from synthohive_lib.config import load_project_config
from synthohive_lib.models.loss_curve import loss_curve_svg
from synthohive_pipelines.assets import (
    ALL_TABLES,
    MODEL,
    REPORT_KEY,
    STAGES,
    TABLE_TAG,
    asset_key,
    loss_markdown,
    preview_markdown,
    tag_value,
)
from synthohive_pipelines.definitions import build_definitions

from .conftest import REPO, ProjectFactory


@pytest.fixture(scope="module")
def chinook() -> dg.Definitions:
    return build_definitions(REPO / "synthohive.yaml")


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_ui_and_cli_materializations_run_on_the_configured_executor(
    make_project: ProjectFactory, executor: str
) -> None:
    """ "Materialize" in the UI and ``dagster asset materialize`` run the implicit asset job:
    it must get the config's executor, not Dagster's default multiprocess one."""
    defs = build_definitions(make_project(execution={"executor": executor}))
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == executor


def test_the_executor_defaults_to_in_process(make_project: ProjectFactory) -> None:
    defs = build_definitions(make_project(execution={}))
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"


def test_every_asset_has_owners_and_a_table_tag(make_project: ProjectFactory) -> None:
    defs = build_definitions(make_project(owners=["team:data-platform", "ana@example.com"]))
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.owners == ["team:data-platform", "ana@example.com"], key
        expected = ALL_TABLES if key == REPORT_KEY else key.path[1]
        assert node.tags[TABLE_TAG] == expected, key
        assert node.tags["synthohive/stage"] == key.path[0]


def test_owners_default_to_the_project_team(chinook: dg.Definitions) -> None:
    node = chinook.resolve_asset_graph().get(asset_key("real", "Track"))
    assert node.owners == ["team:chinook"]


def test_tag_selection_picks_one_tables_assets_across_stages(chinook: dg.Definitions) -> None:
    chosen = dg.AssetSelection.tag(TABLE_TAG, "Track").resolve(chinook.resolve_asset_graph())
    assert chosen == {asset_key(stage.name, "Track") for stage in STAGES}


def test_long_table_names_still_make_valid_tag_values() -> None:
    value = tag_value("a very long table name " * 5)
    assert len(value) <= 63 and re.fullmatch(r"[A-Za-z0-9_.-]+", value)
    assert tag_value("a very long table name " * 5) != tag_value("a very long table name " * 6)


def test_model_descriptions_name_the_model_the_table_gets(chinook: dg.Definitions) -> None:
    def description(table: str) -> str:
        key = asset_key(MODEL.name, table)
        return chinook.resolve_assets_def(key).specs_by_key[key].description or ""

    assert "Model: none (keys only" in description("PlaylistTrack")
    assert "Model: TextOnlyModel" in description("Artist")
    assert "Model: CTGAN." in description("Track")
    assert "SmallTableModel when the real table has at most 50 rows" in description("Genre")
    assert "(CTGAN)" not in description("PlaylistTrack")


def run_config_fields(defs: dg.Definitions) -> tuple[dict, dict, dict]:
    schema = defs.resolve_implicit_global_asset_job_def().run_config_schema.config_type
    ops = schema.fields["ops"].config_type.fields

    def fields(node: str) -> dict:
        return ops[node].config_type.fields["config"].config_type.fields

    resources = schema.fields["resources"].config_type.fields
    overrides = resources["overrides"].config_type.fields["config"].config_type.fields
    return fields("model__Track"), fields("synthetic__Artist"), overrides


def test_every_run_config_field_has_a_description(chinook: dg.Definitions) -> None:
    training, generation, overrides = run_config_fields(chinook)
    assert {"epochs", "batch_size", "device", "seed", "time_budget_s"} <= set(training)
    assert {"epochs", "time_budget_s", "seed"} <= set(overrides)
    for fields in (training, generation, overrides):
        for name, field in fields.items():
            assert field.description and len(field.description) > 20, name


def test_masked_preview_values_are_escaped_so_they_render() -> None:
    config = load_project_config(REPO / "synthohive.yaml")
    table = config.schema.table("Customer")
    frame = pd.DataFrame(
        {c.name: ["x"] for c in table.columns} | {"CustomerId": [1], "Company": ["A | B <c>"]}
    )
    preview = preview_markdown(frame, table)
    assert "&lt;email&gt;" in preview and "<email>" not in preview
    assert "<" not in preview and ">" not in preview
    assert preview.count("\n") == 2  # header, rule, one row: the pipe did not split the row


def test_the_loss_curve_is_an_inline_svg_with_axis_titles() -> None:
    history = [
        {"epoch": e, "generator_loss": 1.0 / e, "discriminator_loss": -0.5 + e / 100}
        for e in range(1, 31)
    ]
    md = loss_markdown(history)
    uri = re.search(r"!\[[^\]]*\]\((data:image/svg\+xml;base64,[A-Za-z0-9+/=]+)\)", md)
    assert uri, md[:200]
    svg = base64.b64decode(uri.group(1).split(",", 1)[1]).decode("utf-8")
    assert svg == loss_curve_svg(history, title="training loss")
    assert ">epoch</text>" in svg and ">loss</text>" in svg
    assert svg.count("<polyline") == 2
    assert "| 30 |" in md  # the exact numbers stay below the picture
    assert loss_markdown([]) == "no training epochs"


def test_synthohive_run_gates_default_to_the_dagster_checks_thresholds() -> None:
    from synthohive_lib import pipeline
    from synthohive_pipelines import checks

    assert pipeline.DEFAULT_FIDELITY_THRESHOLD == checks.FIDELITY_THRESHOLD
    assert pipeline.DEFAULT_MAX_EXACT_COPY_RATE == checks.MAX_EXACT_COPY_RATE
