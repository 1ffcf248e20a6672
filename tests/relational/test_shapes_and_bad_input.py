"""Cardinality shapes on a 3-level schema, parent-child attribute dependence, bad input."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from synthohive_lib.errors import SynthoHiveError
from synthohive_lib.relational import RelationalSynthesizer, ctgan_factory
from synthohive_lib.relational._frames import children_per_parent
from synthohive_lib.schema import Schema


def _col(name, type_, storage="string", nullable=True):
    return {"name": name, "type": type_, "storage": storage, "nullable": nullable}


def _fk(column, parent, parent_column=None, on_orphan="raise"):
    return {"columns": [column], "references": parent,
            "referenced_columns": [parent_column or column], "on_orphan": on_orphan}


def three_levels(on_orphan: str = "raise") -> Schema:
    return Schema.model_validate({"name": "levels", "tables": [
        {"name": "Region", "primary_key": ["RegionId"], "columns": [
            _col("RegionId", "id", "integer", False), _col("Kind", "categorical")]},
        {"name": "Store", "primary_key": ["StoreId"], "columns": [
            _col("StoreId", "id", "integer", False), _col("RegionId", "id", "integer"),
            _col("Area", "float", "float")],
         "foreign_keys": [_fk("RegionId", "Region", on_orphan=on_orphan)]},
        {"name": "Sale", "primary_key": ["SaleId"], "columns": [
            _col("SaleId", "id", "integer", False), _col("StoreId", "id", "integer"),
            _col("Amount", "float", "float")],
         "foreign_keys": [_fk("StoreId", "Store", on_orphan=on_orphan)]},
    ]})


def skewed_tables(seed: int = 0) -> dict[str, pd.DataFrame]:
    """Stores per region: 60 % zero, a long tail up to 40; sales per store: zero-inflated
    and heavy-tailed (1 store in 10 sells nothing, a few sell hundreds)."""
    rng = np.random.default_rng(seed)
    n_regions = 400
    regions = pd.DataFrame({"RegionId": np.arange(1, n_regions + 1),
                            "Kind": rng.choice(["urban", "rural"], n_regions, p=[0.3, 0.7])})
    stores_per = np.where(rng.random(n_regions) < 0.6, 0,
                          np.minimum(rng.geometric(0.15, n_regions), 40))
    stores = pd.DataFrame({"RegionId": np.repeat(regions["RegionId"], stores_per).to_numpy()})
    stores["StoreId"] = np.arange(1, len(stores) + 1)
    stores["Area"] = rng.gamma(2.0, 50.0, len(stores)).round(1)
    sales_per = np.where(rng.random(len(stores)) < 0.1, 0,
                         np.minimum(rng.lognormal(1.5, 1.0, len(stores)).astype(int), 300))
    sales = pd.DataFrame({"StoreId": np.repeat(stores["StoreId"], sales_per).to_numpy()})
    sales["SaleId"] = np.arange(1, len(sales) + 1)
    sales["Amount"] = rng.gamma(1.5, 20.0, len(sales)).round(2)
    return {"Region": regions, "Store": stores[["StoreId", "RegionId", "Area"]],
            "Sale": sales[["SaleId", "StoreId", "Amount"]]}


FACTORY = ctgan_factory(epochs=1, batch_size=200, seed=0, device="cpu", num_threads=1)


@pytest.mark.parametrize("scale", [1, 3])
def test_skewed_zero_inflated_counts_survive_three_levels(scale) -> None:
    real = skewed_tables()
    synthetic = RelationalSynthesizer(three_levels(), FACTORY).fit(real).generate(
        scale=scale, seed=4)
    for parent, child, key in (("Region", "Store", "RegionId"), ("Store", "Sale", "StoreId")):
        a = children_per_parent(real[parent], [key], real[child], [key])
        b = children_per_parent(synthetic[parent], [key], synthetic[child], [key])
        assert 1 - ks_2samp(a, b).statistic >= 0.90, (parent, child)
        assert abs((b == 0).mean() - (a == 0).mean()) < 0.05  # the zero inflation
        assert b.max() <= a.max()
        assert synthetic[child][key].isin(synthetic[parent][key]).all()


def test_a_child_attribute_keeps_its_dependence_on_the_parent() -> None:
    schema = Schema.model_validate({"name": "dep", "tables": [
        {"name": "Client", "primary_key": ["ClientId"], "columns": [
            _col("ClientId", "id", "integer", False), _col("Segment", "categorical")]},
        {"name": "Payment", "primary_key": ["PaymentId"], "columns": [
            _col("PaymentId", "id", "integer", False), _col("ClientId", "id", "integer"),
            _col("Amount", "float", "float")],
         "foreign_keys": [_fk("ClientId", "Client")]},
    ]})
    rng = np.random.default_rng(0)
    clients = pd.DataFrame({"ClientId": np.arange(1, 301),
                            "Segment": rng.choice(["retail", "corporate"], 300)})
    payments = pd.DataFrame({"ClientId": np.repeat(clients["ClientId"], 4).to_numpy()})
    corporate = payments["ClientId"].map(clients.set_index("ClientId")["Segment"]) == "corporate"
    payments["Amount"] = np.where(corporate, rng.normal(1000, 50, len(payments)),
                                  rng.normal(100, 10, len(payments))).round(2)
    payments.insert(0, "PaymentId", np.arange(1, len(payments) + 1))
    factory = ctgan_factory(epochs=60, batch_size=100, seed=0, device="cpu", num_threads=1)
    out = RelationalSynthesizer(schema, factory).fit(
        {"Client": clients, "Payment": payments}).generate(seed=1)
    segment = out["Payment"]["ClientId"].map(out["Client"].set_index("ClientId")["Segment"])
    means = out["Payment"].groupby(segment.to_numpy())["Amount"].median()
    assert means["corporate"] > 3 * means["retail"]


def test_a_cycle_between_two_tables_is_a_typed_error() -> None:
    with pytest.raises(SynthoHiveError, match=r"(?i)cycle"):
        schema = Schema.model_validate({"name": "cycle", "tables": [
            {"name": "A", "primary_key": ["AId"], "columns": [
                _col("AId", "id", "integer", False), _col("BId", "id", "integer")],
             "foreign_keys": [_fk("BId", "B")]},
            {"name": "B", "primary_key": ["BId"], "columns": [
                _col("BId", "id", "integer", False), _col("AId", "id", "integer")],
             "foreign_keys": [_fk("AId", "A")]},
        ]})
        frames = {"A": pd.DataFrame({"AId": [1], "BId": [1]}),
                  "B": pd.DataFrame({"BId": [1], "AId": [1]})}
        RelationalSynthesizer(schema).fit(frames)


def test_a_child_of_an_empty_parent_is_refused_or_emptied() -> None:
    real = skewed_tables()
    real["Region"] = real["Region"].iloc[:0]
    with pytest.raises(SynthoHiveError):
        RelationalSynthesizer(three_levels(), FACTORY).fit(real)
    out = RelationalSynthesizer(three_levels("drop"), FACTORY).fit(real).generate(seed=0)
    assert all(len(frame) == 0 for frame in out.values())


def test_a_missing_foreign_key_column_is_a_typed_error() -> None:
    real = skewed_tables()
    real["Sale"] = real["Sale"].drop(columns=["StoreId"])
    with pytest.raises(SynthoHiveError, match="StoreId"):
        RelationalSynthesizer(three_levels(), FACTORY).fit(real)


def test_a_parent_with_ten_thousand_children_is_generated_quickly_and_exactly() -> None:
    schema = Schema.model_validate({"name": "hub", "tables": [
        {"name": "Hub", "primary_key": ["HubId"], "columns": [
            _col("HubId", "id", "integer", False)]},
        {"name": "Spoke", "primary_key": ["SpokeId"], "columns": [
            _col("SpokeId", "id", "integer", False), _col("HubId", "id", "integer")],
         "foreign_keys": [_fk("HubId", "Hub")]},
    ]})
    hubs = pd.DataFrame({"HubId": np.arange(1, 1002)})
    per = np.r_[10_000, np.full(1000, 10)]
    spokes = pd.DataFrame({"SpokeId": np.arange(1, 20_001),
                           "HubId": np.repeat(hubs["HubId"], per).to_numpy()})
    started = time.perf_counter()
    out = RelationalSynthesizer(schema).fit({"Hub": hubs, "Spoke": spokes}).generate(seed=0)
    assert time.perf_counter() - started < 30
    counts = children_per_parent(out["Hub"], ["HubId"], out["Spoke"], ["HubId"])
    assert len(out["Spoke"]) == 20_000 and counts.max() == 10_000
    assert sorted(counts) == sorted(per)
    assert out["Spoke"]["SpokeId"].is_unique
