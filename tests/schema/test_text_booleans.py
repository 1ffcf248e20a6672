"""Booleans stored as text keep their spelling from the source to the synthetic rows.

The crash this guards against: ``'Y'/'N'`` text inferred as ``boolean`` and refused by the
model step (``ModelError: [T.active] 95 value(s) never seen when fitting, e.g. 'N'``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ModelError
from synthohive_lib.io import open_connector
from synthohive_lib.profile.infer import infer, infer_from_frames
from synthohive_lib.relational import RelationalSynthesizer, ctgan_factory
from synthohive_lib.relational.specs import column_spec
from synthohive_lib.schema.model import ColumnType
from synthohive_lib.schema.yaml_io import dump_schema, loads_schema
from synthohive_lib.transform import DataTransformer

FACTORY = ctgan_factory(epochs=1, batch_size=100, seed=0, device="cpu", num_threads=1)


def flags(true: str, false: str, n: int = 200) -> pd.Series:
    rng = np.random.default_rng(0)
    values = np.where(rng.random(n) < 0.5, true, false).astype(object)
    values[::17] = None
    return pd.Series(values, name="active")


def sqlite_with_flags(tmp_path: Path, true: str = "Y", false: str = "N") -> str:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "id": np.arange(1, 201),
            "active": flags(true, false),
            "amount": rng.gamma(2.0, 50.0, 200).round(2),
        }
    )
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE T (id INTEGER PRIMARY KEY, active TEXT, amount REAL)")
        conn.executemany("INSERT INTO T VALUES (?, ?, ?)", frame.astype(object).values.tolist())
    conn.close()
    return f"sqlite:///{path}"


@pytest.mark.parametrize(
    ("true", "false"),
    [("Y", "N"), ("yes", "no"), ("T", "F"), ("1", "0"), ("TRUE", "FALSE"), ("Yes", "No")],
)
def test_text_booleans_are_inferred_with_their_stored_spellings(true: str, false: str) -> None:
    frame = pd.DataFrame({"active": flags(true, false)})
    column = infer_from_frames({"t": frame}).schema.table("t").column("active")
    assert column.type is ColumnType.BOOLEAN
    assert (column.true_value, column.false_value) == (true, false)


def test_the_vocabulary_survives_schema_yaml_even_where_yaml_would_read_a_number() -> None:
    frame = pd.DataFrame({"active": flags("1", "0"), "ok": flags("true", "false")})
    schema = infer_from_frames({"t": frame}).schema
    text = dump_schema(schema)
    again = loads_schema(text).table("t")
    assert (again.column("active").true_value, again.column("active").false_value) == ("1", "0")
    assert (again.column("ok").true_value, again.column("ok").false_value) == ("true", "false")


def test_an_unquoted_yaml_boolean_spelling_is_refused_with_the_quoting_fix() -> None:
    text = (
        "tables:\n  t:\n    columns:\n"
        "      ok: {type: boolean, true_value: true, false_value: false}\n"
    )
    with pytest.raises(Exception, match="in quotes"):
        loads_schema(text)


def test_one_flag_in_several_spellings_is_categorical() -> None:
    frame = pd.DataFrame({"active": pd.Series(["Y", "y", "N", "n", "Y"] * 20)})
    column = infer_from_frames({"t": frame}).schema.table("t").column("active")
    assert column.type is ColumnType.CATEGORICAL


@pytest.mark.parametrize(("true", "false"), [("Y", "N"), ("yes", "no"), ("1", "0")])
def test_the_transformer_writes_text_booleans_back_exactly(true: str, false: str) -> None:
    frame = pd.DataFrame({"active": flags(true, false)})
    column = infer_from_frames({"t": frame}).schema.table("t").column("active")
    transformer = DataTransformer([column_spec(column)], table="t").fit(frame)
    back = transformer.inverse_transform(transformer.transform(frame), np.random.default_rng(0))
    assert back["active"].tolist() == frame["active"].tolist()


def test_a_boolean_declared_without_vocabulary_learns_the_spellings_it_was_fitted_on() -> None:
    frame = pd.DataFrame({"active": flags("Y", "N")})
    schema = loads_schema("tables:\n  t:\n    columns:\n      active: {type: boolean}\n")
    spec = column_spec(schema.table("t").column("active"))
    transformer = DataTransformer([spec], table="t").fit(frame)
    back = transformer.inverse_transform(transformer.transform(frame), np.random.default_rng(0))
    assert back["active"].tolist() == frame["active"].tolist()


def test_a_value_outside_the_declared_vocabulary_is_a_model_error_naming_the_column() -> None:
    frame = pd.DataFrame({"active": pd.Series(["Y", "N", "maybe"] * 10)})
    schema = loads_schema(
        "tables:\n  T:\n    columns:\n"
        "      active: {type: boolean, true_value: 'Y', false_value: 'N'}\n"
    )
    spec = column_spec(schema.table("T").column("active"))
    with pytest.raises(ModelError, match="outside the boolean vocabulary") as err:
        DataTransformer([spec], table="T").fit(frame)
    assert (err.value.table, err.value.column) == ("T", "active")
    assert "categorical" in (err.value.fix or "")


def test_y_n_flags_go_from_the_source_through_the_model_to_synthetic_y_n(tmp_path: Path) -> None:
    url = sqlite_with_flags(tmp_path)
    schema = infer(url).schema
    column = schema.table("T").column("active")
    assert (column.type, column.true_value, column.false_value) == (ColumnType.BOOLEAN, "Y", "N")
    with open_connector(url) as source:
        real = {"T": source.read_table("T", table=schema.table("T"))}
    synthetic = RelationalSynthesizer(schema, FACTORY).fit(real).generate(seed=0)
    values = synthetic["T"]["active"]
    assert set(values.dropna()) == {"Y", "N"}
    assert values.isna().any()  # the real nulls are learnt too
    out = tmp_path / "out.sqlite"
    with open_connector(f"sqlite:///{out}") as sink:
        sink.write_schema(schema, synthetic)
    with sqlite3.connect(out) as conn:
        stored = {r[0] for r in conn.execute("SELECT DISTINCT active FROM T")}
    conn.close()
    assert stored == {"Y", "N", None}
