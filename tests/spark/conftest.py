"""Small fitted models for the Spark tests (the shared Spark session is in tests/conftest.py).

Without pyspark the Spark test modules are left out and ``test_spark_available.py`` reports
the skip (or the failure, when ``SYNTHOHIVE_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

# The session-wide Spark fixture lives in tests/conftest.py: every package's tests share it.
from tests.conftest import postgres_jdbc_jar, services_required, spark  # noqa: F401

PYSPARK_MISSING = importlib.util.find_spec("pyspark") is None

# Without pyspark the Spark test modules cannot even be imported: leave them out, and let
# test_spark_available.py report the skip (or the failure, when services are required).
collect_ignore_glob: list[str] = []
if PYSPARK_MISSING and not services_required():
    collect_ignore_glob = [
        p.name
        for p in Path(__file__).parent.glob("test_*.py")
        if p.name != "test_spark_available.py"
    ]


TINY_CTGAN = dict(
    epochs=1,
    batch_size=100,
    pac=10,
    embedding_dim=16,
    generator_dim=(32,),
    discriminator_dim=(32,),
    device="cpu",
    num_threads=1,
    seed=0,
    verbose=False,
)


def family_frames(n_customers: int = 300, seed: int = 0) -> dict[str, pd.DataFrame]:
    """A small 2-level schema: customers (with a PII column) and their orders (0..6 per
    customer, with a constant column)."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(["retail", "pro", "gov"], n_customers, p=[0.6, 0.3, 0.1])
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(1, n_customers + 1),
            "segment": segment,
            "age": rng.integers(18, 80, n_customers),
            "email": [f"c{i}@mail.example" for i in range(n_customers)],  # PII: never modelled
        }
    )
    per = np.where(
        segment == "pro", rng.integers(2, 7, n_customers), rng.integers(0, 3, n_customers)
    )
    owner = np.repeat(customers["customer_id"].to_numpy(), per)
    orders = pd.DataFrame(
        {
            "order_id": [f"ORD-{i:06d}" for i in range(1, len(owner) + 1)],
            "customer_id": owner,
            "amount": np.round(rng.gamma(2.0, 30.0, len(owner)), 2),
            "channel": rng.choice(["web", "shop"], len(owner)),
            "currency": "EUR",  # a constant column: never modelled, re-emitted
        }
    )
    return {"customers": customers, "orders": orders}


def family_schema(frames: dict[str, pd.DataFrame]) -> Any:
    from synthohive_lib.profile.infer import infer_schema_from_frames

    return infer_schema_from_frames(
        frames,
        "shop",
        primary_keys={"customers": ["customer_id"], "orders": ["order_id"]},
        foreign_keys={
            "orders": [
                {
                    "columns": ["customer_id"],
                    "references": "customers",
                    "referenced_columns": ["customer_id"],
                }
            ]
        },
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
