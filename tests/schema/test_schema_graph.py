"""SchemaGraph: order, relation kinds and cycles of a Chinook-shaped schema."""

from __future__ import annotations

import pytest

from synthohive_lib.errors import SchemaValidationError
from synthohive_lib.schema import Column, ForeignKey, Schema, SchemaGraph, Table


def _table(name: str, pk: list[str], fks: dict[str, str], extra: tuple[str, ...] = ()) -> Table:
    cols = list(dict.fromkeys([*pk, *fks, *extra]))
    return Table(
        name=name,
        columns=[Column(name=c, type="id", storage="integer") for c in cols],
        primary_key=pk,
        foreign_keys=[
            ForeignKey(columns=[c], references=parent, referenced_columns=[f"{parent}Id"])
            for c, parent in fks.items()
        ],
    )


def chinook_shape() -> Schema:
    return Schema(
        name="chinook",
        tables=[
            _table("Artist", ["ArtistId"], {}),
            _table("Album", ["AlbumId"], {"ArtistId": "Artist"}),
            _table("Genre", ["GenreId"], {}),
            _table("MediaType", ["MediaTypeId"], {}),
            _table(
                "Track",
                ["TrackId"],
                {"AlbumId": "Album", "MediaTypeId": "MediaType", "GenreId": "Genre"},
            ),
            _table("Employee", ["EmployeeId"], {"ReportsTo": "Employee"}),
            _table("Customer", ["CustomerId"], {"SupportRepId": "Employee"}),
            _table("Invoice", ["InvoiceId"], {"CustomerId": "Customer"}),
            _table("InvoiceLine", ["InvoiceLineId"], {"InvoiceId": "Invoice", "TrackId": "Track"}),
            _table("Playlist", ["PlaylistId"], {}),
            _table(
                "PlaylistTrack",
                ["PlaylistId", "TrackId"],
                {"PlaylistId": "Playlist", "TrackId": "Track"},
            ),
        ],
    )


def test_generation_order_puts_every_parent_first() -> None:
    graph = SchemaGraph(chinook_shape())
    order = graph.generation_order()
    assert sorted(order) == sorted(chinook_shape().table_names)
    for parent, child in graph.edges():
        assert order.index(parent) < order.index(child)


def test_relation_kinds_are_recognised() -> None:
    graph = SchemaGraph(chinook_shape())
    assert graph.self_referencing_tables() == ["Employee"]
    assert graph.multi_parent_tables() == ["InvoiceLine", "PlaylistTrack", "Track"]
    assert graph.junction_tables() == ["PlaylistTrack"]
    assert graph.parents("Track") == ["Album", "MediaType", "Genre"]
    assert graph.children("Track") == ["InvoiceLine", "PlaylistTrack"]
    assert graph.roots() == ["Artist", "Employee", "Genre", "MediaType", "Playlist"]
    assert len(graph.edges()) == 10  # 11 foreign keys, one of them a self-reference
    assert graph.depth("InvoiceLine") == 3
    assert graph.descendants("Customer") == {"Invoice", "InvoiceLine"}


def test_describe_is_readable() -> None:
    text = SchemaGraph(chinook_shape()).describe()
    assert "11 tables, 11 foreign keys, max depth 3" in text
    assert "PlaylistTrack <- Playlist, Track  [multi-parent, junction]" in text
    assert "Employee (root)  [self-reference]" in text
    assert "Employee(ReportsTo) -> Employee(EmployeeId)" in text


def test_cycles_between_tables_are_refused_with_every_table_named() -> None:
    schema = Schema(
        tables=[
            _table("A", ["AId"], {"BId": "B"}),
            _table("B", ["BId"], {"AId": "A"}),
        ]
    )
    graph = SchemaGraph(schema)
    with pytest.raises(SchemaValidationError) as info:
        graph.generation_order()
    assert info.value.codes() == {"cycle"}
    assert "A -> B" in str(info.value)


def test_depth_of_a_deep_diamond_schema_is_one_pass() -> None:
    """Two tables per level, each referencing both above: 2**40 parent chains, one answer."""
    levels = 40
    tables = [_table(f"{s}0", [f"{s}0Id"], {}) for s in "ab"]
    for i in range(1, levels):
        for s in "ab":
            tables.append(_table(f"{s}{i}", [f"{s}{i}Id"],
                                 {f"pa{i}": f"a{i - 1}", f"pb{i}": f"b{i - 1}"}))
    graph = SchemaGraph(Schema(tables=tables))
    assert graph.depth(f"a{levels - 1}") == levels - 1  # exponential recursion never returned
    assert f"max depth {levels - 1}" in graph.describe()
    assert graph.depths()["b0"] == 0


def test_depth_on_a_cycle_is_the_typed_cycle_error() -> None:
    graph = SchemaGraph(Schema(tables=[_table("A", ["AId"], {"BId": "B"}),
                                       _table("B", ["BId"], {"AId": "A"})]))
    with pytest.raises(SchemaValidationError, match="cycle"):
        graph.depth("A")
