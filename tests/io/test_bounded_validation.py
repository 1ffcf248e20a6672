"""Validation of a synthetic table too big for memory: a sample for the figures, every row for
the rules, and the same verdict as validating the whole table in memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.io.sampling import FrameRows, StoredRows, sample_stored_table
from synthohive_lib.io.store import ParquetStore, open_store
from synthohive_lib.privacy import PiiAllowList
from synthohive_lib.privacy.identifiers import identifier_copies
from synthohive_lib.privacy.leaks import scan_table_for_leaks
from synthohive_lib.project.every_row import (
    copy_check_of,
    identifier_copies_of,
    key_uniqueness_of,
    leak_scan_of,
    referential_integrity_of,
)
from synthohive_lib.project.report import build_report_from_frames, build_stored_report
from synthohive_lib.validation import GateThresholds
from synthohive_lib.validation.privacy import check_copy_rate
from synthohive_lib.validation.relations import Relation
from synthohive_lib.validation.structure import key_uniqueness, referential_integrity
from synthohive_lib.validation.verdict import Verdict
from tests.validation.test_scoring import shop_frames, shop_schema


class ReadRecordingStore(ParquetStore):
    """A real Parquet store that remembers which tables were read whole."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.whole_reads: list[tuple[str, str]] = []

    def read(self, stage: str, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        self.whole_reads.append((stage, table))
        return super().read(stage, table, columns)


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_blocks_read_back_as_the_whole_table_with_its_dtypes(tmp_path: Path, fmt: str) -> None:
    store = open_store(tmp_path, fmt)
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
            "s": list("abcdefg"),
            "t": pd.date_range("2024-01-01", periods=7, freq="D"),
        }
    )
    store.write("synthetic", "t", frame)
    blocks = list(store.blocks("synthetic", "t", rows=3))
    assert [len(b) for b in blocks] == [3, 3, 1]
    pd.testing.assert_frame_equal(
        pd.concat(blocks, ignore_index=True), store.read("synthetic", "t")
    )
    only = next(store.blocks("synthetic", "t", columns=["t", "n"]))
    assert list(only.columns) == ["t", "n"] and str(only["n"].dtype) == "Int64"
    assert store.row_count("synthetic", "t") == 7
    store.write("synthetic", "empty", frame.iloc[:0])
    (empty,) = store.blocks("synthetic", "empty")
    assert empty.empty and list(empty.columns) == ["n", "s", "t"]


def test_a_stored_sample_is_uniform_without_repeats_and_the_seed_fixes_it(
    tmp_path: Path,
) -> None:
    store = open_store(tmp_path)
    store.write("synthetic", "t", pd.DataFrame({"i": np.arange(100_000)}))
    sample = sample_stored_table(store, "synthetic", "t", 10_000, seed=3, block_rows=7_000)
    assert len(sample) == 10_000 and sample["i"].is_unique
    assert sample["i"].is_monotonic_increasing  # stored order kept
    # every tenth of the table holds about a tenth of the sample (binomial sd ~ 30)
    assert np.abs(np.bincount(sample["i"] // 10_000) - 1_000).max() < 150
    again = sample_stored_table(store, "synthetic", "t", 10_000, seed=3, block_rows=7_000)
    other = sample_stored_table(store, "synthetic", "t", 10_000, seed=4, block_rows=7_000)
    assert sample.equals(again) and not sample.equals(other)
    whole = sample_stored_table(store, "synthetic", "t", 200_000)
    assert len(whole) == 100_000


def _broken_orders(real: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The real orders with a repeated key, an orphan and a null foreign key in the last rows
    (the last block), where a check reading only a head or a sample would miss them."""
    order = real["Order"].copy()
    order.loc[order.index[-1], "OrderId"] = order["OrderId"].iloc[-2]
    order.loc[order.index[-3], "Login"] = "nobody@nowhere.example"
    order.loc[order.index[-5], "Login"] = None
    return order


def test_every_row_rules_equal_the_whole_table_checks_over_many_small_blocks(
    tmp_path: Path,
) -> None:
    real, synthetic = shop_frames()
    order = _broken_orders(real)
    store = open_store(tmp_path)
    store.write("synthetic", "Order", order)
    store.write("synthetic", "Customer", synthetic["Customer"])
    orders = StoredRows(store, "synthetic", "Order", block_rows=97)
    customers = StoredRows(store, "synthetic", "Customer", block_rows=50)
    relation = Relation("Customer", "Order", ("Login",), ("Login",))

    assert key_uniqueness_of(orders, ["OrderId"]) == key_uniqueness(order, ["OrderId"])
    found = referential_integrity_of(orders, customers, relation)
    assert found == referential_integrity(order, synthetic["Customer"], ["Login"], ["Login"])
    assert (found.orphan_rows, found.null_fk_rows) == (1, 1)
    assert copy_check_of(real["Order"], orders, ["Total"], 0.05) == check_copy_rate(
        real["Order"][["Total"]], order[["Total"]], 0.05
    )
    # integral floats from nulls still meet their integer keys; text keys meet as text
    as_float = order.assign(OrderId=order["OrderId"].astype("float64"))
    assert key_uniqueness_of(FrameRows(as_float), ["OrderId"]).duplicate_rows == 1


def test_the_leak_and_identifier_scans_in_blocks_find_what_the_whole_scan_finds(
    tmp_path: Path,
) -> None:
    schema = shop_schema()
    real, synthetic = shop_frames()
    leaky = synthetic["Customer"].copy()
    leaky.loc[leaky.index[-2:], "Tier"] = real["Customer"]["Phone"].iloc[:2].to_numpy()
    leaky.loc[leaky.index[-1], "Email"] = "ann@real.example"
    store = open_store(tmp_path)
    store.write("synthetic", "Customer", leaky)
    rows = StoredRows(store, "synthetic", "Customer", block_rows=64)
    allow = PiiAllowList()
    whole = scan_table_for_leaks(real, leaky, schema, "Customer", allow=allow)
    blocks = leak_scan_of(real, rows, schema, "Customer", allow)
    assert whole.leaks and blocks.to_dict() == whole.to_dict()
    columns = ["Tier", "Email"]
    assert identifier_copies_of(real["Customer"], rows, columns) == identifier_copies(
        real["Customer"], leaky, columns
    )


def test_the_report_of_a_large_table_scores_a_sample_and_judges_every_row(
    tmp_path: Path,
) -> None:
    schema = shop_schema()
    real, synthetic = shop_frames()
    synthetic = {**synthetic, "Order": _broken_orders(real)}
    store = ReadRecordingStore(tmp_path)
    for name in ("Customer", "Order"):
        store.write("real", name, real[name])
        store.write("synthetic", name, synthetic[name])
    gates = GateThresholds()
    whole = build_report_from_frames(real, synthetic, schema, gates=gates, privacy=False)
    bounded = build_stored_report(
        store,
        schema,
        ["Customer", "Order"],
        sample_rows=500,
        block_rows=128,
        gates=gates,
        privacy=False,
    )
    assert ("synthetic", "Order") not in store.whole_reads  # 1,200 rows > 500: never whole
    order, customer = bounded.tables["Order"], bounded.tables["Customer"]
    assert (order.n_synthetic, order.scored_rows) == (1_200, 500)
    assert (customer.n_synthetic, customer.scored_rows) == (400, None)
    assert order.primary_key == whole.tables["Order"].primary_key
    assert order.primary_key is not None and order.primary_key.duplicate_rows == 1
    (relation,) = bounded.relations
    assert relation.integrity == whole.relations[0].integrity
    # the family sample: about 500 orders of a uniform third of the customers
    assert relation.cardinality.synthetic_counts.size == round(400 * 500 / 1_200)
    assert relation.cardinality.score > 0.8
    assert abs(order.column_shapes_score - whole.tables["Order"].column_shapes_score) < 0.1
    assert bounded.pii_leak_scan == whole.pii_leak_scan
    assert bounded.verdict is not None and whole.verdict is not None

    def outcomes(verdict: Verdict) -> dict[tuple[str, str], tuple[bool, float | None]]:
        return {
            (g.table, g.gate): (g.passed, g.value)
            for g in verdict.gates
            if "fidelity" not in g.gate
        }

    assert len(outcomes(bounded.verdict)) >= 5
    assert outcomes(bounded.verdict) == outcomes(whole.verdict)
    assert not bounded.verdict.passed  # the planted duplicate and orphan fail their gates
    assert bounded.to_dict()["tables"]
