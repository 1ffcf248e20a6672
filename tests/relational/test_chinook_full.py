"""Issue 4 acceptance: all 11 Chinook tables, 1x scale, loaded into real databases.

One fit (CTGAN, 1 epoch) serves every test of the module. The synthetic schema is written
through the library's own connector, which creates the declared primary and foreign keys, so
SQLite (``PRAGMA foreign_keys=ON``) and PostgreSQL enforce every constraint on insert.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from scipy.stats import ks_2samp

from synthohive_lib.io import open_connector
from synthohive_lib.models import CTGAN, SmallTableModel, TextOnlyModel
from synthohive_lib.privacy import PiiPlan, pii_filler, real_pii_forms, scan_for_leaks
from synthohive_lib.relational import RelationalSynthesizer, ctgan_factory
from synthohive_lib.relational._frames import children_per_parent, locate
from synthohive_lib.relational.hierarchy import node_depths
from synthohive_lib.schema import Schema, load_schema
from synthohive_lib.schema.graph import Relation, SchemaGraph

from .conftest import CHINOOK_SCHEMA, TABLES

FACTORY = ctgan_factory(epochs=1, batch_size=100, seed=0, device="cpu", num_threads=1)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(CHINOOK_SCHEMA)


@pytest.fixture(scope="module")
def real(chinook) -> dict[str, pd.DataFrame]:
    return {t: chinook[t].copy() for t in TABLES}


def fill_for(schema: Schema, real: dict[str, pd.DataFrame]):
    plans = {t.name: PiiPlan.fit(real[t.name], t) for t in schema.tables if t.pii_columns}
    return pii_filler(schema, plans, avoid=real_pii_forms(real, schema))


@pytest.fixture(scope="module")
def synthesizer(schema, real) -> RelationalSynthesizer:
    return RelationalSynthesizer(schema, FACTORY).fit(real)


@pytest.fixture(scope="module")
def synthetic(schema, real, synthesizer) -> dict[str, pd.DataFrame]:
    return synthesizer.generate(seed=1, fill_pii=fill_for(schema, real),
                                avoid=real_pii_forms(real, schema))


def relations(schema: Schema) -> list[Relation]:
    graph = SchemaGraph(schema)
    return [r for t in TABLES for r in graph.relations_of(t)] + list(graph.self_relations)


def test_every_table_is_modelled_by_the_right_model(synthesizer) -> None:
    assert isinstance(synthesizer.models_["Artist"], TextOnlyModel)
    assert isinstance(synthesizer.models_["Album"], TextOnlyModel)
    assert isinstance(synthesizer.models_["Customer"], CTGAN)
    for tiny in ("Employee", "Genre", "MediaType", "Playlist"):  # a GAN cannot learn 5-25 rows
        assert isinstance(synthesizer.models_[tiny], SmallTableModel), tiny
    assert "Quantity" in {c.name for c in synthesizer.plans_["InvoiceLine"].constants}


def test_every_table_has_its_real_size_and_unique_keys(schema, real, synthetic) -> None:
    for table in schema.tables:
        frame = synthetic[table.name]
        assert len(frame) == len(real[table.name]), table.name
        assert list(frame.columns) == table.column_names
        assert not frame.duplicated(subset=table.primary_key).any(), table.name
        assert frame[table.primary_key].notna().all().all(), table.name


def test_no_foreign_key_is_an_orphan(schema, synthetic) -> None:
    for rel in relations(schema):
        child, parent = synthetic[rel.child], synthetic[rel.parent]
        refs = child[list(rel.child_columns)].dropna()
        keys = parent[list(rel.parent_columns)]
        assert refs.merge(keys.drop_duplicates(), left_on=list(rel.child_columns),
                          right_on=list(rel.parent_columns), how="left",
                          indicator=True)["_merge"].eq("both").all(), rel


def test_the_employee_hierarchy_is_valid(synthetic) -> None:
    employees = synthetic["Employee"]
    managers = locate(employees, ["EmployeeId"], employees, ["ReportsTo"])
    assert (managers[employees["ReportsTo"].notna().to_numpy()] >= 0).all()  # no dangling
    depths = node_depths(managers, table="Employee")  # raises on a cycle
    assert (depths >= 0).all() and (depths == 0).sum() == employees["ReportsTo"].isna().sum()
    assert employees["ReportsTo"].isna().sum() >= 1
    assert (employees["ReportsTo"] != employees["EmployeeId"]).all()


def test_playlist_track_pairs_are_unique(real, synthetic) -> None:
    links = synthetic["PlaylistTrack"]
    assert not links.duplicated().any() and len(links) == len(real["PlaylistTrack"])


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_synthetic_schema_loads_with_enforced_constraints(
    schema, synthetic, tmp_path, kind, request
) -> None:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'synthetic.sqlite'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    with open_connector(url) as target:
        target.write_schema(schema, synthetic)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        if kind == "sqlite":
            conn.execute(sa.text("PRAGMA foreign_keys=ON"))
            assert conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        else:
            declared = conn.execute(sa.text(
                "SELECT count(*) FROM information_schema.table_constraints "
                "WHERE constraint_type = 'FOREIGN KEY'")).scalar()
            assert declared == sum(len(t.foreign_keys) for t in schema.tables)
        for table in schema.tables:
            n = conn.execute(sa.text(f'SELECT count(*) FROM "{table.name}"')).scalar()
            assert n == len(synthetic[table.name])
    engine.dispose()


def test_pii_is_filled_by_the_privacy_layer_and_never_leaks(schema, real, synthetic) -> None:
    customer = synthetic["Customer"]
    assert customer["Email"].notna().all() and customer["LastName"].notna().all()
    report = scan_for_leaks(real, synthetic, schema)
    assert report.leaks == [], report.leaks


def test_children_per_parent_follow_the_real_counts_on_every_relation(
    schema, real, synthetic
) -> None:
    for rel in relations(schema):
        a = children_per_parent(real[rel.parent], rel.parent_columns, real[rel.child],
                                rel.child_columns, table=rel.parent)
        b = children_per_parent(synthetic[rel.parent], rel.parent_columns,
                                synthetic[rel.child], rel.child_columns, table=rel.parent)
        assert 1 - ks_2samp(a, b).statistic >= 0.90, rel


def test_the_same_seed_gives_the_same_database(schema, real, synthetic) -> None:
    again = RelationalSynthesizer(schema, FACTORY).fit(real).generate(
        seed=1, fill_pii=fill_for(schema, real), avoid=real_pii_forms(real, schema))
    for name in TABLES:
        pd.testing.assert_frame_equal(again[name], synthetic[name], obj=name)


def test_a_different_seed_gives_different_data(synthesizer, synthetic) -> None:
    other = synthesizer.generate(seed=2)
    assert not other["Invoice"]["Total"].equals(synthetic["Invoice"]["Total"])
    assert np.any(other["Track"]["AlbumId"].to_numpy() != synthetic["Track"]["AlbumId"].to_numpy())
