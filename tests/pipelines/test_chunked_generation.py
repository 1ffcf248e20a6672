"""The pandas engine writes a big table without parents block by block (``chunk_rows_above``).

One in-process run on a Chinook subset whose threshold is lowered to 50 rows: Customer (59
rows, its foreign key to Employee removed so that it is a root with PII and a CTGAN) is above
it and goes through ``write_table_chunked``; Genre (25 rows) stays below it and is generated
in memory; Invoice (a child of Customer) is never chunked and must find its synthetic
customers in the store.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from synthohive_lib.config import ProjectConfig, load_project_config
from synthohive_lib.io.store import StoredTable, open_store
from synthohive_lib.privacy import pii_filler, real_pii_forms
from synthohive_lib.project import OutputLayout
from synthohive_lib.relational import generate_table, load_table_artifact
from synthohive_lib.relational.chunked import iter_table_blocks, write_table_chunked
from synthohive_pipelines.assets import (
    PREVIEW_ROWS,
    REPORT_KEY,
    SYNTHETIC,
    asset_key,
    preview_markdown,
)
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import SYNTHESIZE_ALL

from .conftest import CHINOOK

TABLES = ["Customer", "Invoice", "Genre"]
THRESHOLD = 50  # Customer has 59 real rows, Genre 25
SAMPLE_ROWS = 40  # validation.sample_rows: Customer (59) and Invoice (412) are scored on samples


def write_project(folder: Path) -> Path:
    """Chinook's Customer (as a root: SupportRepId a plain category), Invoice and Genre."""
    doc = yaml.safe_load((CHINOOK / "schema.yaml").read_text())
    doc["tables"] = {name: t for name, t in doc["tables"].items() if name in TABLES}
    customer = doc["tables"]["Customer"]
    customer.pop("foreign_keys")
    customer["columns"]["SupportRepId"] = {"type": "categorical", "storage": "integer"}
    customer["columns"]["State"]["type"] = "categorical"
    (folder / "schema.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    shutil.copy(CHINOOK / "chinook.sqlite", folder / "chinook.sqlite")
    config = {
        "project": "chinook_chunked",
        "source": {"url": "sqlite:///chinook.sqlite"},
        "schema": "schema.yaml",
        "output": {"root": "out"},
        "execution": {"executor": "in_process"},
        "defaults": {
            "epochs": 1,
            "batch_size": 500,
            "device": "cpu",
            "chunk_rows_above": THRESHOLD,
            # smoke-level gates: one epoch is not about fidelity
            "fidelity_threshold": 0.0,
            "max_exact_copy_rate": 1.0,
        },
        "validation": {"sample_rows": SAMPLE_ROWS},
    }
    path = folder / "synthohive.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def selection(*stages: str) -> list[dg.AssetKey]:
    return [asset_key(stage, t) for stage in stages for t in TABLES]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    path = write_project(tmp_path_factory.mktemp("chunked"))
    result = (
        build_definitions(path)
        .resolve_job_def(SYNTHESIZE_ALL)
        .execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            asset_selection=selection("real", "model", "synthetic"),
            raise_on_error=False,
        )
    )
    return path, result


@dataclass
class Generator:
    """What the synthetic stage hands the library for root table ``name``: the fitted plan and
    model, the PII filler and the real PII forms to avoid; both paths, called directly."""

    config: ProjectConfig
    name: str

    def __post_init__(self) -> None:
        store = open_store(self.config.output_root())
        artifact = load_table_artifact(self.config.output_root() / "model" / self.name)
        self.plan, self.model = artifact.plan, artifact.model
        self.avoid = real_pii_forms({self.name: store.read("real", self.name)}, self.config.schema)
        self.fill = None
        if artifact.pii is not None:
            self.fill = pii_filler(self.config.schema, {self.name: artifact.pii}, avoid=self.avoid)
        self.table = self.config.schema.table(self.name)

    def chunked(self, root: Path, rows: int, seed: int) -> tuple[StoredTable, pd.DataFrame]:
        store = open_store(root)
        stored = write_table_chunked(
            store, "synthetic", self.plan, self.model, rows, seed,
            table=self.table, fill_pii=self.fill, avoid=self.avoid,
        )  # fmt: skip
        return stored, store.read("synthetic", self.name)

    def first_block(self, rows: int, seed: int) -> pd.DataFrame:
        blocks = iter_table_blocks(
            self.plan, self.model, rows, seed,
            table=self.table, fill_pii=self.fill, avoid=self.avoid,
        )  # fmt: skip
        return next(blocks)

    def one_shot(self, root: Path, rows: int | None, seed: int) -> pd.DataFrame:
        """``generate_table``'s frame as the store gives it back (nulls and dtypes as stored)."""
        frame = generate_table(
            self.plan, self.model, {}, table=self.table, rows=rows, seed=seed,
            fill_pii=self.fill, avoid=self.avoid,
        )  # fmt: skip
        store = open_store(root)
        store.write("synthetic", self.name, frame)
        return store.read("synthetic", self.name)


def test_the_config_sends_only_the_big_root_through_blocks(
    run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    path, result = run
    assert result.success
    config = load_project_config(path)
    assert config.generates_in_blocks("Customer", 59)
    assert not config.generates_in_blocks("Genre", 25)
    assert not config.generates_in_blocks("Invoice", 10**9)  # a child: never


def test_the_chunked_table_equals_write_table_chunked_with_the_same_seed(
    run: tuple[Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    path, _ = run
    config = load_project_config(path)
    store = open_store(config.output_root())
    generator = Generator(config, "Customer")
    expected, expected_frame = generator.chunked(tmp_path / "direct", 59, seed=0)
    customers = store.read("synthetic", "Customer")
    assert store.info("synthetic", "Customer").fingerprint == expected.fingerprint
    pd.testing.assert_frame_equal(customers, expected_frame)
    assert len(customers) == 59 and customers["CustomerId"].is_unique
    real = store.read("real", "Customer")
    assert customers["Email"].notna().all()  # PII filled in the blocks ...
    assert not set(customers["Email"]) & set(real["Email"])  # ... never with a real value
    # and not the one-shot table: the run really went through the blocks
    assert not customers.equals(generator.one_shot(tmp_path / "one_shot", None, seed=0))


def test_a_table_at_or_below_the_threshold_is_generated_in_memory(
    run: tuple[Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    path, _ = run
    config = load_project_config(path)
    genres = open_store(config.output_root()).read("synthetic", "Genre")
    expected = Generator(config, "Genre").one_shot(tmp_path / "one_shot", None, seed=0)
    pd.testing.assert_frame_equal(genres, expected)


def test_children_of_the_chunked_table_resolve_their_foreign_keys(
    run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    path, result = run
    store = open_store(load_project_config(path).output_root())
    invoices = store.read("synthetic", "Invoice")
    customers = store.read("synthetic", "Customer")
    assert len(invoices) > 0
    assert set(invoices["CustomerId"].dropna()) <= set(customers["CustomerId"])
    checks = {
        (e.asset_key.path[1], e.check_name): e.passed for e in result.get_asset_check_evaluations()
    }
    assert checks[("Invoice", "referential_integrity")]
    assert checks[("Customer", "key_unique")] and checks[("Customer", "no_pii_leak")]


def test_metadata_has_the_shape_of_the_in_memory_path(
    run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    path, result = run
    config = load_project_config(path)
    store = open_store(config.output_root())
    (chunked,) = result.asset_materializations_for_node("synthetic__Customer")
    (in_memory,) = result.asset_materializations_for_node("synthetic__Genre")
    assert set(chunked.metadata) == set(in_memory.metadata)
    meta = {k: v.value for k, v in chunked.metadata.items()}
    stored = store.info("synthetic", "Customer")
    assert meta["dagster/row_count"] == 59 == stored.rows
    assert meta["fingerprint"] == stored.fingerprint and meta["path"] == stored.uri
    assert meta["format"] == "parquet" and meta["seconds"] > 0
    # the first rows as generated (like the in-memory path's frame), PII masked
    first = Generator(config, "Customer").first_block(59, seed=0).head(PREVIEW_ROWS)
    assert meta["preview"] == preview_markdown(first, config.schema.table("Customer"))
    assert "&lt;email&gt;" in meta["preview"]  # escaped: the UI shows <email>
    assert (
        first["CustomerId"].tolist()
        == store.read("synthetic", "Customer")["CustomerId"].head(PREVIEW_ROWS).tolist()
    )


def test_the_requested_rows_decide_the_path(
    run: tuple[Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    """``rows`` of the run config is the size compared with the threshold: 40 customers
    (at most 50) come from the in-memory path, 120 from the blocks."""
    path, _ = run
    folder = tmp_path / "copy"
    shutil.copytree(path.parent, folder)
    config = load_project_config(folder / path.name)
    defs = build_definitions(folder / path.name)
    store = open_store(config.output_root())
    generator = Generator(config, "Customer")
    for rows in (40, 120):
        result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            asset_selection=[asset_key(SYNTHETIC.name, "Customer")],
            run_config={"ops": {"synthetic__Customer": {"config": {"rows": rows, "seed": 3}}}},
        )
        assert result.success
        customers = store.read("synthetic", "Customer")
        assert len(customers) == rows
        if rows > THRESHOLD:
            _, expected = generator.chunked(tmp_path / "direct", rows, seed=3)
            pd.testing.assert_frame_equal(customers, expected)
        else:
            expected = generator.one_shot(tmp_path / "one_shot", rows, seed=3)
            pd.testing.assert_frame_equal(customers, expected)


def test_validation_scores_a_sample_of_a_big_table_and_judges_every_row(
    run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    """Above ``validation.sample_rows`` the validation assets and the report score a uniform
    sample and never read the synthetic table whole, while keys, foreign keys, copies and
    leaks are judged on every row, so they agree with the blocking checks."""
    path, first = run
    config = load_project_config(path)
    store = open_store(config.output_root())
    result = (
        build_definitions(path)
        .resolve_job_def(SYNTHESIZE_ALL)
        .execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            asset_selection=[*selection("validation"), REPORT_KEY],
            raise_on_error=False,
        )
    )
    assert result.success
    (customer,) = result.asset_materializations_for_node("validation__Customer")
    meta = {k: v.value for k, v in customer.metadata.items()}
    assert (meta["rows_synthetic"], meta["rows_scored"]) == (59, SAMPLE_ROWS)
    (genre,) = result.asset_materializations_for_node("validation__Genre")
    assert genre.metadata["rows_scored"].value == genre.metadata["rows_synthetic"].value == 25
    report = json.loads(OutputLayout.at(config.output_root()).report_json.read_text())
    rows = {t["table"]: t["rows"] for t in report["tables"]}
    invoices = store.row_count("synthetic", "Invoice")
    assert rows["Invoice"] == {"real": rows["Invoice"]["real"], "synthetic": invoices,
                               "synthetic_scored": SAMPLE_ROWS}  # fmt: skip
    assert rows["Genre"]["synthetic_scored"] == rows["Genre"]["synthetic"] == 25
    (relation,) = report["relations"]
    integrity = relation["referential_integrity"]
    assert integrity["checked_rows"] + integrity["null_fk_rows"] == invoices  # every row
    assert integrity["orphan_rows"] == 0
    gates = {(g["table"], g["gate"]): g["passed"] for g in report["verdict"]["gates"]}
    checks = {
        (e.asset_key.path[1], e.check_name): e.passed for e in first.get_asset_check_evaluations()
    }
    judged = [
        ("Invoice", "referential_integrity"),
        ("Customer", "key_unique"),
        ("Customer", "no_pii_leak"),
        ("Customer", "privacy_gate"),
    ]
    assert {g: gates[g] for g in judged} == {g: checks[g] for g in judged}
