"""Columns determined by a category: detection, derivation on the way back, persistence."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.models import CTGAN
from synthohive_lib.transform import DataTransformer

LEVELS = {"school": 1, "college": 2, "bachelor": 3, "master": 4, "doctor": 5}


def _people(n: int = 2_000, seed: int = 0, noise: float = 0.0) -> pd.DataFrame:
    """``years`` is a function of ``degree`` (but for a ``noise`` share of rows), ``band``
    is a category that follows ``degree`` too, ``age`` is independent of both."""
    rng = np.random.default_rng(seed)
    degree = rng.choice(list(LEVELS), n, p=[0.4, 0.25, 0.2, 0.1, 0.05])
    years = np.array([LEVELS[d] * 4 for d in degree], dtype=np.int64)
    flip = rng.random(n) < noise
    years[flip] = rng.integers(1, 30, int(flip.sum()))
    band = np.where(np.isin(degree, ["master", "doctor"]), "high", "low")
    return pd.DataFrame(
        {
            "degree": degree,
            "age": rng.integers(18, 80, n),
            "years": years,
            "band": band,
            "score": rng.normal(50, 10, n).round(1),
        }
    )


def _round_trip(df: pd.DataFrame, **kwargs: object) -> tuple[DataTransformer, pd.DataFrame]:
    transformer = DataTransformer(**kwargs).fit(df, np.random.default_rng(0))
    matrix = transformer.transform(df, np.random.default_rng(1))
    return transformer, transformer.inverse_transform(matrix, np.random.default_rng(2))


def test_a_number_and_a_category_that_follow_a_category_are_derived_from_it() -> None:
    transformer, back = _round_trip(_people())
    found = {d.column: (d.key, d.purity) for d in transformer.determined_columns}
    assert found == {"years": ("degree", 1.0), "band": ("degree", 1.0)}
    # They are out of the matrix: no span of theirs for the generator to learn.
    assert {s.column for s in transformer.spans} == {"degree", "age", "score"}
    real = _people()
    pd.testing.assert_frame_equal(
        back[["degree", "years", "band"]], real[["degree", "years", "band"]]
    )
    assert back.dtypes.equals(real.dtypes)


def test_independent_or_noisy_columns_are_left_to_the_gan() -> None:
    transformer, _ = _round_trip(_people(noise=0.05))
    assert [d.column for d in transformer.determined_columns] == ["band"]
    off, _ = _round_trip(_people(), determined_threshold=None)
    assert off.determined_columns == []


def test_a_small_table_is_not_trusted_to_show_a_dependency() -> None:
    # 5 degrees need 50 rows at 10 rows per key; 40 rows of independent columns could look
    # determined by chance, so nothing is derived.
    transformer, _ = _round_trip(_people(n=40))
    assert transformer.determined_columns == []


def test_nulls_in_the_key_and_the_column_are_mapped_too() -> None:
    df = _people()
    df["degree"] = df["degree"].astype(object)
    df.loc[df.index[:200], "degree"] = None
    df["years"] = df["years"].astype("Int64")
    df.loc[df.index[:200], "years"] = pd.NA
    transformer, back = _round_trip(df)
    assert "years" in [d.column for d in transformer.determined_columns]
    assert back["years"].isna().sum() == 200 and str(back["years"].dtype) == "Int64"
    pd.testing.assert_series_equal(back["years"], df["years"])


def test_the_mapping_survives_json_state_and_unseen_keys_fall_back() -> None:
    transformer, back = _round_trip(_people())
    meta, arrays = transformer.state()
    loaded = DataTransformer.from_state(json.loads(json.dumps(meta)), arrays)
    matrix = transformer.transform(_people(), np.random.default_rng(1))
    pd.testing.assert_frame_equal(loaded.inverse_transform(matrix, np.random.default_rng(2)), back)
    years = next(d for d in loaded.determined_columns if d.column == "years")
    assert list(years.lookup(pd.Series(["master", "unheard-of"]))) == [16.0, years.fallback]


def test_state_without_determined_columns_still_loads() -> None:
    transformer, back = _round_trip(_people(), determined_threshold=None)
    meta, arrays = transformer.state()
    for key in ("determined", "determined_outputs"):
        meta.pop(key)
    meta["params"].pop("determined_threshold")
    meta["params"].pop("determined_min_rows_per_key")
    loaded = DataTransformer.from_state(meta, arrays)
    matrix = transformer.transform(_people(), np.random.default_rng(1))
    pd.testing.assert_frame_equal(loaded.inverse_transform(matrix, np.random.default_rng(2)), back)


@pytest.mark.parametrize("determined_threshold", [0.995, None])
def test_ctgan_keeps_the_dependency_in_every_row_only_when_derived(
    determined_threshold: float | None,
) -> None:
    real = _people()
    model = CTGAN(
        epochs=1,
        batch_size=200,
        seed=0,
        verbose=False,
        determined_threshold=determined_threshold,
    ).fit(real)
    sample = model.sample(1_000, seed=1)
    agree = (sample["years"] == sample["degree"].map(LEVELS) * 4).mean()
    if determined_threshold is None:
        assert agree < 0.9  # one epoch is far from learning the mapping by itself
    else:
        assert agree == 1.0
        assert set(sample["band"]) <= {"high", "low"}
