"""Generation on a small shop schema with the key shapes Chinook lacks.

Patterned string keys (``ACC-00042``), UUID keys, a nullable foreign key that drives
generation (orders without an account), a composite primary key that numbers lines within an
order, and a composite foreign key (a shipment points at one order line).
"""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.relational._frames import children_per_parent
from synthohive_lib.relational.generate import RelationalSynthesizer
from synthohive_lib.relational.modelling import ctgan_factory
from synthohive_lib.schema import Schema
from synthohive_lib.schema.validate import validate_data


def _col(name, type_, storage="string", nullable=True):
    return {"name": name, "type": type_, "storage": storage, "nullable": nullable}


SCHEMA = Schema.model_validate({"name": "shop", "tables": [
    {"name": "Account", "primary_key": ["AccountId"], "columns": [
        _col("AccountId", "id", nullable=False), _col("Tier", "categorical"),
        _col("Score", "float", "float")]},
    {"name": "Order", "primary_key": ["OrderNo"], "columns": [
        _col("OrderNo", "id", nullable=False), _col("AccountId", "id"),
        _col("Amount", "float", "float")],
     "foreign_keys": [{"columns": ["AccountId"], "references": "Account",
                       "referenced_columns": ["AccountId"]}]},
    {"name": "OrderLine", "primary_key": ["OrderNo", "LineNo"], "columns": [
        _col("OrderNo", "id", nullable=False), _col("LineNo", "id", "integer", False),
        _col("Qty", "integer", "integer")],
     "foreign_keys": [{"columns": ["OrderNo"], "references": "Order",
                       "referenced_columns": ["OrderNo"]}]},
    {"name": "Shipment", "primary_key": ["ShipmentId"], "columns": [
        _col("ShipmentId", "id", "integer", False), _col("OrderNo", "id"),
        _col("LineNo", "id", "integer"), _col("Carrier", "categorical")],
     "foreign_keys": [{"columns": ["OrderNo", "LineNo"], "references": "OrderLine",
                       "referenced_columns": ["OrderNo", "LineNo"]}]},
]})


def shop_tables(seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 300
    accounts = pd.DataFrame({
        "AccountId": [f"ACC-{i:05d}" for i in range(n)],
        "Tier": rng.choice(["gold", "silver", "bronze"], n, p=[0.3, 0.3, 0.4]),
        "Score": rng.normal(size=n),
    })
    per_account = np.where(accounts["Tier"] == "gold", rng.integers(5, 9, n), rng.integers(0, 3, n))
    owners = np.r_[np.repeat(accounts["AccountId"].to_numpy(), per_account), [None] * 200]
    orders = pd.DataFrame({
        "OrderNo": [str(uuid.UUID(int=int(x), version=4))
                    for x in rng.integers(0, 2**62, len(owners))],
        "AccountId": owners,
        "Amount": rng.gamma(2.0, 50.0, len(owners)).round(2),
    })
    lines = pd.DataFrame({"OrderNo": np.repeat(orders["OrderNo"], rng.integers(1, 4, len(orders)))})
    lines["LineNo"] = lines.groupby("OrderNo").cumcount() + 1
    lines["Qty"] = rng.integers(1, 5, len(lines))
    shipped = lines.sample(frac=0.7, random_state=seed).reset_index(drop=True)
    shipments = pd.DataFrame({
        "ShipmentId": np.arange(1, len(shipped) + 1) * 10,
        "OrderNo": shipped["OrderNo"], "LineNo": shipped["LineNo"],
        "Carrier": rng.choice(["UPS", "DHL"], len(shipped)),
    })
    return {"Account": accounts, "Order": orders.reset_index(drop=True),
            "OrderLine": lines.reset_index(drop=True), "Shipment": shipments}


@pytest.fixture(scope="module")
def real() -> dict[str, pd.DataFrame]:
    return shop_tables()


@pytest.fixture(scope="module")
def synthesizer(real) -> RelationalSynthesizer:
    return RelationalSynthesizer(
        SCHEMA, ctgan_factory(epochs=1, seed=0, device="cpu", num_threads=1)
    ).fit(real)


@pytest.fixture(scope="module")
def output(synthesizer) -> dict[str, pd.DataFrame]:
    return synthesizer.generate(scale=2, seed=0)


def test_the_output_is_a_valid_database(output) -> None:
    report = validate_data(SCHEMA, output, raise_on_error=False)
    assert report.issues == []
    assert {name: len(frame) for name, frame in output.items()}["Account"] == 600


def test_string_keys_keep_their_real_format(output) -> None:
    assert output["Account"]["AccountId"].str.fullmatch(r"ACC-\d{5}").all()
    assert {uuid.UUID(k).version for k in output["Order"]["OrderNo"]} == {4}


def test_orders_without_an_account_keep_their_share(real, output) -> None:
    share = real["Order"]["AccountId"].isna().mean()
    assert output["Order"]["AccountId"].isna().mean() == pytest.approx(share, abs=0.01)


def _orders_by_tier(frames):
    accounts, orders = frames["Account"], frames["Order"]
    counts = children_per_parent(accounts, ["AccountId"], orders, ["AccountId"])
    gold = accounts["Tier"].eq("gold").to_numpy()
    assert gold.any() and (~gold).any()
    return counts[gold], counts[~gold]


def test_orders_per_account_follow_the_synthetic_account_tier(real) -> None:
    """Real: gold accounts have 5-8 orders, the others 0-2. Without marginal matching the
    synthetic accounts follow their own tier exactly."""
    synth = RelationalSynthesizer(
        SCHEMA, ctgan_factory(epochs=1, seed=0, device="cpu", num_threads=1),
        cardinality_params={"match_marginal": False},
    ).fit(real)
    gold, other = _orders_by_tier(synth.generate(scale=2, seed=0, exact_sizes=False))
    assert gold.min() >= 5 and gold.max() <= 8
    assert other.max() <= 2


def test_matched_marginals_keep_the_real_order_counts_and_the_tier_effect(real, synthesizer
                                                                          ) -> None:
    """By default the counts are the real distribution, dealt by tier: gold accounts get
    the large counts as far as the synthetic share of gold accounts allows."""
    frames = synthesizer.generate(scale=2, seed=0, exact_sizes=False)
    gold, other = _orders_by_tier(frames)
    assert np.median(gold) >= 5 and np.median(other) <= 2
    real_counts = children_per_parent(real["Account"], ["AccountId"], real["Order"],
                                      ["AccountId"])
    assert sorted(set(np.r_[gold, other])) <= sorted(set(real_counts))


def test_an_exact_table_size_keeps_the_tier_effect(output) -> None:
    gold, other = _orders_by_tier(output)  # counts rescaled to 2x the real orders
    assert np.median(gold) >= 4 * max(np.median(other), 1)


def test_line_numbers_restart_in_every_order(output) -> None:
    lines = output["OrderLine"]
    first = lines.groupby("OrderNo")["LineNo"].min()
    assert (first == 1).all()
    assert not lines[["OrderNo", "LineNo"]].duplicated().any()


def test_a_composite_reference_points_at_existing_lines_at_most_once(output) -> None:
    shipments, lines = output["Shipment"], output["OrderLine"]
    counts = children_per_parent(lines, ["OrderNo", "LineNo"], shipments, ["OrderNo", "LineNo"])
    assert counts.sum() == len(shipments)
    assert counts.max() == 1
    assert shipments["ShipmentId"].iloc[:3].tolist() == [10, 20, 30]


def test_an_empty_source_table_gives_an_empty_synthetic_table(real) -> None:
    tables = {**real, "Shipment": real["Shipment"].iloc[:0]}
    synth = RelationalSynthesizer(
        SCHEMA, ctgan_factory(epochs=1, seed=0, device="cpu", num_threads=1)
    ).fit(tables)
    out = synth.generate(scale=0.5, seed=1)
    assert len(out["Shipment"]) == 0
    assert list(out["Shipment"].columns) == SCHEMA.table("Shipment").column_names
    assert len(out["OrderLine"]) > 0
