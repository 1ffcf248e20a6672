"""Many-to-many links (PlaylistTrack): unique pairs, real-like counts on both sides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from synthohive_lib.relational._frames import children_per_parent
from synthohive_lib.relational.junction import JunctionModel, match_degrees, sample_pairs

from .conftest import rel

LEFT = rel("Playlist", "PlaylistTrack", "PlaylistId")
RIGHT = rel("Track", "PlaylistTrack", "TrackId")


@pytest.fixture(scope="module")
def fitted(chinook):
    return JunctionModel(exclude=("AlbumId", "GenreId", "MediaTypeId")).fit(
        chinook["PlaylistTrack"], chinook["Playlist"], chinook["Track"], LEFT, RIGHT
    )


def synthetic_parents(chinook):
    playlists = chinook["Playlist"].assign(PlaylistId=lambda d: d["PlaylistId"] + 500)
    tracks = chinook["Track"].assign(TrackId=lambda d: d["TrackId"] + 90_000)
    return playlists, tracks


def test_links_are_unique_pairs_of_synthetic_parents(chinook, fitted) -> None:
    playlists, tracks = synthetic_parents(chinook)
    links = fitted.generate(playlists, tracks, seed=0)
    assert list(links.columns) == ["PlaylistId", "TrackId"]
    assert not links.duplicated().any()
    assert links["PlaylistId"].isin(playlists["PlaylistId"]).all()
    assert links["TrackId"].isin(tracks["TrackId"]).all()


def test_links_per_playlist_come_from_the_real_distribution(chinook, fitted) -> None:
    playlists, tracks = synthetic_parents(chinook)
    real = set(children_per_parent(
        chinook["Playlist"], ["PlaylistId"], chinook["PlaylistTrack"], ["PlaylistId"]
    ).tolist())
    for seed in range(3):
        links = fitted.generate(playlists, tracks, seed=seed)
        ours = children_per_parent(playlists, ["PlaylistId"], links, ["PlaylistId"])
        assert set(ours.tolist()) <= real


def test_links_per_track_follow_the_real_distribution_at_the_real_size(chinook, fitted) -> None:
    playlists, tracks = synthetic_parents(chinook)
    total = len(chinook["PlaylistTrack"])
    real = children_per_parent(
        chinook["Track"], ["TrackId"], chinook["PlaylistTrack"], ["TrackId"]
    )
    for seed in range(3):
        links = fitted.generate(playlists, tracks, seed=seed, total=total)
        assert len(links) == total
        ours = children_per_parent(tracks, ["TrackId"], links, ["TrackId"])
        assert ks_2samp(real, ours, method="asymp").statistic < 0.03
        assert real.min() <= ours.min() and ours.max() <= real.max()


def test_degree_matching_meets_both_degree_sequences_exactly() -> None:
    rng = np.random.default_rng(0)
    k = np.r_[[950, 900], rng.integers(0, 20, 200)]  # two rows hold nearly every column
    r = np.zeros(1000, dtype=np.int64)
    r[:] = k.sum() // 1000
    r[: k.sum() - r.sum()] += 1
    rows, cols = match_degrees(k, r, seed=1)
    assert not pd.DataFrame({"r": rows, "c": cols}).duplicated().any()
    np.testing.assert_array_equal(np.bincount(rows, minlength=len(k)), k)
    np.testing.assert_array_equal(np.bincount(cols, minlength=len(r)), r)


def test_impossible_degree_sequences_lose_pairs_rather_than_repeat_them() -> None:
    rows, cols = match_degrees(np.array([3, 0]), np.array([3]), seed=0)  # 3 links, 1 column
    assert rows.tolist() == [0] and cols.tolist() == [0]


@pytest.mark.parametrize("k_value", [3, 900])  # sparse path, dense path
def test_each_row_gets_exactly_k_distinct_columns(k_value) -> None:
    rng = np.random.default_rng(0)
    k = rng.integers(0, k_value + 1, 300)
    rows, cols = sample_pairs(k, rng.random(1000) + 0.01, seed=1)
    pairs = pd.DataFrame({"r": rows, "c": cols})
    assert not pairs.duplicated().any()
    np.testing.assert_array_equal(np.bincount(rows, minlength=300), np.minimum(k, 1000))


def test_heavier_columns_are_chosen_more_often() -> None:
    weights = np.r_[np.full(10, 10.0), np.full(990, 0.1)]
    _, cols = sample_pairs(np.full(2000, 5), weights, seed=2)
    heavy_share = np.isin(cols, np.arange(10)).mean()
    assert heavy_share > 0.4  # ~50% of the weight, 1% of the columns
