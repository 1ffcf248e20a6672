"""Small frames that exercise every column kind the transformer supports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def mixed_frame() -> pd.DataFrame:
    """300 rows: every kind, with nulls in several columns."""
    rng = np.random.default_rng(0)
    n = 300
    amount = np.round(
        np.concatenate([rng.normal(10, 1, n // 2), rng.normal(100, 5, n - n // 2)]), 2
    )
    amount[rng.random(n) < 0.2] = np.nan
    days = pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    city = rng.choice(["Paris", "Lyon", "Nice", None], n, p=[0.5, 0.3, 0.1, 0.1])
    first = np.array(["Anna", "Bruno", "Clara", "David", "Elena", "Felix", "Greta", "Hugo"])
    last = np.array(["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit"])
    names = (
        pd.Series(rng.choice(first, n)) + " " + pd.Series(rng.choice(last, n))
        + " " + pd.Series(np.arange(n)).astype(str)
    )  # fmt: skip
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "amount": amount,
            "city": city,
            "active": rng.random(n) < 0.3,
            "joined": days,
            "joined_text": days.strftime("%d/%m/%Y"),
            "name": names,
        }
    )
