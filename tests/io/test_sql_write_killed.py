"""A writer killed with SIGKILL in the middle of loading leaves the target database as it was,
and the next write succeeds (PostgreSQL: one transaction; MariaDB: staging tables + swap)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_lib.io import open_connector
from synthohive_lib.io.sql_write import LEFTOVER_PREFIXES
from synthohive_lib.schema.model import Schema

REPO = Path(__file__).resolve().parents[2]

SCHEMA = {
    "name": "orders",
    "tables": [
        {
            "name": "Customer",
            "columns": [
                {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                {"name": "segment", "type": "categorical", "storage": "string"},
            ],
            "primary_key": ["id"],
        },
        {
            "name": "Purchase",
            "columns": [
                {"name": "id", "type": "id", "storage": "integer", "nullable": False},
                {"name": "customer_id", "type": "id", "storage": "integer", "nullable": False},
                {"name": "amount", "type": "float", "storage": "float"},
            ],
            "primary_key": ["id"],
            "foreign_keys": [
                {"columns": ["customer_id"], "references": "Customer",
                 "referenced_columns": ["id"]},
            ],
        },
    ],
}  # fmt: skip


def frames(customers: int, purchases: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    return {
        "Customer": pd.DataFrame(
            {"id": np.arange(customers), "segment": rng.choice(["a", "b"], customers)}
        ),
        "Purchase": pd.DataFrame(
            {
                "id": np.arange(purchases),
                "customer_id": rng.integers(0, customers, purchases),
                "amount": rng.random(purchases).round(2),
            }
        ),
    }


#: The killed process: replaces the two tables with 300,000 purchases, 500 rows per INSERT.
WRITER = """
import json, sys
from synthohive_lib.io import open_connector
from synthohive_lib.schema.model import Schema
sys.path.insert(0, sys.argv[3])
from test_sql_write_killed import frames
schema = Schema.model_validate(json.loads(sys.argv[2]))
with open_connector(sys.argv[1], write_chunksize=500) as db:
    db.write_schema(schema, frames(1000, 300_000), if_exists="replace")
"""

#: The writer is in the middle of its load: PostgreSQL shows its open transaction inserting;
#: on MariaDB both staging tables exist (DDL commits at once), after which it loads for
#: seconds (innodb_trx, which shows the open transaction, is not reliably refreshed).
LOADING = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL AND query ILIKE 'INSERT%%'",
    "mysql": "SELECT count(*) = 2 FROM information_schema.tables "
    "WHERE table_schema = database() AND table_name LIKE '\\_shstg\\_%%'",
}


def kill_mid_load(url: str) -> None:
    """Start the writer, wait until it holds uncommitted rows, SIGKILL it."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    here = str(Path(__file__).parent)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url, json.dumps(SCHEMA), here], env=env)
    engine = sa.create_engine(url)
    try:
        deadline = time.monotonic() + 120
        with engine.connect() as conn:
            query = sa.text(LOADING[engine.dialect.name])
            while conn.execute(query).scalar_one() == 0:
                conn.rollback()
                assert proc.poll() is None, "the writer ended before it was seen loading"
                assert time.monotonic() < deadline, "the writer never started loading"
                time.sleep(0.02)
        time.sleep(0.5)  # well inside the load of 300,000 rows (about 10 s)
        assert proc.poll() is None, "the writer finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        engine.dispose()


def counts(url: str) -> dict[str, int]:
    with open_connector(url) as db:
        return {t: db.row_count(t) for t in ("Customer", "Purchase")}


@pytest.fixture(params=["postgres", "mariadb"])
def server_url(request: pytest.FixtureRequest) -> str:
    fixture = "fresh_postgres_url" if request.param == "postgres" else "fresh_mariadb_url"
    return request.getfixturevalue(fixture)


def test_a_writer_killed_mid_load_leaves_the_old_tables_and_the_rerun_succeeds(
    server_url: str,
) -> None:
    schema = Schema.model_validate(SCHEMA)
    with open_connector(server_url) as db:
        db.write_schema(schema, frames(10, 30))
    kill_mid_load(server_url)
    assert counts(server_url) == {"Customer": 10, "Purchase": 30}  # as before the killed run

    with open_connector(server_url) as db:
        db.write_schema(schema, frames(20, 50), if_exists="replace")
        assert db.list_tables() == ["Customer", "Purchase"]  # leftovers of the kill dropped
    assert counts(server_url) == {"Customer": 20, "Purchase": 50}
    engine = sa.create_engine(server_url)
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:  # FK still enforced
            conn.execute(
                sa.text(
                    "INSERT INTO Purchase (id, customer_id, amount) VALUES (999, 999, 1)"
                    if engine.dialect.name == "mysql"
                    else 'INSERT INTO "Purchase" (id, customer_id, amount) VALUES (999, 999, 1)'
                )
            )
    finally:
        engine.dispose()


def test_a_first_write_killed_mid_load_leaves_no_table_under_a_real_name(
    server_url: str,
) -> None:
    kill_mid_load(server_url)
    with open_connector(server_url) as db:
        left = db.list_tables()
        assert not [t for t in left if not t.startswith(LEFTOVER_PREFIXES)]
        db.write_schema(Schema.model_validate(SCHEMA), frames(5, 5))  # no "already exist"
        assert db.list_tables() == ["Customer", "Purchase"]
