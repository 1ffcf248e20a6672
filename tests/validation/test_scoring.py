"""Which columns are scored: PII the privacy layer replaces is listed, not scored; kept PII is.

The synthetic frames here are what the pipeline writes: every attribute a faithful copy of the
real data, the PII columns filled with fakes that share nothing with the real values. A good
generator must then score as good as it is, whatever the fakes look like.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import SchemaValidationError
from synthohive_lib.project.report import build_report_from_frames
from synthohive_lib.relational.plan import private_columns
from synthohive_lib.schema import Schema, load_schema
from synthohive_lib.validation import (
    describe_schema,
    schema_table_quality,
    scored_columns,
    unscored_columns,
)
from synthohive_lib.validation.html import render_html

CHINOOK = Path(__file__).resolve().parents[2] / "examples" / "chinook"


def shop_schema(email_action: str | None = None, city_action: str | None = "keep") -> Schema:
    """Customer (PII: Email, City, Phone dropped, a PII key) and Order referencing it."""

    def pii(kind: str, action: str | None) -> dict[str, str]:
        return {"pii": kind, **({"pii_action": action} if action else {})}

    return Schema.model_validate({"name": "shop", "tables": [
        {"name": "Customer", "primary_key": ["Login"], "columns": [
            {"name": "Login", "type": "id", "pii": "email"},  # a key: regenerated, never faked
            {"name": "Email", "type": "categorical", **pii("email", email_action)},
            {"name": "City", "type": "categorical", **pii("city", city_action)},
            {"name": "Phone", "type": "text", **pii("phone", "drop")},
            {"name": "Tier", "type": "categorical"},
            {"name": "Age", "type": "integer", "storage": "integer"},
        ]},
        {"name": "Order", "primary_key": ["OrderId"], "columns": [
            {"name": "OrderId", "type": "id", "storage": "integer"},
            {"name": "Login", "type": "id"},
            {"name": "Total", "type": "float", "storage": "float"},
        ], "foreign_keys": [
            {"columns": ["Login"], "references": "Customer", "referenced_columns": ["Login"]},
        ]},
    ]})  # fmt: skip


def shop_frames(seed: int = 0) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """(real, synthetic): synthetic is the real data with every replaced PII column faked."""
    rng = np.random.default_rng(seed)
    n = 400
    logins = [f"user{i}@shop.example" for i in range(n)]
    customer = pd.DataFrame({
        "Login": logins,
        "Email": rng.choice(["ann@real.example", "bob@real.example", "cy@real.example"], n),
        "City": rng.choice(["Lisbon", "Oslo", "Porto"], n, p=[0.6, 0.3, 0.1]),
        "Phone": [f"+351 21 {i:07d}" for i in range(n)],
        "Tier": rng.choice(["gold", "basic"], n),
        "Age": rng.integers(18, 80, n),
    })  # fmt: skip
    order = pd.DataFrame({
        "OrderId": np.arange(3 * n),
        "Login": rng.choice(logins, 3 * n),
        "Total": rng.gamma(2.0, 20.0, 3 * n).round(2),
    })  # fmt: skip
    fake = customer.assign(
        Email=[f"fake{i % 7}@synthetic.example" for i in range(n)],  # 7 fakes vs 3 real values
    ).drop(columns=["Phone"])  # drop: the column is left out of the output
    return {"Customer": customer, "Order": order}, {"Customer": fake, "Order": order}


def test_the_rule_replaced_pii_is_not_scored_kept_pii_and_keys_are() -> None:
    customer = shop_schema(email_action="mask").table("Customer")
    assert unscored_columns(customer) == {"Email": "mask", "Phone": "drop"}
    assert scored_columns(customer) == ["Login", "City", "Tier", "Age"]
    # no action means fake, the privacy layer's default
    assert unscored_columns(shop_schema().table("Customer"))["Email"] == "fake"
    assert unscored_columns(shop_schema(city_action=None).table("Customer"))["City"] == "fake"


def test_the_rule_is_the_one_the_model_side_excludes_by() -> None:
    """Scored = what a model learns (plus keys): on every table of the bundled schema."""
    schema = load_schema(CHINOOK / "schema.yaml")
    for table in schema.tables:
        assert list(unscored_columns(table)) == private_columns(table), table.name
    assert unscored_columns(schema.table("Invoice")) == {
        "BillingAddress": "fake", "BillingCity": "fake", "BillingPostalCode": "fake",
    }  # fmt: skip
    assert describe_schema(schema).not_scored["Invoice"] == unscored_columns(
        schema.table("Invoice")
    )


def test_faked_pii_does_not_pull_the_score_down_and_is_listed() -> None:
    real, synthetic = shop_frames()
    report = build_report_from_frames(real, synthetic, shop_schema(), privacy=False)
    customer = report.tables["Customer"]
    assert customer.score == pytest.approx(1.0)  # every learned column is a faithful copy
    shapes = {c.column for c in customer.column_shapes}
    assert shapes == {"City", "Tier", "Age"}  # City is kept PII: model input, scored
    pairs = {(p.column_a, p.column_b) for p in customer.pair_trends}
    assert not {c for pair in pairs for c in pair} & {"Email", "Phone"}
    assert set(customer.binned.per_column) == {"City", "Tier", "Age"}
    assert "Email" not in customer.kinds and "Email" not in customer.distributions
    data = json.loads(report.to_json())
    (table,) = [t for t in data["tables"] if t["table"] == "Customer"]
    assert table["not_scored"] == [
        {"column": "Email", "action": "fake", "reason": "not scored: PII replaced by fake"},
        {"column": "Phone", "action": "drop", "reason": "not scored: PII replaced by drop"},
    ]
    page = render_html(report)
    assert "Not scored: PII replaced by fake: Email" in page
    assert "Not scored: PII replaced by drop: Phone" in page
    # the parent's replaced column is no intertable pair either
    (relation,) = report.relations
    assert all("Email" not in t.column_a for t in relation.trends)


def test_the_same_fakes_under_keep_are_scored_and_cost_score() -> None:
    """The control: were Email model input, these fakes would be a real fidelity defect."""
    real, synthetic = shop_frames()
    synthetic["Customer"]["Phone"] = real["Customer"]["Phone"]
    report = build_report_from_frames(
        real, synthetic, shop_schema(email_action="keep"), privacy=False
    )
    customer = report.tables["Customer"]
    assert customer.column_scores()["Email"] == 0.0  # no fake equals a real value
    assert customer.score < 0.9
    assert set(customer.not_scored) == {"Phone"}


def test_the_leak_scan_still_covers_not_scored_columns() -> None:
    real, synthetic = shop_frames()
    clean = build_report_from_frames(real, synthetic, shop_schema(), privacy=False)
    assert clean.pii_leak_scan is not None and clean.pii_leak_scan["ok"]
    copied = dict(synthetic)
    copied["Customer"] = synthetic["Customer"].assign(Email=real["Customer"]["Email"])
    leaky = build_report_from_frames(real, copied, shop_schema(), privacy=False)
    # copying the real e-mails into the unscored column changes no score ...
    assert leaky.tables["Customer"].score == clean.tables["Customer"].score
    # ... and the leak scan is what sees it, with masked examples only
    scan = json.loads(leaky.to_json())["pii_leak_scan"]
    assert not scan["ok"]
    assert [(leak["table"], leak["column"]) for leak in scan["leaks"]] == [("Customer", "Email")]
    assert "real.example" not in leaky.to_json() and "real.example" not in render_html(leaky)
    assert "Customer.City" in scan["kept_columns"]  # keep is an explicit, listed opt-out


def test_one_table_check_and_report_agree_and_refuse_a_replaced_target() -> None:
    real, synthetic = shop_frames()
    one = schema_table_quality(
        real["Customer"], synthetic["Customer"], shop_schema(), "Customer", privacy=False
    )
    whole = build_report_from_frames(real, synthetic, shop_schema(), privacy=False)
    assert one.score == whole.tables["Customer"].score
    assert one.not_scored == {"Email": "fake", "Phone": "drop"}
    with pytest.raises(SchemaValidationError, match=r"Customer\.Email") as info:
        schema_table_quality(
            real["Customer"], synthetic["Customer"], shop_schema(), "Customer",
            privacy=False, target="Email",
        )  # fmt: skip
    assert info.value.codes() == {"target_not_scored"}


def test_pipeline_reads_only_scored_columns_and_still_lists_the_rest() -> None:
    """The pipeline's checks read ``scored_columns`` only: the result must be the same."""
    real, synthetic = shop_frames()
    columns = scored_columns(shop_schema().table("Customer"))
    narrow = schema_table_quality(
        real["Customer"][columns], synthetic["Customer"][columns], shop_schema(), "Customer",
        privacy=False,
    )  # fmt: skip
    wide = schema_table_quality(
        real["Customer"], synthetic["Customer"], shop_schema(), "Customer", privacy=False
    )
    assert narrow.score == wide.score
    assert narrow.not_scored == wide.not_scored == {"Email": "fake", "Phone": "drop"}
