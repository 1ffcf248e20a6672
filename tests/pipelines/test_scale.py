"""``scale``: a database generated at 0.5x and 2x its real size.

A Chinook subset (Customer as a root with 59 rows, its 412 Invoices, Genre with 25 rows):
tables without parents get ``round(scale x rows)``, children follow their parents'
cardinality model, so invoices per customer keep the real distribution while their total
scales. The 0.5x run goes through the library pipeline (``run_project``, whose report must
not count the intended size difference as a failure); the 2x run goes through the Dagster
job with ``chunk_rows_above`` below 118 so that Customer is written block by block.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from synthohive_lib.config import load_project_config, project_config_from_dict
from synthohive_lib.errors import ConfigError
from synthohive_lib.io.store import open_store
from synthohive_lib.pipeline import run_project
from synthohive_lib.relational._frames import children_per_parent
from synthohive_pipelines.assets import asset_key
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import SYNTHESIZE_ALL

from .conftest import CHINOOK

TABLES = ["Customer", "Invoice", "Genre"]
REAL_ROWS = {"Customer": 59, "Genre": 25}


def write_project(folder: Path, defaults: dict, tables: dict | None = None) -> Path:
    doc = yaml.safe_load((CHINOOK / "schema.yaml").read_text())
    doc["tables"] = {name: t for name, t in doc["tables"].items() if name in TABLES}
    customer = doc["tables"]["Customer"]
    customer.pop("foreign_keys")
    customer["columns"]["SupportRepId"] = {"type": "categorical", "storage": "integer"}
    customer["columns"]["State"]["type"] = "categorical"
    (folder / "schema.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    shutil.copy(CHINOOK / "chinook.sqlite", folder / "chinook.sqlite")
    config = {
        "project": "chinook_scaled",
        "source": {"url": "sqlite:///chinook.sqlite"},
        "schema": "schema.yaml",
        "output": {"root": "out"},
        "execution": {"executor": "in_process"},
        "defaults": {
            "epochs": 1,
            "batch_size": 500,
            "device": "cpu",
            # smoke-level gates: one epoch is not about fidelity
            "fidelity_threshold": 0.0,
            "max_exact_copy_rate": 1.0,
            **defaults,
        },
        "tables": tables or {},
    }
    path = folder / "synthohive.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def frames(path: Path, stage: str) -> dict[str, pd.DataFrame]:
    store = open_store(load_project_config(path).output_root())
    return {name: store.read(stage, name) for name in TABLES}


def invoices_per_customer(tables: dict[str, pd.DataFrame]) -> pd.Series:
    return children_per_parent(
        tables["Customer"], ["CustomerId"], tables["Invoice"], ["CustomerId"]
    )


def assert_children_follow_their_parents(path: Path) -> None:
    real, synthetic = frames(path, "real"), frames(path, "synthetic")
    ours, theirs = invoices_per_customer(synthetic), invoices_per_customer(real)
    assert ours.sum() == len(synthetic["Invoice"])  # every invoice finds its customer
    assert synthetic["Invoice"]["CustomerId"].isin(synthetic["Customer"]["CustomerId"]).all()
    assert theirs.min() <= ours.min() and ours.max() <= theirs.max()
    assert ours.mean() == pytest.approx(theirs.mean(), rel=0.1)


@pytest.fixture(scope="module")
def half(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    # the whole database at 0.5, Genre (a root) overridden to 2
    path = write_project(tmp_path_factory.mktemp("half"), {"scale": 0.5}, {"Genre": {"scale": 2}})
    return path, run_project(load_project_config(path), epochs=1, seed=0)


@pytest.fixture(scope="module")
def double(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    path = write_project(tmp_path_factory.mktemp("double"), {"scale": 2, "chunk_rows_above": 100})
    result = (
        build_definitions(path)
        .resolve_job_def(SYNTHESIZE_ALL)
        .execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            asset_selection=[
                asset_key(s, t) for s in ("real", "model", "synthetic") for t in TABLES
            ],
            raise_on_error=False,
        )
    )
    return path, result


def test_half_scale_halves_the_roots_and_a_root_override_wins(half) -> None:
    _, run = half
    assert run.rows["Customer"] == 30  # round(0.5 x 59)
    assert run.rows["Genre"] == 50  # its own scale: 2 x 25
    assert 150 <= run.rows["Invoice"] <= 260  # about 7 per customer, not 412 nor 0.5 x 412


def test_half_scale_keeps_invoices_per_customer(half) -> None:
    assert_children_follow_their_parents(half[0])


def test_the_report_does_not_fail_a_scaled_database_for_its_size(half) -> None:
    _, run = half
    failed = [g for g in run.gates if not g.passed]
    assert failed == [], [f"{g.table}: {g.detail}" for g in failed]
    assert {g.table for g in run.gates} >= set(TABLES)


def test_double_scale_through_dagster_writes_the_big_root_in_blocks(double) -> None:
    path, result = double
    assert result.success
    config = load_project_config(path)
    assert config.generates_in_blocks("Customer", 118)
    synthetic = frames(path, "synthetic")
    assert len(synthetic["Customer"]) == 118
    assert len(synthetic["Genre"]) == 50
    assert synthetic["Customer"]["CustomerId"].is_unique
    checks = [e for e in result.get_asset_check_evaluations() if "foreign" in e.check_name]
    assert checks and all(e.passed for e in checks)


def test_double_scale_keeps_invoices_per_customer(double) -> None:
    assert_children_follow_their_parents(double[0])


def minimal(**extra: object) -> dict:
    return {
        "project": "p",
        "source": {"url": "sqlite:///x.sqlite"},
        "schema": "schema.yaml",
        **extra,
    }


@pytest.mark.parametrize(
    ("value", "said"),
    [(0, "0 < scale <= 100"), (-1, "0 < scale <= 100"), (101, "0 < scale <= 100"),
     (True, "defaults.scale"), ("2", "defaults.scale")],
)  # fmt: skip
def test_a_scale_outside_its_range_or_not_a_number_is_refused_at_load(value, said) -> None:
    with pytest.raises(ConfigError) as caught:
        project_config_from_dict(minimal(defaults={"scale": value}))
    assert "defaults.scale" in str(caught.value)
    assert said in str(caught.value)


def test_scale_on_a_child_table_is_refused_naming_its_parents(tmp_path: Path) -> None:
    path = write_project(tmp_path, {}, {"Invoice": {"scale": 2}})
    with pytest.raises(ConfigError) as caught:
        load_project_config(path).check_against(load_project_config(path).schema)
    assert "tables.Invoice.scale" in str(caught.value)
    assert "Customer" in str(caught.value)


def test_rows_to_generate_scales_configured_rows_and_leaves_children_to_cardinality(
    tmp_path: Path,
) -> None:
    path = write_project(tmp_path, {"scale": 0.1}, {"Customer": {"rows": 1000}})
    config = load_project_config(path)
    assert config.rows_to_generate("Customer", 59) == 100  # 0.1 x its configured rows
    assert config.rows_to_generate("Customer", 59, rows=20) == 2  # a run's rows, scaled
    assert config.rows_to_generate("Genre", 25) == 2  # round(2.5), banker's rounding
    assert config.rows_to_generate("Genre", 0) == 0
    assert config.rows_to_generate("Invoice", 412) is None
