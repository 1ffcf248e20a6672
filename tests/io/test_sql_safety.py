"""Safety of the SQL connector: odd identifiers round-trip, passwords never leak."""

from __future__ import annotations

import traceback

import pandas as pd
import pytest

from synthohive_lib.errors import ConnectorError, SourceUnreachableError, UnsafeIdentifierError
from synthohive_lib.io import open_connector
from synthohive_lib.io.identifiers import quote_identifier, validate_identifier
from synthohive_lib.io.urls import describe_target, redact_url, resolve_target
from synthohive_lib.schema.model import Schema

ODD_TABLE = 'we"ird; DROP TABLE x'
ODD_CHILD = "child `table` it's"
ODD_COLUMNS = ["naïve col", 'quote"d', "semi;colon -- comment", "back`tick", "日本語"]


def _odd_schema() -> Schema:
    return Schema.model_validate(
        {
            "name": "odd",
            "tables": [
                {
                    "name": ODD_TABLE,
                    "columns": [
                        {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                        *({"name": c, "type": "text", "storage": "string"} for c in ODD_COLUMNS),
                    ],
                    "primary_key": ["id"],
                },
                {
                    "name": ODD_CHILD,
                    "columns": [
                        {"name": "child id", "type": "id", "storage": "integer"},
                        {"name": "parent.id", "type": "id", "storage": "integer"},
                    ],
                    "primary_key": ["child id"],
                    "foreign_keys": [{"columns": ["parent.id"], "references": ODD_TABLE,
                                      "referenced_columns": ["id"]}],
                },
            ],
        }
    )


def test_odd_identifiers_round_trip(empty_db_url: str) -> None:
    schema = _odd_schema()
    parent = pd.DataFrame({"id": [1, 2], **{c: [f"{c}!", None] for c in ODD_COLUMNS}})
    child = pd.DataFrame({"child id": [7], "parent.id": [2]})
    with open_connector(empty_db_url) as db:
        db.write_schema(schema, {ODD_TABLE: parent, ODD_CHILD: child})
        assert db.list_tables() == sorted([ODD_TABLE, ODD_CHILD])
        back = db.read_table(ODD_TABLE, schema.table(ODD_TABLE))
        pd.testing.assert_frame_equal(back, parent, check_dtype=False)
        assert db.read_table(ODD_CHILD)["parent.id"].tolist() == [2]
        assert db.read_table(ODD_TABLE, columns=["naïve col"]).columns.tolist() == ["naïve col"]


@pytest.mark.parametrize(
    ("name", "backend", "problem"),
    [
        ("", None, "empty"),
        ("a\x00b", None, "NUL"),
        ("x" * 64, "postgresql", "63"),
        ("é" * 32, "postgresql", "bytes"),  # 64 bytes in UTF-8
        ("x" * 65, "mysql", "64"),
        ("trailing ", "mysql", "space"),
        ("emoji 😀", "mysql", "Basic Multilingual Plane"),
    ],
)
def test_only_unrepresentable_names_are_refused(
    name: str, backend: str | None, problem: str
) -> None:
    with pytest.raises(UnsafeIdentifierError, match=problem):
        validate_identifier(name, backend=backend)


def test_names_with_punctuation_are_accepted_and_quoted() -> None:
    import sqlalchemy as sa

    dialect = sa.create_engine("sqlite://").dialect
    assert validate_identifier("x" * 63, backend="postgresql") == "x" * 63
    assert quote_identifier(ODD_TABLE, dialect) == '"we""ird; DROP TABLE x"'


def test_a_long_name_is_refused_before_anything_is_written(fresh_postgres_url: str) -> None:
    schema = Schema.model_validate(
        {"tables": [{"name": "t" * 70, "columns": [{"name": "a", "type": "integer",
                                                    "storage": "integer"}]}]}
    )
    with open_connector(fresh_postgres_url) as db:
        with pytest.raises(UnsafeIdentifierError, match="63"):
            db.write_schema(schema, {"t" * 70: pd.DataFrame({"a": [1]})})
        assert db.list_tables() == []


test_a_long_name_is_refused_before_anything_is_written = pytest.mark.postgres(
    test_a_long_name_is_refused_before_anything_is_written
)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg2://u:s3cr3t@127.0.0.1:1/x",
        "mysql+pymysql://u:s3cr3t@127.0.0.1:1/x",
    ],
)
def test_unreachable_database_error_names_the_place_not_the_password(url: str) -> None:
    db = open_connector(url)
    assert "s3cr3t" not in repr(db)
    with pytest.raises(SourceUnreachableError) as info:
        db.list_tables()
    exc = info.value
    text = "".join(traceback.format_exception(exc))
    for shown in (str(exc), repr(exc), text):
        assert "s3cr3t" not in shown
    assert "database 'x' on 127.0.0.1:1" in str(exc)
    assert exc.__cause__ is None
    assert exc.__context__ is None
    assert "psycopg2" in str(exc) or "pymysql" in str(exc)


def test_redaction_covers_urls_sqlalchemy_cannot_parse() -> None:
    assert redact_url("postgresql://u:s3cr3t@h/db") == "postgresql://u:***@h/db"
    assert "s3cr3t" not in redact_url("snowflake://u:s3cr3t@acct/db?warehouse=w&password=s3cr3t")
    assert "s3cr3t" not in redact_url("weird:://u:s3cr3t@[broken")
    assert redact_url("sqlite:///a.db") == "sqlite:///a.db"


def test_targets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, chinook_url) -> None:
    monkeypatch.setenv("SH_TEST_SOURCE", chinook_url)
    assert resolve_target("env:SH_TEST_SOURCE") == chinook_url
    assert resolve_target("${SH_TEST_SOURCE}") == chinook_url
    assert describe_target("env:SH_TEST_SOURCE") == "env:SH_TEST_SOURCE"
    with open_connector("env:SH_TEST_SOURCE") as db:
        assert db.row_count("Genre") == 25


def test_a_missing_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from synthohive_lib.errors import ConfigError

    monkeypatch.delenv("SH_TEST_UNSET", raising=False)
    with pytest.raises(ConfigError, match="SH_TEST_UNSET"):
        open_connector("env:SH_TEST_UNSET")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://alice:p@ss-W0rd@db.example/sales",  # "@" not percent-encoded
        "postgresql://alice:p/ss#W0rd@db.example/sales",
        "mysql+pymysql://alice:p%40ss-W0rd@db.example/sales",
        "postgresql://alice:W0rd@db.example:notaport/sales",
    ],
)
def test_no_part_of_an_awkward_password_survives_redaction(url: str) -> None:
    from synthohive_lib.cli import _scrub, _secrets

    shown = redact_url(url)
    assert "W0rd" not in shown and "ss" not in shown.split("@")[0]
    assert shown.startswith(url.split(":")[0] + "://alice:***@db.example")
    message = f"driver error for {url} and {url.replace('%40', '@')}"
    assert "W0rd" not in _scrub(message, _secrets([url]))


def test_an_unescaped_at_sign_in_the_password_is_refused_before_connecting() -> None:
    with pytest.raises(ConnectorError, match="unescaped '@'") as info:
        open_connector("postgresql+psycopg2://alice:p@ss-W0rd@127.0.0.1:1/sales")
    assert "W0rd" not in str(info.value) and "ss-" not in str(info.value)
    assert "%40" in str(info.value)  # the fix says how to write it
