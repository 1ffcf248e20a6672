"""CSV, Parquet and Delta: the same shop schema round-trips with its types; bad CSV is named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.errors import ConnectorError, MixedTypeColumnError, SourceUnreachableError
from synthohive_lib.io import open_connector
from synthohive_lib.io.delta import DeltaConnector
from synthohive_lib.io.files import FileConnector
from synthohive_lib.schema.model import Schema

FramesFactory = Callable[[], dict[str, pd.DataFrame]]
FORMATS = ["csv", "parquet", "delta"]


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_schema_round_trips_with_types(
    fmt: str, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    frames = make_frames()
    out = tmp_path / "out"
    open_connector(out, format=fmt).write_schema(shop_schema, frames)
    reader = open_connector(out)  # the format is detected from what was written
    assert reader.kind == fmt
    assert reader.list_tables() == sorted(shop_schema.table_names)
    for table in shop_schema.tables:
        back = reader.read_table(table.name, table)
        pd.testing.assert_frame_equal(
            _sorted(back, table.primary_key), _sorted(frames[table.name], table.primary_key),
            check_dtype=False,
        )
        assert reader.row_count(table.name) == len(frames[table.name])
    sales = reader.read_table("Sale", shop_schema.table("Sale"))
    assert sales["quantity"].dtype == "Int64"
    assert sales["sold_at"].dtype == "datetime64[ns]"
    assert reader.read_table("Employee", shop_schema.table("Employee"))["active"].dtype \
        == "boolean"


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_typed_formats_keep_types_without_a_schema(
    fmt: str, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    open_connector(tmp_path / "o", format=fmt).write_schema(shop_schema, make_frames())
    sales = open_connector(tmp_path / "o").read_table("Sale")
    assert sales["quantity"].dtype == "Int64"
    assert sales["amount"].dtype == "float64"
    assert sales["sold_at"].dtype == "datetime64[ns]"


def test_csv_without_a_schema_gets_the_narrowest_type(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("a,b,c,d\n1,1.5,true,x\n,2,false,\n3,,,y\n")
    frame = open_connector(tmp_path).read_table("t")
    assert frame.dtypes.astype(str).to_dict() == {
        "a": "Int64", "b": "float64", "c": "boolean", "d": "object"
    }
    assert frame["d"].tolist() == ["x", None, "y"]


def test_csv_column_mixing_numbers_and_text_is_named(tmp_path: Path, shop_schema: Schema) -> None:
    (tmp_path / "Product.csv").write_text(
        "product_id,label,price\n1,a,2.5\n2,b,n/a\n3,c,free\n4,d,3\n"
    )
    with pytest.raises(MixedTypeColumnError) as info:
        open_connector(tmp_path).read_table("Product", shop_schema.table("Product"))
    message = str(info.value)
    assert "Product.csv" in message and "price" in message
    assert "'n/a'" in message and "'free'" in message


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_table_reads_with_columns_and_types(
    fmt: str, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    frames = {name: frame.iloc[0:0] for name, frame in make_frames().items()}
    open_connector(tmp_path / "e", format=fmt).write_schema(shop_schema, frames)
    reader = open_connector(tmp_path / "e", format=fmt)
    sales = reader.read_table("Sale", shop_schema.table("Sale"))
    assert len(sales) == 0
    assert sales.columns.tolist() == shop_schema.table("Sale").column_names
    assert sales["quantity"].dtype == "Int64"
    assert [len(c) for c in reader.iter_table("Sale", shop_schema.table("Sale"))] == [0]


def test_sqlite_empty_table_reads_with_types(tmp_path: Path, shop_schema: Schema,
                                             make_frames: FramesFactory) -> None:
    frames = {name: frame.iloc[0:0] for name, frame in make_frames().items()}
    with open_connector(f"sqlite:///{tmp_path / 'e.sqlite'}") as db:
        db.write_schema(shop_schema, frames)
        sales = db.read_table("Sale")
        assert len(sales) == 0
        assert sales["quantity"].dtype == "Int64" and sales["amount"].dtype == "float64"


@pytest.mark.parametrize("fmt", FORMATS)
def test_chunks_add_up_and_unknown_tables_are_named(
    fmt: str, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    open_connector(tmp_path / "c", format=fmt).write_schema(shop_schema, make_frames())
    reader = open_connector(tmp_path / "c")
    chunks = list(reader.iter_table("Employee", shop_schema.table("Employee"), chunksize=3))
    assert [len(c) for c in chunks] == [3, 1]
    with pytest.raises(ConnectorError, match="available tables"):
        reader.read_table("Nope")


@pytest.mark.parametrize("fmt", FORMATS)
def test_existing_output_is_kept_unless_replace(
    fmt: str, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    out = tmp_path / "r"
    open_connector(out, format=fmt).write_schema(shop_schema, make_frames())
    with pytest.raises(ConnectorError, match="already exist"):
        open_connector(out, format=fmt).write_schema(shop_schema, make_frames())
    smaller = make_frames()
    smaller["Sale"] = smaller["Sale"].iloc[:1]
    open_connector(out, format=fmt).write_schema(shop_schema, smaller, if_exists="replace")
    assert open_connector(out, format=fmt).row_count("Sale") == 1


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_failed_file_write_leaves_the_previous_files(
    fmt: str, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    out = tmp_path / "f"
    open_connector(out, format=fmt).write_schema(shop_schema, make_frames())
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = make_frames()
    bad["Sale"]["quantity"] = ["1", "two", "3"]  # not an integer: refused while preparing
    with pytest.raises(MixedTypeColumnError, match="quantity"):
        open_connector(out, format=fmt).write_schema(shop_schema, bad, if_exists="replace")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_single_files_and_single_delta_tables(tmp_path: Path) -> None:
    schema = Schema.model_validate({"tables": [{"name": "t", "columns": [
        {"name": "a", "type": "integer", "storage": "integer"}]}]})
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64")})
    for target in (tmp_path / "t.csv", tmp_path / "t.parquet"):
        open_connector(target).write_schema(schema, {"t": frame})
        connector = open_connector(target)
        assert isinstance(connector, FileConnector)
        assert connector.list_tables() == ["t"]
        pd.testing.assert_frame_equal(connector.read_table("t"), frame)
    open_connector(tmp_path / "d", format="delta").write_schema(schema, {"t": frame})
    single = open_connector(tmp_path / "d" / "t")
    assert isinstance(single, DeltaConnector) and single.list_tables() == ["t"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_missing_paths_and_unknown_formats_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="nothing-here does not exist") as info:
        open_connector(tmp_path / "nothing-here")
    assert "format=" in str(info.value)  # how to write a new folder
    with pytest.raises(SourceUnreachableError):
        open_connector(tmp_path / "nothing", format="parquet").list_tables()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_write_failing_midway_leaves_the_previous_files(
    fmt: str, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "m"
    open_connector(out, format=fmt).write_schema(shop_schema, make_frames())
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_write = FileConnector._write_file
    written: list[str] = []

    def fail_on_second(self: FileConnector, frame: pd.DataFrame, table: object,
                       path: object) -> None:
        if written:
            raise OSError("disk full")
        real_write(self, frame, table, path)  # type: ignore[arg-type]
        written.append(str(path))

    monkeypatch.setattr(FileConnector, "_write_file", fail_on_second)
    smaller = make_frames()
    smaller["Sale"] = smaller["Sale"].iloc[:1]
    with pytest.raises(OSError, match="disk full"):
        open_connector(out, format=fmt).write_schema(shop_schema, smaller, if_exists="replace")
    assert written, "the first table must have been written before the failure"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging left either


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_single_file_failing_midway_keeps_the_old_file(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = Schema.model_validate({"tables": [{"name": "t", "columns": [
        {"name": "a", "type": "integer", "storage": "integer"}]}]})
    target = tmp_path / f"t{suffix}"
    open_connector(target).write_schema(schema, {"t": pd.DataFrame({"a": [1, 2]})})
    before = target.read_bytes()

    def half_then_fail(self: FileConnector, frame: pd.DataFrame, table: object,
                       path: object) -> None:
        path.write(b"half a file")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(FileConnector, "_write_file", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        open_connector(target).write_schema(schema, {"t": pd.DataFrame({"a": [3]})},
                                            if_exists="replace")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_csv_chunks_without_a_schema_are_typed_by_the_whole_file_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,x\n2,y\n3,z\n4.5,w\n", encoding="utf-8")
    connector = open_connector(path)
    reads: list[object] = []
    read_csv = pd.read_csv

    def counting(*args: object, **kwargs: object) -> object:
        reads.append(kwargs.get("nrows"))
        return read_csv(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(pd, "read_csv", counting)
    chunks = list(connector.iter_table("t", chunksize=3))
    assert reads == [0, None]  # the header, then the file once: not again chunk by chunk
    assert [len(c) for c in chunks] == [3, 1]
    assert all(c["a"].dtype == "float64" for c in chunks)  # 4.5 in the last chunk decides
    whole = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(whole, connector.read_table("t"))
    assert whole["a"].tolist() == [1.0, 2.0, 3.0, 4.5]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_tables_and_columns_are_named_with_what_exists(
    fmt: str, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    open_connector(tmp_path / "u", format=fmt).write_schema(shop_schema, make_frames())
    reader = open_connector(tmp_path / "u")
    with pytest.raises(ConnectorError, match=r"available tables: .*'Employee'") as info:
        reader.read_table("Nope")
    assert info.value.table == "Nope"
    columns = shop_schema.table("Employee").column_names
    with pytest.raises(ConnectorError, match=r"'Employee' in .* has no column\(s\) \['nope'\]"
                       ) as info:
        list(reader.iter_table("Employee", columns=[columns[0], "nope"]))
    assert info.value.table == "Employee" and repr(columns[0]) in str(info.value)


@pytest.mark.parametrize("fmt", [*FORMATS, "sqlite"])
@pytest.mark.parametrize("size", [0, -1, 2.5, True])
def test_a_chunk_size_below_one_row_is_refused_on_every_backend(
    fmt: str, size: object, tmp_path: Path, shop_schema: Schema, make_frames: FramesFactory
) -> None:
    target = f"sqlite:///{tmp_path / 'k.sqlite'}" if fmt == "sqlite" else tmp_path / "k"
    options = {} if fmt == "sqlite" else {"format": fmt}
    open_connector(target, **options).write_schema(shop_schema, make_frames())
    reader = open_connector(target)
    with pytest.raises(ConnectorError, match=r"chunksize must be .* >= 1") as info:
        list(reader.iter_table("Employee", chunksize=size))  # type: ignore[arg-type]
    assert info.value.table == "Employee"
    assert len(reader.read_table("Employee")) == 4  # the whole table is still one call away


def test_options_that_do_not_apply_are_named_not_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match=r"\['format'\] do not apply") as info:
        open_connector("postgresql+psycopg2://u:Pw-123@db.example/x", format="csv")
    assert "Pw-123" not in str(info.value) and "u:***@db.example" in str(info.value)
    with pytest.raises(ConnectorError, match=r"csv targets take \['parse_dates'\]"):
        open_connector(tmp_path / "out", format="csv", db_schema="public")
