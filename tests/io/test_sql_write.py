"""Writing a whole schema into SQLite, PostgreSQL and MariaDB: keys enforced, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io import open_connector
from synthohive_lib.io.sql import SqlConnector
from synthohive_lib.schema.model import Schema

FramesFactory = Callable[[], dict[str, pd.DataFrame]]


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


def test_written_schema_reads_back_identically(
    empty_db_url: str, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    frames = make_frames()
    with open_connector(empty_db_url) as db:
        db.write_schema(shop_schema, frames)
        assert db.list_tables() == sorted(shop_schema.table_names)
        for table in shop_schema.tables:
            back = _sorted(db.read_table(table.name, table), table.primary_key)
            expected = _sorted(frames[table.name], table.primary_key)
            pd.testing.assert_frame_equal(back, expected, check_dtype=False)
            assert db.row_count(table.name) == len(expected)
        sales = db.read_table("Sale", shop_schema.table("Sale"))
        assert sales["quantity"].dtype == "Int64"
        assert sales["sold_at"].dtype == "datetime64[ns]"
        assert sales["sold_at"].iloc[0] == pd.Timestamp("2023-01-01 10:00:00.123456")
        employees = db.read_table("Employee", shop_schema.table("Employee"))
        assert employees["active"].dtype == "boolean"
        assert employees["hired"].dtype == object  # text dates stay text


def _insert_fails(db: SqlConnector, table: str, row: dict[str, object]) -> None:
    """The database itself refuses ``row`` (a duplicate key or an orphan)."""
    sa_table = db.reflect(table)
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa_table.insert(), [row])


def test_the_database_enforces_the_declared_keys(
    empty_db_url: str, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    with open_connector(empty_db_url) as db:
        db.write_schema(shop_schema, make_frames())
        # duplicate single and composite primary keys
        _insert_fails(db, "Product", {"product_id": 10, "label": "dup", "price": 1})
        _insert_fails(db, "Store", {"region_code": "N", "store_no": 1})
        # orphans: plain FK, self-reference, composite FK
        _insert_fails(db, "Store", {"region_code": "X", "store_no": 9})
        _insert_fails(db, "Employee", {"emp_id": 50, "manager_id": 999})
        _insert_fails(db, "Sale", {"sale_id": 900, "region_code": "S", "store_no": 2})
        assert db.row_count("Sale") == 3


def test_a_failing_write_leaves_no_table_behind(
    empty_db_url: str, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    frames = make_frames()
    frames["Sale"].loc[2, "sale_id"] = 100  # duplicate PK in the last table loaded
    with open_connector(empty_db_url) as db:
        with pytest.raises(ConnectorError, match="Sale") as info:
            db.write_schema(shop_schema, frames)
        assert "nothing was written" in str(info.value)
        assert db.list_tables() == []


def test_replace_swaps_the_data_and_a_failed_replace_keeps_the_old(
    empty_db_url: str, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    with open_connector(empty_db_url) as db:
        db.write_schema(shop_schema, make_frames())
        with pytest.raises(ConnectorError, match="already exist"):
            db.write_schema(shop_schema, make_frames())

        smaller = make_frames()
        smaller["Sale"] = smaller["Sale"].iloc[:1]
        db.write_schema(shop_schema, smaller, if_exists="replace")
        assert db.row_count("Sale") == 1

        broken = make_frames()
        broken["Sale"].loc[2, "sale_id"] = 100
        with pytest.raises(ConnectorError):
            db.write_schema(shop_schema, broken, if_exists="replace")
        assert db.row_count("Sale") == 1
        assert db.list_tables() == sorted(shop_schema.table_names)
        _insert_fails(db, "Employee", {"emp_id": 50, "manager_id": 999})  # keys still enforced


def test_rows_referencing_each_other_in_a_cycle_are_inserted(
    tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    frames = make_frames()
    frames["Employee"]["manager_id"] = pd.array([4, None, 1, 3], dtype="Int64")  # 3 <-> 4
    with open_connector(f"sqlite:///{tmp_path / 'c.sqlite'}") as db:
        db.write_schema(shop_schema, frames)
        back = db.read_table("Employee").set_index("emp_id")["manager_id"]
        assert back.loc[3] == 4 and back.loc[4] == 3 and back.loc[2] == 1
        assert pd.isna(back.loc[1])


def test_frames_that_do_not_match_the_schema_are_refused_before_writing(
    tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    frames = make_frames()
    frames["Sale"] = frames["Sale"].drop(columns=["amount"])
    path = tmp_path / "m.sqlite"
    with open_connector(f"sqlite:///{path}") as db, pytest.raises(ConnectorError, match="amount"):
        db.write_schema(shop_schema, frames)
    del frames["Sale"]
    with open_connector(f"sqlite:///{path}") as db, pytest.raises(ConnectorError, match="Sale"):
        db.write_schema(shop_schema, frames)


def test_chunked_reads_stream_on_every_backend(
    empty_db_url: str, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    with open_connector(empty_db_url) as db:
        db.write_schema(shop_schema, make_frames())
        chunks = list(db.iter_table("Employee", shop_schema.table("Employee"), chunksize=3))
        assert [len(c) for c in chunks] == [3, 1]
        assert pd.concat(chunks)["emp_id"].tolist() == [1, 2, 3, 4]  # primary-key order


def test_declared_decimals_are_what_is_stored(
    empty_db_url: str, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    frames = make_frames()
    frames["Product"]["price"] = [2.504, 10.987]
    with open_connector(empty_db_url) as db:
        db.write_schema(shop_schema, frames)
        prices = db.read_table("Product", shop_schema.table("Product"))["price"]
        assert prices.tolist() == [2.5, 10.99]


@pytest.mark.postgres
def test_timezone_aware_datetimes_come_back_in_utc(fresh_postgres_url: str) -> None:
    schema = Schema.model_validate(
        {
            "tables": [
                {
                    "name": "ev",
                    "columns": [{"name": "at", "type": "datetime", "storage": "datetime"}],
                }
            ]
        }
    )
    at = pd.Series(pd.to_datetime(["2024-05-01 12:00:00+02:00", None], utc=True))
    with open_connector(fresh_postgres_url) as db:
        db.write_schema(schema, {"ev": pd.DataFrame({"at": at})})
        back = db.read_table("ev", schema.table("ev"))["at"]
    assert str(back.dtype) == "datetime64[ns, UTC]"
    assert back.iloc[0] == pd.Timestamp("2024-05-01 10:00:00", tz="UTC")
    assert pd.isna(back.iloc[1])


def test_chinook_copies_whole_into_every_backend(
    empty_db_url: str, chinook_url: str, chinook_schema: Schema
) -> None:
    with open_connector(chinook_url) as src:
        frames = {t.name: src.read_table(t.name, t) for t in chinook_schema.tables}
    with open_connector(empty_db_url) as dst:
        dst.write_schema(chinook_schema, frames)
        for table in chinook_schema.tables:
            assert dst.row_count(table.name) == len(frames[table.name])
        employees = dst.read_table("Employee", chinook_schema.table("Employee"))
        pd.testing.assert_frame_equal(employees, frames["Employee"])
        _insert_fails(dst, "PlaylistTrack", {"PlaylistId": 1, "TrackId": 1})  # composite PK


def test_long_text_keys_and_dates_are_stored_on_every_backend(empty_db_url: str) -> None:
    """A text key longer than the default VARCHAR(255) and DATE values round-trip exactly."""
    schema = Schema.model_validate(
        {
            "tables": [
                {
                    "name": "Doc",
                    "primary_key": ["code"],
                    "columns": [
                        {"name": "code", "type": "id", "storage": "string"},
                        {"name": "day", "type": "datetime", "storage": "date", "nullable": True},
                    ],
                }
            ]
        }
    )
    frame = pd.DataFrame(
        {
            "code": ["k" * 400, "é" * 300, "short"],
            "day": pd.to_datetime(["2024-02-29", None, "1999-12-31"]),
        }
    )
    with open_connector(empty_db_url) as db:
        db.write_schema(schema, {"Doc": frame})
        back = _sorted(db.read_table("Doc", schema.table("Doc")), ["code"])
    pd.testing.assert_frame_equal(back, _sorted(frame, ["code"]), check_dtype=False)


def test_an_integer_key_of_zero_is_stored_as_zero_not_as_a_generated_value(
    empty_db_url: str, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    """MySQL/MariaDB give an AUTO_INCREMENT key a new value for an inserted 0 (then 1
    collides): keys are data, never generated by the database."""
    frames = make_frames()
    product = frames["Product"].copy()
    key = shop_schema.table("Product").primary_key[0]
    product[key] = range(len(product))  # 0, 1, 2, ...
    sales = frames["Sale"]
    frames = {**frames, "Product": product, "Sale": sales.assign(product_id=0)}
    with open_connector(empty_db_url) as db:
        db.write_schema(shop_schema, frames)
        back = db.read_table("Product", shop_schema.table("Product"))
        assert sorted(back[key]) == list(range(len(product)))
