"""The same Chinook schema inferred from PostgreSQL and MariaDB copies as from SQLite.

Copies are loaded through the connectors' own ``write_schema`` (keys enforced), then
inferred back. Storage types may legitimately differ per dialect; tables, keys, semantic
types, formats, PII kinds, nullability, ranges and decimals must not.
"""

from __future__ import annotations

from typing import Any

import pytest

from synthohive_lib.io import open_connector
from synthohive_lib.profile.infer import InferenceResult, infer
from synthohive_lib.profile.source import validate_against_source
from synthohive_lib.schema.model import Schema


def comparable(schema: Schema) -> dict[str, Any]:
    """What must be equal across dialects: everything except storage types."""
    return {
        t.name: {
            "primary_key": t.primary_key,
            "foreign_keys": sorted(
                (tuple(fk.columns), fk.references, tuple(fk.referenced_columns))
                for fk in t.foreign_keys
            ),
            "columns": {
                c.name: c.model_dump(exclude={"storage", "name"}, mode="json") for c in t.columns
            },
        }
        for t in schema.tables
    }


def copy_chinook(chinook_url: str, target_url: str, schema: Schema) -> None:
    with open_connector(chinook_url) as source:
        frames = {t.name: source.read_table(t.name, t) for t in schema.tables}
    with open_connector(target_url) as target:
        target.write_schema(schema, frames)


def assert_same_as_sqlite(chinook_inference: InferenceResult, copy_url: str) -> None:
    copied = infer(copy_url, name="chinook")
    assert sorted(copied.schema.table_names) == sorted(chinook_inference.schema.table_names)
    assert len(copied.schema.foreign_keys) == 11
    assert comparable(copied.schema) == comparable(chinook_inference.schema)
    assert copied.row_counts == chinook_inference.row_counts
    assert {(c.table, c.column, c.kind) for c in copied.pii_candidates} == {
        (c.table, c.column, c.kind) for c in chinook_inference.pii_candidates
    }
    assert validate_against_source(copied.schema, copy_url).ok


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_copy_of_chinook_infers_the_same_schema(
    chinook_inference: InferenceResult, chinook_url: str, fresh_postgres_url: str
) -> None:
    copy_chinook(chinook_url, fresh_postgres_url, chinook_inference.schema)
    assert_same_as_sqlite(chinook_inference, fresh_postgres_url)


@pytest.mark.mariadb
@pytest.mark.slow
def test_mariadb_copy_of_chinook_infers_the_same_schema(
    chinook_inference: InferenceResult, chinook_url: str, fresh_mariadb_url: str
) -> None:
    copy_chinook(chinook_url, fresh_mariadb_url, chinook_inference.schema)
    assert_same_as_sqlite(chinook_inference, fresh_mariadb_url)
