"""Small frames that exercise every column kind the transformer supports."""

from __future__ import annotations

from collections.abc import Callable

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


def _media_frame(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """Duration and file size: size = duration x one of two bit rates x a little noise; a
    price with two levels that follows the high bit rate; and an unrelated number."""
    rng = np.random.default_rng(seed)
    ms = np.round(rng.lognormal(12.4, 0.5, n)).astype(np.int64)
    video = rng.random(n) < 0.1
    ms[video] *= 8
    rate = np.where(video, 180.0, 32.0) * np.exp(rng.normal(0, 0.05, n))
    return pd.DataFrame(
        {
            "ms": ms,
            "bytes": np.round(ms * rate).astype(np.int64),
            "price": np.where(video, 1.99, 0.99),
            "rating": np.round(rng.normal(50, 10, n), 1),
        }
    )


@pytest.fixture
def make_media_frame() -> Callable[..., pd.DataFrame]:
    """Builds the media table (``n`` rows, ``seed``); see :func:`_media_frame`."""
    return _media_frame
