"""Tiny tables and one quickly fitted model shared by the model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.models import CTGAN

FAST = {"batch_size": 100, "embedding_dim": 16, "generator_dim": (32, 32),
        "discriminator_dim": (32, 32), "num_threads": 1, "verbose": False}  # fmt: skip


def people(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 0.5, n).round(2)
    income[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "income": income,
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.6, 0.3, 0.1]),
            "joined": pd.to_datetime("2021-01-01")
            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        }
    )


@pytest.fixture(scope="module")
def fitted() -> tuple[CTGAN, pd.DataFrame]:
    data = people()
    return CTGAN(epochs=2, seed=11, **FAST).fit(data), data
