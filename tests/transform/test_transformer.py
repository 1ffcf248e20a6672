"""DataTransformer: encode -> decode gives the table back (within the documented resolution)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import EmptyTableError, ModelError
from synthohive_lib.transform import ColumnKind, ColumnSpec, DataTransformer


def _round_trip(df: pd.DataFrame, **kwargs: object) -> tuple[DataTransformer, pd.DataFrame]:
    transformer = DataTransformer(**kwargs).fit(df, np.random.default_rng(0))
    matrix = transformer.transform(df, np.random.default_rng(1))
    return transformer, transformer.inverse_transform(matrix, np.random.default_rng(2))


def test_inverse_returns_original_columns_order_and_dtypes(mixed_frame: pd.DataFrame) -> None:
    _, back = _round_trip(mixed_frame)
    assert list(back.columns) == list(mixed_frame.columns)
    assert back.dtypes.equals(mixed_frame.dtypes)


def test_categoricals_and_booleans_come_back_exactly(mixed_frame: pd.DataFrame) -> None:
    _, back = _round_trip(mixed_frame)
    pd.testing.assert_series_equal(back["city"], mixed_frame["city"])
    pd.testing.assert_series_equal(back["active"], mixed_frame["active"])


def test_numbers_come_back_within_rounding_and_nulls_in_place(mixed_frame: pd.DataFrame) -> None:
    _, back = _round_trip(mixed_frame)
    np.testing.assert_array_equal(back["amount"].isna(), mixed_frame["amount"].isna())
    np.testing.assert_allclose(back["amount"], mixed_frame["amount"], atol=0.011)
    np.testing.assert_array_equal(back["age"], mixed_frame["age"])


def test_datetimes_come_back_exactly_in_native_and_text_form(mixed_frame: pd.DataFrame) -> None:
    _, back = _round_trip(mixed_frame)
    pd.testing.assert_series_equal(back["joined"], mixed_frame["joined"])
    assert (back["joined_text"] == mixed_frame["joined_text"]).all()


def test_encoded_matrix_has_one_hot_spans_and_bounded_scalars(mixed_frame: pd.DataFrame) -> None:
    transformer = DataTransformer().fit(mixed_frame, np.random.default_rng(0))
    matrix = transformer.transform(mixed_frame, np.random.default_rng(1))
    assert matrix.shape == (len(mixed_frame), transformer.output_dim)
    for span in transformer.spans:
        block = matrix[:, span.start : span.start + span.width]
        if span.activation == "softmax":
            np.testing.assert_array_equal(block.sum(axis=1), 1.0)
        else:
            assert np.abs(block).max() < 1.0


def test_declared_bounds_are_honoured_whatever_the_model_outputs() -> None:
    # the data fill the declared range (a bound narrower than the fitted data is widened to
    # it, see tests/schema/test_whole_table_profiles.py); what the model invents beyond is cut
    df = pd.DataFrame({"score": np.linspace(2.0, 8.0, 200)})
    spec = ColumnSpec("score", ColumnKind.CONTINUOUS, min=2.0, max=8.0, decimals=1)
    transformer = DataTransformer([spec]).fit(df, np.random.default_rng(0))
    extreme = transformer.transform(df, np.random.default_rng(1))
    extreme[:, 0] = np.where(np.arange(len(df)) % 2 == 0, 1.0, -1.0)  # alpha at both extremes
    back = transformer.inverse_transform(extreme, np.random.default_rng(2))["score"]
    assert back.between(2.0, 8.0).all()
    np.testing.assert_array_equal(back, back.round(1))


def test_null_rate_is_an_encoded_mode(mixed_frame: pd.DataFrame) -> None:
    transformer = DataTransformer().fit(mixed_frame, np.random.default_rng(0))
    matrix = transformer.transform(mixed_frame, np.random.default_rng(1))
    amount_modes = [s for s in transformer.spans if s.column == "amount"][1]
    null_slot = matrix[:, amount_modes.start + amount_modes.width - 1]
    assert null_slot.mean() == pytest.approx(mixed_frame["amount"].isna().mean())


def test_high_cardinality_categories_are_pooled_not_exploded() -> None:
    rng = np.random.default_rng(0)
    codes = pd.Series([f"c{i}" for i in rng.zipf(1.5, 2000) % 5000])
    df = pd.DataFrame({"code": codes})
    spec = [ColumnSpec("code", ColumnKind.CATEGORICAL)]
    transformer, back = _round_trip(df, specs=spec, max_categories=20)
    assert transformer.output_dim == 20
    assert back["code"].isin(set(codes)).all()
    top = codes.value_counts().index[:19]
    kept = codes.isin(top)
    assert (back["code"][kept] == codes[kept]).all()


def test_free_text_is_generated_never_copied(mixed_frame: pd.DataFrame) -> None:
    transformer, back = _round_trip(mixed_frame)
    assert transformer.output_dim > 0 and "name" not in {s.column for s in transformer.spans}
    generated = back["name"].dropna()
    assert not generated.isin(set(mixed_frame["name"])).any()
    real_len, fake_len = mixed_frame["name"].str.len(), generated.str.len()
    assert abs(real_len.mean() - fake_len.mean()) < 0.25 * real_len.mean()
    real_chars = set("".join(mixed_frame["name"]))
    assert set("".join(generated)) <= real_chars


def test_state_round_trip_decodes_identically(mixed_frame: pd.DataFrame) -> None:
    transformer = DataTransformer().fit(mixed_frame, np.random.default_rng(0))
    meta, arrays = transformer.state()
    restored = DataTransformer.from_state(meta, arrays)
    matrix = transformer.transform(mixed_frame, np.random.default_rng(1))
    pd.testing.assert_frame_equal(
        transformer.inverse_transform(matrix, np.random.default_rng(5)),
        restored.inverse_transform(matrix, np.random.default_rng(5)),
    )


def test_empty_frame_is_refused() -> None:
    with pytest.raises(EmptyTableError):
        DataTransformer().fit(pd.DataFrame({"a": pd.Series([], dtype=float)}))


def test_all_null_declared_column_is_refused_by_name() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "gone": [np.nan] * 3})
    specs = [ColumnSpec("x", ColumnKind.CONTINUOUS), ColumnSpec("gone", ColumnKind.CONTINUOUS)]
    with pytest.raises(ModelError) as info:
        DataTransformer(specs).fit(df)
    assert info.value.column == "gone"


def test_nan_in_a_non_nullable_number_is_refused_by_name() -> None:
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0]})
    with pytest.raises(ModelError) as info:
        DataTransformer([ColumnSpec("x", ColumnKind.CONTINUOUS, nullable=False)]).fit(df)
    assert info.value.column == "x"


def test_wrong_columns_are_refused_by_name(mixed_frame: pd.DataFrame) -> None:
    transformer = DataTransformer().fit(mixed_frame)
    with pytest.raises(ModelError) as info:
        transformer.transform(mixed_frame.drop(columns=["city"]))
    assert info.value.column == "city"


def test_unseen_category_is_refused_by_name(mixed_frame: pd.DataFrame) -> None:
    transformer = DataTransformer().fit(mixed_frame)
    other = mixed_frame.assign(city="Berlin")
    with pytest.raises(ModelError) as info:
        transformer.transform(other)
    assert info.value.column == "city" and "Berlin" in str(info.value)


def test_point_masses_get_exact_modes_so_spikes_survive_any_alpha() -> None:
    rng = np.random.default_rng(0)
    gains = np.where(rng.random(2000) < 0.9, 0.0, rng.lognormal(8, 1, 2000)).round()
    df = pd.DataFrame({"gain": gains})
    transformer = DataTransformer().fit(df, rng)
    matrix = transformer.transform(df, rng)
    matrix[:, 0] = rng.uniform(-1, 1, len(df))  # whatever alpha the generator emits
    back = transformer.inverse_transform(matrix, rng)["gain"]
    assert (back[gains == 0] == 0).all()


def test_inverse_from_codes_equals_inverse_transform(mixed_frame: pd.DataFrame) -> None:
    transformer = DataTransformer().fit(mixed_frame, np.random.default_rng(0))
    matrix = transformer.transform(mixed_frame, np.random.default_rng(1))
    tanh = [s.start for s in transformer.spans if s.activation == "tanh"]
    soft = [s for s in transformer.spans if s.activation == "softmax"]
    codes = np.stack([matrix[:, s.start : s.start + s.width].argmax(1) for s in soft], 1)
    pd.testing.assert_frame_equal(
        transformer.inverse_from_codes(matrix[:, tanh], codes, np.random.default_rng(2)),
        transformer.inverse_transform(matrix, np.random.default_rng(2)),
    )


def test_one_rare_value_beside_the_spikes_is_a_mode_of_its_own() -> None:
    # bakeoff episodes.bakers_out: 0 and 1 in almost every row, 2 in one: after the spikes
    # one value is left, which a Gaussian mixture cannot be fitted on
    counts = pd.Series([0] * 50 + [1] * 43 + [2])
    df = pd.DataFrame({"bakers_out": counts.astype("Int64")})
    _, back = _round_trip(df)
    assert sorted(back["bakers_out"].unique()) == [0, 1, 2]
    assert (back["bakers_out"] == df["bakers_out"]).all()
