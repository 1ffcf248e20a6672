"""`synthohive report`: real vs synthetic folders in, a readable HTML or JSON report out."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.cli import main
from synthohive_lib.schema import PiiAction, load_schema, save_schema

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def artist_album(tmp_path: Path, chinook_sqlite_path: Path) -> dict[str, Path]:
    """Real Artist/Album as Parquet, a resampled 'synthetic' copy, and their schema."""
    with sqlite3.connect(chinook_sqlite_path) as conn:
        artist = pd.read_sql('SELECT * FROM "Artist"', conn)
        album = pd.read_sql('SELECT * FROM "Album"', conn)
    rng = np.random.default_rng(0)
    synthetic_album = album.sample(len(album), replace=True, random_state=1).reset_index(drop=True)
    synthetic_album["AlbumId"] = np.arange(1, len(album) + 1)
    synthetic_album["Title"] = [f"Album {i}" for i in rng.integers(0, 10_000, len(album))]
    paths = {"real": tmp_path / "real", "synthetic": tmp_path / "synthetic"}
    for p in paths.values():
        p.mkdir()
    artist.to_parquet(paths["real"] / "Artist.parquet")
    album.to_parquet(paths["real"] / "Album.parquet")
    artist.to_parquet(paths["synthetic"] / "Artist.parquet")
    synthetic_album.to_parquet(paths["synthetic"] / "Album.parquet")
    full = load_schema(REPO / "examples" / "chinook" / "schema.yaml")
    subset = full.model_copy(
        update={"tables": [full.table("Artist"), full.table("Album")]}, deep=True
    )
    paths["schema"] = save_schema(subset, tmp_path / "schema.yaml")
    return paths


def test_report_writes_html_and_prints_scores_worst_first(
    artist_album: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "report.html"
    code = main([
        "report", "--real", str(artist_album["real"]), "--synthetic",
        str(artist_album["synthetic"]), "--schema", str(artist_album["schema"]), "-o", str(out),
    ])  # fmt: skip
    assert code == 0
    html = out.read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "<svg" in html and "Album" in html
    printed = capsys.readouterr().out
    # Artist and Album hold only keys and free text, and children per parent is not part of
    # the headline (close to 1.0 by construction): nothing to score, said in words
    assert "Overall quality not scored" in printed and f"Wrote {out}" in printed
    assert "Artist                   not scored" in printed and "nan" not in printed
    assert not list(out.parent.glob(".*.tmp")), "no temporary file is left behind"


def test_report_as_json_has_scores_per_table(artist_album: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code = main([
        "report", "--real", str(artist_album["real"]), "--synthetic",
        str(artist_album["synthetic"]), "--schema", str(artist_album["schema"]), "-o", str(out),
        "--no-privacy",
    ])  # fmt: skip
    assert code == 0
    data = json.loads(out.read_text())
    tables = {t["table"]: t for t in data["tables"]}
    assert set(tables) == {"Artist", "Album"}
    assert tables["Album"]["kinds"] == {"AlbumId": "id", "Title": "text", "ArtistId": "id"}
    assert all(t["privacy"] is None for t in tables.values())  # --no-privacy
    assert tables["Album"]["primary_key"] == {"score": 1.0, "duplicate_rows": 0, "null_rows": 0}
    (relation,) = data["relations"]
    assert relation["name"] == "Album(ArtistId) -> Artist(ArtistId)"
    n_albums = len(pd.read_parquet(artist_album["synthetic"] / "Album.parquet"))
    assert relation["referential_integrity"] == {
        "score": 1.0,
        "orphan_rows": 0,
        "null_fk_rows": 0,
        "checked_rows": n_albums,
    }
    # only the relation's children per parent is scored (ids and free text are not
    # distributions), and it is not part of the headline, which is defined in the JSON
    assert data["score"] is None and 0.0 < relation["score"] < 1.0
    assert "children per parent is left out" in data["score_definition"]
    assert data["validity_score"] == 1.0

    # three albums of unknown artists: the report must see them
    broken = pd.read_parquet(artist_album["synthetic"] / "Album.parquet")
    broken.loc[:2, "ArtistId"] = 10_000
    broken.to_parquet(artist_album["synthetic"] / "Album.parquet")
    assert main([
        "report", "--real", str(artist_album["real"]), "--synthetic",
        str(artist_album["synthetic"]), "--schema", str(artist_album["schema"]), "-o", str(out),
        "--no-privacy",
    ]) == 0  # fmt: skip
    (relation,) = json.loads(out.read_text())["relations"]
    assert relation["referential_integrity"]["orphan_rows"] == 3
    assert relation["referential_integrity"]["score"] == pytest.approx(1 - 3 / n_albums)


def test_report_on_a_folder_without_the_tables_fails_cleanly(
    artist_album: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "Other.parquet").write_bytes((artist_album["real"] / "Artist.parquet").read_bytes())
    out = tmp_path / "r.html"
    code = main([
        "report", "--real", str(artist_album["real"]), "--synthetic", str(empty),
        "--schema", str(artist_album["schema"]), "-o", str(out),
    ])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "synthetic" in err and "Traceback" not in err
    assert not out.exists()


def test_report_rejects_a_malformed_target(
    artist_album: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([
        "report", "--real", str(artist_album["real"]), "--synthetic",
        str(artist_album["synthetic"]), "--schema", str(artist_album["schema"]),
        "-o", str(tmp_path / "r.html"), "--target", "AlbumOnly",
    ])  # fmt: skip
    assert code == 2
    assert "expected TABLE=COLUMN, got 'AlbumOnly'" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_text_dates_are_read_with_the_schemas_format(tmp_path: Path) -> None:
    """Day-first text dates must not be guessed month-first (5 Jan is not 1 May)."""
    days = pd.date_range("2024-01-05", "2024-02-25", periods=40)
    frame = pd.DataFrame({"id": range(40), "day": days.strftime("%d/%m/%Y")})
    for side in ("real", "synthetic"):
        (tmp_path / side).mkdir()
        frame.to_csv(tmp_path / side / "t.csv", index=False)
    (tmp_path / "schema.yaml").write_text(
        "tables:\n  t:\n    primary_key: [id]\n    columns:\n"
        "      id: {type: id, storage: integer, nullable: false}\n"
        "      day: {type: datetime, storage: string, datetime_format: '%d/%m/%Y'}\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    assert main([
        "report", "--real", str(tmp_path / "real"), "--synthetic", str(tmp_path / "synthetic"),
        "--schema", str(tmp_path / "schema.yaml"), "-o", str(out), "--no-privacy",
    ]) == 0  # fmt: skip
    (table,) = json.loads(out.read_text())["tables"]
    labels = table["distributions"]["day"]["labels"]
    edges = [label.split(" ")[-1] for label in labels if label != "(null)"]
    assert edges and all("2024-01-05" <= e <= "2024-02-25" for e in edges), labels


@pytest.fixture
def invoices(tmp_path: Path, chinook_sqlite_path: Path) -> dict[str, Path]:
    """Real Chinook invoices and the pipeline's kind of copy: attributes faithful, the PII
    columns the schema replaces filled with fakes; BillingCity opted out with ``keep``."""
    with sqlite3.connect(chinook_sqlite_path) as conn:
        real = pd.read_sql('SELECT * FROM "Invoice"', conn)
    n = len(real)
    synthetic = real.assign(
        BillingAddress=[f"{i} Synthetic Lane" for i in range(n)],
        BillingPostalCode=[f"Q{i % 40:05d}X" for i in range(n)],
    )
    paths = {"real": tmp_path / "real", "synthetic": tmp_path / "synthetic"}
    for side, frame in (("real", real), ("synthetic", synthetic)):
        paths[side].mkdir()
        frame.to_parquet(paths[side] / "Invoice.parquet")
    full = load_schema(REPO / "examples" / "chinook" / "schema.yaml")
    invoice = full.table("Invoice")
    columns = [
        c.model_copy(update={"pii_action": PiiAction.KEEP}) if c.name == "BillingCity" else c
        for c in invoice.columns
    ]
    table = invoice.model_copy(update={"foreign_keys": [], "columns": columns})
    paths["schema"] = save_schema(
        full.model_copy(update={"tables": [table]}), tmp_path / "schema.yaml"
    )
    return paths


def test_replaced_pii_is_listed_not_scored_and_keep_is_scored(
    invoices: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    args = ["report", "--real", str(invoices["real"]), "--synthetic",
            str(invoices["synthetic"]), "--schema", str(invoices["schema"]), "-o", str(out),
            "--no-privacy"]  # fmt: skip
    assert main(args) == 0
    (table,) = json.loads(out.read_text())["tables"]
    assert table["not_scored"] == [
        {"column": c, "action": "fake", "reason": "not scored: PII replaced by fake"}
        for c in ("BillingAddress", "BillingPostalCode")
    ]
    shapes = {c["column"] for c in table["column_shapes"]}
    assert "BillingCity" in shapes  # keep: model input, scored (labels still anonymised)
    assert not shapes & {"BillingAddress", "BillingPostalCode"}
    # every learned column is a faithful copy: the fakes must not pull the score down
    # (scored against the real addresses, Invoice fell to about a third)
    assert table["score"] == pytest.approx(1.0)
    printed = capsys.readouterr().out
    assert ("Not scored (PII replaced by the privacy layer): Invoice.BillingAddress (fake), "
            "Invoice.BillingPostalCode (fake)") in printed  # fmt: skip
    assert "PII leak scan: no real PII value" in printed
    data = json.loads(out.read_text())
    assert data["pii_leak_scan"]["ok"] and data["pii_leak_scan"]["kept_columns"] == [
        "Invoice.BillingCity"
    ]

    # real addresses copied into the unscored column: same score, and the scan says so
    real = pd.read_parquet(invoices["real"] / "Invoice.parquet")
    leaky = pd.read_parquet(invoices["synthetic"] / "Invoice.parquet")
    leaky["BillingAddress"] = real["BillingAddress"]
    leaky.to_parquet(invoices["synthetic"] / "Invoice.parquet")
    assert main(args) == 0
    data = json.loads(out.read_text())
    assert data["tables"][0]["score"] == pytest.approx(1.0)
    assert [leak["column"] for leak in data["pii_leak_scan"]["leaks"]] == ["BillingAddress"]
    printed = capsys.readouterr().out
    assert "PII leak scan: real PII values in 1 synthetic column(s): Invoice.BillingAddress=" in (
        printed
    )
    assert real["BillingAddress"].iloc[0] not in printed  # masked examples only


@pytest.fixture
def employees(tmp_path: Path, chinook_sqlite_path: Path) -> dict[str, Path]:
    """Real Employee as Parquet and a resampled 'synthetic' copy: a table with scored columns
    (Artist/Album hold only keys and free text, which the headline score does not cover)."""
    with sqlite3.connect(chinook_sqlite_path) as conn:
        real = pd.read_sql('SELECT * FROM "Employee"', conn)
    synthetic = real.sample(len(real), replace=True, random_state=3).reset_index(drop=True)
    synthetic["EmployeeId"] = np.arange(1, len(real) + 1)
    synthetic["ReportsTo"] = [None, *np.ones(len(real) - 1, dtype=int)]
    paths = {"real": tmp_path / "real_e", "synthetic": tmp_path / "synthetic_e"}
    for folder, frame in ((paths["real"], real), (paths["synthetic"], synthetic)):
        folder.mkdir()
        frame.to_parquet(folder / "Employee.parquet")
    full = load_schema(REPO / "examples" / "chinook" / "schema.yaml")
    subset = full.model_copy(update={"tables": [full.table("Employee")]}, deep=True)
    paths["schema"] = save_schema(subset, tmp_path / "employee.yaml")
    return paths


def test_fail_under_exits_1_below_the_score_and_0_at_or_above_it(
    employees: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def report(threshold: str) -> int:
        return main([
            "report", "--real", str(employees["real"]), "--synthetic",
            str(employees["synthetic"]), "--schema", str(employees["schema"]),
            "-o", str(tmp_path / "r.json"), "--fail-under", threshold,
        ])  # fmt: skip

    assert report("0.999") == 1
    err = capsys.readouterr().err
    assert "FAILED: overall quality 0." in err and "below --fail-under 0.999" in err
    assert (tmp_path / "r.json").is_file()  # written anyway: the failure can be read
    score = json.loads((tmp_path / "r.json").read_text())["score"]
    assert report(str(round(score - 0.01, 3))) == 0
    assert "PASSED" in capsys.readouterr().out


def test_fail_under_must_be_a_fraction(
    artist_album: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([
        "report", "--real", str(artist_album["real"]), "--synthetic",
        str(artist_album["synthetic"]), "--schema", str(artist_album["schema"]),
        "-o", str(tmp_path / "r.html"), "--fail-under", "80",
    ])  # fmt: skip
    assert code == 2
    assert "expected a number between 0 and 1, got '80'" in capsys.readouterr().err


def test_a_missing_data_path_is_named_as_missing(
    artist_album: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    code = main([
        "report", "--real", str(artist_album["real"]), "--synthetic", str(missing),
        "--schema", str(artist_album["schema"]), "-o", str(tmp_path / "r.html"),
    ])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert f"--synthetic {missing}: no such file or folder" in err
    assert "format=" not in err  # not the format hint: the CLI has no such option
