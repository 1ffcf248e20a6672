"""Chinook tables as DataFrames, read once per session (read-only: copy before mutating)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.schema.graph import Relation

CHINOOK_SCHEMA = Path(__file__).resolve().parents[2] / "examples" / "chinook" / "schema.yaml"

TABLES = [
    "Artist", "Album", "Track", "Genre", "MediaType", "Playlist", "PlaylistTrack",
    "Employee", "Customer", "Invoice", "InvoiceLine",
]


@pytest.fixture(scope="session")
def chinook(chinook_sqlite_path: Path) -> dict[str, pd.DataFrame]:
    with sqlite3.connect(chinook_sqlite_path) as conn:
        return {t: pd.read_sql(f'SELECT * FROM "{t}"', conn) for t in TABLES}


def rel(parent: str, child: str, child_col: str, parent_col: str | None = None) -> Relation:
    """A single-column relation ``child.child_col -> parent.parent_col`` (same name default)."""
    return Relation(parent, child, (child_col,), (parent_col or child_col,))
