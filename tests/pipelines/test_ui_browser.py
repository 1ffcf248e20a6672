"""The Dagster UI in real headless Chromium, on a materialized project: the asset graph, an
asset's metadata (escaped masked PII, the loss curve as a picture), a check, the launchpad.

A Chinook subset (test_synthesis's: Employee, Customer, Invoice, two lookups; one epoch) is
materialized into a throw-away instance, then ``dagster-webserver -w workspace.yaml`` serves
it and Chromium opens the pages a data engineer would. The screenshots are written to
``docs/img/ui_*.png`` (shown in the README and docs/pipelines.md), so a change of the UI is
seen in review.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from scripts.chromium import Tab, chromium_path, running_chromium
from scripts.ui_server import graphql, running_webserver
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import SYNTHESIZE_ALL
from tests.conftest import unavailable

from .conftest import REPO
from .test_synthesis import write_subset_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IMG = REPO / "docs" / "img"

CLICK_MARKDOWN = """
(() => {
  const hits = document.evaluate("//*[text()='[Show Markdown]']", document, null,
    XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
  if (hits.snapshotLength < %d) return false;
  hits.snapshotItem(%d).click();
  return true;
})()
"""

LOSS_IMAGE = """
(() => {
  const img = [...document.querySelectorAll('img')]
    .find(i => i.src.startsWith('data:image/svg+xml'));
  return img && img.complete && img.naturalWidth > 0 ? img.naturalWidth : 0;
})()
"""

RUN_CONFIG_SCHEMA = """
{ runConfigSchemaOrError(selector: {repositoryLocationName: "synthohive",
    repositoryName: "__repository__", pipelineName: "synthesize_all"}) {
  ... on RunConfigSchema { allConfigTypes { key ... on CompositeConfigType {
    fields { name description } } } } } }
"""


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Tab]]:
    if chromium_path() is None:
        unavailable("headless Chromium not installed (apt-get install -y chromium)")
    folder = tmp_path_factory.mktemp("ui")
    config = write_subset_project(folder)
    home = folder / "home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = (
            build_definitions(config)
            .resolve_job_def(SYNTHESIZE_ALL)
            .execute_in_process(
                instance=instance,
                # enough epochs for a curve in the loss chart (the project trains one)
                run_config={"ops": {"model__Invoice": {"config": {"epochs": 12}}}},
            )
        )
        assert result.success
    env = {"DAGSTER_HOME": str(home), "SYNTHOHIVE_CONFIG": str(config)}
    with running_webserver(env) as (url, _), running_chromium(1600, 1000) as tab:
        yield url, tab


#: no asset node of the graph is still loading its status
LOADED = "!document.body.innerText.includes('Loading')"


def show_markdown(tab: Tab, index: int = 0) -> None:
    """Open the ``index``-th '[Show Markdown]' metadata entry of the page (a dialog)."""
    tab.wait_for(CLICK_MARKDOWN % (index + 1, index))


def test_the_asset_graph_shows_the_four_stages(ui: tuple[str, Tab]) -> None:
    url, tab = ui
    tab.open(f"{url}/asset-groups")
    # the four groups, 5 tables each (validation: + the report)
    tab.wait_for_text(
        "Global asset lineage", "real\n5", "model\n5", "synthetic\n5", "validation\n6"
    )
    tab.screenshot(IMG / "ui_asset_graph.png")
    tab.open(f"{url}/locations/synthohive/asset-groups/synthetic/lineage")
    tab.wait_for_text("Customer", "Invoice", "Employee", "Genre", "MediaType", "5 / 5 Passed")
    tab.wait_for(LOADED)
    tab.screenshot(IMG / "ui_synthetic_group.png")


def test_masked_preview_values_show_as_written(ui: tuple[str, Tab]) -> None:
    """``<company>``, ``<email>`` were taken for HTML tags and vanished; escaped, they show."""
    url, tab = ui
    tab.open(f"{url}/assets/real/Customer?view=events")
    tab.wait_for_text("dagster/uri", "file:///", "preview")
    show_markdown(tab)
    text = tab.wait_for_text("<company>", "<email>", "<first_name>", "CustomerId")
    assert "Luís" not in text  # a real first name never reaches the UI
    tab.screenshot(IMG / "ui_preview.png")


def test_the_loss_curve_is_drawn_inline(ui: tuple[str, Tab]) -> None:
    url, tab = ui
    tab.open(f"{url}/assets/model/Invoice?view=events")
    tab.wait_for_text("loss_curve", "CTGAN")
    show_markdown(tab)
    assert tab.wait_for(LOSS_IMAGE) == 480  # the SVG rendered at its width
    tab.wait_for_text("generator loss")
    tab.screenshot(IMG / "ui_loss_curve.png")


def test_the_blocking_checks_of_a_synthetic_table(ui: tuple[str, Tab]) -> None:
    url, tab = ui
    tab.open(f"{url}/assets/synthetic/Customer?view=checks")
    text = tab.wait_for_text(
        "fidelity_gate", "privacy_gate", "no_pii_leak", "identifiers_regenerated", "Passed"
    )
    # referential_integrity, key_unique, fidelity_gate, privacy_gate, no_pii_leak and
    # identifiers_regenerated: every check of synthetic/Customer ran and succeeded
    assert text.count("Succeeded") == 6
    assert "This is a blocking asset check." in text
    tab.screenshot(IMG / "ui_checks.png")


def test_the_launchpad_and_its_documented_run_config(ui: tuple[str, Tab]) -> None:
    url, tab = ui
    tab.open(f"{url}/locations/synthohive/jobs/synthesize_all/playground")
    tab.wait_for_text("resources:", "store", "Launch Run")
    tab.screenshot(IMG / "ui_launchpad.png")
    types = graphql(url, RUN_CONFIG_SCHEMA)["runConfigSchemaOrError"]["allConfigTypes"]
    described = {f["name"]: f["description"] for t in types for f in t.get("fields") or [] if f}
    for name in ("epochs", "batch_size", "device", "seed", "time_budget_s", "rows"):
        assert described.get(name), (name, json.dumps(described)[:500])


def test_the_report_asset_shows_its_verdict_and_links_the_page(ui: tuple[str, Tab]) -> None:
    url, tab = ui
    tab.open(f"{url}/assets/validation/report?view=events")
    # a short Markdown value is shown inline
    tab.wait_for_text("summary", "PASSED", "Overall score", "worst tables", "Open report.html")
    href = tab.evaluate(
        "[...document.querySelectorAll('a')].map(a => a.href)"
        ".find(h => h.startsWith('file://') && h.endsWith('report.html')) || ''"
    )
    assert Path(href.removeprefix("file://")).is_file()
    tab.screenshot(IMG / "ui_report_summary.png")


def test_the_pages_a_data_engineer_opens_log_no_console_errors(ui: tuple[str, Tab]) -> None:
    """Every page above, opened once more, without a console error or uncaught exception
    (the report page's own check is in tests/validation/test_report_browser.py)."""
    url, tab = ui
    pages = {
        f"{url}/asset-groups": "Global asset lineage",
        f"{url}/assets/real/Customer?view=events": "dagster/uri",
        f"{url}/assets/model/Invoice?view=events": "loss_curve",
        f"{url}/assets/synthetic/Customer?view=checks": "fidelity_gate",
        f"{url}/locations/synthohive/jobs/synthesize_all/playground": "Launch Run",
        f"{url}/assets/validation/report?view=events": "summary",
    }
    seen: dict[str, list[str]] = {}
    for page, needle in pages.items():
        before = len(tab.console_errors())
        tab.open(page)
        tab.wait_for_text(needle)
        tab.wait_for(LOADED)
        seen[page] = tab.console_errors()[before:]
    assert not any(seen.values()), json.dumps(seen, indent=1)[:3000]


def test_the_tab_does_catch_console_errors_and_uncaught_exceptions() -> None:
    """The check above can fail: a page that logs an error and throws is caught."""
    if chromium_path() is None:
        unavailable("headless Chromium not installed (apt-get install -y chromium)")
    page = "<script>console.error('boom'); undefinedFn();</script>"
    with running_chromium(800, 600) as tab:
        tab.open("data:text/html," + page)
        tab.wait_for("document.readyState === 'complete'")
        errors = tab.wait_for("1") and tab.console_errors()
    assert any("boom" in e for e in errors), errors
    assert any("undefinedFn" in e for e in errors), errors
