"""The table store: atomic Parquet/Delta writes, reads, fingerprints, safe file names."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io.store import (
    DeltaStore,
    ParquetStore,
    TableStore,
    fingerprint,
    open_store,
    safe_name,
)

FORMATS = ["parquet", "delta"]


def frame(n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "id": np.arange(n, dtype="int64"),
            "name": [f"name {i}" if i % 7 else None for i in range(n)],
            "score": rng.normal(size=n),
            "count": pd.array([i if i % 5 else None for i in range(n)], dtype="Int64"),
            "flag": [bool(i % 2) for i in range(n)],
            "when": pd.date_range("2021-01-01", periods=n, freq="D"),
        }
    )


@pytest.fixture(params=FORMATS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> TableStore:
    return open_store(tmp_path / "out", request.param)


def test_open_store_picks_the_class(tmp_path: Path) -> None:
    assert isinstance(open_store(tmp_path, "parquet"), ParquetStore)
    assert isinstance(open_store(tmp_path, "delta"), DeltaStore)
    with pytest.raises(ConnectorError, match="unknown output format 'csv'"):
        open_store(tmp_path, "csv")


def test_write_read_round_trip(store: TableStore) -> None:
    df = frame()
    stored = store.write("real", "Track", df)
    assert stored.rows == len(df)
    assert stored.stage == "real" and stored.table == "Track"
    assert stored.format == store.format
    assert Path(stored.uri).exists()
    assert Path(stored.uri).is_relative_to(store.root / "real")
    back = store.read("real", "Track")
    assert list(back.columns) == list(df.columns)
    assert back["id"].tolist() == df["id"].tolist()
    assert back["name"].tolist() == df["name"].tolist()
    assert back["count"].dtype == "Int64"  # nullable integers survive both formats
    assert back["count"].isna().sum() == df["count"].isna().sum()
    np.testing.assert_allclose(back["score"], df["score"])
    # the stored fingerprint is the one of the DataFrame that was written
    assert store.info("real", "Track") == stored


def test_read_some_columns(store: TableStore) -> None:
    store.write("real", "Track", frame())
    assert list(store.read("real", "Track", columns=["id", "flag"]).columns) == ["id", "flag"]


def test_parquet_read_gives_back_the_same_fingerprint(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    stored = store.write("real", "T", frame())
    assert fingerprint(store.read("real", "T")) == stored.fingerprint


def test_rewrite_replaces_and_leaves_no_temp_files(store: TableStore) -> None:
    store.write("real", "Track", frame(50))
    stored = store.write("real", "Track", frame(10))
    assert stored.rows == 10
    assert len(store.read("real", "Track")) == 10
    assert store.info("real", "Track").rows == 10
    leftovers = [p for p in (store.root / "real").rglob("*.tmp")]
    assert leftovers == []


def test_failed_write_keeps_the_previous_table(store: TableStore) -> None:
    good = store.write("real", "Track", frame(20))
    bad = frame(20)
    bad["name"] = [1, "two"] * 10  # mixed types: Arrow refuses the column
    with pytest.raises(ConnectorError, match="cannot be converted to Arrow") as info:
        store.write("real", "Track", bad)
    assert info.value.table == "Track"
    assert store.info("real", "Track") == good
    assert len(store.read("real", "Track")) == 20


def test_delta_writes_are_transactions_with_history(tmp_path: Path) -> None:
    from deltalake import DeltaTable

    store = DeltaStore(tmp_path)
    store.write("real", "Track", frame(5))
    store.write("real", "Track", frame(8))
    table = DeltaTable(str(store.location("real", "Track")))
    assert table.version() == 1
    assert len(table.history()) == 2
    assert store.info("real", "Track").rows == 8


def test_parquet_file_is_readable_by_others(tmp_path: Path) -> None:
    stored = ParquetStore(tmp_path).write("real", "T", frame(3))
    mode = os.stat(stored.uri).st_mode & 0o777
    assert mode & 0o044  # not the 0600 of a raw temporary file


def test_missing_table_is_a_clear_error(store: TableStore) -> None:
    assert not store.exists("real", "Nope")
    with pytest.raises(ConnectorError, match="materialize the real/Nope asset") as info:
        store.read("real", "Nope")
    assert info.value.table == "Nope"
    with pytest.raises(ConnectorError):
        store.info("real", "Nope")


def test_exists_and_delete(store: TableStore) -> None:
    store.write("synthetic", "A", frame(3))
    assert store.exists("synthetic", "A")
    assert not store.exists("real", "A")  # stages are separate folders
    store.delete("synthetic", "A")
    assert not store.exists("synthetic", "A")
    store.delete("synthetic", "A")  # deleting twice is fine


def test_empty_frame(store: TableStore) -> None:
    df = frame(0)
    stored = store.write("real", "Empty", df)
    assert stored.rows == 0
    back = store.read("real", "Empty")
    assert len(back) == 0 and list(back.columns) == list(df.columns)


def test_only_dataframes_are_stored(store: TableStore) -> None:
    with pytest.raises(ConnectorError, match="expected a pandas DataFrame"):
        store.write("real", "T", {"a": [1]})  # type: ignore[arg-type]


@pytest.mark.parametrize("stage", ["", "Real", "../x", "a/b", "real stage"])
def test_stage_names_are_validated(store: TableStore, stage: str) -> None:
    with pytest.raises(ConnectorError, match="stage name"):
        store.write(stage, "T", frame(2))


# --------------------------------------------------------------------------- fingerprints


def test_fingerprint_is_stable_and_ignores_row_order_and_index() -> None:
    df = frame()
    assert fingerprint(df) == fingerprint(df.copy())
    shuffled = df.sample(frac=1.0, random_state=3)
    assert fingerprint(shuffled) == fingerprint(df)
    assert fingerprint(df.set_axis(range(100, 150))) == fingerprint(df)


def test_fingerprint_changes_with_content_names_and_types() -> None:
    df = frame()
    base = fingerprint(df)
    changed = df.copy()
    changed.loc[3, "score"] += 1e-9
    assert fingerprint(changed) != base
    assert fingerprint(df.rename(columns={"score": "points"})) != base
    assert fingerprint(df.astype({"id": "float64"})) != base
    assert fingerprint(df.iloc[:-1]) != base
    assert fingerprint(pd.concat([df, df.iloc[:1]])) != base  # a duplicated row counts
    assert fingerprint(df[list(reversed(df.columns))]) != base  # column order is layout


def test_fingerprint_handles_object_columns_of_any_values() -> None:
    from decimal import Decimal

    df = pd.DataFrame(
        {"b": [b"\x00\x01", None], "j": [{"a": 1}, [1, 2]], "d": [Decimal("0.99"), None]}
    )
    assert fingerprint(df) == fingerprint(df.copy())
    assert len(fingerprint(df)) == 64
    changed = df.copy()
    changed.loc[0, "d"] = Decimal("0.98")
    assert fingerprint(changed) != fingerprint(df)


def test_unchanged_data_rewritten_keeps_its_fingerprint(store: TableStore) -> None:
    first = store.write("real", "T", frame())
    second = store.write("real", "T", frame().iloc[::-1])
    assert first.fingerprint == second.fingerprint


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("name", ["Track", "invoice_line", "Order-Items", "T1"])
def test_plain_names_are_kept(name: str) -> None:
    assert safe_name(name) == name


def test_odd_names_are_safe_and_distinct(tmp_path: Path) -> None:
    names = [
        "order items",
        "order/items",
        "order\\items",
        "order:items",
        "..",
        "Ünïcode",
        "a" * 300,
        "order_items",
        "ORDER ITEMS",
        "x" + "\x00",
    ]
    safe = [safe_name(n) for n in names]
    assert len(set(safe)) == len(names)
    for s in safe:
        assert "/" not in s and "\\" not in s and not s.startswith(".")
        assert len(s) <= 100
    store = ParquetStore(tmp_path)
    for i, name in enumerate(names):
        store.write("real", name, pd.DataFrame({"i": [i]}))
    for i, name in enumerate(names):
        assert store.read("real", name)["i"].tolist() == [i]
    assert len(list((tmp_path / "real").iterdir())) == len(names)


def test_empty_table_name_is_refused() -> None:
    with pytest.raises(ConnectorError):
        safe_name("")
