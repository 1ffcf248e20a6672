"""The model, synthetic and validation stages end to end, and their blocking gates.

One in-process run of ``synthesize_all`` on a Chinook subset that the current model layer can
learn (Employee with its self-reference and PII, Customer, Invoice, two lookup tables; one
epoch), then deliberately broken synthetic tables re-judged by ``validate_synthetic``, in
process and through the ``dagster job execute`` CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from synthohive_lib.config import load_project_config
from synthohive_lib.io.store import open_store
from synthohive_lib.schema import SchemaGraph
from synthohive_pipelines.assets import (
    GPU_POOL,
    MODEL,
    REPORT_KEY,
    SYNTHETIC,
    VALIDATION,
    asset_key,
)
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import SYNTHESIZE_ALL, VALIDATE_SYNTHETIC

from .conftest import CHINOOK, REPO

SUBSET = ["Employee", "Customer", "Invoice", "Genre", "MediaType"]


def write_subset_project(folder: Path) -> Path:
    """A project on the Chinook database whose schema keeps the tables in ``SUBSET``."""
    doc = yaml.safe_load((CHINOOK / "schema.yaml").read_text())
    doc["tables"] = {name: t for name, t in doc["tables"].items() if name in SUBSET}
    # a few distinct states: a category, not free text the text model must make up
    doc["tables"]["Customer"]["columns"]["State"]["type"] = "categorical"
    (folder / "schema.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    shutil.copy(CHINOOK / "chinook.sqlite", folder / "chinook.sqlite")
    config = {
        "project": "chinook_subset",
        "source": {"url": "sqlite:///chinook.sqlite"},
        "schema": "schema.yaml",
        "output": {"root": "out"},
        "execution": {"executor": "in_process"},
        # one epoch: the gates are set for a smoke run, not for fidelity
        "defaults": {"epochs": 1, "batch_size": 500, "device": "cpu", "fidelity_threshold": 0.2},
        "tables": {
            # one low-cardinality column: every synthetic row is a real category
            "Genre": {"max_exact_copy_rate": 1.0},
            "MediaType": {"max_exact_copy_rate": 1.0},
            "Customer": {"max_exact_copy_rate": 0.2},
        },
    }
    path = folder / "synthohive.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def synthesized(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dg.Definitions, Path, dg.ExecuteInProcessResult]:
    path = write_subset_project(tmp_path_factory.mktemp("subset"))
    defs = build_definitions(path)
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    return defs, path, result


def test_the_whole_graph_materializes_and_every_gate_passes(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult],
) -> None:
    _, _, result = synthesized
    assert result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert not failed
    checked = {(e.asset_key.path[0], e.check_name) for e in result.get_asset_check_evaluations()}
    for name in (
        "referential_integrity",
        "key_unique",
        "fidelity_gate",
        "privacy_gate",
        "no_pii_leak",
        "identifiers_regenerated",
    ):
        assert ("synthetic", name) in checked
    materialized = {m.asset_key for m in result.get_asset_materialization_events()}
    assert REPORT_KEY in materialized
    for stage in ("real", "model", "synthetic", "validation"):
        assert {asset_key(stage, t) for t in SUBSET} <= materialized


def test_model_metadata_and_artifact(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult],
) -> None:
    _, path, result = synthesized
    (mat,) = result.asset_materializations_for_node("model__Invoice")
    meta = {k: v.value for k, v in mat.metadata.items()}
    assert meta["dagster/row_count"] == 412 and meta["epochs"] == 1
    assert meta["device"] == "cpu" and meta["context_parent"] == "Customer"
    assert "generator loss" in meta["loss_curve"] and meta["seconds"] > 0
    assert "](data:image/svg+xml;base64," in meta["loss_curve"]  # the curve as a picture
    artifact = Path(meta["artifact"])
    assert (artifact / "plan.json").is_file() and (artifact / "model").is_dir()
    assert artifact.is_relative_to(path.parent / "out")
    assert (artifact.parent / "Employee" / "pii.json").is_file()  # PII statistics, no values


def test_synthetic_tables_keep_keys_and_replace_pii(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult],
) -> None:
    _, path, result = synthesized
    store = open_store(path.parent / "out")
    customers = store.read("synthetic", "Customer")
    employees = store.read("synthetic", "Employee")
    invoices = store.read("synthetic", "Invoice")
    assert set(invoices["CustomerId"].dropna()) <= set(customers["CustomerId"])
    assert set(customers["SupportRepId"].dropna()) <= set(employees["EmployeeId"])
    real = store.read("real", "Customer")
    assert customers["Email"].notna().all()  # filled by the privacy layer ...
    assert not set(customers["Email"]) & set(real["Email"])  # ... never with a real value
    (mat,) = result.asset_materializations_for_node("synthetic__Invoice")
    assert mat.metadata["dagster/row_count"].value == len(invoices)
    assert "|" in mat.metadata["preview"].value


def test_validation_report_written_with_headline_scores(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult],
) -> None:
    _, _, result = synthesized
    (mat,) = [m for m in result.get_asset_materialization_events() if m.asset_key == REPORT_KEY]
    meta = mat.materialization.metadata
    html, js = Path(meta["html"].value), Path(meta["json"].value)
    assert html.is_file() and "<html" in html.read_text().lower()
    report = json.loads(js.read_text())
    assert {t["table"] for t in report["tables"]} == set(SUBSET)
    assert 0 <= meta["score"].value <= 1 and meta["validity"].value == 1.0
    (table,) = result.asset_materializations_for_node("validation__Invoice")
    assert 0 <= table.metadata["column_shapes"].value <= 1


def test_the_report_asset_links_the_page_and_summarises_its_numbers(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult],
) -> None:
    _, _, result = synthesized
    (mat,) = [m for m in result.get_asset_materialization_events() if m.asset_key == REPORT_KEY]
    meta = mat.materialization.metadata
    html = Path(meta["html"].value)
    assert meta["report"].value == html.resolve().as_uri() == meta["dagster/uri"].value
    summary = meta["summary"].value
    page = json.loads(Path(meta["json"].value).read_text())
    worst = min((t for t in page["tables"] if t["score"] is not None), key=lambda t: t["score"])
    assert summary.startswith(f"**{meta['verdict'].value}")
    assert f"Overall score **{meta['score'].value}**" in summary
    assert f"| {worst['table']} | " in summary  # the page's worst table is in the summary
    assert f"[Open report.html]({html.resolve().as_uri()})" in summary


def test_synthetic_stage_edges_equal_the_schema_graph() -> None:
    """On the whole bundled Chinook schema: synthetic/<child> depends on synthetic/<parent>
    for exactly the schema graph's edges, and on its own model."""
    config = load_project_config(REPO / "synthohive.yaml")
    graph = build_definitions(REPO / "synthohive.yaml").resolve_asset_graph()
    edges = set()
    for table in config.graph.generation_order():
        parents = graph.get(asset_key(SYNTHETIC.name, table)).parent_keys
        assert asset_key(MODEL.name, table) in parents
        edges |= {(p.path[1], table) for p in parents if p.path[0] == SYNTHETIC.name}
    assert edges == SchemaGraph(config.schema).edges()


def test_every_training_asset_is_in_the_gpu_pool() -> None:
    defs = build_definitions(REPO / "synthohive.yaml")
    graph = defs.resolve_asset_graph()
    models = [k for k in graph.get_all_asset_keys() if k.path[0] == MODEL.name]
    assert len(models) == 11
    for key in models:
        assert defs.get_assets_def(key).op.pool == GPU_POOL
    others = [k for k in graph.get_all_asset_keys() if k.path[0] != MODEL.name]
    assert all(defs.get_assets_def(k).op.pool is None for k in others)
    # the pool's limit is in the committed instance config
    instance = yaml.safe_load((REPO / "dagster_home" / "dagster.yaml").read_text())
    assert instance["concurrency"]["pools"]["default_limit"] == 1


def break_table(path: Path, table: str, change: str) -> None:
    store = open_store(path.parent / "out")
    frame = store.read("synthetic", table)
    if change == "orphan":
        frame.loc[frame.index[:5], "CustomerId"] = 10**6
    else:  # shift the distribution of the invoice totals far out of the real range
        frame["Total"] = frame["Total"] * 50 + 1000
    store.write("synthetic", table, frame)


@pytest.mark.parametrize(
    ("change", "gate"), [("orphan", "referential_integrity"), ("shift", "fidelity_gate")]
)
def test_a_broken_synthetic_table_fails_its_gate_blocks_validation_and_the_report_says_so(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult],
    tmp_path: Path,
    change: str,
    gate: str,
) -> None:
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    path = folder / original.name
    break_table(path, "Invoice", change)
    result = (
        build_definitions(path)
        .resolve_job_def(VALIDATE_SYNTHETIC)
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    )
    assert not result.success
    failed = {
        (e.asset_key.path[1], e.check_name)
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }
    assert ("Invoice", gate) in failed
    materialized = {m.asset_key for m in result.get_asset_materialization_events()}
    assert asset_key(VALIDATION.name, "Invoice") not in materialized
    assert asset_key(VALIDATION.name, "Customer") in materialized  # unaffected table
    # the report is written all the same, and its verdict names the gate that failed
    assert REPORT_KEY in materialized
    verdict = json.loads((folder / "out" / "validation" / "report.json").read_text())["verdict"]
    assert not verdict["passed"] and verdict["run_id"] == result.run_id
    assert [(g["table"], g["gate"]) for g in verdict["failed_gates"]] == [("Invoice", gate)]
    html = (folder / "out" / "validation" / "report.html").read_text()
    assert '<div class="verdict failed" id="verdict"><h2>FAILED</h2>' in html
    assert result.run_id in html


def _leak_section(html: str) -> str:
    start = html.index("<h2>PII leak scan</h2>")
    return html[start : html.index("</section>", start)]


def test_the_report_shows_a_red_pii_leak_exactly_when_a_no_pii_leak_gate_fails(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """Chinook: after the clean run every no_pii_leak gate passed and the report's leak scan
    is green (coincidences, if any, listed apart); with two real e-mails copied into the
    synthetic customers the gate fails and the report shows the leak in red, on the same
    column, in the same rows."""
    _, original, result = synthesized
    checks = [e for e in result.get_asset_check_evaluations() if e.check_name == "no_pii_leak"]
    assert checks and all(e.passed for e in checks)
    clean = _leak_section((original.parent / "out" / "validation" / "report.html").read_text())
    assert 'class="ok" id="pii-leaks"' in clean and 'class="bad"' not in clean

    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    store = open_store(folder / "out")
    customers = store.read("synthetic", "Customer")
    customers.loc[customers.index[:2], "Email"] = store.read("real", "Customer")["Email"][:2].values
    store.write("synthetic", "Customer", customers)
    rerun = build_definitions(folder / original.name).resolve_job_def(VALIDATE_SYNTHETIC)
    leaked = rerun.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    failed = [
        e.asset_key.path[1]
        for e in leaked.get_asset_check_evaluations()
        if e.check_name == "no_pii_leak" and not e.passed
    ]
    assert failed == ["Customer"]
    html = (folder / "out" / "validation" / "report.html").read_text()
    section = _leak_section(html)
    assert 'class="bad" id="pii-leaks"' in section
    assert '<td class="bad">Customer.Email</td><td class="n">2</td>' in section
    assert "no_pii_leak on <b>Customer</b>" in html  # and in the verdict banner


def test_a_crashing_table_costs_only_its_descendants_and_the_report_marks_it(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """Customer's model step raises (a batch size CTGAN refuses): Customer and Invoice (its
    child) are not generated, every other table is generated and validated, and the report
    is written, naming Customer as failed at model/Customer and Invoice as skipped."""
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    (folder / "out" / "validation" / "report.html").unlink()
    defs = build_definitions(folder / original.name)
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        run_config={"ops": {"model__Customer": {"config": {"batch_size": 7}}}},
        raise_on_error=False,
    )
    assert not result.success
    materialized = {m.asset_key for m in result.get_asset_materialization_events()}
    for table in ("Employee", "Genre", "MediaType"):
        assert asset_key(VALIDATION.name, table) in materialized
    for table in ("Customer", "Invoice"):
        assert asset_key(SYNTHETIC.name, table) not in materialized
    assert REPORT_KEY in materialized
    report = json.loads((folder / "out" / "validation" / "report.json").read_text())
    verdict = report["verdict"]
    assert not verdict["passed"]
    assert [(t["table"], t["step"]) for t in verdict["failed_tables"]] == [
        ("Customer", "model/Customer")
    ]
    assert [t["table"] for t in verdict["skipped_tables"]] == ["Invoice"]
    assert {t["table"] for t in report["tables"]} == {"Employee", "Genre", "MediaType"}
    html = (folder / "out" / "validation" / "report.html").read_text()
    assert "Customer</b> failed at model/Customer" in html and "Invoice</b> skipped" in html


def test_dagster_job_execute_exits_non_zero_on_a_failed_gate(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    path = folder / original.name
    break_table(path, "Invoice", "orphan")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "SYNTHOHIVE_CONFIG": str(path)}
    env.pop("SYNTHOHIVE_OUTPUT_ROOT", None)
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run(
        [
            str(dagster),
            "job",
            "execute",
            "-m",
            "synthohive_pipelines.definitions",
            "-a",
            "defs",
            "-j",
            VALIDATE_SYNTHETIC,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "referential_integrity" in proc.stdout + proc.stderr


def test_with_fidelity_threshold_099_the_job_exits_non_zero_and_the_report_says_failed(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """Acceptance of the report issue: ``fidelity_threshold: 0.99`` on a one-epoch model,
    ``dagster job execute -j synthesize_all``: non-zero exit, and report.html exists, shows
    FAILED, names the failing gate and the columns below the threshold."""
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    path = folder / original.name
    doc = yaml.safe_load(path.read_text())
    doc["defaults"]["fidelity_threshold"] = 0.99
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    html_path = folder / "out" / "validation" / "report.html"
    html_path.unlink()
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "SYNTHOHIVE_CONFIG": str(path)}
    env.pop("SYNTHOHIVE_OUTPUT_ROOT", None)
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run(
        [
            str(dagster),
            "job",
            "execute",
            "-m",
            "synthohive_pipelines.definitions",
            "-a",
            "defs",
            "-j",
            SYNTHESIZE_ALL,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    html = html_path.read_text()
    assert '<div class="verdict failed" id="verdict"><h2>FAILED</h2>' in html
    report = json.loads((folder / "out" / "validation" / "report.json").read_text())
    failed = [g for g in report["verdict"]["failed_gates"] if g["gate"] == "fidelity_gate"]
    assert failed and all(g["threshold"] == 0.99 for g in failed)
    for gate in failed:  # the banner names the gate, the table and its columns below 0.99
        assert f"fidelity_gate on <b>{gate['table']}</b>" in html
        assert gate["columns"] and f"{gate['columns'][0]} (" in html
    # children of a table that failed its gate are skipped, and the report says so
    skipped = {t["table"] for t in report["verdict"]["skipped_tables"]}
    assert "Invoice" in skipped and "Invoice</b> skipped" in html


def test_run_config_overrides_training_settings(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """Invoice (412 rows) is fitted by CTGAN, so the run config's epochs and batch size reach
    its manifest (tiny roots such as MediaType get the SmallTableModel, without epochs)."""
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    defs = build_definitions(folder / original.name)
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=[asset_key(MODEL.name, "Invoice")],
        run_config={"ops": {"model__Invoice": {"config": {"epochs": 2, "batch_size": 100}}}},
    )
    assert result.success
    (mat,) = result.asset_materializations_for_node("model__Invoice")
    assert mat.metadata["model"].value == "CTGAN"
    assert mat.metadata["epochs"].value == 2  # the project config says 1
    manifest = (folder / "out" / "model" / "Invoice" / "model" / "manifest.json").read_text()
    assert '"batch_size": 100' in manifest


def test_training_progress_is_logged_to_the_run_with_epoch_of_total_and_eta(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    instance = dg.DagsterInstance.ephemeral()
    result = (
        build_definitions(folder / original.name)
        .resolve_job_def(SYNTHESIZE_ALL)
        .execute_in_process(
            instance=instance,
            asset_selection=[asset_key(MODEL.name, "Invoice")],
            run_config={"ops": {"model__Invoice": {"config": {"epochs": 3}}}},
        )
    )
    assert result.success
    lines = [e.user_message for e in instance.all_logs(result.run_id) if "epoch " in e.user_message]
    assert lines[0].startswith("Invoice: epoch 1/3 · ") and "ETA" in lines[0]
    assert lines[-1].startswith("Invoice: epoch 3/3 · ") and "· done ·" in lines[-1]
    assert "g=" in lines[-1] and "d=" in lines[-1]


def test_a_child_above_max_training_rows_trains_on_whole_families_and_says_so(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """Invoice (412 rows under 59 customers) with max_training_rows 100: the model trains on
    every invoice of some customers; the plan still counts invoices on all 412 rows."""
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    path = folder / original.name
    doc = yaml.safe_load(path.read_text())
    doc["tables"]["Invoice"] = {"max_training_rows": 100, "time_budget_s": 45}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = (
        build_definitions(path)
        .resolve_job_def(SYNTHESIZE_ALL)
        .execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            asset_selection=[asset_key(MODEL.name, "Invoice")],
        )
    )
    assert result.success
    (mat,) = result.asset_materializations_for_node("model__Invoice")
    meta = {k: v.value for k, v in mat.metadata.items()}
    assert meta["dagster/row_count"] == 412
    assert 100 <= meta["training_rows"] < 100 + 10  # no Chinook customer has 10 invoices
    # the sample is drawn from the rows outside the holdout (validation.holdout, 10 %)
    outside = 412 - meta["holdout_rows"]
    assert 0 < meta["holdout_rows"] < 80
    assert meta["training_sample"].startswith(f"{meta['training_rows']} of {outside} rows: every")
    assert "Customer keys" in meta["training_sample"]
    assert meta["time_budget_s"] == 45


def test_run_wide_overrides_reach_every_table_under_its_own_run_config(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """``resources.overrides`` sets epochs for every table at once; a table's own run config
    still wins over it."""
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    defs = build_definitions(folder / original.name)
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=[asset_key(MODEL.name, "Invoice"), asset_key(MODEL.name, "Customer")],
        run_config={
            "resources": {"overrides": {"config": {"epochs": 3, "seed": 5}}},
            "ops": {"model__Customer": {"config": {"epochs": 2}}},
        },
    )
    assert result.success
    epochs = {
        node: result.asset_materializations_for_node(node)[0].metadata["epochs"].value
        for node in ("model__Invoice", "model__Customer")
    }
    assert epochs == {"model__Invoice": 3, "model__Customer": 2}  # the project config says 1
    manifest = (folder / "out" / "model" / "Invoice" / "model" / "manifest.json").read_text()
    assert '"seed": 5' in manifest


def test_run_wide_model_override_picks_the_model_of_every_table_under_its_own_run_config(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """``resources.overrides.model`` switches every table at once; a table's own run config
    (``ops: {model__T: {config: {model: ...}}}``) still wins over it."""
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    defs = build_definitions(folder / original.name)
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=[asset_key(MODEL.name, "Invoice"), asset_key(MODEL.name, "Customer")],
        run_config={
            "resources": {"overrides": {"config": {"model": "autoregressive", "epochs": 1}}},
            "ops": {"model__Customer": {"config": {"model": "ctgan"}}},
        },
    )
    assert result.success
    models = {
        node: result.asset_materializations_for_node(node)[0].metadata["model"].value
        for node in ("model__Invoice", "model__Customer")
    }
    assert models["model__Customer"] == "CTGAN"
    assert models["model__Invoice"] != "CTGAN"
    assert "autoregressive" in models["model__Invoice"].lower()


def test_model_metadata_names_the_model_the_factory_chose(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult],
) -> None:
    """A tiny root table gets the smoothed bootstrap: its kind is reported, no epochs."""
    _, _, result = synthesized
    (mat,) = result.asset_materializations_for_node("model__MediaType")
    assert mat.metadata["model"].value == "SmallTableModel"
    assert "epochs" not in mat.metadata and "loss_curve" not in mat.metadata


SPARK_CONFIG = {
    "spark.master": "local[1]",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
}


@pytest.mark.spark
def test_engine_spark_generates_a_child_table_with_spark(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spark: object,
) -> None:
    """``engine: spark`` on Genre (a root: generate_table_spark) and Invoice (a child:
    generate_children_spark under the synthetic customers read with Spark), in one run: written
    with write_table_spark where the store keeps them (Delta), read back through the store with
    every key resolving. The run's LazyPySparkResource gets the test run's shared session."""
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    path = folder / original.name
    doc = yaml.safe_load(path.read_text())
    doc["output"]["format"] = "delta"
    doc["tables"]["Invoice"] = {"engine": "spark"}
    doc["tables"]["Genre"] = {**doc["tables"]["Genre"], "engine": "spark", "rows": 40}
    doc["spark"] = SPARK_CONFIG
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    parquet, delta = open_store(folder / "out"), open_store(folder / "out", "delta")
    for stage in ("real", "synthetic"):  # the fitted models are format-independent
        for table in SUBSET:
            delta.write(stage, table, parquet.read(stage, table))

    defs = build_definitions(path)
    assert (
        defs.get_assets_def(asset_key(SYNTHETIC.name, "Invoice")).tags_by_key[
            asset_key(SYNTHETIC.name, "Invoice")
        ]["synthohive/engine"]
        == "spark"
    )
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=[asset_key(SYNTHETIC.name, t) for t in ("Genre", "Invoice")],
        raise_on_error=False,
    )
    genres = delta.read("synthetic", "Genre")  # a root table: generate_table_spark
    assert len(genres) == 40 and genres["GenreId"].is_unique
    (mat,) = result.asset_materializations_for_node("synthetic__Invoice")
    invoices = delta.read("synthetic", "Invoice")  # reads back through the store
    customers = delta.read("synthetic", "Customer")
    assert len(invoices) > 0 and mat.metadata["dagster/row_count"].value == len(invoices)
    assert mat.metadata["format"].value == "delta" and "|" in mat.metadata["preview"].value
    assert set(invoices["CustomerId"]) <= set(customers["CustomerId"])  # zero orphans
    assert invoices["InvoiceId"].is_unique
    assert invoices["BillingAddress"].notna().all()  # PII filled in the executors
    real = delta.read("real", "Invoice")
    assert not set(invoices["BillingAddress"]) & set(real["BillingAddress"])
    checks = {
        e.check_name: e.passed
        for e in result.get_asset_check_evaluations()
        if e.asset_key == asset_key(SYNTHETIC.name, "Invoice")
    }
    assert checks["referential_integrity"] and checks["key_unique"]
    assert list(invoices.columns) == [
        c.name for c in load_project_config(path).schema.table("Invoice").columns
    ]


def test_model_autoregressive_in_the_config_fits_that_model_and_reports_it(
    synthesized: tuple[dg.Definitions, Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """``model: autoregressive`` (with DP-SGD) on Invoice: the artifact holds that model, the
    metadata says so with its epochs, loss curve and the epsilon spent; CTGAN elsewhere."""
    _, original, _ = synthesized
    folder = tmp_path / "copy"
    shutil.copytree(original.parent, folder)
    path = folder / original.name
    doc = yaml.safe_load(path.read_text())
    doc["tables"]["Invoice"] = {
        "model": "autoregressive",
        "epochs": 2,
        "privacy": {"epsilon": 5, "delta": 1e-5, "max_grad_norm": 1},
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = (
        build_definitions(path)
        .resolve_job_def(SYNTHESIZE_ALL)
        .execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            asset_selection=[asset_key(MODEL.name, "Invoice")],
        )
    )
    assert result.success
    (mat,) = result.asset_materializations_for_node("model__Invoice")
    meta = {k: v.value for k, v in mat.metadata.items()}
    assert meta["model"] == "AutoregressiveModel"
    assert 1 <= meta["epochs"] <= 2 and "train NLL" in meta["loss_curve"]
    assert 0 < meta["privacy_epsilon"] <= 5 and meta["privacy_delta"] == 1e-5
    manifest = (folder / "out" / "model" / "Invoice" / "model" / "manifest.json").read_text()
    assert '"model": "autoregressive"' in manifest and '"epsilon_budget": 5' in manifest
