"""A child column that follows a *secondary* parent's column keeps following it.

The shop below sells products in stores: a sale is generated under its store (the context
parent) and its product is dealt afterwards, like Chinook's ``InvoiceLine`` under ``Invoice``
with its ``Track``. The sale's price is the product's list price (97 % of the rows; the rest
got a 10 % discount), and the product's category says nothing about the price. Without
inheritance and numeric groups, a synthetic sale's price is unrelated to its product's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.relational._frames import children_per_parent, locate
from synthohive_lib.relational.affinity import ParentAffinity, deal_slots
from synthohive_lib.relational.generate import RelationalSynthesizer
from synthohive_lib.relational.inherit import equal_values
from synthohive_lib.relational.modelling import ctgan_factory
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema import Schema

from .conftest import rel


def _col(name: str, type_: str, storage: str = "string", nullable: bool = True) -> dict:
    return {"name": name, "type": type_, "storage": storage, "nullable": nullable}


SCHEMA = Schema.model_validate(
    {
        "name": "retail",
        "tables": [
            {
                "name": "Store",
                "primary_key": ["StoreId"],
                "columns": [_col("StoreId", "id", "integer", False), _col("Region", "categorical")],
            },
            {
                "name": "Product",
                "primary_key": ["ProductId"],
                "columns": [
                    _col("ProductId", "id", "integer", False),
                    _col("Category", "categorical"),
                    _col("Price", "float", "float"),
                    _col("Weight", "float", "float"),
                ],
            },
            {
                "name": "Sale",
                "primary_key": ["SaleId"],
                "columns": [
                    _col("SaleId", "id", "integer", False),
                    _col("StoreId", "id", "integer"),
                    _col("ProductId", "id", "integer"),
                    _col("Price", "float", "float"),
                    _col("Units", "integer", "integer"),
                ],
                "foreign_keys": [
                    {
                        "columns": ["StoreId"],
                        "references": "Store",
                        "referenced_columns": ["StoreId"],
                    },
                    {
                        "columns": ["ProductId"],
                        "references": "Product",
                        "referenced_columns": ["ProductId"],
                    },
                ],
            },
        ],
    }
)
REAL_MATCH = 0.97
SALE_PRODUCT = rel("Product", "Sale", "ProductId")


def retail_tables(seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    stores = pd.DataFrame(
        {"StoreId": np.arange(1, 41), "Region": rng.choice(["north", "south"], 40)}
    )
    products = pd.DataFrame(
        {
            "ProductId": np.arange(1, 201),
            "Category": rng.choice(["toys", "food", "books", "tools"], 200),
            "Price": rng.choice([5.0, 20.0, 50.0], 200, p=[0.5, 0.3, 0.2]),
            "Weight": rng.gamma(2.0, 1.0, 200).round(2),
        }
    )
    n = 1500
    product = rng.integers(0, 200, n)
    price = products["Price"].to_numpy()[product]
    discounted = rng.random(n) >= REAL_MATCH
    sales = pd.DataFrame(
        {
            "SaleId": np.arange(1, n + 1),
            "StoreId": rng.integers(1, 41, n),
            "ProductId": products["ProductId"].to_numpy()[product],
            "Price": np.where(discounted, price * 0.9, price),
            "Units": rng.integers(1, 4, n),
        }
    )
    return {"Store": stores, "Product": products, "Sale": sales}


def price_agreement(sales: pd.DataFrame, products: pd.DataFrame) -> tuple[float, float]:
    """(share of sales priced as their product, Pearson correlation of the two prices)."""
    pos = locate(products, ["ProductId"], sales, ["ProductId"])
    linked = pos >= 0
    own = sales["Price"][linked].reset_index(drop=True)
    theirs = products["Price"].iloc[pos[linked]].reset_index(drop=True)
    return float(equal_values(own, theirs).mean()), float(np.corrcoef(own, theirs)[0, 1])


@pytest.fixture(scope="module")
def real() -> dict[str, pd.DataFrame]:
    return retail_tables()


@pytest.fixture(scope="module")
def synthesizer(real) -> RelationalSynthesizer:
    factory = ctgan_factory(epochs=1, seed=0, device="cpu", num_threads=1)
    return RelationalSynthesizer(SCHEMA, factory, context_parents={"Sale": "Store"}).fit(real)


def test_the_real_data_shows_the_dependence(real) -> None:
    share, corr = price_agreement(real["Sale"], real["Product"])
    assert share == pytest.approx(REAL_MATCH, abs=0.02) and corr > 0.95


def test_a_copied_parent_column_is_recorded_with_its_real_match_rate(synthesizer, real) -> None:
    (inherited,) = synthesizer.plans_["Sale"].inherited
    assert (inherited.relation.parent, inherited.column, inherited.parent_column) == (
        "Product",
        "Price",
        "Price",
    )
    assert inherited.match_rate == pytest.approx(price_agreement(real["Sale"], real["Product"])[0])


def test_columns_that_rarely_agree_are_not_inherited(real) -> None:
    sales = real["Sale"].copy()
    sales["Price"] = np.where(np.arange(len(sales)) % 10 == 0, 1.0, sales["Price"])  # 90 %
    plan = TablePlan.fit(SCHEMA, "Sale", {**real, "Sale": sales}, context_parent="Store")
    assert plan.inherited == []


def test_synthetic_sales_carry_their_synthetic_products_price(synthesizer) -> None:
    out = synthesizer.generate(seed=0)
    share, corr = price_agreement(out["Sale"], out["Product"])
    assert share == pytest.approx(REAL_MATCH, abs=0.02)  # the real mismatch rate is kept
    assert corr > 0.9


def test_the_affinity_groups_products_by_the_price_the_sale_explains(synthesizer) -> None:
    """Category is the parent's label but says nothing about a sale; the few-valued price
    does, so it defines the groups."""
    (affinity,) = synthesizer.plans_["Sale"].affinities
    assert affinity is not None and affinity.group_column == "Price" and affinity.numeric
    assert affinity.values_ == [5.0, 20.0, 50.0]


def test_numeric_groups_deal_children_to_parents_of_their_price(real) -> None:
    """Without any copy: real sales dealt back to real products with the real counts land on
    a product of their own list price far more often than at random (~38 %)."""
    sales, products = real["Sale"], real["Product"]
    counts = children_per_parent(products, ["ProductId"], sales, ["ProductId"])
    affinity = ParentAffinity("Price", numeric=True, exclude=("SaleId", "StoreId", "ProductId"))
    affinity.fit(sales, products, SALE_PRODUCT)
    rng = np.random.default_rng(0)
    positions = deal_slots(counts, affinity.group_of(products), affinity.probabilities(sales), rng)
    assert np.bincount(positions, minlength=len(products)).tolist() == counts.tolist()
    list_price = np.where(np.isclose(sales["Price"] % 1, 0), sales["Price"], sales["Price"] / 0.9)
    assert (products["Price"].to_numpy()[positions] == list_price).mean() > 0.9


def test_numeric_groups_take_the_nearest_real_value(real) -> None:
    affinity = ParentAffinity("Price", numeric=True, exclude=("SaleId", "StoreId", "ProductId"))
    affinity.fit(real["Sale"], real["Product"], SALE_PRODUCT)
    groups = affinity.group_of(pd.DataFrame({"Price": [4.9999, 19.0, 80.0, 0.0, None]}))
    assert groups.tolist() == [0, 1, 2, 0, 3]  # 3: the "other" group (missing)


def test_the_same_seed_gives_the_same_sales(synthesizer) -> None:
    pd.testing.assert_frame_equal(
        synthesizer.generate(seed=3)["Sale"], synthesizer.generate(seed=3)["Sale"]
    )


def test_inherited_columns_and_numeric_groups_survive_save_and_load(synthesizer, tmp_path) -> None:
    synthesizer.save(tmp_path)
    again = RelationalSynthesizer.load(tmp_path, SCHEMA)
    assert again.plans_["Sale"].to_dict() == synthesizer.plans_["Sale"].to_dict()
    pd.testing.assert_frame_equal(
        again.generate(seed=1)["Sale"], synthesizer.generate(seed=1)["Sale"]
    )


def test_plans_saved_before_inherited_columns_still_load(synthesizer) -> None:
    data = synthesizer.plans_["Sale"].to_dict()
    del data["inherited"]
    for affinity in data["affinities"]:
        affinity["params"].pop("numeric")
        affinity.pop("values")
        affinity["group_column"] = "Category"  # an old plan grouped by the label
        affinity["groups"] = ["toys", "food", "books", "tools"]
    plan = TablePlan.from_dict(data)
    assert plan.inherited == []
    assert not plan.affinities[0].numeric
    groups = plan.affinities[0].group_of(pd.DataFrame({"Category": ["food", "cars"]}))
    assert groups.tolist() == [1, 4]
