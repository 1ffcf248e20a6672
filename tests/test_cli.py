"""The ``synthohive`` command line: infer → edit → validate → describe, and clean failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from synthohive_lib.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, main
from synthohive_lib.schema.yaml_io import load_schema

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "examples" / "chinook" / "schema.yaml"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it: a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "synthohive_lib.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )


def test_infer_validate_describe_as_a_subprocess(chinook_url: str, tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    inferred = run_cli("schema", "infer", chinook_url, "-o", str(out), "--sample-rows", "500")
    assert inferred.returncode == EXIT_OK, inferred.stderr
    assert "11 tables, 11 foreign keys" in inferred.stdout
    assert "Employee(ReportsTo) -> Employee(EmployeeId)" in inferred.stdout
    assert "Customer.Email: email (0.99" in inferred.stdout  # PII with its confidence
    assert len(load_schema(out).tables) == 11

    validated = run_cli("schema", "validate", str(out), "--source", chinook_url)
    assert validated.returncode == EXIT_OK, validated.stderr
    assert "valid against the source" in validated.stdout

    described = run_cli("schema", "describe", str(out))
    assert described.returncode == EXIT_OK
    assert "PlaylistTrack <- Playlist, Track  [multi-parent, junction]" in described.stdout


def test_validate_without_source_checks_the_structure(capsys: pytest.CaptureFixture) -> None:
    assert main(["schema", "validate", str(EXAMPLE)]) == EXIT_OK
    assert "is valid: 11 tables, 11 foreign keys" in capsys.readouterr().out


def test_an_invalid_schema_exits_1_listing_every_issue(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("references: Artist,", "references: Artiste,")
    text = text.replace("Total: {type: float, storage: float,", "Total: {type: float, pii: phone,")
    bad = tmp_path / "schema.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["schema", "validate", str(bad)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "[unknown_table] Album.ArtistId" in err
    assert "[pii_type_mismatch] Invoice.Total" in err
    assert "Traceback" not in err


def test_data_problems_exit_1_with_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture, chinook_sqlite_path: Path
) -> None:
    import shutil
    import sqlite3

    db = tmp_path / "chinook.sqlite"
    shutil.copy(chinook_sqlite_path, db)
    with sqlite3.connect(db) as conn:
        conn.execute('UPDATE "Track" SET "GenreId" = 999 WHERE "TrackId" <= 3')
    conn.close()
    code = main(["schema", "validate", str(EXAMPLE), "--source", f"sqlite:///{db}"])
    assert code == EXIT_INVALID
    err = capsys.readouterr().err
    assert "[orphan_foreign_key] Track.GenreId" in err and "3 row(s)" in err


def test_a_typo_in_schema_yaml_is_a_clean_error_with_a_suggestion(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "schema.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "primary_key: [AlbumId]", "primary_kee: [AlbumId]"
        ),
        encoding="utf-8",
    )
    result = run_cli("schema", "describe", str(bad))
    assert result.returncode == EXIT_ERROR
    assert "did you mean 'primary_key'?" in result.stderr
    assert "table 'Album'" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_an_unreachable_source_never_prints_the_password(capsys: pytest.CaptureFixture) -> None:
    url = "postgresql+psycopg2://alice:Sup3rS3cret@127.0.0.1:1/nowhere"
    assert main(["schema", "infer", url, "-o", "unused.yaml"]) == EXIT_ERROR
    captured = capsys.readouterr()
    assert "Sup3rS3cret" not in captured.err + captured.out
    assert "cannot connect" in captured.err and "Traceback" not in captured.err
    assert not Path("unused.yaml").exists()


def test_a_missing_schema_file_is_exit_2(capsys: pytest.CaptureFixture) -> None:
    assert main(["schema", "describe", "does/not/exist.yaml"]) == EXIT_ERROR
    assert "schema infer" in capsys.readouterr().err  # the fix says how to create one


def test_bad_arguments_are_usage_errors(capsys: pytest.CaptureFixture) -> None:
    assert main(["schema", "infer", "sqlite:///x.db", "-o", "s.yaml", "--sample-rows", "0"]) == 2
    assert "must be at least 1" in capsys.readouterr().err
    assert main(["--version"]) == 0


def test_reinferring_into_an_edited_file_keeps_its_comments(
    chinook_url: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "schema.yaml"
    out.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["schema", "infer", chinook_url, "-o", str(out)]) == EXIT_OK
    assert "comments kept" in capsys.readouterr().out
    assert "# reviewed: job titles are a small vocabulary" in out.read_text(encoding="utf-8")


def test_output_dash_writes_yaml_to_stdout(chinook_url: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["schema", "infer", chinook_url, "-o", "-", "--name", "music"]) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out.startswith("# SynthoHive schema")
    assert "name: music" in captured.out
    assert "11 tables" in captured.err


def test_a_password_reached_through_env_is_scrubbed_from_any_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Even an error that quotes the resolved URL verbatim never shows its password."""
    import synthohive_lib.profile.infer as infer_module
    from synthohive_lib.errors import ConnectorError

    url = "postgresql+psycopg2://alice:Env-S3cret@db.example:5432/sales"
    monkeypatch.setenv("SH_TEST_SOURCE", url)

    def quoting(source: str, **_: object) -> None:
        raise ConnectorError(f"driver said: could not use {os.environ['SH_TEST_SOURCE']}")

    monkeypatch.setattr(infer_module, "infer", quoting)
    for target in ("env:SH_TEST_SOURCE", "${SH_TEST_SOURCE}"):
        assert main(["schema", "infer", target, "-o", "unused.yaml"]) == EXIT_ERROR
        err = capsys.readouterr().err
        assert "Env-S3cret" not in err
        assert "alice:***@db.example" in err  # the rest of the URL stays useful


@pytest.mark.parametrize(
    ("url", "suggestion"),
    [("postgress://analyst@localhost/shop", "postgresql"), ("mysq://root@localhost/x", "mysql"),
     ("postgres://analyst@localhost/shop", "postgresql")],
)  # fmt: skip
def test_a_misspelt_dialect_gets_did_you_mean(
    url: str, suggestion: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["schema", "infer", url, "-o", str(tmp_path / "s.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"did you mean {suggestion!r}?" in err
    assert "snowflake" not in err  # not the install-a-dialect hint


def _all_commands() -> list[list[str]]:
    import argparse

    from synthohive_lib.cli import build_parser

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> list[list[str]]:
        out = [path]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    out += walk(sub, [*path, name])
        return out

    return walk(build_parser(), [])


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "synthohive")
def test_every_help_ends_with_examples(command: list[str], capsys: pytest.CaptureFixture) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    examples = out.split("examples:\n", 1)[1]
    assert "synthohive " in examples
