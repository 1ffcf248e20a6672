"""check_spark_table: which Chinook tables the co-partitioned Spark path can generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthohive_lib.errors import ConfigError
from synthohive_lib.schema import SchemaGraph, load_schema
from synthohive_lib.spark.support import check_spark_table, spark_unsupported

SCHEMA = Path(__file__).resolve().parents[2] / "examples" / "chinook" / "schema.yaml"


@pytest.fixture(scope="module")
def graph() -> SchemaGraph:
    return SchemaGraph(load_schema(SCHEMA))


@pytest.mark.parametrize("table", ["Artist", "Album", "Customer", "Invoice", "Genre"])
def test_roots_and_single_parent_children_are_supported(graph: SchemaGraph, table: str) -> None:
    assert spark_unsupported(graph, table) == []
    check_spark_table(graph, table)


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ("Track", "foreign keys to 3 parents (Album, Genre, MediaType)"),
        ("Employee", "a self-reference"),
        ("PlaylistTrack", "a link (junction) table shape"),
    ],
)
def test_tables_needing_other_rows_are_refused_by_name(
    graph: SchemaGraph, table: str, reason: str
) -> None:
    assert reason in spark_unsupported(graph, table)
    with pytest.raises(ConfigError, match=rf"\[{table}\].*engine: pandas"):
        check_spark_table(graph, table)
