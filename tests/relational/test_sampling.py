"""Training samples that keep whole families: roots uniform, children by parent."""

from __future__ import annotations

import pandas as pd
import pytest

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.relational.sampling import family_parents, plan_for_sample, training_sample
from synthohive_lib.schema.yaml_io import load_schema

from .conftest import CHINOOK_SCHEMA


@pytest.fixture(scope="module")
def schema():
    return load_schema(CHINOOK_SCHEMA)


def test_a_table_at_or_under_the_limit_is_kept_whole(schema, chinook) -> None:
    sample = training_sample(schema, "Invoice", chinook["Invoice"], max_rows=412)
    assert sample.frame is chinook["Invoice"] and sample.method == "all rows"
    assert training_sample(schema, "Invoice", chinook["Invoice"], max_rows=None).rows == 412


def test_a_root_is_sampled_uniformly_to_exactly_the_limit_and_repeatably(schema, chinook) -> None:
    artists = chinook["Artist"]
    sample = training_sample(schema, "Artist", artists, max_rows=100, seed=3)
    assert sample.method == "uniform" and sample.rows == 100 and sample.total_rows == len(artists)
    assert sample.frame["ArtistId"].is_unique and sample.frame.index.isin(artists.index).all()
    again = training_sample(schema, "Artist", artists, max_rows=100, seed=3)
    assert again.frame.index.equals(sample.frame.index)
    other = training_sample(schema, "Artist", artists, max_rows=100, seed=4)
    assert not other.frame.index.equals(sample.frame.index)


def test_a_child_keeps_every_child_of_each_sampled_parent(schema, chinook) -> None:
    tracks = chinook["Track"]  # 3,503 tracks under 347 albums (the family parent)
    sample = training_sample(schema, "Track", tracks, max_rows=1000, seed=0)
    assert sample.method == "by parent" and sample.through == "Album"
    full = tracks.groupby("AlbumId").size()
    kept = sample.frame.groupby("AlbumId").size()
    assert (kept == full[kept.index]).all()  # no sampled album lost a track
    assert sample.parents_kept == len(kept) and sample.parents_total == len(full)
    assert 1000 <= sample.rows < 1000 + full.max()
    assert "every child of" in sample.describe() and "Album" in sample.describe()


def test_children_without_a_parent_are_families_of_one(schema) -> None:
    tracks = pd.DataFrame(
        {"TrackId": range(100), "AlbumId": [None] * 50 + [1] * 25 + [2] * 25}
    ).astype({"AlbumId": "Int64"})
    sample = training_sample(schema, "Track", tracks, max_rows=40, seed=1)
    orphans = int(sample.frame["AlbumId"].isna().sum())
    families = sample.frame["AlbumId"].dropna().value_counts()
    assert (families == 25).all()  # album families whole
    assert sample.rows == orphans + 25 * len(families) and 40 <= sample.rows < 65
    assert sample.parents_total == 2


def test_the_family_parent_is_the_first_foreign_key_and_self_references_are_not_followed(
    schema,
) -> None:
    parents = family_parents(schema)
    assert parents["Artist"] is None
    assert parents["Album"].parent == "Artist"
    assert parents["Employee"] is None  # only a self-reference (ReportsTo)
    assert family_parents(schema, {"Track": "Genre"})["Track"].parent == "Genre"
    with pytest.raises(ConfigError, match="not a parent of 'Track'"):
        family_parents(schema, {"Track": "Artist"})


def test_a_non_positive_limit_is_a_config_error_naming_the_table(schema, chinook) -> None:
    with pytest.raises(ConfigError, match="max_training_rows") as info:
        training_sample(schema, "Artist", chinook["Artist"], max_rows=0)
    assert info.value.table == "Artist"


def test_the_plan_of_a_sample_knows_only_the_context_categories_the_model_will_see(
    schema, chinook
) -> None:
    """Generation maps a synthetic parent's category the model never saw onto seen ones; a
    model trained on a sample has seen fewer genres than the whole table holds."""
    frames = {t: chinook[t] for t in ("Genre", "MediaType", "Album", "Artist", "Track")}
    plan = TablePlan.fit(schema, "Track", frames, context_columns=["Genre.Name"])
    assert len(plan.context_categories["Name"]) == 25
    sample = training_sample(schema, "Track", frames["Track"], max_rows=30, seed=0)
    sampled = plan_for_sample(plan, schema, frames, sample)
    genres = chinook["Genre"].set_index("GenreId")["Name"]
    expected = set(genres[sample.frame["GenreId"].dropna().unique()])
    assert set(sampled.context_categories["Name"]) == expected and len(expected) < 25
    assert plan.context_categories["Name"] != sampled.context_categories["Name"]  # a copy
    whole = training_sample(schema, "Track", frames["Track"], max_rows=None)
    assert plan_for_sample(plan, schema, frames, whole) is plan


def test_a_child_is_sampled_through_the_parent_that_splits_it_most_finely(schema, chinook) -> None:
    """InvoiceLine's first foreign key is Invoice (412 keys), but its Track key has ~1,984:
    sampling through tracks keeps lines of almost every invoice instead of dropping whole
    invoices, while every kept track still keeps all of its lines."""
    lines = chinook["InvoiceLine"]
    sample = training_sample(schema, "InvoiceLine", lines, max_rows=1000, seed=0)
    assert sample.through == "Track"
    full = lines.groupby("TrackId").size()
    kept = sample.frame.groupby("TrackId").size()
    assert (kept == full[kept.index]).all()
    assert sample.frame["InvoiceId"].nunique() > 0.8 * lines["InvoiceId"].nunique()
    # an explicit family parent still wins
    chosen = training_sample(
        schema, "InvoiceLine", lines, max_rows=1000, seed=0, family_parent="Invoice"
    )
    assert chosen.through == "Invoice"
