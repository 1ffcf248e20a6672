"""TableStore.write_chunks: a table streamed chunk by chunk is stored like one written whole,
and a failure before the last chunk leaves nothing new visible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io.store import TableStore, fingerprint, open_store

FORMATS = ["parquet", "delta"]


@pytest.fixture(params=FORMATS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> TableStore:
    return open_store(tmp_path / "out", request.param)


def frame(n: int, start: int = 0) -> pd.DataFrame:
    ids = np.arange(start, start + n, dtype="int64")
    return pd.DataFrame(
        {
            "id": ids,
            "name": [f"name {i}" if i % 7 else None for i in ids],
            "score": np.sin(ids.astype(float)),  # a function of the row, not of the cut
            "count": pd.array([int(i) if i % 5 else None for i in ids], dtype="Int64"),
            "when": pd.Timestamp("2021-01-01") + pd.to_timedelta(ids, unit="D"),
        }
    )


def chunks(n: int, size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, n, size):
        yield frame(min(size, n - start), start)


def leftovers(store: TableStore) -> list[Path]:
    """Hidden temporary or staging files left next to the stored tables."""
    return [p for p in (store.root / "synthetic").iterdir() if p.name.startswith(".")]


def test_chunks_read_back_as_one_table_with_the_whole_table_fingerprint(
    store: TableStore,
) -> None:
    whole = pd.concat(list(chunks(1000, 300)), ignore_index=True)
    stored = store.write_chunks("synthetic", "T", chunks(1000, 300))
    assert stored.rows == 1000
    assert stored.fingerprint == fingerprint(whole)
    assert store.info("synthetic", "T") == stored
    # the same rows written in one piece: same data version, same table read back
    assert store.write("real", "T", whole).fingerprint == stored.fingerprint
    pd.testing.assert_frame_equal(store.read("synthetic", "T"), store.read("real", "T"))
    assert leftovers(store) == []


def test_parquet_chunks_read_back_exactly(tmp_path: Path) -> None:
    store = open_store(tmp_path, "parquet")
    stored = store.write_chunks("synthetic", "T", chunks(1000, 300))
    back = store.read("synthetic", "T")
    pd.testing.assert_frame_equal(back, pd.concat(list(chunks(1000, 300)), ignore_index=True))
    assert fingerprint(back) == stored.fingerprint


def test_fingerprint_does_not_depend_on_how_rows_are_cut(store: TableStore) -> None:
    a = store.write_chunks("synthetic", "A", chunks(900, 100))
    b = store.write_chunks("synthetic", "B", chunks(900, 450))
    assert a.fingerprint == b.fingerprint
    c = store.write_chunks("synthetic", "C", chunks(899, 450))
    assert c.fingerprint != a.fingerprint


def test_each_chunk_is_one_parquet_row_group(tmp_path: Path) -> None:
    store = open_store(tmp_path, "parquet")
    stored = store.write_chunks("synthetic", "T", chunks(1050, 200))
    meta = pq.ParquetFile(stored.path).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sizes == [200, 200, 200, 200, 200, 50]


def test_failure_mid_stream_keeps_the_previous_table(store: TableStore) -> None:
    previous = store.write("synthetic", "T", frame(20))
    before = store.read("synthetic", "T")

    def failing() -> Iterator[pd.DataFrame]:
        yield frame(100)
        yield frame(100, 100)
        raise RuntimeError("block 2 failed")

    with pytest.raises(RuntimeError, match="block 2 failed"):
        store.write_chunks("synthetic", "T", failing())
    assert store.info("synthetic", "T") == previous
    pd.testing.assert_frame_equal(store.read("synthetic", "T"), before)
    assert leftovers(store) == []


def test_failure_on_a_new_table_leaves_no_table(store: TableStore) -> None:
    def failing() -> Iterator[pd.DataFrame]:
        yield frame(100)
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        store.write_chunks("synthetic", "New", failing())
    assert not store.exists("synthetic", "New")
    assert leftovers(store) == []


def test_a_chunk_of_other_types_is_a_clear_error(store: TableStore) -> None:
    bad = frame(10, 10)
    bad["score"] = ["high"] * 10  # text where the first chunk had floats

    with pytest.raises(ConnectorError, match=r"chunk 1 .* column types") as info:
        store.write_chunks("synthetic", "T", iter([frame(10), bad]))
    assert info.value.table == "T"
    assert not store.exists("synthetic", "T")


def test_a_chunk_with_other_columns_is_a_clear_error(store: TableStore) -> None:
    with pytest.raises(ConnectorError, match=r"chunk 1 .* columns") as info:
        store.write_chunks("synthetic", "T", iter([frame(10), frame(10).drop(columns="name")]))
    assert info.value.table == "T"


def test_no_chunks_at_all_is_refused(store: TableStore) -> None:
    with pytest.raises(ConnectorError, match="no chunks"):
        store.write_chunks("synthetic", "T", iter([]))
    assert not store.exists("synthetic", "T")


def test_an_empty_chunk_gives_an_empty_typed_table(store: TableStore) -> None:
    stored = store.write_chunks("synthetic", "T", iter([frame(0)]))
    back = store.read("synthetic", "T")
    assert stored.rows == 0 and len(back) == 0
    assert list(back.columns) == list(frame(0).columns)
