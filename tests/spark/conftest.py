"""One local Spark session for the whole test run, plus small fitted models.

Spark needs Java and pyspark; without them the tests skip with the reason (or fail when
``SYNTHOHIVE_REQUIRE_SERVICES=1``). The PostgreSQL JDBC driver jar is put on the session's
classpath when one is found locally (no network: Maven cannot be reached).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.conftest import services_required, unavailable

JDBC_JAR_CANDIDATES = [
    os.environ.get("SYNTHOHIVE_TEST_JDBC_JARS", ""),
    *sorted(str(p) for p in Path.home().glob(".m2/repository/org/postgresql/postgresql/*/*.jar")),
]


PYSPARK_MISSING = importlib.util.find_spec("pyspark") is None

# Without pyspark the Spark test modules cannot even be imported: leave them out, and let
# test_spark_available.py report the skip (or the failure, when services are required).
collect_ignore_glob: list[str] = []
if PYSPARK_MISSING and not services_required():
    collect_ignore_glob = [p.name for p in Path(__file__).parent.glob("test_*.py")
                           if p.name != "test_spark_available.py"]


def postgres_jdbc_jar() -> str | None:
    """A local PostgreSQL JDBC driver jar, if any (env var first, then ~/.m2)."""
    for candidate in JDBC_JAR_CANDIDATES:
        for part in candidate.split(","):
            if part and Path(part).is_file() and "postgresql" in Path(part).name:
                return part
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
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


TINY_CTGAN = dict(epochs=1, batch_size=100, pac=10, embedding_dim=16, generator_dim=(32,),
                  discriminator_dim=(32,), device="cpu", num_threads=1, seed=0, verbose=False)


def family_frames(n_customers: int = 300, seed: int = 0) -> dict[str, pd.DataFrame]:
    """A small 2-level schema: customers (with a PII column) and their orders (0..6 per
    customer, with a constant column)."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(["retail", "pro", "gov"], n_customers, p=[0.6, 0.3, 0.1])
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n_customers + 1),
        "segment": segment,
        "age": rng.integers(18, 80, n_customers),
        "email": [f"c{i}@mail.example" for i in range(n_customers)],  # PII: never modelled
    })
    per = np.where(segment == "pro", rng.integers(2, 7, n_customers),
                   rng.integers(0, 3, n_customers))
    owner = np.repeat(customers["customer_id"].to_numpy(), per)
    orders = pd.DataFrame({
        "order_id": [f"ORD-{i:06d}" for i in range(1, len(owner) + 1)],
        "customer_id": owner,
        "amount": np.round(rng.gamma(2.0, 30.0, len(owner)), 2),
        "channel": rng.choice(["web", "shop"], len(owner)),
        "currency": "EUR",  # a constant column: never modelled, re-emitted
    })
    return {"customers": customers, "orders": orders}


def family_schema(frames: dict[str, pd.DataFrame]) -> Any:
    from synthohive_lib.schema.infer import infer_schema_from_frames

    return infer_schema_from_frames(
        frames, "shop",
        primary_keys={"customers": ["customer_id"], "orders": ["order_id"]},
        foreign_keys={"orders": [{"columns": ["customer_id"], "references": "customers",
                                  "referenced_columns": ["customer_id"]}]},
    )


@pytest.fixture(scope="session")
def family(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Fitted plans and saved models of the customers/orders schema."""
    from synthohive_lib.relational.generate import RelationalSynthesizer
    from synthohive_lib.relational.modelling import ctgan_factory

    frames = family_frames()
    schema = family_schema(frames)
    synth = RelationalSynthesizer(schema, ctgan_factory(**TINY_CTGAN)).fit(frames)
    root = tmp_path_factory.mktemp("family-models")
    dirs = {name: model.save(root / name) for name, model in synth.models_.items()}
    return {"frames": frames, "schema": schema, "plans": synth.plans_, "model_dirs": dirs}
