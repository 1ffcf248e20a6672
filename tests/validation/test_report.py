"""The schema report: scores, ordering, JSON, self-contained HTML, and the schema adapter."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import SchemaValidationError
from synthohive_lib.io import open_connector
from synthohive_lib.project.report import build_report_from_frames
from synthohive_lib.schema import PiiAction, Schema, load_schema
from synthohive_lib.validation import (
    Relation,
    describe_schema,
    relation_quality,
    schema_report,
    table_quality,
)
from synthohive_lib.validation.html import render_html

REPO = Path(__file__).resolve().parents[2]
CHINOOK = REPO / "examples" / "chinook"


def _shop(seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame(
        {
            "cid": np.arange(50),
            "tier": rng.choice(["gold", "basic"], 50),
            "age": rng.integers(18, 80, 50),
        }
    )
    orders = pd.DataFrame(
        {
            "oid": np.arange(300),
            "cid": rng.integers(0, 50, 300),
            "total": rng.gamma(2.0, 20.0, 300).round(2),
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, 300), "D"),
        }
    )
    return {"customers": customers, "orders": orders}


RELATIONS = [Relation("customers", "orders", ("cid",), ("cid",))]
KEYS = {"customers": ["cid"], "orders": ["oid"]}


def test_identical_schema_scores_one_everywhere() -> None:
    real = _shop()
    report = schema_report(real, real, RELATIONS, primary_keys=KEYS, privacy=False)
    assert report.score == pytest.approx(1.0)
    assert report.validity_score == 1.0
    assert report.relations[0].integrity.orphan_rows == 0
    assert report.tables["orders"].kinds["cid"] == "id"  # FK columns are keys, not numbers


def test_tables_and_columns_are_listed_worst_first() -> None:
    real = _shop()
    synthetic = dict(real)
    synthetic["orders"] = real["orders"].assign(total=real["orders"]["total"] * 3)
    report = schema_report(real, synthetic, RELATIONS, primary_keys=KEYS, privacy=False)
    assert [t.table for t in report.tables_worst_first()] == ["orders", "customers"]
    assert next(iter(report.tables["orders"].column_scores())) == "total"
    data = json.loads(report.to_json())
    assert [t["table"] for t in data["tables"]] == ["orders", "customers"]
    assert data["tables"][0]["column_shapes"][0]["column"] == "total"


def test_json_is_strict_and_nan_becomes_null() -> None:
    real = {"t": pd.DataFrame({"only": [1.0, 2.0]})}  # one column: pair trends undefined
    data = json.loads(schema_report(real, real, privacy=False).to_json())
    assert data["tables"][0]["pair_trends_score"] is None
    assert data["tables"][0]["score"] == 1.0


def test_orphans_lower_validity_not_fidelity() -> None:
    real = _shop()
    synthetic = dict(real, orders=real["orders"].assign(cid=real["orders"]["cid"] + 25))
    report = schema_report(real, synthetic, RELATIONS, primary_keys=KEYS, privacy=False)
    ri = report.relations[0].integrity
    assert ri.orphan_rows == int((real["orders"]["cid"] >= 25).sum())
    assert report.validity_score < 1.0


def test_html_is_self_contained_and_escaped() -> None:
    real = _shop()
    html = render_html(schema_report(real, real, RELATIONS, primary_keys=KEYS, title="<b>x</b>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    for forbidden in ("<script", "<link", " src=", "@import", "url("):
        assert forbidden not in html
    assert html.count("<svg") >= 5
    assert 'id="overall-score"' in html


def test_missing_synthetic_column_or_table_is_an_error_not_a_skip() -> None:
    real = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    with pytest.raises(SchemaValidationError) as info:
        table_quality(real, real[["a"]], table="t")
    assert info.value.codes() == {"missing_synthetic_column"}
    assert "t.b" in str(info.value)
    with pytest.raises(SchemaValidationError, match="missing_synthetic_table"):
        schema_report({"t": real, "u": real}, {"t": real})


def test_describe_schema_reads_a_duck_typed_schema() -> None:
    col = SimpleNamespace
    schema = SimpleNamespace(
        tables=[
            SimpleNamespace(
                name="p", columns=[col(name="id", type="id")], primary_key=["id"], foreign_keys=[]
            ),
            SimpleNamespace(
                name="c",
                columns=[col(name="pid", type="id"), col(name="v", type="float")],
                primary_key=[],
                foreign_keys=[
                    SimpleNamespace(columns=["pid"], references="p", referenced_columns=["id"])
                ],
            ),
        ]
    )
    desc = describe_schema(schema)
    assert desc.relations == [Relation("p", "c", ("pid",), ("id",))]
    assert desc.kinds["c"] == {"pid": "id", "v": "numerical"}
    assert desc.primary_keys == {"p": ("id",)}


def test_build_report_from_frames_with_the_chinook_schema() -> None:
    schema = load_schema(CHINOOK / "schema.yaml")
    with open_connector(CHINOOK / "chinook.sqlite") as db:
        real = {t.name: db.read_table(t.name, t) for t in schema.tables}
    report = build_report_from_frames(real, real, schema, privacy=False)
    assert report.score == pytest.approx(1.0)
    assert report.validity_score == 1.0
    assert len(report.relations) == len([fk for t in schema.tables for fk in t.foreign_keys])
    assert report.tables["Invoice"].kinds["InvoiceDate"] == "datetime"
    assert all(r.integrity.score == 1.0 for r in report.relations)


def test_relation_quality_on_its_own_for_per_relation_checks() -> None:
    real = _shop()
    synthetic = dict(real, orders=real["orders"].assign(cid=real["orders"]["cid"] + 25))
    rq = relation_quality(real, synthetic, RELATIONS[0])
    assert rq.integrity.orphan_rows == int((real["orders"]["cid"] >= 25).sum())
    assert {(t.column_a, t.column_b) for t in rq.trends} >= {("parent.tier", "child.total")}
    assert rq.to_dict()["name"] == "orders(cid) -> customers(cid)"


def test_kept_personal_data_is_scored_but_never_shown_in_the_report() -> None:
    schema = load_schema(CHINOOK / "schema.yaml")
    invoice_table = schema.table("Invoice")
    assert invoice_table.column("BillingAddress").pii is not None  # categorical and PII
    with open_connector(CHINOOK / "chinook.sqlite") as db:
        invoice = db.read_table("Invoice", invoice_table, parse_dates=True)
    pii = ("BillingAddress", "BillingCity", "BillingPostalCode")
    kept = invoice_table.model_copy(update={"foreign_keys": [], "columns": [
        c.model_copy(update={"pii_action": PiiAction.KEEP}) if c.name in pii else c
        for c in invoice_table.columns]})  # fmt: skip
    subset = schema.model_copy(update={"tables": [kept]})
    report = build_report_from_frames(
        {"Invoice": invoice}, {"Invoice": invoice}, subset, privacy=False
    )
    shapes = {c.column: c.score for c in report.tables["Invoice"].column_shapes}
    # kept PII is model input: scored like any column
    assert shapes["BillingAddress"] == 1.0 and shapes["BillingCity"] == 1.0
    assert report.tables["Invoice"].not_scored == {}
    page, data = render_html(report), report.to_json()
    for column in ("BillingAddress", "BillingCity", "BillingPostalCode"):
        top = invoice[column].value_counts().index[0]
        assert top not in page and json.dumps(top)[1:-1] not in data, column
    labels = report.tables["Invoice"].distributions["BillingAddress"].labels
    assert labels[:2] == ["value 1", "value 2"]
    # a categorical column that is not personal data keeps its real labels
    country = invoice["BillingCountry"].value_counts().index[0]
    assert (
        country in page
        and country in report.tables["Invoice"].distributions["BillingCountry"].labels
    )


def test_text_dates_are_parsed_with_the_schema_format_not_guessed() -> None:
    days = pd.date_range("2024-01-05", "2024-02-25", periods=40)
    frame = pd.DataFrame({"id": range(40), "day": list(days.strftime("%d/%m/%Y"))})
    schema = Schema.model_validate(
        {
            "tables": [
                {
                    "name": "t",
                    "primary_key": ["id"],
                    "columns": [
                        {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                        {
                            "name": "day",
                            "type": "datetime",
                            "storage": "string",
                            "datetime_format": "%d/%m/%Y",
                        },
                    ],
                }
            ]
        }
    )
    shifted = frame.assign(day=list((days + pd.Timedelta(days=30)).strftime("%d/%m/%Y")))
    report = build_report_from_frames({"t": frame}, {"t": shifted}, schema, privacy=False)
    (shape,) = report.tables["t"].column_shapes
    # 30 of the 51 days moved out of the real range: a KS gap of about 30/51, not a guess
    assert shape.score == pytest.approx(1 - 30 / 51, abs=0.05)
    assert frame["day"].iloc[0] == "05/01/2024"  # the caller's frames are not modified
