"""Fixtures for the schema tests: Chinook inferred once per session, small SQLite builders."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from synthohive_lib.profile.infer import InferenceResult, infer


@pytest.fixture(scope="session")
def chinook_inference(chinook_url: str) -> InferenceResult:
    """Chinook inferred from the bundled SQLite file (shared: inference takes ~1 s)."""
    return infer(chinook_url)


@pytest.fixture
def make_sqlite(tmp_path: Path) -> Callable[[str], str]:
    """Build a SQLite file from a SQL script; returns its URL."""

    def build(script: str, name: str = "db.sqlite") -> str:
        path = tmp_path / name
        with sqlite3.connect(path) as conn:
            conn.executescript(script)
        conn.close()
        return f"sqlite:///{path}"

    return build
