"""Numbers that hold one value apart from nulls: rebuilt as the constant at the real null rate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthohive_lib.errors import ModelError
from synthohive_lib.models import CTGAN
from synthohive_lib.transform import DataTransformer

FAST = {"batch_size": 100, "embedding_dim": 8, "generator_dim": (16,),
        "discriminator_dim": (16,), "num_threads": 1, "verbose": False}  # fmt: skip


def _zero_or_null(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A varying number beside ``past_due``: 0.0 or null (as Lending Club's
    ``num_accounts_120d_past_due``), an integer constant and a constant date."""
    rng = np.random.default_rng(seed)
    past_due = np.where(rng.random(n) < 0.2, np.nan, 0.0)
    return pd.DataFrame(
        {
            "amount": rng.lognormal(8, 1, n).round(2),
            "past_due": past_due,
            "version": np.full(n, 3, dtype=np.int64),
            "loaded": pd.Timestamp("2024-05-01"),
        }
    )


def test_a_number_constant_apart_from_nulls_is_fitted_without_specs() -> None:
    df = _zero_or_null()
    transformer = DataTransformer().fit(df, np.random.default_rng(0))
    matrix = transformer.transform(df, np.random.default_rng(1))
    back = transformer.inverse_transform(matrix, np.random.default_rng(2))
    assert set(back["past_due"].dropna()) == {0.0}
    assert abs(back["past_due"].isna().mean() - df["past_due"].isna().mean()) < 0.06
    assert (back["version"] == 3).all() and back["version"].dtype == np.int64
    assert (back["loaded"] == pd.Timestamp("2024-05-01")).all()
    assert back["loaded"].dtype == df["loaded"].dtype


def test_constants_survive_the_saved_state() -> None:
    df = _zero_or_null()
    transformer = DataTransformer().fit(df, np.random.default_rng(0))
    restored = DataTransformer.from_state(*transformer.state())
    matrix = transformer.transform(df, np.random.default_rng(1))
    pd.testing.assert_frame_equal(
        transformer.inverse_transform(matrix, np.random.default_rng(3)),
        restored.inverse_transform(matrix, np.random.default_rng(3)),
    )


def test_ctgan_fits_a_single_table_with_a_zero_or_null_column() -> None:
    df = _zero_or_null(300)
    model = CTGAN(epochs=1, seed=0, **FAST).fit(df)
    out = model.sample(500, seed=1)
    assert set(out["past_due"].dropna()) == {0.0}
    assert 0.1 < out["past_due"].isna().mean() < 0.3


def test_a_model_error_without_a_table_names_the_column() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "gone": [np.nan, np.nan, np.nan]})
    try:
        CTGAN(epochs=1, **FAST).fit(df)
    except ModelError as error:
        assert str(error).startswith("[gone] ")
    else:
        raise AssertionError("an all-null column was accepted")
