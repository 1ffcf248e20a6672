"""Shared fixtures: the bundled Chinook example and fresh databases on the real servers.

Database tests run against the PostgreSQL and MariaDB servers of the machine. Their URLs come
from ``SYNTHOHIVE_TEST_POSTGRES_URL`` / ``SYNTHOHIVE_TEST_MARIADB_URL`` (defaults: the local
servers). When a server is unreachable the tests are skipped with the reason — unless
``SYNTHOHIVE_REQUIRE_SERVICES=1`` (set by ``.ci/run``), which turns the skip into a failure so
CI can never pass without having talked to the real servers.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parents[1]
CHINOOK_SQLITE = REPO_ROOT / "examples" / "chinook" / "chinook.sqlite"

POSTGRES_URL = os.environ.get(
    "SYNTHOHIVE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
MARIADB_URL = os.environ.get(
    "SYNTHOHIVE_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)


def services_required() -> bool:
    """True when a missing service must fail the run instead of skipping (CI)."""
    return os.environ.get("SYNTHOHIVE_REQUIRE_SERVICES", "") == "1"


def unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail when services are required."""
    if services_required():
        pytest.fail(f"{reason} (SYNTHOHIVE_REQUIRE_SERVICES=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chinook_sqlite_path() -> Path:
    """The bundled Chinook SQLite file (read it; copy it before writing)."""
    return CHINOOK_SQLITE


@pytest.fixture(scope="session")
def chinook_url(chinook_sqlite_path: Path) -> str:
    return f"sqlite:///{chinook_sqlite_path}"


def _admin_engine(url: str, what: str) -> sa.Engine:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        unavailable(f"{what} server unreachable at {sa.make_url(url).render_as_string()}: "
                    f"{str(exc.orig).strip().splitlines()[0]}")
    return engine


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    admin = _admin_engine(POSTGRES_URL, "PostgreSQL")
    name = f"synthohive_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(POSTGRES_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        sa.create_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_mariadb_url() -> Iterator[str]:
    """URL of a new, empty MariaDB database, dropped after the test."""
    admin = _admin_engine(MARIADB_URL, "MariaDB")
    name = f"synthohive_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    url = sa.make_url(MARIADB_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


# --------------------------------------------------------------------------- Spark

JDBC_JAR_CANDIDATES = [
    os.environ.get("SYNTHOHIVE_TEST_JDBC_JARS", ""),
    *sorted(str(p) for p in Path.home().glob(".m2/repository/org/postgresql/postgresql/*/*.jar")),
]


def postgres_jdbc_jar() -> str | None:
    """A local PostgreSQL JDBC driver jar, if any (env var first, then ~/.m2)."""
    for candidate in JDBC_JAR_CANDIDATES:
        for part in candidate.split(","):
            if part and Path(part).is_file() and "postgresql" in Path(part).name:
                return part
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The one local Spark session of the test run (starting one takes seconds).

    Created here, before any code under test calls ``getOrCreate()``, so that it carries the
    test settings and the JDBC driver jar whichever test asks for Spark first.
    """
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable("Java is not installed (Spark needs a JVM)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        unavailable("pyspark is not installed")
    from synthohive_lib.spark.session import local_spark_session

    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    extra = {"spark.sql.shuffle.partitions": "4", "spark.python.worker.reuse": "true"}
    jar = postgres_jdbc_jar()
    if jar:
        extra["spark.jars"] = jar
    session = local_spark_session(2, "synthohive-tests", extra)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
