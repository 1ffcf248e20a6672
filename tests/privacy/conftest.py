"""Chinook fixtures for the privacy tests: the bundled schema and its people tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.io import open_connector
from synthohive_lib.schema import Schema, load_schema

ROOT = Path(__file__).resolve().parents[2]
CHINOOK = ROOT / "examples" / "chinook"
PEOPLE_TABLES = ("Customer", "Employee", "Invoice")
HASH_ENV = {"SYNTHOHIVE_HASH_KEY": "test-key-0123456789abcdef"}


@pytest.fixture(scope="session")
def chinook_schema() -> Schema:
    return load_schema(CHINOOK / "schema.yaml")


@pytest.fixture(scope="session")
def chinook_real() -> dict[str, pd.DataFrame]:
    connector = open_connector(f"sqlite:///{CHINOOK / 'chinook.sqlite'}")
    return {name: connector.read_table(name) for name in PEOPLE_TABLES}
