"""Spark I/O: sources read through Spark equal the SQLAlchemy reads, atomic Parquet/Delta
writes (nothing visible after a failed partition), typed errors for bad sources."""

from __future__ import annotations

import decimal
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
import structlog
from deltalake import DeltaTable

from synthohive_lib.errors import ConnectorError, SourceUnreachableError
from synthohive_lib.io import open_connector
from synthohive_lib.schema import Schema, load_schema
from synthohive_lib.spark import (
    SparkSchemaMismatchError,
    read_delta_spark,
    read_table_spark,
    write_table_spark,
)
from tests.conftest import REPO_ROOT, unavailable

from .conftest import postgres_jdbc_jar

pytestmark = pytest.mark.spark

SUBSET = ["Artist", "Album", "Genre", "MediaType", "Track"]


def chinook_subset() -> Schema:
    full = load_schema(REPO_ROOT / "examples" / "chinook" / "schema.yaml")
    tables = [t.model_dump() for t in full.tables if t.name in SUBSET]
    return Schema.model_validate({"name": "chinook-subset", "tables": tables})


def normal(df: pd.DataFrame, key: str) -> list[dict[str, Any]]:
    """Rows as plain Python values (Decimal -> float, NaN -> None), sorted by ``key``."""
    out = df.sort_values(key).reset_index(drop=True).astype(object)
    out = out.where(out.notna(), None)
    return [{k: float(v) if isinstance(v, decimal.Decimal) else v for k, v in row.items()}
            for row in out.to_dict("records")]


@pytest.fixture(scope="module")
def chinook_frames(chinook_url: str) -> dict[str, pd.DataFrame]:
    schema = chinook_subset()
    with open_connector(chinook_url) as src:
        return {t.name: src.read_table(t.name, t) for t in schema.tables}


def test_parquet_source_through_spark_equals_sqlalchemy(
    spark: Any, chinook_frames: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    schema = chinook_subset()
    with open_connector(tmp_path / "chinook", format="parquet") as sink:
        sink.write_schema(schema, chinook_frames)
    for name, key in (("Track", "TrackId"), ("Album", "AlbumId")):
        table = schema.table(name)
        df = read_table_spark(spark, tmp_path / "chinook" / f"{name}.parquet",
                              schema_table=table)
        assert df.columns == table.column_names
        assert normal(df.toPandas(), key) == normal(chinook_frames[name], key)


@pytest.mark.postgres
def test_jdbc_source_through_spark_equals_sqlalchemy(
    spark: Any, chinook_frames: dict[str, pd.DataFrame], fresh_postgres_url: str
) -> None:
    if postgres_jdbc_jar() is None:
        unavailable("no PostgreSQL JDBC driver jar on this machine (set "
                    "SYNTHOHIVE_TEST_JDBC_JARS)")
    schema = chinook_subset()
    with open_connector(fresh_postgres_url) as pg:
        pg.write_schema(schema, chinook_frames)
        expected = pg.read_table("Track", schema.table("Track"))
    url = sa.make_url(fresh_postgres_url)
    jdbc_url = f"jdbc:postgresql://{url.host}:{url.port or 5432}/{url.database}"
    options = {"user": url.username or "postgres", "fetchsize": 500}
    if url.password:
        options["password"] = url.password
    df = read_table_spark(spark, jdbc_url, table="Track", db_schema="public", options=options,
                          schema_table=schema.table("Track"))
    assert normal(df.toPandas(), "TrackId") == normal(expected, "TrackId")
    with pytest.raises(SourceUnreachableError, match="NoSuchTable"):
        read_table_spark(spark, jdbc_url, table="NoSuchTable", options=options)


def _frame(spark: Any, n: int = 50, parts: int = 3) -> Any:
    pdf = pd.DataFrame({"id": range(n), "label": [f"x{i % 7}" for i in range(n)],
                        "when": pd.date_range("2024-01-01", periods=n, freq="h")})
    return spark.createDataFrame(pdf).repartition(parts)


def test_delta_output_readable_by_deltalake_and_spark(spark: Any, tmp_path: Path) -> None:
    target = tmp_path / "out" / "events"
    with structlog.testing.capture_logs() as logs:
        result = write_table_spark(_frame(spark), target, "delta")
    assert result.engine == "delta-rs" and result.rows == 50
    assert any(e["event"] == "spark.write.delta" and e["path"] == "delta-rs" for e in logs)
    dt = DeltaTable(str(target))
    assert dt.version() == 0
    rs = dt.to_pandas().sort_values("id").reset_index(drop=True)
    assert rs["id"].tolist() == list(range(50))
    via_spark = read_delta_spark(spark, target).toPandas().sort_values("id")
    assert via_spark["label"].tolist() == rs["label"].tolist()
    write_table_spark(_frame(spark, 20), target, "delta")  # overwrite: a new version
    assert DeltaTable(str(target)).version() == 1
    assert read_table_spark(spark, target).count() == 20
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]
    with pytest.raises(ConnectorError, match="already exists"):
        write_table_spark(_frame(spark, 5), target, "delta", mode="error")


def test_parquet_output_replaced_atomically(spark: Any, tmp_path: Path) -> None:
    target = tmp_path / "t.parquet"
    write_table_spark(_frame(spark), target)
    write_table_spark(_frame(spark, 10), target)
    assert spark.read.parquet(str(target)).count() == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]
    with pytest.raises(ConnectorError, match="already exists"):
        write_table_spark(_frame(spark, 5), target, mode="error")


def _failing(spark: Any) -> Any:
    """A frame whose third partition raises while being written."""
    def boom(batches):  # type: ignore[no-untyped-def]
        for pdf in batches:
            if (pdf["id"] >= 60).any():
                raise RuntimeError("partition failed mid-write")
            yield pdf
    return spark.range(0, 100, 1, numPartitions=4).mapInPandas(boom, "id long")


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_failed_partition_leaves_no_partial_table(spark: Any, tmp_path: Path, fmt: str) -> None:
    fresh, existing = tmp_path / "fresh", tmp_path / "existing"
    write_table_spark(spark.range(0, 5), existing, fmt)
    for target in (fresh, existing):
        with pytest.raises(ConnectorError, match="nothing was published"):
            write_table_spark(_failing(spark), target, fmt)
    assert not fresh.exists()
    assert read_table_spark(spark, existing, format=fmt).count() == 5
    if fmt == "delta":
        assert DeltaTable(str(existing)).version() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]


def test_missing_source_path_is_named(spark: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "Track.parquet"
    with pytest.raises(SourceUnreachableError, match=re.escape(str(missing))):
        read_table_spark(spark, missing)
    with pytest.raises(SourceUnreachableError, match="not a Delta table"):
        read_delta_spark(spark, tmp_path)


def test_catalog_table_and_schema_check(spark: Any, chinook_frames: dict) -> None:
    spark.createDataFrame(chinook_frames["Genre"]).createOrReplaceTempView("genre_src")
    table = chinook_subset().table("Genre")
    df = read_table_spark(spark, "genre_src", format="table", schema_table=table)
    assert df.count() == len(chinook_frames["Genre"])
    spark.createDataFrame(chinook_frames["Genre"][["GenreId"]]).createOrReplaceTempView("g2")
    with pytest.raises(SparkSchemaMismatchError, match="Name") as info:
        read_table_spark(spark, "g2", format="table", schema_table=table)
    assert info.value.missing == ["Name"]
    with pytest.raises(SourceUnreachableError, match="no_such_view"):
        read_table_spark(spark, "no_such_view", format="table")
