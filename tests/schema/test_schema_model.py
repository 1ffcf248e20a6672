"""The schema model and its YAML form: strict, readable, and round-tripping with comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from synthohive_lib.errors import SchemaFileError, SynthoHiveError, UnknownColumnError
from synthohive_lib.schema import (
    Column,
    ColumnType,
    ForeignKey,
    InequalityConstraint,
    PiiKind,
    Schema,
    Table,
    UniqueConstraint,
    dump_schema,
    load_schema,
    loads_schema,
    save_schema,
)


def shop_schema() -> Schema:
    """A small schema with every feature the model must carry."""
    return Schema(
        name="shop",
        tables=[
            Table(
                name="Employee",
                columns=[
                    Column(name="EmployeeId", type="id", storage="integer", nullable=False),
                    Column(name="ReportsTo", type="id", storage="integer"),
                    Column(name="Email", type="text", pii="email", unique=True),
                    Column(
                        name="HireDate",
                        type="datetime",
                        storage="string",
                        datetime_format="%Y-%m-%d %H:%M:%S",
                    ),
                ],
                primary_key=["EmployeeId"],
                foreign_keys=[
                    ForeignKey(
                        columns=["ReportsTo"],
                        references="Employee",
                        referenced_columns=["EmployeeId"],
                    )
                ],
            ),
            Table(
                name="Shift",
                columns=[
                    Column(name="EmployeeId", type="id", storage="integer", nullable=False),
                    Column(name="Day", type="datetime", storage="date", nullable=False),
                    Column(name="Start", type="integer", storage="integer", min=0, max=23),
                    Column(name="End", type="integer", storage="integer", min=1, max=24),
                    Column(name="Pay", type="float", storage="decimal", decimals=2),
                ],
                primary_key=["EmployeeId", "Day"],
                foreign_keys=[
                    ForeignKey(
                        columns=["EmployeeId"],
                        references="Employee",
                        referenced_columns=["EmployeeId"],
                        on_orphan="drop",
                    )
                ],
                constraints=[
                    InequalityConstraint(low="Start", high="End"),
                    UniqueConstraint(columns=["EmployeeId", "Start"]),
                ],
            ),
        ],
    )


def test_model_exposes_keys_pii_and_self_references() -> None:
    schema = shop_schema()
    employee = schema.table("Employee")
    assert employee.column("Email").pii is PiiKind.EMAIL
    assert employee.self_references[0].columns == ["ReportsTo"]
    assert employee.parent_tables == []
    assert schema.table("Shift").primary_key == ["EmployeeId", "Day"]
    assert schema.table("Shift").parent_tables == ["Employee"]
    assert len(schema.foreign_keys) == 2


def test_unknown_table_lookup_names_the_known_tables() -> None:
    with pytest.raises(KeyError, match="Employee"):
        shop_schema().table("Nope")


def test_unknown_column_lookup_is_typed_and_suggests_the_closest_name() -> None:
    employee = shop_schema().table("Employee")
    with pytest.raises(UnknownColumnError) as info:
        employee.column("HireDat")
    err = info.value
    assert (err.table, err.column) == ("Employee", "HireDat")
    assert "did you mean 'HireDate'?" in str(err)
    assert "EmployeeId, ReportsTo, Email, HireDate" in str(err)  # the choices, in table order
    assert not str(err).startswith("'")  # a readable message, not KeyError's quoted repr
    # still a KeyError, so existing ``except KeyError`` callers keep working
    assert isinstance(err, KeyError) and isinstance(err, SynthoHiveError)
    with pytest.raises(UnknownColumnError, match="did you mean 'Email'"):
        employee.column("email")
    with pytest.raises(KeyError) as far:
        employee.column("Salary")
    assert "did you mean" not in str(far.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Column(name="x", type="integer", colour="red"),
        lambda: Column(name="x", type="integer", min=5, max=1),
        lambda: Column(name="x", type="text", datetime_format="%Y"),
        lambda: ForeignKey(columns=["a", "b"], references="T", referenced_columns=["a"]),
        lambda: Table(name="T", columns=[Column(name="a", type="id")] * 2),
        lambda: Column(name="x", type="money"),
    ],
    ids=["unknown-key", "min-above-max", "format-on-text", "fk-arity", "dup-column", "bad-type"],
)
def test_model_refuses_inconsistent_definitions(build) -> None:
    with pytest.raises(ValidationError):
        build()


def test_yaml_round_trip_is_identical(tmp_path: Path) -> None:
    schema = shop_schema()
    path = save_schema(schema, tmp_path / "schema.yaml")
    text = path.read_text()
    loaded = load_schema(path)
    assert loaded == schema
    save_schema(loaded, path)
    assert path.read_text() == text


def test_yaml_is_readable_one_line_per_column() -> None:
    text = dump_schema(shop_schema())
    assert "      Email: {type: text, pii: email, unique: true}\n" in text
    assert "primary_key: [EmployeeId, Day]" in text
    assert "- {kind: inequality, low: Start, high: End}" in text


def test_saving_keeps_comments_a_person_wrote(tmp_path: Path) -> None:
    path = save_schema(shop_schema(), tmp_path / "schema.yaml")
    edited = (
        path.read_text()
        .replace("  Shift:\n", "  # shifts come from the rota system\n  Shift:\n")
        .replace("unique: true}", "unique: true}  # confirmed by DPO")
    )
    path.write_text(edited)
    schema = load_schema(path)
    schema.table("Shift").column("Pay").decimals = 3
    save_schema(schema, path)
    text = path.read_text()
    assert "# shifts come from the rota system" in text
    assert "# confirmed by DPO" in text
    assert load_schema(path).table("Shift").column("Pay").decimals == 3


def test_typo_in_a_key_names_table_column_and_suggestion() -> None:
    text = dump_schema(shop_schema()).replace("nullable: false", "nulable: false", 1)
    with pytest.raises(SchemaFileError) as info:
        loads_schema(text)
    assert info.value.table == "Employee"
    assert info.value.column == "EmployeeId"
    assert "did you mean 'nullable'" in str(info.value)


def test_typo_in_a_foreign_key_is_located() -> None:
    text = dump_schema(shop_schema()).replace("references: Employee", "refrences: Employee", 1)
    with pytest.raises(SchemaFileError, match=r"foreign_keys\[0\].*'references'"):
        loads_schema(text)


def test_bad_yaml_and_missing_file_are_typed(tmp_path: Path) -> None:
    with pytest.raises(SchemaFileError, match="not valid YAML"):
        loads_schema("tables: [unclosed")
    with pytest.raises(SchemaFileError, match="schema infer"):
        load_schema(tmp_path / "missing.yaml")
    with pytest.raises(SchemaFileError, match="mapping"):
        loads_schema("tables: [a, b]")


def test_column_type_values_are_the_documented_ones() -> None:
    assert {t.value for t in ColumnType} == {
        "integer",
        "float",
        "categorical",
        "boolean",
        "datetime",
        "id",
        "text",
    }


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("tables:\n  Shift:\n    columns:\n      Pay: float\n", "'Pay'"),
        ("tables:\n  Shift: [Pay, Hours]\n", "'Shift'"),
    ],
)
def test_a_shorthand_entry_is_a_typed_error_naming_it(text: str, entry: str) -> None:
    with pytest.raises(SchemaFileError, match=f"entry {entry} must be a mapping") as info:
        loads_schema(text)
    assert "indented below it" in str(info.value)
