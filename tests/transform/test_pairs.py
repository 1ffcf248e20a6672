"""Dependent numeric pairs and few-valued numbers: detection, exact decoding, persistence."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.transform import ColumnKind, ColumnSpec, DataTransformer
from synthohive_lib.transform.pairs import DependentPair, detect_dependent_pairs


def _round_trip(df: pd.DataFrame, **kwargs: object) -> tuple[DataTransformer, pd.DataFrame]:
    transformer = DataTransformer(**kwargs).fit(df, np.random.default_rng(0))
    matrix = transformer.transform(df, np.random.default_rng(1))
    return transformer, transformer.inverse_transform(matrix, np.random.default_rng(2))


def test_a_near_linear_pair_is_found_with_the_earlier_column_as_partner(
    make_media_frame: Callable[..., pd.DataFrame],
) -> None:
    transformer = DataTransformer().fit(make_media_frame(), np.random.default_rng(0))
    pairs = transformer.dependent_pairs
    assert [(p.column, p.partner, p.log, p.is_level) for p in pairs] == [
        ("bytes", "ms", True, False)
    ]
    assert pairs[0].score >= 0.9


def test_unrelated_columns_and_the_switch_leave_columns_alone(
    make_media_frame: Callable[..., pd.DataFrame],
) -> None:
    df = make_media_frame()
    assert DataTransformer(pair_threshold=None).fit(df).dependent_pairs == []
    independent = df.assign(bytes=np.random.default_rng(5).permutation(df["bytes"].to_numpy()))
    assert DataTransformer().fit(independent).dependent_pairs == []


def test_residual_and_restore_are_inverse_on_both_scales() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-50, 50, 1000)
    y = 3.0 * x + rng.normal(0, 1, 1000)
    nulls = rng.random(1000) < 0.1
    values = {"x": (x, nulls), "y": (y, np.zeros(1000, bool))}
    (pair,) = detect_dependent_pairs(
        values, threshold=0.9, sample_rows=500, min_unique=20, rng=np.random.default_rng(1)
    )
    assert not pair.log and pair.slope == pytest.approx(3.0, rel=0.05)
    back = pair.restore(pair.residual(y, x, nulls), x, nulls)
    np.testing.assert_allclose(back, y, rtol=0, atol=1e-9)
    positive = DependentPair("b", "a", True, 1.0, 1.1, 5.0, 0.5, 0.99)
    a, b = rng.uniform(1, 1e6, 1000), rng.uniform(1, 1e9, 1000)
    no_null = np.zeros(1000, bool)
    np.testing.assert_allclose(
        positive.restore(positive.residual(b, a, no_null), a, no_null), b, rtol=1e-12
    )


def test_round_trip_gives_integers_back_exactly_with_nulls_in_place(
    make_media_frame: Callable[..., pd.DataFrame],
) -> None:
    df = make_media_frame()
    df["ms"] = df["ms"] // 100  # values float32 alphas represent exactly
    df["bytes"] = (df["ms"] * 32 + df.index % 7).astype("Int64")
    df.loc[df.index % 9 == 0, "bytes"] = pd.NA
    df["ms"] = df["ms"].astype("Int64")
    df.loc[df.index % 11 == 0, "ms"] = pd.NA
    transformer, back = _round_trip(df)
    assert [p.column for p in transformer.dependent_pairs] == ["bytes"]
    assert back.dtypes.equals(df.dtypes)
    pd.testing.assert_series_equal(back["bytes"].isna(), df["bytes"].isna())
    exact = (back["bytes"] == df["bytes"]).fillna(True)
    assert exact.mean() > 0.99  # float32 alphas clipped at 4 std are the only misses


def test_dependent_column_keeps_its_declared_bounds_and_decimals(
    make_media_frame: Callable[..., pd.DataFrame],
) -> None:
    df = make_media_frame()
    df["bytes"] = df["bytes"] / 1000.0
    # declared bounds around the data (a bound narrower than the fitted data is widened to
    # it: see test_whole_table_profiles), so only what the noise invents beyond is clipped
    low, high = float(df["bytes"].min()) / 2, float(df["bytes"].max()) * 1.01
    specs = [
        ColumnSpec("ms", ColumnKind.INTEGER),
        ColumnSpec("bytes", ColumnKind.CONTINUOUS, decimals=1, min=low, max=high),
        ColumnSpec("price", ColumnKind.CONTINUOUS, decimals=2),
        ColumnSpec("rating", ColumnKind.CONTINUOUS, decimals=1),
    ]
    transformer = DataTransformer(specs).fit(df, np.random.default_rng(0))
    assert [p.column for p in transformer.dependent_pairs] == ["bytes"]
    noise = np.random.default_rng(3).uniform(-1, 1, (len(df), transformer.output_dim))
    out = transformer.inverse_transform(noise.astype(np.float32), np.random.default_rng(4))
    assert out["bytes"].between(low, high).all()
    np.testing.assert_array_equal(out["bytes"], out["bytes"].round(1))


def test_few_valued_numbers_are_conditioning_levels_that_come_back_exactly(
    make_media_frame: Callable[..., pd.DataFrame],
) -> None:
    df = make_media_frame()
    df["stars"] = (df.index % 4 + 1).astype("Int64")
    df.loc[df.index % 13 == 0, "stars"] = pd.NA
    transformer, back = _round_trip(df, discrete_max_values=5)
    assert {s.column for s in transformer.discrete_spans} == {"price", "stars"}
    pd.testing.assert_series_equal(back["price"], df["price"])
    pd.testing.assert_series_equal(back["stars"], df["stars"])
    assert DataTransformer().fit(df).discrete_spans == []  # off by default


def test_a_few_valued_column_follows_its_partner_as_a_level_pair(
    make_media_frame: Callable[..., pd.DataFrame],
) -> None:
    df = make_media_frame()  # price vs ms: Pearson 0.83
    transformer, back = _round_trip(df, pair_threshold=0.8)
    level = [p for p in transformer.dependent_pairs if p.is_level]
    assert [(p.column, p.partner, p.levels) for p in level] == [("price", "ms", (0.99, 1.99))]
    pd.testing.assert_series_equal(back["price"], df["price"])
    # Decoding a residual of 0 gives the level the partner's bin predicts: long -> 1.99.
    long_short = np.array([8 * df["ms"].median(), df["ms"].median()])
    assert level[0].restore(np.zeros(2), long_short, np.zeros(2, bool)).tolist() == [1.99, 0.99]
    no_levels = DataTransformer(level_max_values=0, pair_threshold=0.8).fit(df)
    assert not any(p.is_level for p in no_levels.dependent_pairs)


def test_state_round_trip_decodes_identically(
    make_media_frame: Callable[..., pd.DataFrame],
) -> None:
    df = make_media_frame()
    transformer = DataTransformer(pair_threshold=0.8).fit(df, np.random.default_rng(0))
    assert len(transformer.dependent_pairs) == 2  # bytes ~ ms and the price level
    matrix = transformer.transform(df, np.random.default_rng(1))
    meta, arrays = transformer.state()
    meta = json.loads(json.dumps(meta))  # as saved: tuples become lists
    loaded = DataTransformer.from_state(meta, arrays)
    assert loaded.dependent_pairs == transformer.dependent_pairs
    assert loaded.spans == transformer.spans
    pd.testing.assert_frame_equal(
        loaded.inverse_transform(matrix, np.random.default_rng(2)),
        transformer.inverse_transform(matrix, np.random.default_rng(2)),
    )
    np.testing.assert_array_equal(loaded.transform(df), transformer.transform(df))


def test_state_written_before_pairs_existed_still_loads(
    make_media_frame: Callable[..., pd.DataFrame],
) -> None:
    df = make_media_frame()
    old = DataTransformer(pair_threshold=None, discrete_max_values=0).fit(df)
    meta, arrays = old.state()
    for key in ("pair_threshold", "pair_min_unique", "level_max_values", "discrete_max_values"):
        del meta["params"][key]
    for key in ("pairs", "pair_outputs", "discrete_numbers"):
        del meta[key]
    loaded = DataTransformer.from_state(meta, arrays)
    assert loaded.dependent_pairs == [] and loaded.spans == old.spans
    matrix = old.transform(df, np.random.default_rng(1))
    pd.testing.assert_frame_equal(
        loaded.inverse_transform(matrix, np.random.default_rng(2)),
        old.inverse_transform(matrix, np.random.default_rng(2)),
    )
