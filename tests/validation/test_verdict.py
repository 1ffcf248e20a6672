"""The report's judgement: holdout split, gates, privacy verdict, discriminator, staleness."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.validation import (
    GateThresholds,
    Relation,
    TableState,
    TableStatus,
    holdout_mask,
    privacy_tests,
    schema_report,
    split_holdout,
    table_quality,
)
from synthohive_lib.validation.holdout import MIN_HOLDOUT_ROWS
from synthohive_lib.validation.html import render_html
from synthohive_lib.validation.privacy import Privacy
from synthohive_lib.validation.staleness import mark_report_stale
from synthohive_lib.validation.verdict import Verdict, fidelity_gate


def _orders(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "amount": rng.gamma(2.0, 10.0, n),
            "channel": rng.choice(["web", "shop", "phone"], n),
        }
    )


def test_the_holdout_is_a_stable_function_of_the_primary_key() -> None:
    frame = _orders(2000)
    mask = holdout_mask(frame, ["id"], 0.1)
    assert 0.08 < mask.mean() < 0.12
    # same rows in another order, other columns changed: the same rows are held out
    shuffled = frame.sample(frac=1.0, random_state=4).assign(amount=0.0)
    again = holdout_mask(shuffled, ["id"], 0.1)
    assert set(shuffled["id"][again]) == set(frame["id"][mask])
    train, held = split_holdout(frame, ["id"], 0.1)
    assert len(train) + len(held) == len(frame) and not set(train["id"]) & set(held["id"])
    assert not holdout_mask(_orders(MIN_HOLDOUT_ROWS - 1), ["id"], 0.1).any()  # too small
    assert not holdout_mask(frame, ["id"], 0.0).any()
    with pytest.raises(ValueError, match="holdout fraction"):
        holdout_mask(frame, ["id"], 1.0)


def test_fidelity_gate_names_the_number_the_threshold_and_the_columns() -> None:
    real = _orders(500)
    synthetic = real.assign(amount=real["amount"] * 5)
    quality = table_quality(real, synthetic, table="orders", primary_key=["id"], privacy=False)
    gate = fidelity_gate(quality, 0.99)
    assert not gate.passed and gate.columns == ("amount",)
    assert gate.value == pytest.approx(quality.column_scores()["amount"])
    assert gate.threshold == 0.99 and gate.comparison == ">="
    assert gate.describe().startswith("orders fidelity_gate: worst column-shape score 0.")
    assert "(must be >= 0.99)" in gate.describe() and "amount (" in gate.describe()
    assert fidelity_gate(quality, 0.0).passed


def test_verdict_fails_on_a_failed_table_even_when_every_gate_passes() -> None:
    failed = TableStatus("orders", TableState.FAILED, "model/orders", "the step raised an error")
    verdict = Verdict(gates=[], tables={"orders": failed}, run_id="r1")
    assert not verdict.passed
    assert verdict.headline() == "FAILED: orders failed (model/orders)"
    assert verdict.to_dict()["failed_tables"][0]["state"] == "failed"
    assert Verdict(run_id="r1").passed


def test_privacy_tests_pass_fail_and_need_a_holdout() -> None:
    nan = float("nan")
    without = Privacy(0.02, 0.4, 0.1, 0.5, natural_copy_rate=0.0)
    copies, dcr, nndr = privacy_tests(without, copy_limit=0.05)
    assert copies.passed and dcr.passed is None and nndr.passed is None
    memorised = Privacy(0.3, 0.0, 0.0, 0.0, 0.5, 0.2, 0.6, dcr_share=0.9, natural_copy_rate=0.1)
    copies, dcr, nndr = privacy_tests(memorised, copy_limit=0.05)
    assert (copies.passed, dcr.passed, nndr.passed) == (False, False, False)
    fine = Privacy(0.0, 0.5, 0.3, 0.6, 0.5, 0.3, 0.6, dcr_share=0.5, natural_copy_rate=0.0)
    assert all(t.passed for t in privacy_tests(fine, copy_limit=0.05))
    assert privacy_tests(Privacy(0.0, nan, nan, nan), 0.05)[2].passed is None


def test_discriminator_tells_a_shifted_copy_from_a_faithful_one() -> None:
    real = _orders(1500, seed=1)
    faithful = _orders(1500, seed=2)
    shifted = faithful.assign(amount=faithful["amount"] + 40)
    kw = {"table": "orders", "primary_key": ["id"], "privacy": False, "discriminator": True}
    good = table_quality(real, faithful, **kw).discriminator
    bad = table_quality(real, shifted, **kw).discriminator
    assert good is not None and bad is not None
    assert abs(good.auc - 0.5) < 0.1 and good.similarity > 0.8
    assert bad.auc > 0.9 and bad.similarity < 0.2
    assert table_quality(real, faithful, table="orders", privacy=False).discriminator is None


def test_headline_score_leaves_children_per_parent_out_and_names_the_worst_table() -> None:
    parents = pd.DataFrame({"pid": np.arange(100), "size": np.arange(100) % 7})
    children = _orders(600).assign(pid=np.arange(600) % 100)
    bad_children = children.assign(amount=children["amount"] * 9)
    report = schema_report(
        {"p": parents, "c": children},
        {"p": parents, "c": bad_children.assign(pid=0)},  # every child under one parent
        [Relation("p", "c", ("pid",), ("pid",))],
        primary_keys={"p": ["pid"], "c": ["id"]},
        privacy=False,
        discriminator=False,
    )
    (relation,) = report.relations
    assert relation.cardinality.score < 0.2  # children per parent is bad ...
    expected = np.mean(
        [report.tables["p"].score, report.tables["c"].score, relation.intertable_score]
    )
    assert report.score == pytest.approx(expected)  # ... and not in the headline
    assert report.worst_table is report.tables["c"]
    doc = json.loads(report.to_json())
    assert doc["worst_table"]["table"] == "c" and "children per parent" in doc["score_definition"]
    assert doc["verdict"] is None and "<h2>NOT GATED</h2>" in render_html(report)


def test_a_written_report_is_marked_stale_once(tmp_path: Path) -> None:
    report = schema_report({"o": _orders(60)}, {"o": _orders(60, seed=5)}, privacy=False)
    (tmp_path / "report.html").write_text(render_html(report))
    (tmp_path / "report.json").write_text(report.to_json())
    assert mark_report_stale(tmp_path, "synthetic/o was regenerated", "run-2")
    html = (tmp_path / "report.html").read_text()
    assert html.index('id="stale"') < html.index('id="verdict"')  # the very first thing
    assert "STALE" in html and "synthetic/o was regenerated by run run-2" in html
    stale = json.loads((tmp_path / "report.json").read_text())["stale"]
    assert stale["run_id"] == "run-2"
    assert not mark_report_stale(tmp_path, "again", "run-2")  # one banner
    assert not mark_report_stale(tmp_path / "none", "no report", None)


def test_gate_thresholds_read_each_tables_settings() -> None:
    thresholds = GateThresholds(fidelity={"a": 0.9}, copy_limit={"b": 0.5})
    assert thresholds.fidelity_for("a") == 0.9 and thresholds.fidelity_for("b") == 0.8
    assert thresholds.copy_limit_for("b") == 0.5 and thresholds.copy_limit_for("a") == 0.05
