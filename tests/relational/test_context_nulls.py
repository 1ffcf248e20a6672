"""Synthetic parents with NULLs condition their children instead of crashing them.

Regression for the gauntlet's ``ModelError: [<child>.<column>] nulls in a column that had
none when the model was fitted``: the child model was trained on the parents that have
children, none of which lacked a value, so a synthetic parent's NULL could not be encoded;
and the message named the child although the column is the parent's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ModelError
from synthohive_lib.models import CTGAN
from synthohive_lib.relational import (
    RelationalSynthesizer,
    TablePlan,
    ctgan_factory,
    generate_table,
    model_request,
    training_frames,
)
from synthohive_lib.relational.modelling import CONTEXT_NULL_SHARE
from synthohive_lib.schema import Schema

FACTORY = ctgan_factory(epochs=1, batch_size=50, seed=0, device="cpu", num_threads=1)


def _col(name, type_, storage="string", nullable=True):
    return {"name": name, "type": type_, "storage": storage, "nullable": nullable}


SCHEMA = Schema.model_validate(
    {
        "name": "retail",
        "tables": [
            {
                "name": "Shop",
                "primary_key": ["ShopId"],
                "columns": [
                    _col("ShopId", "id", "integer", False),
                    _col("Region", "categorical"),
                    _col("Size", "float", "float"),
                    _col("Opened", "datetime", "datetime"),
                    _col("Staff", "integer", "integer", nullable=True),
                ],
            },
            {
                "name": "Sale",
                "primary_key": ["SaleId"],
                "columns": [
                    _col("SaleId", "id", "integer", False),
                    _col("ShopId", "id", "integer", False),
                    _col("Amount", "float", "float"),
                ],
                "foreign_keys": [
                    {"columns": ["ShopId"], "references": "Shop", "referenced_columns": ["ShopId"]}
                ],
            },
        ],
    }
)


def _real() -> dict[str, pd.DataFrame]:
    """200 shops; NULLs only on the 50 shops without sales (so never in the child's context).
    ``Staff`` is nullable in the schema but never NULL in the data."""
    rng = np.random.default_rng(0)
    n = 200
    size = rng.normal(100, 20, n)
    region = rng.choice(["north", "south"], n).astype(object)
    opened = pd.Series(pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"))
    size[150:], region[150:] = np.nan, None
    opened[150:] = pd.NaT
    shops = pd.DataFrame(
        {
            "ShopId": np.arange(1, n + 1),
            "Region": region,
            "Size": size,
            "Opened": opened,
            "Staff": rng.integers(2, 30, n),
        }
    )
    shop_of = rng.integers(1, 151, 600)
    amount = np.where(region[shop_of - 1] == "north", 10.0, 100.0) + rng.normal(0, 1, 600)
    sales = pd.DataFrame({"SaleId": np.arange(1, 601), "ShopId": shop_of, "Amount": amount})
    return {"Shop": shops, "Sale": sales}


def _synthetic_shops(real: pd.DataFrame) -> pd.DataFrame:
    shops = real.copy().assign(ShopId=lambda d: d["ShopId"] + 1000)
    shops.loc[::3, "Size"] = np.nan
    shops.loc[1::3, "Region"] = None
    shops.loc[2::3, "Opened"] = pd.NaT
    shops["Staff"] = shops["Staff"].astype("Int64")
    shops.loc[::4, "Staff"] = pd.NA
    return shops


@pytest.fixture(scope="module")
def fitted() -> tuple[TablePlan, CTGAN, dict[str, pd.DataFrame]]:
    real = _real()
    plan = TablePlan.fit(SCHEMA, "Sale", real)
    data, context = training_frames(plan, real)
    model = FACTORY(model_request(SCHEMA, plan)).fit(data, context)
    return plan, model, real


def test_every_context_column_that_can_be_null_is_null_in_some_training_rows(fitted) -> None:
    plan, _, real = fitted
    assert set(plan.context_nullable) == {"Region", "Size", "Opened", "Staff"}
    _, context = training_frames(plan, real)
    hidden = round(CONTEXT_NULL_SHARE * len(context))
    assert context.isna().sum().to_dict() == dict.fromkeys(plan.context_nullable, hidden)
    again = training_frames(plan, real)[1]  # seeded: the same rows every time
    pd.testing.assert_frame_equal(context, again)


def test_synthetic_parents_with_nulls_condition_their_children(fitted) -> None:
    plan, model, real = fitted
    shops = _synthetic_shops(real["Shop"])
    sales = generate_table(plan, model, {"Shop": shops}, table=SCHEMA.table("Sale"), seed=0)
    assert len(sales) > 0
    assert sales["ShopId"].isin(shops["ShopId"]).all()
    assert sales["Amount"].notna().all()


def test_the_whole_schema_generates_when_synthetic_parents_carry_nulls() -> None:
    synth = RelationalSynthesizer(SCHEMA, FACTORY).fit(_real())
    out = synth.generate(seed=1)
    assert out["Shop"][["Region", "Size"]].isna().any().all()  # parents do carry NULLs
    assert len(out["Sale"]) > 0
    assert out["Sale"]["ShopId"].isin(out["Shop"]["ShopId"]).all()


def test_an_error_while_conditioning_names_the_parent_column(fitted) -> None:
    plan, _, real = fitted
    # a model fitted on context without any NULL (as before null-aware training)
    data, _ = training_frames(plan, real)
    linked = real["Shop"].set_index("ShopId").loc[real["Sale"]["ShopId"], plan.context_columns]
    model = FACTORY(model_request(SCHEMA, plan)).fit(data, linked.reset_index(drop=True))
    context = linked.reset_index(drop=True).head(5).copy()
    context.loc[0, "Region"] = None
    with pytest.raises(ModelError) as err:
        model.sample(context=context, seed=0)
    assert "[Shop.Region]" in str(err.value)
    assert "Sale." not in str(err.value)
