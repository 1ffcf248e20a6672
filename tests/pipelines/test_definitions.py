"""The Dagster layer: the asset graph follows the schema graph; the job snapshots Chinook.

Runs are in-process on an ephemeral instance, against a copy of the bundled Chinook database
in a temporary folder, with the output root in that folder too.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from synthohive_lib.config import OUTPUT_ROOT_ENV_VAR, default_config_path, load_project_config
from synthohive_lib.errors import ConfigError
from synthohive_lib.io.store import open_store
from synthohive_lib.schema import SchemaGraph, load_schema
from synthohive_pipelines.assets import (
    REPORT_KEY,
    STAGES,
    asset_key,
    asset_name,
    combine,
    same_table,
    schema_parents,
)
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import SYNTHESIZE_ALL

CHINOOK = Path(__file__).resolve().parents[2] / "examples" / "chinook"
ProjectFactory = Callable[..., Path]
SCHEMA = load_schema(CHINOOK / "schema.yaml")
GRAPH = SchemaGraph(SCHEMA)


def run_all(defs: dg.Definitions, **kwargs: object) -> dg.ExecuteInProcessResult:
    """Run ``synthesize_all`` in process; the real stage only unless a selection is given
    (the later stages are exercised in test_synthesis.py)."""
    kwargs.setdefault("asset_selection", [asset_key("real", t) for t in SCHEMA.table_names])
    job = defs.resolve_job_def(SYNTHESIZE_ALL)
    return job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), **kwargs)


def check_deps(defs: dg.Definitions) -> dict[dg.AssetCheckKey, set[dg.AssetKey]]:
    out = {}
    for checks in defs.asset_checks or []:
        for spec in checks.check_specs:
            out[spec.key] = {d.asset_key for d in spec.additional_deps}
    return out


# --------------------------------------------------------------------------- graph shape


@pytest.fixture(scope="module")
def chinook_defs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dg.Definitions, Path]:
    folder = tmp_path_factory.mktemp("chinook")
    shutil.copy(CHINOOK / "chinook.sqlite", folder / "chinook.sqlite")
    shutil.copy(CHINOOK / "schema.yaml", folder / "schema.yaml")
    (folder / "synthohive.yaml").write_text(
        yaml.safe_dump(
            {
                "project": "chinook_test",
                "source": {"url": "sqlite:///chinook.sqlite"},
                "schema": "schema.yaml",
                "output": {"root": "out"},
                "execution": {"executor": "in_process"},
            }
        )
    )
    return build_definitions(folder / "synthohive.yaml"), folder


def test_one_real_asset_per_table(chinook_defs: tuple[dg.Definitions, Path]) -> None:
    defs, _ = chinook_defs
    keys = defs.resolve_asset_graph().get_all_asset_keys()
    assert {k for k in keys if k.path[0] == "real"} == {
        dg.AssetKey(["real", t]) for t in SCHEMA.table_names
    }
    assert len(keys) == len(STAGES) * len(SCHEMA.table_names) + 1  # + validation/report
    for table in SCHEMA.table_names:
        spec = defs.get_assets_def(asset_key("real", table)).specs_by_key[asset_key("real", table)]
        assert spec.group_name == "real"
        assert {"sqlite", "parquet"} <= set(spec.kinds)
        assert table in (spec.description or "")
        columns = spec.metadata["dagster/column_schema"].columns
        assert [c.name for c in columns] == SCHEMA.table(table).column_names
        assert spec.code_version and len(spec.code_version) == 12  # the schema entry's hash
    versions = {
        defs.get_assets_def(asset_key("real", t)).specs_by_key[asset_key("real", t)].code_version
        for t in SCHEMA.table_names
    }
    assert len(versions) == len(SCHEMA.table_names)


def test_real_snapshots_are_independent(chinook_defs: tuple[dg.Definitions, Path]) -> None:
    graph = chinook_defs[0].resolve_asset_graph()
    real = [k for k in graph.get_all_asset_keys() if k.path[0] == "real"]
    assert len(real) == len(SCHEMA.table_names)
    assert all(not graph.get(k).parent_keys for k in real)


def test_foreign_key_check_deps_equal_schema_graph_edges(
    chinook_defs: tuple[dg.Definitions, Path],
) -> None:
    deps = {k: v for k, v in check_deps(chinook_defs[0]).items() if k.asset_key.path[0] == "real"}
    edges = {
        (parent.path[1], key.asset_key.path[1])
        for key, parents in deps.items()
        if key.name == "foreign_keys_resolve"
        for parent in parents
    }
    assert edges == GRAPH.edges()
    assert all(p.path[0] == "real" for ps in deps.values() for p in ps)
    fk_tables = {k.asset_key.path[1] for k in deps if k.name == "foreign_keys_resolve"}
    assert fk_tables == {t.name for t in SCHEMA.tables if t.foreign_keys}  # Employee too
    schema_checks = {k.asset_key.path[1] for k, ps in deps.items() if k.name == "matches_schema"}
    assert schema_checks == set(SCHEMA.table_names)
    assert not any(ps for k, ps in deps.items() if k.name == "matches_schema")


def test_dependency_rules_follow_the_schema_graph() -> None:
    """The rules later stages use: ``synthetic/<child>`` after every ``synthetic/<parent>``."""
    rule = combine(same_table("model"), schema_parents("synthetic"))
    edges = set()
    for table in SCHEMA.table_names:
        keys = rule(GRAPH, table)
        assert keys[0] == asset_key("model", table)
        assert len(keys) == len(set(keys))
        edges |= {(k.path[1], table) for k in keys if k.path[0] == "synthetic"}
    assert edges == GRAPH.edges()
    assert rule(GRAPH, "Employee") == [asset_key("model", "Employee")]  # self-reference only


def test_every_stage_asset_has_the_stage_deps(chinook_defs: tuple[dg.Definitions, Path]) -> None:
    graph = chinook_defs[0].resolve_asset_graph()
    for stage in STAGES:
        for table in SCHEMA.table_names:
            assert graph.get(stage.key(table)).parent_keys == set(stage.deps(GRAPH, table))


def test_asset_names_for_odd_table_names() -> None:
    assert asset_name("Track") == "Track"
    odd = ["order items", "order-items", "order.items", "Ünï"]
    names = [asset_name(n) for n in odd]
    assert len(set(names)) == len(odd)
    assert all(n.replace("_", "").isalnum() and n.isascii() for n in names)


# --------------------------------------------------------------------------- materialization


@pytest.fixture(scope="module")
def chinook_run(
    chinook_defs: tuple[dg.Definitions, Path],
) -> tuple[dg.ExecuteInProcessResult, Path]:
    defs, folder = chinook_defs
    return run_all(defs), folder


def source_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in SCHEMA.table_names
        }


def test_job_snapshots_every_table(chinook_run: tuple[dg.ExecuteInProcessResult, Path]) -> None:
    result, folder = chinook_run
    assert result.success
    store = open_store(folder / "out", "parquet")
    counts = source_counts(folder / "chinook.sqlite")
    assert counts["Track"] == 3503 and counts["PlaylistTrack"] == 8715
    for table, rows in counts.items():
        assert store.exists("real", table)
        snapshot = store.read("real", table)
        assert len(snapshot) == rows
        assert list(snapshot.columns) == SCHEMA.table(table).column_names
        node = f"real__{table}"
        (mat,) = result.asset_materializations_for_node(node)
        meta = mat.metadata
        assert meta["dagster/row_count"].value == rows
        info = store.info("real", table)
        assert meta["fingerprint"].value == info.fingerprint
        assert meta["path"].value == info.uri
        assert meta["dagster/uri"].value == Path(info.uri).resolve().as_uri()
        assert meta["format"].value == "parquet"
        assert "|" in meta["preview"].value
        assert "chinook.sqlite" in meta["source"].value
        assert mat.tags.get("dagster/data_version") == info.fingerprint


def test_preview_masks_pii(chinook_run: tuple[dg.ExecuteInProcessResult, Path]) -> None:
    result, folder = chinook_run
    (mat,) = result.asset_materializations_for_node("real__Customer")
    preview = mat.metadata["preview"].value
    customers = pd.read_sql(
        "SELECT * FROM Customer LIMIT 5", sqlite3.connect(folder / "chinook.sqlite")
    )
    for email in customers["Email"]:
        assert email not in preview
    assert "&lt;email&gt;" in preview  # escaped: the UI's Markdown shows it as <email>
    assert str(customers["CustomerId"].iloc[0]) in preview  # non-PII columns are shown


def test_all_checks_pass_on_chinook(chinook_run: tuple[dg.ExecuteInProcessResult, Path]) -> None:
    result, _ = chinook_run
    evaluations = result.get_asset_check_evaluations()
    n_fk = sum(1 for t in SCHEMA.tables if t.foreign_keys)
    assert len(evaluations) == len(SCHEMA.tables) + n_fk
    assert all(e.passed for e in evaluations), [e for e in evaluations if not e.passed]
    track = next(
        e
        for e in evaluations
        if e.asset_key == asset_key("real", "Track") and e.check_name == "foreign_keys_resolve"
    )
    assert track.metadata["orphan_rows"].value == 0
    assert len(track.metadata["foreign_keys"].value) == 3
    assert set(track.metadata["parent_fingerprints"].value) == {"Album", "Genre", "MediaType"}


def test_rerun_on_unchanged_data_keeps_fingerprints(
    chinook_run: tuple[dg.ExecuteInProcessResult, Path],
    chinook_defs: tuple[dg.Definitions, Path],
) -> None:
    first, _ = chinook_run
    job = chinook_defs[0].resolve_job_def(SYNTHESIZE_ALL)
    again = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=[asset_key("real", "Genre"), asset_key("real", "Artist")],
    )
    for node in ("real__Genre", "real__Artist"):
        old = first.asset_materializations_for_node(node)[0].metadata["fingerprint"].value
        new = again.asset_materializations_for_node(node)[0].metadata["fingerprint"].value
        assert old == new


# --------------------------------------------------------------------------- orphans, formats, env


def add_orphan_invoice_line(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "INSERT INTO InvoiceLine (InvoiceLineId, InvoiceId, TrackId, UnitPrice, Quantity) "
            "VALUES (99999, 1, 987654, 0.99, 1)"
        )


def subset(*tables: str) -> list[dg.AssetKey]:
    return [asset_key("real", t) for t in tables]


def test_orphans_fail_the_blocking_check(make_project: ProjectFactory) -> None:
    path = make_project()
    add_orphan_invoice_line(path.parent / "chinook.sqlite")
    result = run_all(build_definitions(path), raise_on_error=False)
    assert not result.success
    (fk,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == asset_key("real", "InvoiceLine")
        and e.check_name == "foreign_keys_resolve"
    ]
    assert not fk.passed
    assert fk.severity == dg.AssetCheckSeverity.ERROR
    assert fk.metadata["orphan_rows"].value == 1
    assert fk.metadata["orphans"].value == {
        "InvoiceLine(TrackId) -> Track(TrackId)": {"rows": 1, "on_orphan": "raise"}
    }


def test_orphans_under_a_drop_policy_only_warn(make_project: ProjectFactory) -> None:
    path = make_project()
    doc = yaml.safe_load((path.parent / "schema.yaml").read_text())
    for fk in doc["tables"]["InvoiceLine"]["foreign_keys"]:
        fk["on_orphan"] = "drop"
    (path.parent / "schema.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    add_orphan_invoice_line(path.parent / "chinook.sqlite")
    result = run_all(build_definitions(path))
    assert result.success
    (fk,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "foreign_keys_resolve" and not e.passed
    ]
    assert fk.asset_key == asset_key("real", "InvoiceLine")
    assert not fk.passed and fk.severity == dg.AssetCheckSeverity.WARN


def test_nulls_in_a_non_nullable_column_fail_matches_schema(make_project: ProjectFactory) -> None:
    path = make_project()
    doc = yaml.safe_load((path.parent / "schema.yaml").read_text())
    doc["tables"]["Track"]["columns"]["Composer"]["nullable"] = False  # it holds NULLs
    (path.parent / "schema.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    result = run_all(build_definitions(path), raise_on_error=False, asset_selection=subset("Track"))
    assert not result.success
    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "matches_schema"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    (issue,) = check.metadata["issues"].value
    assert issue["code"] == "null_not_allowed" and issue["column"] == "Composer"


def test_fk_check_without_parent_snapshots_warns(make_project: ProjectFactory) -> None:
    result = run_all(build_definitions(make_project()), asset_selection=subset("Album"))
    assert result.success  # a WARN does not fail the run
    (fk,) = [e for e in result.get_asset_check_evaluations() if e.check_name != "matches_schema"]
    assert not fk.passed and fk.severity == dg.AssetCheckSeverity.WARN
    assert fk.metadata["missing_parents"].value == "Artist"


def test_delta_output_and_env_source(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_project(
        source={"url": "env:SH_TEST_SOURCE_URL"}, output={"root": "out", "format": "delta"}
    )
    db = path.parent / "chinook.sqlite"
    monkeypatch.setenv("SH_TEST_SOURCE_URL", f"sqlite:///{db}")
    defs = build_definitions(path)
    spec = defs.get_assets_def(asset_key("real", "Genre")).specs_by_key[asset_key("real", "Genre")]
    assert "delta" in spec.kinds
    result = run_all(defs, asset_selection=subset("Genre", "MediaType"))
    assert result.success
    store = open_store(path.parent / "out", "delta")
    assert len(store.read("real", "Genre")) == 25
    assert (store.location("real", "Genre") / "_delta_log").is_dir()


def test_output_root_env_var_moves_the_snapshots(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = make_project()
    monkeypatch.setenv(OUTPUT_ROOT_ENV_VAR, str(tmp_path / "elsewhere"))
    assert run_all(build_definitions(path), asset_selection=subset("MediaType")).success
    assert open_store(tmp_path / "elsewhere").exists("real", "MediaType")
    assert not (path.parent / "out").exists()


def test_env_source_unset_fails_the_run_not_the_load(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SH_TEST_UNSET_URL", raising=False)
    defs = build_definitions(make_project(source={"url": "env:SH_TEST_UNSET_URL"}))
    with pytest.raises(dg.DagsterInvalidConfigError, match="SH_TEST_UNSET_URL"):
        run_all(defs, asset_selection=subset("Genre"))


# --------------------------------------------------------------------------- bad configs


def test_unknown_table_in_config_is_a_config_error(make_project: ProjectFactory) -> None:
    with pytest.raises(ConfigError, match=r"tables\.Trakc: no table 'Trakc'"):
        build_definitions(make_project(tables={"Trakc": {"epochs": 3}}))


def test_unknown_key_in_config_is_a_config_error(make_project: ProjectFactory) -> None:
    with pytest.raises(ConfigError, match=r"output\.formt: unknown key"):
        build_definitions(make_project(output={"formt": "delta"}))


def test_workspace_entry_point_loads_the_bundled_project() -> None:
    from synthohive_pipelines.definitions import defs

    bundled = load_project_config(default_config_path())  # synthohive.yaml unless overridden
    loaded = defs()
    assert isinstance(loaded, dg.Definitions)
    assert loaded.resolve_job_def(SYNTHESIZE_ALL).name == SYNTHESIZE_ALL
    keys = loaded.resolve_asset_graph().get_all_asset_keys()
    assert keys == {
        asset_key(stage.name, t) for stage in STAGES for t in bundled.schema.table_names
    } | {REPORT_KEY}
