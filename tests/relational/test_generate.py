"""Whole-schema generation with the real CTGAN (1 epoch) on a Chinook subset.

The subset keeps every relational shape: a multi-parent child (Track → Genre, MediaType), a
self-reference (Employee.ReportsTo) and a many-to-many link (PlaylistTrack). Track.AlbumId is
left out with Album: an all-text table is a model concern, not a relational one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import SchemaValidationError
from synthohive_lib.relational._frames import children_per_parent, locate
from synthohive_lib.relational.generate import RelationalSynthesizer, generate_table
from synthohive_lib.relational.hierarchy import node_depths
from synthohive_lib.relational.modelling import ctgan_factory
from synthohive_lib.schema import Schema, load_schema
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.validate import validate_data

from .conftest import CHINOOK_SCHEMA

SUBSET = ["Genre", "MediaType", "Track", "Employee", "Playlist", "PlaylistTrack"]


def subset_schema(on_orphan: str = "raise") -> Schema:
    full = load_schema(CHINOOK_SCHEMA)
    tables = []
    for table in full.tables:
        if table.name not in SUBSET:
            continue
        data = table.model_dump()
        data["columns"] = [c for c in data["columns"] if (table.name, c["name"]) != ("Track",
                                                                                   "AlbumId")]
        data["foreign_keys"] = [
            {**fk, "on_orphan": on_orphan} for fk in data["foreign_keys"]
            if fk["references"] in SUBSET
        ]
        tables.append(data)
    return Schema.model_validate({"name": "chinook-subset", "tables": tables})


def real_tables(chinook, schema):
    return {t.name: chinook[t.name][t.column_names] for t in schema.tables}


FACTORY = ctgan_factory(epochs=1, seed=0, device="cpu", num_threads=1)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return subset_schema()


@pytest.fixture(scope="module")
def synthesizer(chinook, schema) -> RelationalSynthesizer:
    return RelationalSynthesizer(schema, FACTORY).fit(real_tables(chinook, schema))


@pytest.fixture(scope="module")
def at_scale(synthesizer):
    return {scale: synthesizer.generate(scale=scale, seed=1) for scale in (0.1, 1, 10)}


def test_the_plan_generates_tracks_under_genres_and_deals_media_types(synthesizer) -> None:
    track = synthesizer.plans_["Track"]
    assert track.context.parent == "Genre"
    assert [m.relation_.parent for m in track.secondary] == ["MediaType"]
    assert track.context_columns == ["Name"]
    assert synthesizer.plans_["PlaylistTrack"].junction is not None
    assert synthesizer.plans_["Employee"].hierarchies


@pytest.mark.parametrize("scale", [0.1, 1, 10])
def test_every_key_is_unique_and_every_reference_resolves(schema, at_scale, scale) -> None:
    frames = at_scale[scale]
    report = validate_data(schema, frames, raise_on_error=False)
    assert report.issues == []
    assert report.orphans == [] or all(o.count == 0 for o in report.orphans)
    for table in schema.tables:
        assert not frames[table.name][table.primary_key].duplicated().any(), table.name


@pytest.mark.parametrize("scale", [0.1, 1, 10])
def test_table_sizes_follow_the_scale(chinook, at_scale, scale) -> None:
    for name, frame in at_scale[scale].items():
        if name == "PlaylistTrack" and scale < 1:
            continue  # two playlists cannot hold 10% of the links: pairs are unique
        assert len(frame) == max(1, round(scale * len(chinook[name]))), name


def test_columns_come_out_in_schema_order_with_real_formats(schema, at_scale) -> None:
    frames = at_scale[1]
    for table in schema.tables:
        assert list(frames[table.name].columns) == table.column_names
    assert frames["Track"]["TrackId"].tolist() == list(range(1, 3504))


def test_media_types_get_real_like_track_counts(chinook, at_scale) -> None:
    frames = at_scale[1]
    real = children_per_parent(chinook["MediaType"], ["MediaTypeId"], chinook["Track"],
                               ["MediaTypeId"])
    ours = children_per_parent(frames["MediaType"], ["MediaTypeId"], frames["Track"],
                               ["MediaTypeId"])
    assert ours.sum() == len(frames["Track"])
    assert real.min() <= ours.min() and ours.max() <= real.max()


def test_the_employee_hierarchy_is_a_forest_with_the_real_share_of_roots(at_scale) -> None:
    for scale in (1, 10):
        employees = at_scale[scale]["Employee"]
        pos = locate(employees, ["EmployeeId"], employees, ["ReportsTo"])
        depth = node_depths(pos)
        assert employees["ReportsTo"].isna().mean() == pytest.approx(1 / 8)
        assert depth.max() == 2


def test_playlist_links_are_unique_pairs(at_scale) -> None:
    links = at_scale[10]["PlaylistTrack"]
    assert not links.duplicated().any()


def test_tables_reach_the_sink_parents_first(schema, synthesizer) -> None:
    seen: list[str] = []
    counts = synthesizer.generate(lambda name, frame: seen.append(name), seed=2)
    assert seen == SchemaGraph(schema).generation_order()
    assert counts["Track"] == 3503


def test_children_keep_only_the_parent_columns_they_need(synthesizer) -> None:
    needed = synthesizer.plans_["Track"].parent_columns_needed()
    # Genre.Name: the context of the Track model; MediaType.Name: the label tracks are dealt by
    assert needed == {"Genre": {"GenreId", "Name"}, "MediaType": {"MediaTypeId", "Name"}}


def test_row_targets_override_the_scale(synthesizer) -> None:
    frames = synthesizer.generate(rows={"Genre": 5, "Track": 700}, seed=3)
    assert len(frames["Genre"]) == 5
    assert len(frames["Track"]) == 700
    assert frames["Track"]["GenreId"].isin(frames["Genre"]["GenreId"]).all()


def test_the_same_seed_gives_the_same_database(synthesizer) -> None:
    first, second = synthesizer.generate(seed=4), synthesizer.generate(seed=4)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_partitions_with_key_offsets_never_collide(schema, synthesizer, at_scale) -> None:
    plan = synthesizer.plans_["Genre"]
    parts = [
        generate_table(plan, synthesizer.models_["Genre"], {}, table=schema.table("Genre"),
                       rows=10, seed=s, key_offset=10 * s)
        for s in range(3)
    ]
    assert pd.concat(parts)["GenreId"].is_unique


def test_save_and_load_reproduce_the_same_output(schema, synthesizer, tmp_path) -> None:
    synthesizer.save(tmp_path / "synth")
    loaded = RelationalSynthesizer.load(tmp_path / "synth", schema)  # classes from manifests
    ours, theirs = synthesizer.generate(seed=5), loaded.generate(seed=5)
    for name in ours:
        pd.testing.assert_frame_equal(ours[name], theirs[name])


def test_orphans_in_the_source_follow_the_schema_policy(chinook) -> None:
    broken = chinook["Track"].drop(columns="AlbumId").copy()
    broken.loc[0, "GenreId"] = 999
    for policy, outcome in (("raise", SchemaValidationError), ("drop", None)):
        schema = subset_schema(on_orphan=policy)
        tables = {**real_tables(chinook, schema), "Track": broken}
        synth = RelationalSynthesizer(schema, FACTORY)
        if outcome is not None:
            with pytest.raises(outcome, match=r"999|orphan"):
                synth.fit(tables)
        else:
            synth.fit(tables)
            assert synth.plans_["Track"].n_rows == len(broken) - 1


def test_hierarchy_depths_at_ten_times_follow_the_real_histogram(at_scale) -> None:
    employees = at_scale[10]["Employee"]
    depth = node_depths(locate(employees, ["EmployeeId"], employees, ["ReportsTo"]))
    np.testing.assert_array_equal(np.bincount(depth), [10, 20, 50])
