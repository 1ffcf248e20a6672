"""``output.url``: the synthetic copy written into PostgreSQL / MariaDB as part of the job."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
import yaml

from synthohive_lib.config import load_project_config
from synthohive_lib.errors import ConfigError
from synthohive_lib.io.store import open_store
from synthohive_pipelines.assets import SYNTHETIC, asset_key
from synthohive_pipelines.database import DATABASE_KEY
from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.jobs import SYNTHESIZE_ALL

from .test_synthesis import SUBSET, write_subset_project


def with_output_url(path: Path, url: str) -> Path:
    doc = yaml.safe_load(path.read_text())
    doc["output"]["url"] = url
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def orphan_refused(url: str) -> bool:
    """Whether the database refuses an invoice of a customer that does not exist."""
    engine = sa.create_engine(url)
    quote = engine.dialect.identifier_preparer.quote
    insert = (
        f"INSERT INTO {quote('Invoice')} ({quote('InvoiceId')}, {quote('CustomerId')}, "
        f"{quote('InvoiceDate')}, {quote('Total')}) VALUES (999999, 999999, '2020-01-01', 1)"
    )
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(insert))
    except sa.exc.IntegrityError:
        return True
    finally:
        engine.dispose()
    return False


def database_rows(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    quote = engine.dialect.identifier_preparer.quote
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(sa.text(f"SELECT count(*) FROM {quote(t)}")).scalar_one()
                for t in SUBSET
            }
    finally:
        engine.dispose()


def test_the_job_writes_the_synthetic_copy_into_postgresql_and_mariadb_with_its_keys(
    tmp_path: Path,
    fresh_postgres_url: str,
    fresh_mariadb_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = with_output_url(write_subset_project(tmp_path), fresh_postgres_url)
    defs = build_definitions(path)
    graph = defs.resolve_asset_graph()
    assert graph.get(DATABASE_KEY).parent_keys == {asset_key(SYNTHETIC.name, t) for t in SUBSET}
    result = defs.resolve_job_def(SYNTHESIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    (mat,) = [m for m in result.get_asset_materialization_events() if m.asset_key == DATABASE_KEY]
    store = open_store(tmp_path / "out", "parquet")
    expected = {t: store.info(SYNTHETIC.name, t).rows for t in SUBSET}
    assert database_rows(fresh_postgres_url) == expected
    assert orphan_refused(fresh_postgres_url)
    meta = mat.event_specific_data.materialization.metadata
    assert meta["dagster/row_count"].value == sum(expected.values())

    # the same synthetic tables into MariaDB, the URL from the environment (env:VARNAME)
    monkeypatch.setenv("SYNTHETIC_DB_URL", fresh_mariadb_url)
    with_output_url(path, "env:SYNTHETIC_DB_URL")
    result = (
        build_definitions(path)
        .resolve_job_def(SYNTHESIZE_ALL)
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), asset_selection=[DATABASE_KEY])
    )
    assert result.success
    assert database_rows(fresh_mariadb_url) == expected
    assert orphan_refused(fresh_mariadb_url)


def test_without_output_url_there_is_no_database_asset(tmp_path: Path) -> None:
    defs = build_definitions(write_subset_project(tmp_path))
    assert DATABASE_KEY not in defs.resolve_asset_graph().get_all_asset_keys()


def test_an_output_url_with_a_password_is_refused_naming_the_key(tmp_path: Path) -> None:
    path = with_output_url(write_subset_project(tmp_path), "postgresql://u:secret@h/db")
    with pytest.raises(ConfigError, match=r"output\.url") as info:
        load_project_config(path)
    assert "secret" not in str(info.value)


def test_an_unset_output_url_variable_is_a_config_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_DB_URL", raising=False)
    config = load_project_config(
        with_output_url(write_subset_project(tmp_path), "env:NO_SUCH_DB_URL")
    )
    with pytest.raises(
        ConfigError, match=r"output\.url reads the environment variable NO_SUCH_DB_URL"
    ):
        config.output_database_url()
