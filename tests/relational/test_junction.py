"""Many-to-many links (PlaylistTrack): unique pairs, real-like counts on both sides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.relational._frames import children_per_parent
from synthohive_lib.relational.junction import JunctionModel, sample_pairs

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


def test_links_per_track_are_close_to_the_real_ones_at_the_real_size(chinook, fitted) -> None:
    playlists, tracks = synthetic_parents(chinook)
    total = len(chinook["PlaylistTrack"])
    links = fitted.generate(playlists, tracks, seed=1, total=total)
    assert len(links) == total
    real = children_per_parent(
        chinook["Track"], ["TrackId"], chinook["PlaylistTrack"], ["TrackId"]
    )
    ours = children_per_parent(tracks, ["TrackId"], links, ["TrackId"])
    assert ours.mean() == pytest.approx(real.mean(), rel=0.01)
    assert abs(np.median(ours) - np.median(real)) <= 1
    assert (ours == 0).mean() < 0.02  # real: every track is on a playlist


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
