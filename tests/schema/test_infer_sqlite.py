"""Inference from SQLite: Chinook acceptance, the bundled example, and awkward databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from synthohive_lib.errors import ConfigError, SourceUnreachableError
from synthohive_lib.io import open_connector
from synthohive_lib.profile.infer import InferenceResult, infer, infer_schema
from synthohive_lib.profile.source import validate_against_source
from synthohive_lib.schema import ColumnType, PiiKind, StorageType, dump_schema, loads_schema
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.validate import validate_schema
from synthohive_lib.schema.yaml_io import load_schema, save_schema

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chinook" / "schema.yaml"

#: Columns whose type the reviewer of examples/chinook/schema.yaml changed by hand.
REVIEWED = {
    ("Employee", "Title"): ColumnType.CATEGORICAL,
    ("Genre", "Name"): ColumnType.CATEGORICAL,
    ("MediaType", "Name"): ColumnType.CATEGORICAL,
    ("Playlist", "Name"): ColumnType.CATEGORICAL,
}


# --------------------------------------------------------------------------- Chinook


def test_chinook_has_eleven_tables_and_eleven_foreign_keys(
    chinook_inference: InferenceResult,
) -> None:
    schema = chinook_inference.schema
    assert schema.name == "chinook"
    assert sorted(schema.table_names) == sorted(
        [
            "Album", "Artist", "Customer", "Employee", "Genre", "Invoice", "InvoiceLine",
            "MediaType", "Playlist", "PlaylistTrack", "Track",
        ]
    )  # fmt: skip
    assert len(schema.foreign_keys) == 11
    assert chinook_inference.row_counts["Track"] == 3503


def test_chinook_keys_single_composite_and_self_reference(
    chinook_inference: InferenceResult,
) -> None:
    schema = chinook_inference.schema
    employee = schema.table("Employee")
    assert [(fk.columns, fk.references, fk.referenced_columns) for fk in employee.foreign_keys] == [
        (["ReportsTo"], "Employee", ["EmployeeId"])
    ]
    assert schema.table("PlaylistTrack").primary_key == ["PlaylistId", "TrackId"]
    assert {fk.references for fk in schema.table("Track").foreign_keys} == {
        "Album", "Genre", "MediaType",
    }  # fmt: skip
    for table in schema.tables:
        for name in table.primary_key + sorted(table.foreign_key_columns):
            assert table.column(name).type is ColumnType.ID, (table.name, name)
        for name in table.primary_key:
            assert table.column(name).nullable is False


def test_chinook_tables_are_listed_parents_first(chinook_inference: InferenceResult) -> None:
    names = chinook_inference.schema.table_names
    assert names == SchemaGraph(chinook_inference.schema).generation_order()


def test_chinook_text_dates_are_datetimes_with_their_format(
    chinook_inference: InferenceResult,
) -> None:
    schema = chinook_inference.schema
    for table, column in [("Invoice", "InvoiceDate"), ("Employee", "HireDate")]:
        col = schema.table(table).column(column)
        assert col.type is ColumnType.DATETIME
        assert col.storage is StorageType.STRING
        assert col.datetime_format == "%Y-%m-%d %H:%M:%S"
    invoice_date = schema.table("Invoice").column("InvoiceDate")
    assert (invoice_date.min, invoice_date.max) == ("2007-01-01 00:00:00", "2011-12-22 00:00:00")


def test_chinook_semantic_types_of_values(chinook_inference: InferenceResult) -> None:
    schema = chinook_inference.schema

    def col(t: str, c: str):  # local shorthand
        return schema.table(t).column(c)

    assert col("Track", "Name").type is ColumnType.TEXT
    assert col("Album", "Title").type is ColumnType.TEXT
    assert col("Invoice", "BillingCountry").type is ColumnType.CATEGORICAL
    assert col("Customer", "Country").type is ColumnType.CATEGORICAL
    assert col("Track", "Milliseconds").type is ColumnType.INTEGER
    unit_price = col("Track", "UnitPrice")
    assert (unit_price.type, unit_price.decimals) == (ColumnType.FLOAT, 2)
    assert (col("Invoice", "Total").min, col("Invoice", "Total").max) == (0.99, 25.86)


def test_chinook_pii_candidates_are_set_and_reported_with_confidence(
    chinook_inference: InferenceResult,
) -> None:
    schema = chinook_inference.schema
    expected = {
        ("Customer", "Email"): PiiKind.EMAIL,
        ("Customer", "FirstName"): PiiKind.FIRST_NAME,
        ("Customer", "LastName"): PiiKind.LAST_NAME,
        ("Customer", "Phone"): PiiKind.PHONE,
        ("Customer", "Address"): PiiKind.ADDRESS,
        ("Customer", "Company"): PiiKind.COMPANY,
        ("Employee", "BirthDate"): PiiKind.DATE_OF_BIRTH,
        ("Invoice", "BillingPostalCode"): PiiKind.POSTAL_CODE,
    }
    for (table, column), kind in expected.items():
        assert schema.table(table).column(column).pii is kind
    assert schema.table("Track").column("Name").pii is None
    email = next(
        c for c in chinook_inference.pii_candidates if (c.table, c.column) == ("Customer", "Email")
    )
    assert email.confidence >= 0.95 and "name" in email.reasons
    assert "PII candidates" in chinook_inference.summary()


def test_inferred_chinook_is_structurally_valid_and_validates_against_its_source(
    chinook_inference: InferenceResult, chinook_url: str
) -> None:
    validate_schema(chinook_inference.schema)
    report = validate_against_source(chinook_inference.schema, chinook_url)
    assert report.ok and report.row_counts["PlaylistTrack"] == 8715


def test_bundled_example_is_the_inference_plus_the_reviewed_edits(
    chinook_inference: InferenceResult,
) -> None:
    """examples/chinook/schema.yaml must not drift from what inference produces."""
    example = load_schema(EXAMPLE)
    expected = chinook_inference.schema.model_copy(deep=True)
    for (table, column), ctype in REVIEWED.items():
        expected.table(table).column(column).type = ctype
    assert example == expected


def test_schema_yaml_round_trips_identically(
    chinook_inference: InferenceResult, tmp_path: Path
) -> None:
    text = dump_schema(chinook_inference.schema)
    assert loads_schema(text) == chinook_inference.schema
    assert dump_schema(loads_schema(text), text) == text
    # the commented example survives load -> save byte for byte
    copy = tmp_path / "schema.yaml"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    save_schema(load_schema(copy), copy)
    assert copy.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def test_inference_accepts_an_open_connector(chinook_url: str) -> None:
    with open_connector(chinook_url) as connector:
        schema = infer_schema(connector, name="from_connector", sample_rows=50)
        assert connector.row_count("Artist") == 275  # the caller's connector is left open
    assert schema.name == "from_connector" and len(schema.tables) == 11


# --------------------------------------------------------------------------- awkward databases


def test_an_empty_table_is_inferred_from_reflection_alone(make_sqlite: Callable) -> None:
    url = make_sqlite(
        """
        CREATE TABLE parent (id INTEGER PRIMARY KEY, label TEXT NOT NULL, price NUMERIC(8, 2),
                             born DATE, seen TIMESTAMP, flag BOOLEAN);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
        """
    )
    result = infer(url)
    parent = result.schema.table("parent")
    assert result.row_counts == {"parent": 0, "child": 0}
    assert parent.column("label").type is ColumnType.TEXT
    assert parent.column("label").nullable is False
    assert parent.column("price").storage is StorageType.DECIMAL
    assert parent.column("price").decimals == 2
    assert parent.column("born").type is ColumnType.DATETIME
    assert parent.column("seen").storage is StorageType.DATETIME
    assert parent.column("flag").type is ColumnType.BOOLEAN
    assert result.schema.table("child").foreign_keys[0].references == "parent"


def test_quotes_spaces_semicolons_and_unicode_in_names_are_inferred_safely(
    make_sqlite: Callable, tmp_path: Path
) -> None:
    table = 'Order "Lines"; DROP TABLE keep;--'
    column = "naïve ✓ prix; 'x'"
    url = make_sqlite(
        f"""
        CREATE TABLE keep (id INTEGER PRIMARY KEY);
        CREATE TABLE "Kundé Liste" ("Kundé Id" INTEGER PRIMARY KEY, "E-Mail Adresse" TEXT);
        CREATE TABLE "{table.replace('"', '""')}" (
            "line id" INTEGER PRIMARY KEY,
            "Kundé Id" INTEGER REFERENCES "Kundé Liste"("Kundé Id"),
            "{column}" REAL
        );
        INSERT INTO keep VALUES (1);
        INSERT INTO "Kundé Liste" VALUES (1, 'a@example.com'), (2, 'b@example.org');
        INSERT INTO "{table.replace('"', '""')}" VALUES (1, 1, 1.5), (2, 2, 2.25);
        """
    )
    schema = infer_schema(url)
    assert set(schema.table_names) == {"keep", "Kundé Liste", table}
    lines = schema.table(table)
    assert lines.column(column).type is ColumnType.FLOAT
    assert lines.foreign_keys[0].references == "Kundé Liste"
    assert schema.table("Kundé Liste").column("E-Mail Adresse").pii is PiiKind.EMAIL
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM keep").fetchone() == (1,)
    conn.close()
    # and the schema survives YAML
    assert loads_schema(dump_schema(schema)) == schema


def test_composite_foreign_keys_and_unique_constraints_are_reflected(
    make_sqlite: Callable,
) -> None:
    url = make_sqlite(
        """
        CREATE TABLE store (region TEXT NOT NULL, store_no INTEGER NOT NULL, code TEXT UNIQUE,
                            PRIMARY KEY (region, store_no));
        CREATE TABLE sale (id INTEGER PRIMARY KEY, region TEXT, store_no INTEGER,
                           a INTEGER, b INTEGER, UNIQUE (a, b),
                           FOREIGN KEY (region, store_no) REFERENCES store (region, store_no));
        INSERT INTO store VALUES ('n', 1, 'N1'), ('s', 1, 'S1');
        INSERT INTO sale VALUES (1, 'n', 1, 1, 1), (2, 's', 1, 1, 2);
        """
    )
    schema = infer_schema(url)
    sale = schema.table("sale")
    assert [(fk.columns, fk.referenced_columns) for fk in sale.foreign_keys] == [
        (["region", "store_no"], ["region", "store_no"])
    ]
    assert schema.table("store").primary_key == ["region", "store_no"]
    assert schema.table("store").column("code").unique is True
    assert [c.columns for c in sale.constraints] == [["a", "b"]]
    validate_schema(schema)


def test_a_missing_database_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(SourceUnreachableError):
        infer(f"sqlite:///{tmp_path / 'nope.sqlite'}")
    assert not (tmp_path / "nope.sqlite").exists()


def test_hints_add_undeclared_keys_and_fix_types(make_sqlite: Callable) -> None:
    """Databases that do not enforce keys (MyISAM, exports) get them from hints."""
    url = make_sqlite(
        """
        CREATE TABLE artist (artist_id INTEGER, name TEXT);
        CREATE TABLE album (album_id INTEGER PRIMARY KEY, artist_id INTEGER, code TEXT);
        INSERT INTO artist VALUES (1, 'A'), (2, 'B');
        INSERT INTO album VALUES (1, 1, 'x1'), (2, 2, 'x2'), (3, 2, 'x3');
        """
    )
    hint = {"columns": ["artist_id"], "references": "artist", "referenced_columns": ["artist_id"]}
    schema = infer_schema(
        url,
        primary_keys={"artist": ["artist_id"]},
        foreign_keys={"album": [hint]},
        type_hints={"album": {"code": "categorical"}},
    )
    assert schema.table_names == ["artist", "album"]
    assert schema.table("artist").primary_key == ["artist_id"]
    assert schema.table("artist").column("artist_id").nullable is False
    assert schema.table("album").column("artist_id").type is ColumnType.ID
    assert schema.table("album").column("code").type is ColumnType.CATEGORICAL
    validate_schema(schema)
    with pytest.raises(ConfigError, match="albums"):
        infer_schema(url, foreign_keys={"albums": [hint]})
