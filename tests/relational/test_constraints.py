"""Declared constraints hold in every synthetic row, on every engine.

The unit tests give :func:`enforce_constraints` rows that break an inequality (the wrong way
round, or tied under ``strict``) or repeat a unique value, and require the repair the module
documents. The engine tests fit a real (tiny) CTGAN on rows where ``opened < closed`` and
``code`` is unique, sample far more rows than one epoch can get right, and require that the
pandas, chunked and Spark paths all return rows that break neither rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.io.store import open_store
from synthohive_lib.profile.infer import infer_schema_from_frames
from synthohive_lib.relational.chunked import write_table_chunked
from synthohive_lib.relational.constraints import enforce_constraints
from synthohive_lib.relational.generate import RelationalSynthesizer
from synthohive_lib.relational.modelling import ctgan_factory
from synthohive_lib.schema.model import (
    Column,
    ColumnType,
    ForeignKey,
    InequalityConstraint,
    Table,
    UniqueConstraint,
)
from synthohive_lib.schema.validate import validate_data

TINY_CTGAN = dict(
    epochs=1, batch_size=100, pac=10, embedding_dim=16, generator_dim=(32,),
    discriminator_dim=(32,), device="cpu", num_threads=1, seed=0, verbose=False,
)  # fmt: skip


def _table(*columns: Column, constraints: list[Any], **kw: Any) -> Table:
    return Table(name="t", columns=list(columns), constraints=constraints, **kw)


def test_a_pair_the_wrong_way_round_is_swapped_and_a_tie_moves_up_one_integer() -> None:
    table = _table(
        Column(name="low", type=ColumnType.INTEGER),
        Column(name="high", type=ColumnType.INTEGER),
        constraints=[InequalityConstraint(low="low", high="high")],
    )
    frame = pd.DataFrame({"low": [1, 9, 4, None], "high": [5, 3, 4, 2]}, dtype="Int64")
    out = enforce_constraints(frame, table)
    assert out["low"].tolist()[:3] == [1, 3, 4] and out["high"].tolist() == [5, 9, 5, 2]
    assert out["low"].isna().tolist() == [False, False, False, True]  # nulls never compared


def test_a_non_strict_inequality_keeps_ties() -> None:
    table = _table(
        Column(name="low", type=ColumnType.FLOAT),
        Column(name="high", type=ColumnType.FLOAT),
        constraints=[InequalityConstraint(low="low", high="high", strict=False)],
    )
    frame = pd.DataFrame({"low": [2.5, 7.25], "high": [2.5, 1.0]})
    out = enforce_constraints(frame, table)
    assert out["low"].tolist() == [2.5, 1.0] and out["high"].tolist() == [2.5, 7.25]


def test_a_tie_moves_by_the_grain_of_floats_and_datetimes() -> None:
    table = _table(
        Column(name="paid", type=ColumnType.FLOAT),
        Column(name="owed", type=ColumnType.FLOAT),
        Column(name="start", type=ColumnType.DATETIME),
        Column(name="end", type=ColumnType.DATETIME, datetime_format="%d %b %Y"),
        constraints=[
            InequalityConstraint(low="paid", high="owed"),
            InequalityConstraint(low="start", high="end"),
        ],
    )
    frame = pd.DataFrame(
        {
            "paid": [10.25, 3.5],
            "owed": [10.25, 8.75],
            "start": pd.to_datetime(["2024-03-01", "2024-05-02"]),
            "end": ["01 Mar 2024", "01 Apr 2024"],
        }
    )
    out = enforce_constraints(frame, table)
    assert out["owed"].tolist() == pytest.approx([10.26, 8.75])
    assert out["end"].tolist() == ["02 Mar 2024", "02 May 2024"]
    assert out["start"].tolist() == list(pd.to_datetime(["2024-03-01", "2024-04-01"]))


def test_a_key_column_never_moves_only_the_other_side_does() -> None:
    table = _table(
        Column(name="id", type=ColumnType.INTEGER),
        Column(name="parent_id", type=ColumnType.INTEGER),
        Column(name="limit", type=ColumnType.INTEGER),
        constraints=[InequalityConstraint(low="parent_id", high="limit")],
        primary_key=["id"],
        foreign_keys=[ForeignKey(columns=["parent_id"], references="p", referenced_columns=["id"])],
    )
    frame = pd.DataFrame({"id": [1, 2], "parent_id": [7, 3], "limit": [2, 10]})
    out = enforce_constraints(frame, table)
    assert out["parent_id"].tolist() == [7, 3] and out["limit"].tolist() == [8, 10]


def test_rows_repeating_a_unique_combination_are_dropped_but_nulls_never_collide() -> None:
    table = _table(
        Column(name="code", type=ColumnType.CATEGORICAL, unique=True),
        Column(name="a", type=ColumnType.INTEGER),
        Column(name="b", type=ColumnType.INTEGER),
        constraints=[UniqueConstraint(columns=["a", "b"])],
    )
    frame = pd.DataFrame(
        {
            "code": ["x", "y", "x", None, None, "z"],
            "a": [1, 1, 2, 3, 3, 1],
            "b": [1, 2, 1, 1, 2, 2],
        }
    )
    out = enforce_constraints(frame, table)
    assert out["code"].tolist() == ["x", "y", None, None]
    assert not out.duplicated(subset=["a", "b"]).any()


def test_repeats_of_a_unique_number_are_spread_by_its_grain_keeping_every_row() -> None:
    table = _table(
        Column(name="code", type=ColumnType.INTEGER, unique=True),
        Column(name="price", type=ColumnType.FLOAT, unique=True),
        Column(name="at", type=ColumnType.DATETIME, unique=True),
        constraints=[],
    )
    frame = pd.DataFrame(
        {
            "code": pd.array([5, 3, 5, None, 5, 9], dtype="Int64"),
            "price": [1.5, 1.5, 2.0, 2.0, 0.5, 1.5],
            "at": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-01"] * 2),
        }
    )
    out = enforce_constraints(frame, table)
    assert len(out) == 6
    assert out["code"].tolist()[:3] == [5, 3, 6] and out["code"].tolist()[4:] == [7, 9]
    assert out["price"].tolist() == [1.5, 1.6, 2.0, 2.1, 0.5, 1.7]
    assert out["at"].is_unique and out["at"].min() == pd.Timestamp("2024-01-01")


# ---------------------------------------------------------------- through the engines
@pytest.fixture(scope="module")
def accounts() -> dict[str, Any]:
    """A fitted root table with ``opened < closed`` and a unique ``code``."""
    rng = np.random.default_rng(0)
    n = 300
    opened = rng.integers(0, 1_000, n)
    frame = pd.DataFrame(
        {
            "account_id": np.arange(1, n + 1),
            "opened": opened,
            "closed": opened + rng.integers(1, 30, n),
            "code": rng.choice(np.arange(10_000, 10_600), n, replace=False),
            "kind": rng.choice(["a", "b"], n),
        }
    )
    schema = infer_schema_from_frames(
        {"accounts": frame}, "bank", primary_keys={"accounts": ["account_id"]}
    )
    table = schema.table("accounts")
    columns = [
        c.model_copy(update={"unique": True, "type": ColumnType.INTEGER}) if c.name == "code" else c
        for c in table.columns
    ]
    table = table.model_copy(
        update={
            "columns": columns,
            "constraints": [InequalityConstraint(low="opened", high="closed")],
        }
    )
    schema = schema.model_copy(update={"tables": [table]})
    synth = RelationalSynthesizer(schema, ctgan_factory(**TINY_CTGAN)).fit({"accounts": frame})
    return {"schema": schema, "table": table, "synth": synth}


def _assert_constraints_hold(frame: pd.DataFrame, accounts: dict[str, Any]) -> None:
    assert len(frame) == 2_000  # a unique number is spread, never dropped
    assert (frame["opened"] < frame["closed"]).all()
    assert frame["code"].is_unique
    issues = validate_data(accounts["schema"], {"accounts": frame}, raise_on_error=False).issues
    assert not [i for i in issues if i.code == "inequality_violation"]


def test_the_untrained_model_breaks_the_rules_before_the_repair(accounts: dict) -> None:
    """The engine tests below would pass vacuously if the model kept the rules by itself."""
    model = accounts["synth"].models_["accounts"]
    raw = model.sample(2_000, seed=1)
    assert (raw["opened"] >= raw["closed"]).any() and raw["code"].duplicated().any()


def test_pandas_generation_keeps_every_constraint(accounts: dict) -> None:
    frame = accounts["synth"].generate(rows={"accounts": 2_000}, seed=1)["accounts"]
    _assert_constraints_hold(frame, accounts)


def test_chunked_generation_keeps_the_inequality_and_uniqueness_within_blocks(
    tmp_path: Path, accounts: dict
) -> None:
    store = open_store(tmp_path, "parquet")
    synth = accounts["synth"]
    write_table_chunked(
        store, "synthetic", synth.plans_["accounts"], synth.models_["accounts"], 2_000, 1,
        table=accounts["table"], block_rows=2_000,
    )  # fmt: skip
    _assert_constraints_hold(store.read("synthetic", "accounts"), accounts)
    write_table_chunked(
        store, "synthetic", synth.plans_["accounts"], synth.models_["accounts"], 2_000, 1,
        table=accounts["table"], block_rows=500,
    )  # fmt: skip
    blocks = store.read("synthetic", "accounts")
    assert (blocks["opened"] < blocks["closed"]).all()
    assert len(blocks) == 2_000
    for start in range(0, len(blocks), 500):
        assert blocks["code"].iloc[start : start + 500].is_unique


@pytest.mark.slow
def test_spark_generation_keeps_every_constraint(
    spark: Any, tmp_path: Path, accounts: dict
) -> None:
    from synthohive_lib.spark import generate_table_spark

    synth = accounts["synth"]
    folder = tmp_path / "model"
    synth.models_["accounts"].save(folder)
    df = generate_table_spark(
        spark, folder, 2_000, 1, plan=synth.plans_["accounts"], table=accounts["table"],
        block_rows=5_000,
    )  # fmt: skip
    _assert_constraints_hold(df.toPandas(), accounts)
