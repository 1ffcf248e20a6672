"""PII never enters the model: strip, plan (no values), fill, and the Chinook leakage proof."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from faker import Faker

from synthohive_lib.errors import PrivacyError
from synthohive_lib.privacy import (
    PiiPlan,
    check_context_columns,
    fill_pii,
    model_columns,
    pii_filler,
    real_pii_forms,
    scan_for_leaks,
    split_pii,
    strip_pii,
)
from synthohive_lib.privacy.normalise import code_form
from synthohive_lib.schema.model import Column, PiiKind, PiiOptions, Schema, Table
from synthohive_lib.validation import exact_copy_rate


def _synthesise(schema, real, *, scale: int = 1, seed: int = 1, schema_for=None):
    """strip → (stand-in model: resample the model columns) → fill, per people table."""
    avoid = real_pii_forms(real, schema)
    out = {}
    for name, frame in real.items():
        table = (schema_for or schema).table(name)
        plan = PiiPlan.fit(frame, table)
        model_frame = strip_pii(frame, table)
        rng = np.random.default_rng(seed)
        sample = model_frame.sample(len(frame) * scale, replace=scale > 1, random_state=rng)
        out[name] = fill_pii(sample.reset_index(drop=True), table, plan, seed=seed, avoid=avoid)
    return out


def test_strip_removes_every_pii_column(chinook_schema, chinook_real) -> None:
    table = chinook_schema.table("Customer")
    model, pii = split_pii(chinook_real["Customer"], table)
    assert not set(model.columns) & {c.name for c in table.pii_columns}
    assert set(pii.columns) == {c.name for c in table.pii_columns}
    assert list(model.columns) == model_columns(table)


def test_chinook_strip_fill_leaks_no_real_pii(chinook_schema, chinook_real) -> None:
    synthetic = _synthesise(chinook_schema, chinook_real)
    report = scan_for_leaks(chinook_real, synthetic, chinook_schema)
    assert report.ok, report.leaks
    assert report.real_values > 500 and report.columns_scanned >= 30
    assert sorted(report.tables) == ["Customer", "Employee", "Invoice"]
    for name, frame in synthetic.items():  # no synthetic row repeats a real row's PII
        pii = [c.name for c in chinook_schema.table(name).replaced_pii_columns]
        assert exact_copy_rate(chinook_real[name], frame, pii) == 0.0
    for name, frame in synthetic.items():
        assert list(frame.columns) == chinook_schema.table(name).column_names


def test_fill_keeps_null_rate_format_and_repeats(chinook_schema, chinook_real) -> None:
    table = chinook_schema.table("Customer")
    real = chinook_real["Customer"]
    synthetic = _synthesise(chinook_schema, {"Customer": real}, scale=10)["Customer"]
    for col in ("Company", "Fax", "Email"):
        assert synthetic[col].isna().mean() == pytest.approx(real[col].isna().mean(), abs=0.01)
    assert synthetic["Email"].str.match(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$").all()
    real_shapes = set(real["Phone"].dropna().str.replace(r"\d", "9", regex=True))
    assert set(synthetic["Phone"].dropna().str.replace(r"\d", "9", regex=True)) <= real_shapes
    invoice = _synthesise(chinook_schema, {"Invoice": chinook_real["Invoice"]})["Invoice"]
    ratio = invoice["BillingAddress"].nunique() / len(invoice)
    real_ratio = chinook_real["Invoice"]["BillingAddress"].nunique() / len(invoice)
    assert ratio == pytest.approx(real_ratio, abs=0.02)  # addresses repeat like the real ones
    assert table.column("Email").pii is PiiKind.EMAIL


def test_unique_columns_stay_unique_at_ten_times_scale(chinook_schema, chinook_real) -> None:
    customer = chinook_schema.table("Customer")
    cols = [
        c.model_copy(update={"unique": True}) if c.name in ("Email", "FirstName") else c
        for c in customer.columns
    ]
    schema = Schema(name="s", tables=[customer.model_copy(update={"columns": cols})])
    real = {"Customer": chinook_real["Customer"]}
    out = _synthesise(schema, real, scale=10, schema_for=schema)["Customer"]
    assert len(out) == 590
    assert out["Email"].is_unique and out["FirstName"].is_unique
    assert out["Phone"].dropna().is_unique  # unique in the real data: stays unique
    assert scan_for_leaks(real, {"Customer": out}, schema).ok


def _with_locale(table: Table, columns: tuple[str, ...], source: str) -> Table:
    cols = [
        c.model_copy(update={"pii_options": PiiOptions(locale_from=source)})
        if c.name in columns
        else c
        for c in table.columns
    ]
    return table.model_copy(update={"columns": cols})


def test_fake_locale_follows_the_country_column(chinook_schema, chinook_real) -> None:
    table = _with_locale(
        chinook_schema.table("Customer"), ("FirstName", "LastName", "Phone", "PostalCode"),
        "Country",
    )  # fmt: skip
    real = chinook_real["Customer"]
    plan = PiiPlan.fit(real, table)
    rows = pd.DataFrame({"Country": ["Germany"] * 40 + ["USA"] * 40})
    frame = strip_pii(real, table).iloc[:0].reindex(range(80))
    frame["Country"] = rows["Country"]
    out = fill_pii(frame, table, plan, seed=5)
    german = out[out["Country"] == "Germany"]
    us = out[out["Country"] == "USA"]
    from faker.providers.person.de_DE import Provider as DePerson

    de_first = {n.lower() for n in DePerson.first_names}
    assert german["FirstName"].str.lower().isin(de_first).mean() > 0.95
    assert code_form(german["Phone"].dropna()).str.match(r"^(49|0)").all()  # +49 ... or 0...
    assert german["PostalCode"].dropna().str.fullmatch(r"\d{5}").all()
    assert not code_form(us["Phone"].dropna()).str.match(r"^49").all()
    # the same seed through Faker's own de_DE provider gives the same kind of value
    reference = Faker("de_DE")
    reference.seed_instance(0)
    assert len(reference.postcode()) == len(german["PostalCode"].iloc[0])


def test_fill_is_deterministic_per_seed(chinook_schema, chinook_real) -> None:
    first = _synthesise(chinook_schema, chinook_real, seed=11)["Customer"]
    again = _synthesise(chinook_schema, chinook_real, seed=11)["Customer"]
    other = _synthesise(chinook_schema, chinook_real, seed=12)["Customer"]
    pd.testing.assert_frame_equal(first, again)
    assert not first["Email"].equals(other["Email"])


def test_plan_is_json_without_real_values(chinook_schema, chinook_real, tmp_path) -> None:
    for name, frame in chinook_real.items():
        table = chinook_schema.table(name)
        plan = PiiPlan.fit(frame, table)
        text = plan.to_json()
        for col in plan.columns:
            values = frame[col].dropna().astype(str)
            for value in values[values.str.len() >= 4].unique():
                assert value not in text, (name, col)
        path = plan.save(tmp_path / f"{name}.pii.json")
        assert PiiPlan.load(path) == plan
        first = next(iter(plan.columns))
        assert 0.0 <= json.loads(text)["columns"][first]["null_rate"] <= 1.0
        assert "KEY" not in text.upper()


def test_pii_context_column_is_refused(chinook_schema) -> None:
    check_context_columns(chinook_schema, "Customer", ["Country", "State"])
    with pytest.raises(PrivacyError) as err:
        check_context_columns(chinook_schema, "Customer", ["Country", "City"])
    assert err.value.table == "Customer" and err.value.column == "City"


def test_fill_needs_the_locale_column_and_a_fitted_plan(chinook_schema, chinook_real) -> None:
    table = _with_locale(chinook_schema.table("Customer"), ("FirstName",), "Country")
    plan = PiiPlan.fit(chinook_real["Customer"], table)
    with pytest.raises(PrivacyError, match="Country"):
        fill_pii(pd.DataFrame(index=range(3)), table, plan, n=3)
    empty = PiiPlan(table="Customer")
    with pytest.raises(PrivacyError) as err:
        fill_pii(strip_pii(chinook_real["Customer"], table), table, empty)
    assert err.value.table == "Customer"


def test_pii_filler_matches_the_relational_hook(chinook_schema, chinook_real) -> None:
    employee = chinook_schema.table("Employee")
    plans = {"Employee": PiiPlan.fit(chinook_real["Employee"], employee)}
    fill = pii_filler(chinook_schema, plans, avoid=real_pii_forms(chinook_real, chinook_schema))
    frame = strip_pii(chinook_real["Employee"], employee)
    for col in (c.name for c in employee.pii_columns):
        frame[col] = None
    out = fill(employee, frame, np.random.default_rng(0))
    assert out[[c.name for c in employee.pii_columns]].notna().all().all()
    assert out["BirthDate"].str.match(r"^\d{4}-\d{2}-\d{2} 00:00:00$").all()
    years = pd.to_datetime(out["BirthDate"]).dt.year
    assert years.between(1947, 1973).all()


def test_hash_and_mask_actions_on_synthetic_rows(chinook_real) -> None:
    from synthohive_lib.errors import MissingHashKeyError
    from synthohive_lib.schema.model import PiiAction

    from .conftest import HASH_ENV

    table = Table(
        name="Customer",
        columns=[
            Column(name="CustomerId", type="id"),
            Column(name="Email", type="text", pii=PiiKind.EMAIL, pii_action=PiiAction.HASH),
            Column(name="Phone", type="text", pii=PiiKind.PHONE, pii_action=PiiAction.MASK),
            Column(name="Fax", type="text", pii=PiiKind.PHONE, pii_action=PiiAction.DROP),
        ],
        primary_key=["CustomerId"],
    )
    real = chinook_real["Customer"][["CustomerId", "Email", "Phone", "Fax"]]
    plan = PiiPlan.fit(real, table)
    synthetic = pd.DataFrame({"CustomerId": range(1, 21)})
    out = fill_pii(synthetic, table, plan, env=HASH_ENV)
    assert list(out.columns) == ["CustomerId", "Email", "Phone"]
    assert out["Email"].str.fullmatch(r"[0-9a-f]{64}").all() and out["Email"].is_unique
    assert out["Phone"].str.fullmatch(r"[+#()\s\-./]+").all()
    with pytest.raises(MissingHashKeyError):
        fill_pii(synthetic, table, plan, env={})
