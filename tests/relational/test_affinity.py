"""Secondary parents are dealt by the child's own attributes, with exact per-parent counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.relational._frames import children_per_parent
from synthohive_lib.relational.affinity import ParentAffinity, assign_groups, deal_slots
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema import load_schema

from .conftest import CHINOOK_SCHEMA, rel

TRACK_KEYS = ("TrackId", "AlbumId", "GenreId", "MediaTypeId")


def dealt_accuracy(chinook, parent: str, key: str, use_affinity: bool, seed: int) -> float:
    """Share of real tracks dealt back to their real parent, parents keeping real counts."""
    parents, tracks = chinook[parent], chinook["Track"]
    relation = rel(parent, "Track", key)
    counts = children_per_parent(parents, [key], tracks, [key])
    rng = np.random.default_rng(seed)
    if use_affinity:
        affinity = ParentAffinity("Name", exclude=TRACK_KEYS).fit(tracks, parents, relation)
        probs = affinity.probabilities(tracks.drop(columns=list(TRACK_KEYS)))
        positions = deal_slots(counts, affinity.group_of(parents), probs, rng)
    else:
        positions = rng.permutation(np.repeat(np.arange(len(parents)), counts))
    assert np.bincount(positions, minlength=len(parents)).tolist() == counts.tolist()
    return float((parents[key].to_numpy()[positions] == tracks[key].to_numpy()).mean())


@pytest.mark.parametrize(("parent", "key", "floor"), [
    ("MediaType", "MediaTypeId", 0.9),  # the price and size of a track say "video" or "audio"
    ("Genre", "GenreId", 0.25),
])
def test_children_land_with_the_kind_of_parent_their_attributes_suggest(
    chinook, parent, key, floor
) -> None:
    ours = np.mean([dealt_accuracy(chinook, parent, key, True, s) for s in range(3)])
    shuffled = np.mean([dealt_accuracy(chinook, parent, key, False, s) for s in range(3)])
    assert ours >= floor
    assert ours > shuffled * 1.25


def test_group_capacities_are_met_exactly() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), size=1000)
    capacity = np.array([100, 0, 600, 300])
    groups = assign_groups(probs, capacity, rng)
    assert np.bincount(groups, minlength=4).tolist() == capacity.tolist()


def test_without_pressure_from_capacities_groups_follow_the_probabilities() -> None:
    rng = np.random.default_rng(1)
    probs = np.tile([0.7, 0.2, 0.1], (5000, 1))
    groups = assign_groups(probs, np.array([3500, 1000, 500]), rng)
    assert np.bincount(groups).tolist() == [3500, 1000, 500]
    confident = np.r_[np.tile([0.98, 0.01, 0.01], (100, 1)), np.tile([0.01, 0.98, 0.01], (100, 1))]
    placed = assign_groups(confident, np.array([100, 100, 0]), rng)
    assert (placed[:100] == 0).mean() > 0.95 and (placed[100:] == 1).mean() > 0.95


def test_unknown_parent_labels_fall_in_the_other_group(chinook) -> None:
    affinity = ParentAffinity("Name", exclude=TRACK_KEYS).fit(
        chinook["Track"], chinook["MediaType"], rel("MediaType", "Track", "MediaTypeId")
    )
    groups = affinity.group_of(pd.DataFrame({"Name": ["MPEG audio file", "Never seen"]}))
    assert groups.tolist() == [affinity.groups_.index("MPEG audio file"), len(affinity.groups_)]


def test_the_affinity_round_trips_through_json(chinook) -> None:
    affinity = ParentAffinity("Name", exclude=TRACK_KEYS).fit(
        chinook["Track"], chinook["Genre"], rel("Genre", "Track", "GenreId")
    )
    again = ParentAffinity.from_dict(affinity.to_dict())
    np.testing.assert_allclose(
        again.probabilities(chinook["Track"]), affinity.probabilities(chinook["Track"])
    )


def test_the_track_plan_deals_genres_and_media_types_by_their_names(chinook) -> None:
    plan = TablePlan.fit(load_schema(CHINOOK_SCHEMA), "Track", chinook)
    assert plan.context.parent == "Album"
    assert [(a.relation_.parent, a.group_column) for a in plan.affinities] == [
        ("Genre", "Name"), ("MediaType", "Name")
    ]
    assert TablePlan.from_dict(plan.to_dict()).to_dict() == plan.to_dict()
