"""Bounds and profiles come from the whole table, and generation never cuts into the data.

The failures this guards against: ``schema infer`` sniffed the first 10,000 rows, so a money
column's ``max`` was a third of the real one and a timestamp column's range its first 13
days; the generator then clipped real-looking values to those bounds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.cli import main
from synthohive_lib.io import open_connector
from synthohive_lib.profile.infer import infer
from synthohive_lib.profile.sample import sample_table
from synthohive_lib.relational.specs import column_spec
from synthohive_lib.schema.model import ColumnType, Schema
from synthohive_lib.schema.validate import validate_data
from synthohive_lib.schema.yaml_io import save_schema
from synthohive_lib.transform import DataTransformer

ROWS = 12_000


def growing_payments() -> pd.DataFrame:
    """Rows in time order; amounts grow, a refund flag and nulls only appear late."""
    rng = np.random.default_rng(0)
    i = np.arange(ROWS)
    amount = (rng.gamma(2.0, 10.0, ROWS) * (1 + 5 * i / ROWS)).round(2)
    paid = pd.Timestamp("2020-01-01") + pd.to_timedelta(i * 2_000, unit="s")
    refunded = np.where(i > 10_000, np.where(rng.random(ROWS) < 0.5, "Y", "N"), "N")
    note = pd.Series(np.where(i > 11_200, None, "ok"), dtype=object)
    return pd.DataFrame(
        {
            "id": i + 1,
            "amount": amount,
            "paid_at": paid.strftime("%Y-%m-%d %H:%M:%S"),
            "refunded": refunded,
            "note": note,
        }
    )


@pytest.fixture(scope="module")
def payments_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, pd.DataFrame]:
    frame = growing_payments()
    path = tmp_path_factory.mktemp("db") / "pay.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE payments (id INTEGER PRIMARY KEY, amount REAL, paid_at TEXT, "
            "refunded TEXT, note TEXT)"
        )
        conn.executemany(
            "INSERT INTO payments VALUES (?, ?, ?, ?, ?)", frame.astype(object).values.tolist()
        )
    conn.close()
    return f"sqlite:///{path}", frame


def test_inferred_bounds_are_the_whole_tables_not_its_first_rows(
    payments_db: tuple[str, pd.DataFrame],
) -> None:
    url, frame = payments_db
    result = infer(url, sample_rows=4_000)
    table = result.schema.table("payments")
    assert table.column("amount").max == pytest.approx(frame["amount"].max())
    assert table.column("amount").min == pytest.approx(frame["amount"].min())
    paid = table.column("paid_at")
    assert paid.datetime_format == "%Y-%m-%d %H:%M:%S"
    assert (paid.min, paid.max) == (frame["paid_at"].iloc[0], frame["paid_at"].iloc[-1])
    assert result.row_counts == {"payments": ROWS}


def test_the_sample_is_drawn_from_across_the_table(payments_db: tuple[str, pd.DataFrame]) -> None:
    url, _ = payments_db
    with open_connector(url) as source:
        sample = sample_table(source, "payments", 4_000)
    assert not sample.complete and sample.rows == ROWS
    assert 3_500 < len(sample.frame) < 4_500
    ids = sample.frame["id"]
    assert ids.min() < 200 and ids.max() > ROWS - 200
    assert (ids > 8_000).mean() > 0.25  # the last third is a third of the sample
    # a flag that only varies late is seen as the boolean it is
    column = infer(url, sample_rows=4_000).schema.table("payments").column("refunded")
    assert (column.type, column.true_value, column.false_value) == (ColumnType.BOOLEAN, "Y", "N")


def test_files_are_sampled_by_a_stream_over_every_chunk(tmp_path: Path) -> None:
    frame = growing_payments()
    frame.to_parquet(tmp_path / "payments.parquet", index=False)
    result = infer(tmp_path, sample_rows=2_000)
    table = result.schema.table("payments")
    assert table.column("amount").max == pytest.approx(frame["amount"].max())
    assert table.column("note").nullable is True  # its nulls are in the last 800 rows only
    assert table.column("amount").nullable is False  # no null anywhere in the file
    assert table.column("refunded").type is ColumnType.BOOLEAN
    assert result.row_counts == {"payments": ROWS}
    with open_connector(tmp_path) as source:
        again = sample_table(source, "payments", 2_000)
        assert (
            again.frame["id"].tolist()
            == sample_table(source, "payments", 2_000).frame["id"].tolist()
        )  # seeded: the same draft every run


def _money_spec(max_: float) -> Schema:
    return Schema.model_validate(
        {
            "tables": [
                {
                    "name": "pay",
                    "columns": [
                        {"name": "amount", "type": "float", "storage": "float", "min": 0.0,
                         "max": max_, "decimals": 2},
                        {"name": "level", "type": "integer", "storage": "integer", "min": 1,
                         "max": 3},
                    ],
                }
            ]
        }
    )  # fmt: skip


def test_generation_never_clips_values_to_a_bound_narrower_than_the_fitted_data() -> None:
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {
            "amount": rng.gamma(2.0, 50.0, 2_000).round(2),
            "level": pd.Series(rng.integers(1, 7, 2_000), dtype="Int64"),
        }
    )
    table = _money_spec(max_=float(real["amount"].max()) / 3).table("pay")
    specs = [column_spec(c) for c in table.columns]
    transformer = DataTransformer(specs, table="pay", discrete_max_values=10).fit(real)
    back = transformer.inverse_transform(transformer.transform(real), rng)
    assert back["amount"].max() == pytest.approx(real["amount"].max(), rel=1e-6)
    assert (back["amount"] > table.column("amount").max).mean() == pytest.approx(
        (real["amount"] > table.column("amount").max).mean()
    )
    assert back["level"].max() == 6  # one-hot levels above the declared max=3 stay as they are
    noise = rng.normal(size=(2_000, transformer.output_dim)).astype(np.float32)
    generated = transformer.inverse_transform(noise, rng)
    assert generated["amount"].min() >= 0.0  # the declared lower bound still holds


def test_validate_source_warns_when_data_exceed_the_declared_bounds(
    payments_db: tuple[str, pd.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, frame = payments_db
    schema = infer(url).schema
    table = schema.table("payments")
    stale = table.model_copy(
        update={
            "columns": [
                c.model_copy(update={"max": 100.0}) if c.name == "amount"
                else c.model_copy(update={"max": "2020-01-13 00:00:00"}) if c.name == "paid_at"
                else c
                for c in table.columns
            ]
        }
    )  # fmt: skip
    schema = schema.model_copy(update={"tables": [stale]})
    report = validate_data(schema, {"payments": frame})
    warned = {w.column: w for w in report.warnings if w.code == "out_of_bounds"}
    assert set(warned) == {"amount", "paid_at"}
    over = int((frame["amount"] > 100.0).sum())
    assert f"{over} value(s) outside the declared range" in warned["amount"].message
    assert "schema infer" in (warned["amount"].fix or "")
    path = save_schema(schema, tmp_path / "schema.yaml")
    assert main(["schema", "validate", str(path), "--source", url]) == 0  # a warning only
    assert "[out_of_bounds]" in capsys.readouterr().out
