"""Reading a SQL database: every table, with the right row counts and the right dtypes."""

from __future__ import annotations

import pandas as pd
import pytest

from synthohive_lib.errors import ConnectorError, MixedTypeColumnError, SourceUnreachableError
from synthohive_lib.io import open_connector
from synthohive_lib.io.sql import SqlConnector
from synthohive_lib.schema.model import Column, Table

CHINOOK_ROWS = {
    "Artist": 275, "Album": 347, "Track": 3503, "Genre": 25, "MediaType": 5, "Playlist": 18,
    "PlaylistTrack": 8715, "Employee": 8, "Customer": 59, "Invoice": 412, "InvoiceLine": 2240,
}


@pytest.fixture
def chinook(chinook_url: str) -> SqlConnector:
    with open_connector(chinook_url) as conn:
        assert isinstance(conn, SqlConnector)
        yield conn


def test_lists_every_chinook_table(chinook: SqlConnector) -> None:
    assert chinook.list_tables() == sorted(CHINOOK_ROWS)


@pytest.mark.parametrize(("name", "rows"), sorted(CHINOOK_ROWS.items()))
def test_reads_every_row_and_counts_them_in_the_database(
    chinook: SqlConnector, name: str, rows: int
) -> None:
    assert chinook.row_count(name) == rows
    assert len(chinook.read_table(name)) == rows


def test_integers_with_nulls_stay_nullable_integers(chinook: SqlConnector) -> None:
    employees = chinook.read_table("Employee")
    assert employees["ReportsTo"].dtype == "Int64"
    assert employees["ReportsTo"].isna().sum() == 1  # the general manager reports to no one
    assert employees["EmployeeId"].dtype == "Int64"


def test_text_nulls_stay_missing_and_reals_are_float64(chinook: SqlConnector) -> None:
    tracks = chinook.read_table("Track")
    assert tracks["Composer"].dtype == object
    assert tracks["Composer"].isna().sum() == 978
    assert tracks["UnitPrice"].dtype == "float64"
    assert tracks["Bytes"].dtype == "Int64"


def test_rows_come_in_primary_key_order(chinook: SqlConnector) -> None:
    ids = chinook.read_table("Track")["TrackId"]
    assert ids.is_monotonic_increasing


def test_text_dates_stay_text_unless_parsing_is_asked(chinook: SqlConnector) -> None:
    schema_table = Table(
        name="Invoice",
        columns=[
            Column(name="InvoiceId", type="id", storage="integer"),
            Column(name="InvoiceDate", type="datetime", storage="string",
                   datetime_format="%Y-%m-%d %H:%M:%S"),
        ],
    )
    as_text = chinook.read_table("Invoice", schema_table, columns=["InvoiceId", "InvoiceDate"])
    assert as_text["InvoiceDate"].dtype == object
    parsed = chinook.read_table(
        "Invoice", schema_table, columns=["InvoiceId", "InvoiceDate"], parse_dates=True
    )
    assert parsed["InvoiceDate"].dtype == "datetime64[ns]"
    assert parsed["InvoiceDate"].iloc[0] == pd.Timestamp(as_text["InvoiceDate"].iloc[0])


def test_schema_storage_overrides_reflected_types(chinook: SqlConnector) -> None:
    schema_table = Table(
        name="InvoiceLine",
        columns=[Column(name="Quantity", type="float", storage="float")],
    )
    frame = chinook.read_table("InvoiceLine", schema_table, columns=["Quantity"])
    assert frame["Quantity"].dtype == "float64"
    reflected = chinook.read_table("InvoiceLine", columns=["Quantity"])["Quantity"]
    assert reflected.dtype == "Int64"  # without the schema: the database's integer type
    assert frame["Quantity"].tolist() == reflected.astype("float64").tolist()


def test_chunked_reads_add_up_to_the_whole_table(chinook: SqlConnector) -> None:
    chunks = list(chinook.iter_table("Track", chunksize=1000))
    assert [len(c) for c in chunks] == [1000, 1000, 1000, 503]
    whole = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(whole, chinook.read_table("Track"))


def test_unknown_table_names_the_available_ones(chinook: SqlConnector) -> None:
    with pytest.raises(ConnectorError) as info:
        chinook.read_table("Tracks")
    assert "'Tracks'" in str(info.value)
    assert "'Track'" in str(info.value)


def test_unknown_column_is_named(chinook: SqlConnector) -> None:
    with pytest.raises(ConnectorError, match=r"'Track' .*no column\(s\) \['Composerz'\]") as info:
        chinook.read_table("Track", columns=["Composerz"])
    assert info.value.table == "Track" and "'Composer'" in str(info.value)  # what exists


def test_missing_sqlite_file_is_unreachable_and_not_created(tmp_path) -> None:
    missing = tmp_path / "nope.sqlite"
    with pytest.raises(SourceUnreachableError, match="does not exist"):
        open_connector(f"sqlite:///{missing}").list_tables()
    assert not missing.exists()


def test_a_sqlite_path_opens_the_database(chinook_sqlite_path) -> None:
    with open_connector(chinook_sqlite_path) as db:
        assert db.kind == "sqlite"
        assert db.row_count("Artist") == 275


def test_text_in_an_integer_column_is_named_with_examples(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "mixed.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (n INTEGER)")
        raw.executemany("INSERT INTO t VALUES (?)", [(1,), ("about 3",), (None,)])
    with open_connector(f"sqlite:///{path}") as db, pytest.raises(MixedTypeColumnError) as info:
        db.read_table("t")
    assert "'about 3'" in str(info.value) and "[t.n]" in str(info.value)


def _sqlite_with(tmp_path, ddl: str, rows: list[tuple[object, ...]]) -> str:
    import sqlite3

    path = tmp_path / "dates.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute(ddl)
        marks = ", ".join("?" for _ in rows[0])
        raw.executemany(f"INSERT INTO t VALUES ({marks})", rows)
    raw.close()
    return f"sqlite:///{path}"


def test_sqlite_date_columns_holding_any_text_date_form_are_read(tmp_path) -> None:
    # SQLite stores any text in a DATE column: pandas' to_sql writes a time part, R exports
    # write 'June 22, 2018'; both are dates a user expects read, not an untyped ValueError
    url = _sqlite_with(
        tmp_path,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, d DATE, ts DATETIME)",
        [(1, "1996-03-13T00:00:00", "2013-01-01T06:00:00Z"), (2, "1996-03-14", None),
         (3, None, "2013-01-01 07:00:00")],
    )
    with open_connector(url) as db:
        frame = db.read_table("t")
        chunks = list(db.iter_table("t", chunksize=2))
    assert list(frame["d"].dt.strftime("%Y-%m-%d").fillna("-")) == ["1996-03-13", "1996-03-14", "-"]
    assert frame["ts"].notna().tolist() == [True, False, True]
    assert sum(len(c) for c in chunks) == 3


def test_month_name_text_in_a_sqlite_date_column_is_read_as_a_date(tmp_path) -> None:
    url = _sqlite_with(tmp_path, "CREATE TABLE t (d DATE)", [("June 22, 2018",), (None,)])
    with open_connector(url) as db:
        frame = db.read_table("t")
    assert frame["d"].iloc[0] == pd.Timestamp("2018-06-22")


def test_unparseable_text_in_a_sqlite_date_column_is_a_typed_error(tmp_path) -> None:
    url = _sqlite_with(tmp_path, "CREATE TABLE t (d DATE)", [("2018-06-22",), ("soon",)])
    with open_connector(url) as db, pytest.raises(MixedTypeColumnError) as info:
        db.read_table("t")
    assert "'soon'" in str(info.value) and "[t.d]" in str(info.value)
