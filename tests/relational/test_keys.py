"""Primary keys keep the real format and stay unique; foreign keys point at synthetic parents."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from synthohive_lib.relational._frames import children_per_parent
from synthohive_lib.relational.cardinality import CardinalityModel
from synthohive_lib.relational.keys import (
    GenericStringKey,
    IntegerSequenceKey,
    PatternKey,
    PrimaryKeyPlan,
    UuidKey,
    assign_by_slots,
    detect_key_format,
    expand_parent_keys,
    key_format_from_dict,
)
from synthohive_lib.schema.model import Column, ColumnType, ForeignKey, Table

from .conftest import rel


def both_partitions(fmt, n=5000, seed=0):
    """Two partitions of one run, generated separately with disjoint offsets."""
    return fmt.generate(n, offset=0, seed=seed), fmt.generate(n, offset=n, seed=seed)


# ---------------------------------------------------------------------- formats
def test_integer_keys_continue_the_real_start_and_step() -> None:
    fmt = detect_key_format(pd.Series([10, 20, 40, 30]))
    assert fmt == IntegerSequenceKey(start=10, step=10)
    assert fmt.generate(3, offset=2).tolist() == [30, 40, 50]


def test_float_columns_holding_integers_are_integer_keys() -> None:
    assert detect_key_format(pd.Series([1.0, 2.0, 3.0])) == IntegerSequenceKey(1, 1)


def test_patterned_keys_keep_prefix_and_zero_padding() -> None:
    real = pd.Series([f"INV-{i:06d}" for i in (123, 124, 125, 130)])
    fmt = detect_key_format(real)
    assert fmt == PatternKey(prefix="INV-", width=6, start=123, step=1, suffix="")
    first, second = both_partitions(fmt)
    keys = pd.concat([first, second])
    assert keys.str.fullmatch(r"INV-\d{6}").all()
    assert keys.is_unique
    assert first.iloc[0] == "INV-000123"


def test_unpadded_numbers_with_a_suffix_are_a_pattern() -> None:
    fmt = detect_key_format(pd.Series(["7/A", "8/A", "10/A"]))
    assert fmt == PatternKey(prefix="", width=0, start=7, step=1, suffix="/A")
    assert fmt.generate(2, offset=3).tolist() == ["10/A", "11/A"]


@pytest.mark.parametrize("upper", [False, True])
def test_uuid_keys_are_valid_uuid4_in_the_real_case_and_never_collide(upper) -> None:
    real = pd.Series([str(uuid.uuid4()) for _ in range(20)])
    fmt = detect_key_format(real.str.upper() if upper else real)
    assert fmt == UuidKey(uppercase=upper, hyphens=True)
    first, second = both_partitions(fmt)
    keys = pd.concat([first, second])
    assert keys.is_unique
    assert {uuid.UUID(k).version for k in keys.head(100)} == {4}
    pattern = r"[0-9A-F\-]{36}" if upper else r"[0-9a-f\-]{36}"
    assert keys.str.fullmatch(pattern).all()


def test_other_strings_keep_length_and_alphabet_and_stay_unique() -> None:
    real = pd.Series(["QX7K", "ZZ9Q", "K2M1", "AB3X"])
    fmt = detect_key_format(real)
    assert isinstance(fmt, GenericStringKey) and fmt.length == 4
    first, second = both_partitions(fmt, n=3000)
    keys = pd.concat([first, second])
    assert keys.is_unique
    assert set("".join(keys)) <= set(fmt.alphabet)
    assert (keys.str.len() >= 4).all()


@pytest.mark.parametrize(
    "fmt", [IntegerSequenceKey(5, 2), PatternKey("C", 4), UuidKey(), GenericStringKey(6)]
)
def test_key_formats_are_deterministic_and_serialisable(fmt) -> None:
    assert fmt.generate(50, seed=3).equals(fmt.generate(50, seed=3))
    again = key_format_from_dict(fmt.to_dict())
    assert again == fmt


# ---------------------------------------------------------------------- table plans
def _table(name, columns, pk, fks=()):
    cols = [Column(name=c, type=ColumnType.ID, storage="integer") for c in columns]
    return Table(name=name, columns=cols, primary_key=pk, foreign_keys=list(fks))


def test_a_composite_key_numbering_rows_per_parent_restarts_in_each_parent() -> None:
    real = pd.DataFrame({"OrderId": [1, 1, 1, 2, 2, 3], "LineNo": [1, 2, 3, 1, 2, 1]})
    table = _table(
        "OrderLine", ["OrderId", "LineNo"], ["OrderId", "LineNo"],
        [ForeignKey(columns=["OrderId"], references="Order", referenced_columns=["OrderId"])],
    )
    plan = PrimaryKeyPlan.fit(table, real)
    assert plan.per_group == {"LineNo": (("OrderId",), 1)}
    synthetic = pd.DataFrame({"OrderId": [7, 7, 8, 9, 9, 9]})
    plan.generate(synthetic)
    assert synthetic["LineNo"].tolist() == [1, 2, 1, 1, 2, 3]
    assert not synthetic.duplicated().any()
    assert PrimaryKeyPlan.from_dict(plan.to_dict()) == plan


def test_a_single_key_uses_its_detected_format_with_offsets(chinook) -> None:
    table = _table("Invoice", ["InvoiceId"], ["InvoiceId"])
    plan = PrimaryKeyPlan.fit(table, chinook["Invoice"])
    frame = pd.DataFrame(index=range(4))
    plan.generate(frame, offset=1000)
    assert frame["InvoiceId"].tolist() == [1001, 1002, 1003, 1004]


# ---------------------------------------------------------------------- foreign keys
def test_expanding_counts_repeats_each_parent_key_as_often_as_asked() -> None:
    parents = pd.DataFrame({"InvoiceId": ["I-1", "I-2", "I-3"]})
    keys, positions = expand_parent_keys(parents, np.array([2, 0, 3]), ["InvoiceRef"])
    assert keys["InvoiceRef"].tolist() == ["I-1", "I-1", "I-3", "I-3", "I-3"]
    assert positions.tolist() == [0, 0, 2, 2, 2]


def _per_genre_counts(genres, tracks):
    return children_per_parent(genres, ["GenreId"], tracks, ["GenreId"])


def test_secondary_parents_get_the_real_children_per_parent_shape_not_a_uniform_one(
    chinook,
) -> None:
    """Track.GenreId: a few huge genres and many small ones, as in the real table."""
    genre, track = chinook["Genre"], chinook["Track"]
    relation = rel("Genre", "Track", "GenreId")
    real = _per_genre_counts(genre, track)
    model = CardinalityModel().fit(genre, track, relation)
    synthetic_genres = pd.DataFrame({"GenreId": np.arange(101, 126), "Name": genre["Name"]})
    ours, uniform = [], []
    for seed in range(5):
        fk = assign_by_slots(len(track), synthetic_genres, relation, model, seed)
        assert fk["GenreId"].isin(synthetic_genres["GenreId"]).all()
        counts = _per_genre_counts(synthetic_genres, fk)
        assert counts.sum() == len(track)
        assert counts.min() >= real.min() and counts.max() <= real.max()
        ours.append(ks_2samp(real, counts).statistic)
        rng = np.random.default_rng(seed)
        baseline = pd.DataFrame({"GenreId": rng.choice(synthetic_genres["GenreId"], len(track))})
        uniform.append(ks_2samp(real, _per_genre_counts(synthetic_genres, baseline)).statistic)
    assert np.mean(ours) < 0.35
    assert np.mean(ours) < np.mean(uniform) / 2


def test_nullable_references_keep_their_null_rate_and_integer_type() -> None:
    rng = np.random.default_rng(0)
    parents = pd.DataFrame({"id": range(50)})
    pid = pd.Series(rng.integers(0, 50, 5000), dtype="Int64")
    pid[rng.random(5000) < 0.3] = pd.NA
    children = pd.DataFrame({"pid": pid})
    relation = rel("P", "C", "pid", "id")
    model = CardinalityModel().fit(parents, children, relation)
    fk = assign_by_slots(4000, pd.DataFrame({"id": range(500, 550)}), relation, model, seed=1)
    assert fk["pid"].dtype == "Int64"
    assert fk["pid"].isna().mean() == pytest.approx(0.3, abs=0.03)
    assert fk["pid"].dropna().between(500, 549).all()


def test_non_ascii_prefixes_and_growing_numbers_are_written_correctly() -> None:
    fmt = PatternKey(prefix="Fä-", width=2, start=98, step=1, suffix="é")
    assert fmt.generate(3).tolist() == ["Fä-98é", "Fä-99é", "Fä-100é"]  # wider, still unique


@pytest.mark.parametrize(
    "fmt", [IntegerSequenceKey(), PatternKey("C", 4), UuidKey(), GenericStringKey(6, "aé")]
)
def test_zero_rows_give_an_empty_key_column(fmt) -> None:
    assert fmt.generate(0, seed=1).tolist() == []


def test_numbers_too_long_for_integers_are_generic_strings() -> None:
    real = pd.Series(["9" * 25, "8" * 25, "7" * 25])
    fmt = detect_key_format(real)
    assert isinstance(fmt, GenericStringKey) and fmt.length == 25
    assert fmt.generate(100, seed=0).is_unique
