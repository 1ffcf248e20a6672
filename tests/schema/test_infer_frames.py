"""Inference from DataFrames and files, where nothing is declared: keys guessed or hinted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.errors import MixedTypeColumnError
from synthohive_lib.profile.infer import (
    guess_primary_key,
    infer,
    infer_from_frames,
    infer_schema_from_frames,
)
from synthohive_lib.schema import ColumnType, ForeignKey, PiiKind, StorageType
from synthohive_lib.schema.validate import validate_data, validate_schema


def shop_frames() -> dict[str, pd.DataFrame]:
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "email": ["a@x.com", "b@y.org", "c@z.net", "d@x.com"],
            "country": ["PT", "PT", "DE", "PT"],
            "signed_up": ["2024-01-02", "2024-02-03", "2024-03-04", "2024-04-05"],
        }
    )
    orders = pd.DataFrame(
        {
            "id": [10, 11, 12, 13, 14, 15],
            "customer_id": [1, 1, 2, 3, 3, None],
            "amount": [9.99, 10.5, 3.0, 4.25, 1.0, 2.5],
            "paid": [True, False, True, True, False, True],
        }
    )
    return {"customers": customers, "orders": orders}


def test_primary_key_is_guessed_as_a_unique_non_null_id_column() -> None:
    frames = shop_frames()
    assert guess_primary_key(frames["customers"], "customers") == ["customer_id"]
    assert guess_primary_key(frames["orders"], "orders") == ["id"]
    assert guess_primary_key(pd.DataFrame({"name": ["a", "a"]}), "t") == []
    assert guess_primary_key(pd.DataFrame({"id": [1, 1]}), "t") == []


def test_frames_without_hints_declare_no_foreign_keys() -> None:
    schema = infer_schema_from_frames(shop_frames(), name="shop")
    assert schema.foreign_keys == []
    orders = schema.table("orders")
    assert orders.primary_key == ["id"]
    assert orders.column("amount").type is ColumnType.FLOAT
    assert orders.column("amount").decimals == 2
    assert orders.column("paid").type is ColumnType.BOOLEAN
    # floats that are whole numbers with a gap are integer keys read by pandas
    assert orders.column("customer_id").storage is StorageType.INTEGER
    assert orders.column("customer_id").nullable is True
    customers = schema.table("customers")
    assert customers.column("signed_up").datetime_format == "%Y-%m-%d"
    assert customers.column("email").pii is PiiKind.EMAIL
    assert customers.column("country").nullable is False


def test_foreign_key_hints_make_keys_and_relations() -> None:
    result = infer_from_frames(
        shop_frames(),
        name="shop",
        foreign_keys={
            "orders": [
                {
                    "columns": ["customer_id"],
                    "references": "customers",
                    "referenced_columns": ["customer_id"],
                    "on_orphan": "null",
                }
            ]
        },
    )
    schema = result.schema
    assert schema.table_names == ["customers", "orders"]  # parents first
    fk = schema.table("orders").foreign_keys[0]
    assert isinstance(fk, ForeignKey) and fk.on_orphan.value == "set_null"
    assert schema.table("orders").column("customer_id").type is ColumnType.ID
    validate_schema(schema)
    assert validate_data(schema, shop_frames()).ok


def test_primary_key_hint_wins_over_the_guess() -> None:
    schema = infer_schema_from_frames(shop_frames(), primary_keys={"orders": ["id", "paid"]})
    assert schema.table("orders").primary_key == ["id", "paid"]


def test_csv_column_of_mixed_types_is_refused_with_the_column_named(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("item_id,weight,label\n1,10,a\n2,12,b\n3,heavy,c\n4,9,d\n")
    frame = pd.read_csv(path)
    with pytest.raises(MixedTypeColumnError) as err:
        infer_schema_from_frames({"items": frame})
    assert (err.value.table, err.value.column) == ("items", "weight")
    assert "'heavy'" in str(err.value) and "Fix:" in str(err.value)


def test_a_type_hint_accepts_a_mixed_column_as_text(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("item_id,weight\n1,10\n2,12\n3,heavy\n")
    schema = infer_schema_from_frames(
        {"items": pd.read_csv(path)}, type_hints={"items": {"weight": "text"}}
    )
    assert schema.table("items").column("weight").type is ColumnType.TEXT


def test_every_mixed_column_is_listed_at_once() -> None:
    frame = pd.DataFrame(
        {"a": pd.Series([1, "x"], dtype=object), "b": pd.Series([2.5, "y"], dtype=object)}
    )
    with pytest.raises(MixedTypeColumnError) as err:
        infer_schema_from_frames({"t": frame})
    assert "2 columns" in str(err.value)
    assert "[t.a]" in str(err.value) and "[t.b]" in str(err.value)


def test_an_empty_frame_still_gives_a_table() -> None:
    frame = pd.DataFrame({"id": pd.Series([], dtype="int64"), "note": pd.Series([], dtype=object)})
    schema = infer_schema_from_frames({"empty": frame})
    table = schema.table("empty")
    assert table.column("id").storage is StorageType.INTEGER
    assert table.column("note").type is ColumnType.TEXT
    assert table.primary_key == []


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_folder_of_files_is_inferred_through_the_file_connector(tmp_path: Path, fmt: str) -> None:
    for name, frame in shop_frames().items():
        if fmt == "csv":
            frame.to_csv(tmp_path / f"{name}.csv", index=False)
        else:
            frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    result = infer(tmp_path, name="shop")
    assert sorted(result.schema.table_names) == ["customers", "orders"]
    assert result.schema.table("orders").primary_key == ["id"]
    assert result.row_counts == {"customers": 4, "orders": 6}


def test_a_mixed_csv_column_read_through_the_file_connector_is_refused(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("item_id,weight\n1,10\n2,heavy\n3,12\n4,13\n")
    with pytest.raises(MixedTypeColumnError) as err:
        infer(tmp_path)
    assert (err.value.table, err.value.column) == ("items", "weight")


def test_untyped_sqlite_columns_are_typed_from_their_values(make_sqlite: Callable) -> None:
    url = make_sqlite(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c);"
        "INSERT INTO t VALUES (1, 1.5, 'x', '2020-01-01'), (2, 2.25, 'x', '2021-06-30');"
    )
    table = infer(url).schema.table("t")
    assert (table.column("a").storage, table.column("a").type) == (
        StorageType.FLOAT,
        ColumnType.FLOAT,
    )
    assert table.column("b").type is ColumnType.CATEGORICAL
    assert table.column("c").datetime_format == "%Y-%m-%d"


def test_row_counts_come_from_the_pass_that_drew_the_sample_never_a_second_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synthohive_lib.io.files import FileConnector

    for name, frame in shop_frames().items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    counted: list[str] = []
    row_count = FileConnector.row_count

    def counting(self: FileConnector, name: str) -> int:
        counted.append(name)
        return row_count(self, name)

    monkeypatch.setattr(FileConnector, "row_count", counting)
    whole = infer(tmp_path, name="shop")  # every table fits in the sample: no second read
    assert whole.row_counts == {"customers": 4, "orders": 6} and counted == []
    # orders has 6 rows: sampled from a stream over the whole file, which counts them too
    partial = infer(tmp_path, name="shop", sample_rows=5)
    assert partial.row_counts == {"customers": 4, "orders": 6} and counted == []


def test_postal_codes_in_a_csv_are_inferred_as_text_and_keep_their_zeros(tmp_path: Path) -> None:
    (tmp_path / "shops.csv").write_text(
        "shop_id,postal_code\n1,02134\n2,10001\n3,00501\n4,60601\n", encoding="utf-8"
    )
    result = infer(tmp_path, name="s")
    column = result.schema.table("shops").column("postal_code")
    assert column.storage is StorageType.STRING and column.pii is PiiKind.POSTAL_CODE
