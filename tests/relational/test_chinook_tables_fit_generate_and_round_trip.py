"""The full Chinook schema fits, generates and round-trips table by table:

1. all-text tables (``Artist``) get a text-only model instead of crashing CTGAN;
2. constant / all-NULL columns (``InvoiceLine.Quantity``) are restored, not modelled;
3. short text columns (``Customer.State``) always get novel values (see tests/models);
4. synthetic parents with a category the child model never saw do not fail generation;
5. configured context columns and the per-table artifact the Dagster layer stores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ConfigError, ModelError, PrivacyError
from synthohive_lib.models import CTGAN, TextOnlyModel
from synthohive_lib.privacy import PiiPlan
from synthohive_lib.relational import (
    RelationalSynthesizer,
    TablePlan,
    align_context,
    ctgan_factory,
    generate_table,
    load_table_artifact,
    model_request,
    save_table_artifact,
    training_frames,
)
from synthohive_lib.schema import Schema

FACTORY = ctgan_factory(epochs=1, batch_size=50, seed=0, device="cpu", num_threads=1)


def _col(name, type_, storage="string", nullable=True, **extra):
    return {"name": name, "type": type_, "storage": storage, "nullable": nullable, **extra}


SCHEMA = Schema.model_validate(
    {
        "name": "office",
        "tables": [
            {
                "name": "Boss",
                "primary_key": ["BossId"],
                "columns": [
                    _col("BossId", "id", "integer", False),
                    _col("Title", "categorical"),
                    _col("Band", "integer", "integer"),
                    _col("Email", "text", pii="email"),
                ],
            },
            {
                "name": "Client",
                "primary_key": ["ClientId"],
                "columns": [
                    _col("ClientId", "id", "integer", False),
                    _col("BossId", "id", "integer"),
                    _col("Spend", "float", "float"),
                    _col("Qty", "integer", "integer"),
                    _col("Note", "float", "float"),
                    _col("State", "text"),
                ],
                "foreign_keys": [
                    {"columns": ["BossId"], "references": "Boss", "referenced_columns": ["BossId"]}
                ],
            },
            {
                "name": "Artist",
                "primary_key": ["ArtistId"],
                "columns": [_col("ArtistId", "id", "integer", False), _col("Name", "text")],
            },
            {
                "name": "Album",
                "primary_key": ["AlbumId"],
                "columns": [
                    _col("AlbumId", "id", "integer", False),
                    _col("Title", "text"),
                    _col("ArtistId", "id", "integer"),
                ],
                "foreign_keys": [
                    {
                        "columns": ["ArtistId"],
                        "references": "Artist",
                        "referenced_columns": ["ArtistId"],
                    }
                ],
            },
        ],
    }
)


def office(seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    bosses = pd.DataFrame(
        {
            "BossId": np.arange(1, 41),
            "Title": ["Agent"] * 20 + ["Manager"] * 10 + ["Director"] * 10,
            "Band": rng.integers(1, 5, 40),
            "Email": [f"b{i}@corp.example" for i in range(40)],
        }
    )
    per = np.r_[rng.integers(2, 6, 20), np.zeros(20, dtype=int)]  # only agents have clients
    n = int(per.sum())
    clients = pd.DataFrame(
        {
            "ClientId": np.arange(1, n + 1),
            "BossId": np.repeat(bosses["BossId"], per).to_numpy(),
            "Spend": rng.gamma(2, 10, n).round(2),
            "Qty": np.ones(n, dtype=np.int64),  # constant
            "Note": np.full(n, np.nan),  # all NULL
            "State": rng.choice(["SP", "CA", "NY", "ON", "QC", "RJ"], n),  # short text
        }
    )
    artists = pd.DataFrame(
        {
            "ArtistId": np.arange(1, 61),
            "Name": [
                f"The {w} {i}" for i, w in enumerate(rng.choice(["Cats", "Owls", "Dogs"], 60))
            ],
        }
    )
    albums = pd.DataFrame(
        {
            "AlbumId": np.arange(1, 101),
            "Title": [f"Volume {i} of {i % 7}" for i in range(100)],
            "ArtistId": rng.integers(1, 61, 100),
        }
    )
    return {"Boss": bosses, "Client": clients, "Artist": artists, "Album": albums}


@pytest.fixture(scope="module")
def real() -> dict[str, pd.DataFrame]:
    return office()


@pytest.fixture(scope="module")
def synthesizer(real) -> RelationalSynthesizer:
    return RelationalSynthesizer(SCHEMA, FACTORY).fit(real)


@pytest.fixture(scope="module")
def output(synthesizer) -> dict[str, pd.DataFrame]:
    return synthesizer.generate(seed=1)


def test_all_text_tables_get_a_text_only_model(synthesizer, real, output) -> None:
    assert isinstance(synthesizer.models_["Artist"], TextOnlyModel)
    assert isinstance(synthesizer.models_["Album"], TextOnlyModel)
    assert isinstance(synthesizer.models_["Client"], CTGAN)
    assert len(output["Artist"]) == 60 and output["Artist"]["Name"].notna().all()
    assert not set(output["Artist"]["Name"]) & set(real["Artist"]["Name"])
    assert output["Album"]["ArtistId"].isin(output["Artist"]["ArtistId"]).all()


def test_constant_and_all_null_columns_are_restored_not_modelled(synthesizer, real, output) -> None:
    plan = synthesizer.plans_["Client"]
    assert {c.name for c in plan.constants} == {"Qty", "Note"}
    assert "Qty" not in plan.attributes and "Note" not in plan.attributes
    client = output["Client"]
    assert (client["Qty"] == 1).all() and client["Qty"].dtype == real["Client"]["Qty"].dtype
    assert client["Note"].isna().all() and client["Note"].dtype == real["Client"]["Note"].dtype


def test_a_constant_with_nulls_keeps_its_null_share() -> None:
    from synthohive_lib.relational import ConstantColumn

    series = pd.Series([5, None, 5, 5] * 250, dtype="Int64", name="x")
    const = ConstantColumn.from_dict(ConstantColumn.detect(series).to_dict())
    out = const.values(4000, np.random.default_rng(0))
    assert out.dtype == "Int64" and set(out.dropna()) == {5}
    assert abs(out.isna().mean() - 0.25) < 0.03


def test_the_model_itself_rebuilds_a_constant_column() -> None:
    model = CTGAN(epochs=1, batch_size=50, pac=10).fit(
        pd.DataFrame({"q": np.ones(50), "x": np.arange(50.0)})
    )
    assert (model.sample(20, seed=0)["q"] == 1.0).all()


def test_short_text_columns_come_out_novel(real, output) -> None:
    assert output["Client"]["State"].notna().all()
    assert not set(output["Client"]["State"]) & set(real["Client"]["State"])


def test_unseen_parent_categories_are_mapped_for_the_child_model(synthesizer) -> None:
    plan = synthesizer.plans_["Client"]
    assert plan.context_columns == ["Title", "Band"]
    assert plan.context_categories["Title"] == ["Agent"]
    # synthetic bosses are all directors/managers: the child model never saw either title
    bosses = pd.DataFrame(
        {
            "BossId": np.arange(1, 31),
            "Title": ["Director", "Manager"] * 15,
            "Band": np.arange(30) % 4 + 1,
        }
    )
    context = bosses[["Title", "Band"]]
    with pytest.raises(ModelError, match="never seen"):  # direct misuse stays typed
        synthesizer.models_["Client"].sample(context=context, seed=0)
    mapped = align_context(context, plan.context_categories, np.random.default_rng(0))
    assert (mapped["Title"] == "Agent").all() and (mapped["Band"] == context["Band"]).all()
    frame = generate_table(
        plan, synthesizer.models_["Client"], {"Boss": bosses}, table=SCHEMA.table("Client"), seed=0
    )
    assert frame["BossId"].isin(bosses["BossId"]).all()


def test_the_cardinality_gives_childless_titles_no_children(synthesizer) -> None:
    plan = synthesizer.plans_["Client"]
    titles = np.array(["Director", "Agent", "Manager", "Agent"] * 25)
    bosses = pd.DataFrame(
        {"BossId": np.arange(1, 101), "Title": titles, "Band": np.ones(100, dtype=np.int64)}
    )
    counts = plan.cardinality.sample_counts(bosses, np.random.default_rng(0))
    assert (counts[titles != "Agent"] == 0).all() and (counts[titles == "Agent"] > 0).all()
    # more childless parents than the real share of zeros: only the surplus gets children
    bosses["Title"] = "Director"
    counts = plan.cardinality.sample_counts(bosses, np.random.default_rng(0))
    assert 0.4 <= (counts == 0).mean() <= 0.6


def test_configured_context_columns_are_honoured(real) -> None:
    plan = TablePlan.fit(SCHEMA, "Client", real, context_columns=["Boss.Band"])
    assert plan.context.parent == "Boss" and plan.context_columns == ["Band"]
    assert plan.context_categories == {}
    data, context = training_frames(plan, real)
    assert list(context.columns) == ["Band"] and len(context) == len(data)
    assert model_request(SCHEMA, plan).context_specs[0].name == "Band"


@pytest.mark.parametrize(
    ("refs", "error", "match"),
    [
        (["Boss.Email"], PrivacyError, "PII"),
        (["Artist.Name"], ConfigError, "parent"),
        (["Boss.BossId"], ConfigError, "cannot be context"),
    ],
)
def test_bad_context_columns_are_refused(real, refs, error, match) -> None:
    with pytest.raises(error, match=match):
        TablePlan.fit(SCHEMA, "Client", real, context_columns=refs)


def test_a_table_artifact_round_trips(synthesizer, real, tmp_path) -> None:
    folder = tmp_path / "model" / "Boss"
    plan, model = synthesizer.plans_["Boss"], synthesizer.models_["Boss"]
    pii = PiiPlan.fit(real["Boss"], SCHEMA.table("Boss"))
    save_table_artifact(folder, plan, model, pii)
    loaded = load_table_artifact(folder)
    assert loaded.plan.to_dict() == plan.to_dict()
    assert loaded.pii.to_json() == pii.to_json()
    pd.testing.assert_frame_equal(loaded.model.sample(20, seed=4), model.sample(20, seed=4))
    keys_only = load_table_artifact(save_table_artifact(tmp_path / "k", plan))
    assert keys_only.model is None and keys_only.pii is None


def test_a_failed_save_keeps_the_previous_artifact(synthesizer, tmp_path) -> None:
    folder = tmp_path / "Client"
    plan = synthesizer.plans_["Client"]
    save_table_artifact(folder, plan, synthesizer.models_["Client"])

    class Broken(TextOnlyModel):
        def save(self, path):
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        save_table_artifact(folder, plan, Broken())
    assert isinstance(load_table_artifact(folder).model, CTGAN)
    assert [p.name for p in tmp_path.iterdir()] == ["Client"]
