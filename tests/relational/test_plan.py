"""What a table plan decides: the context parent, the model's columns, what stays private."""

from __future__ import annotations

import pytest

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.plan import TablePlan, choose_context_relation
from synthohive_lib.schema import load_schema

from .conftest import CHINOOK_SCHEMA


@pytest.fixture(scope="module")
def schema():
    return load_schema(CHINOOK_SCHEMA)


@pytest.mark.parametrize(("child", "parent"), [
    ("Track", "Album"),  # every album, genre and media type has tracks: the finest one wins
    ("InvoiceLine", "Invoice"),  # every invoice has lines, most tracks were never sold
    ("Invoice", "Customer"),
])
def test_the_context_parent_is_the_one_that_owns_the_child(chinook, schema, child, parent) -> None:
    assert choose_context_relation(schema, child, chinook).parent == parent


def test_the_context_parent_can_be_named(chinook, schema) -> None:
    plan = TablePlan.fit(schema, "Track", chinook, context_parent="Genre")
    assert plan.context.parent == "Genre"
    assert sorted(m.relation_.parent for m in plan.secondary) == ["Album", "MediaType"]
    with pytest.raises(ConfigError, match="'Artist' is not a parent of 'Track'"):
        TablePlan.fit(schema, "Track", chinook, context_parent="Artist")


def test_pii_never_reaches_the_model_unless_the_schema_keeps_it(chinook, schema) -> None:
    plan = TablePlan.fit(schema, "Customer", chinook)
    assert "Email" in plan.pii and "Email" not in plan.attributes
    assert plan.attributes == ["State", "Country"]
    kept = schema.model_copy(deep=True)
    kept.table("Customer").column("City").pii_action = "keep"
    plan = TablePlan.fit(kept, "Customer", chinook)
    assert "City" in plan.attributes and "City" not in plan.pii


def test_parent_context_leaves_out_keys_text_and_pii(chinook, schema) -> None:
    plan = TablePlan.fit(schema, "InvoiceLine", chinook)
    assert plan.context_columns == ["InvoiceDate", "BillingState", "BillingCountry", "Total"]


def test_lookup_parents_keep_their_counts_per_label(chinook, schema) -> None:
    track = TablePlan.fit(schema, "Track", chinook)
    assert track.cardinality.label_column is None  # albums are not a lookup table
    assert [m.label_column for m in track.secondary] == ["Name", "Name"]
    links = TablePlan.fit(schema, "PlaylistTrack", chinook)
    assert links.junction.left_.label_column == "Name"  # "Music" playlists are the big ones
