"""Children per parent: learnt per relation, conditioned on the parent, saved as JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, spearmanr

from synthohive_lib.errors import ArtifactError, ConfigError
from synthohive_lib.relational._frames import children_per_parent
from synthohive_lib.relational.cardinality import CardinalityModel, rescale_counts

from .conftest import rel

ALBUM_TRACK = rel("Album", "Track", "AlbumId")
INVOICE_LINE = rel("Invoice", "InvoiceLine", "InvoiceId")
REP_CUSTOMER = rel("Employee", "Customer", "SupportRepId", "EmployeeId")


def real_counts(chinook, relation):
    parent, child = chinook[relation.parent], chinook[relation.child]
    return children_per_parent(parent, relation.parent_columns, child, relation.child_columns)


def test_parents_without_children_count_as_zero_and_can_be_sampled() -> None:
    parents = pd.DataFrame({"id": range(100)})
    children = pd.DataFrame({"pid": np.repeat(np.arange(50), 3)})  # half the parents: 3 each
    model = CardinalityModel().fit(parents, children, rel("P", "C", "pid", "id"))
    assert (model.min_, model.max_) == (0, 3)
    counts = model.sample_counts(pd.DataFrame({"id": range(2000)}), seed=0)
    assert set(np.unique(counts)) == {0, 3}
    assert abs((counts == 0).mean() - 0.5) < 0.05


@pytest.mark.parametrize("relation", [ALBUM_TRACK, INVOICE_LINE], ids=str)
def test_sampled_counts_follow_the_real_distribution(chinook, relation) -> None:
    real = real_counts(chinook, relation)
    model = CardinalityModel(exclude=("ArtistId", "CustomerId")).fit(
        chinook[relation.parent], chinook[relation.child], relation
    )
    synthetic = model.sample_counts(chinook[relation.parent], seed=1)
    assert ks_2samp(real, synthetic, method="asymp").statistic < 0.1
    assert synthetic.mean() == pytest.approx(real.mean(), rel=0.1)
    assert np.quantile(synthetic, 0.5) == pytest.approx(np.quantile(real, 0.5), abs=2)


@pytest.mark.parametrize("seed", range(5))
def test_sampled_counts_never_leave_the_real_min_max(chinook, seed) -> None:
    real = real_counts(chinook, ALBUM_TRACK)
    model = CardinalityModel().fit(chinook["Album"], chinook["Track"], ALBUM_TRACK)
    many_parents = pd.concat([chinook["Album"]] * 10, ignore_index=True)
    synthetic = model.sample_counts(many_parents, seed=seed)
    assert synthetic.min() >= real.min()
    assert synthetic.max() <= real.max()


def test_counts_are_conditioned_on_parent_attributes(chinook) -> None:
    """Chinook invoice totals are driven by their number of lines: the model must see it."""
    model = CardinalityModel(exclude=("CustomerId",)).fit(
        chinook["Invoice"], chinook["InvoiceLine"], INVOICE_LINE
    )
    assert model.is_conditional
    synthetic = model.sample_counts(chinook["Invoice"], seed=2)
    assert spearmanr(chinook["Invoice"]["Total"], synthetic).statistic > 0.8


def test_conditioning_on_a_category_separates_its_groups() -> None:
    rng = np.random.default_rng(0)
    parents = pd.DataFrame({"id": range(400), "tier": np.repeat(["small", "big"], 200)})
    counts = np.where(parents["tier"] == "big", rng.integers(8, 11, 400), rng.integers(0, 2, 400))
    children = pd.DataFrame({"pid": np.repeat(parents["id"], counts)})
    model = CardinalityModel().fit(parents, children, rel("P", "C", "pid", "id"))
    synthetic = model.sample_counts(parents, seed=3)
    big = parents["tier"].eq("big").to_numpy()
    assert synthetic[big].min() >= 8
    assert synthetic[~big].max() <= 1


def test_tiny_parent_tables_fall_back_to_the_empirical_distribution(chinook) -> None:
    model = CardinalityModel().fit(chinook["Employee"], chinook["Customer"], REP_CUSTOMER)
    assert not model.is_conditional
    real = set(real_counts(chinook, REP_CUSTOMER).tolist())
    synthetic = model.sample_counts(chinook["Employee"], seed=4)
    assert set(synthetic.tolist()) <= real


def test_a_total_row_target_is_met_exactly_within_the_real_range(chinook) -> None:
    model = CardinalityModel().fit(chinook["Album"], chinook["Track"], ALBUM_TRACK)
    for total in (1000, 3503, 9000):
        counts = model.sample_counts(chinook["Album"], seed=5, total=total)
        assert counts.sum() == total
        assert model.min_ <= counts.min() and counts.max() <= model.max_


def test_an_impossible_total_raises_a_config_error_naming_the_child() -> None:
    with pytest.raises(ConfigError, match=r"\[Track\].*between 1 and 5"):
        rescale_counts(np.array([1, 2, 5]), 100, 1, 5, np.random.default_rng(0), table="Track")


def test_the_share_of_null_references_is_learnt() -> None:
    parents = pd.DataFrame({"id": [1, 2]})
    children = pd.DataFrame({"pid": [1.0, 2.0, None, None]})
    model = CardinalityModel().fit(parents, children, rel("P", "C", "pid", "id"))
    assert model.null_rate_ == 0.5
    assert model.n_children_ == 2


def test_save_and_load_round_trip_through_plain_json(chinook, tmp_path) -> None:
    model = CardinalityModel(exclude=("CustomerId",)).fit(
        chinook["Invoice"], chinook["InvoiceLine"], INVOICE_LINE
    )
    path = model.save(tmp_path / "card.json")
    assert json.loads(path.read_text())["format"] == "synthohive.cardinality/1"
    loaded = CardinalityModel.load(path)
    assert loaded.relation_ == INVOICE_LINE
    np.testing.assert_array_equal(
        loaded.sample_counts(chinook["Invoice"], seed=7),
        model.sample_counts(chinook["Invoice"], seed=7),
    )


def test_an_altered_artifact_is_refused(chinook, tmp_path) -> None:
    model = CardinalityModel().fit(chinook["Album"], chinook["Track"], ALBUM_TRACK)
    data = model.to_dict()
    del data["leaves"]
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(ArtifactError, match="incomplete or altered"):
        CardinalityModel.load(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "pickle"}))
    with pytest.raises(ArtifactError, match="not a cardinality model"):
        CardinalityModel.load(tmp_path / "other.json")


def test_a_lookup_label_keeps_the_count_of_each_named_parent(chinook) -> None:
    genre = rel("Genre", "Track", "GenreId")
    model = CardinalityModel(label_column="Name", match_marginal=False).fit(
        chinook["Genre"], chinook["Track"], genre)
    assert model.is_conditional
    synthetic = pd.DataFrame({"GenreId": [101, 102, 103, 104],
                              "Name": ["Rock", "Opera", "Rock", "Polka"]})
    counts = model.sample_counts(synthetic, seed=0)
    assert counts[:3].tolist() == [1297, 1, 1297]  # Rock and Opera as in the real table
    assert counts[3] in set(real_counts(chinook, genre).tolist())  # unknown: the pooled counts
    again = CardinalityModel.from_dict(json.loads(json.dumps(model.to_dict())))
    np.testing.assert_array_equal(again.sample_counts(synthetic, seed=0), counts)


def test_matched_marginals_keep_the_real_counts_and_their_order(chinook) -> None:
    """The default deals the real count distribution in the order of the conditional draws:
    the real genres get exactly their real counts; three "Rock"s get the three largest."""
    genre = rel("Genre", "Track", "GenreId")
    model = CardinalityModel(label_column="Name").fit(chinook["Genre"], chinook["Track"], genre)
    real = real_counts(chinook, genre)
    counts = model.sample_counts(chinook["Genre"], seed=3)
    np.testing.assert_array_equal(counts, real)
    names = chinook["Genre"]["Name"].to_numpy().copy()
    names[[5, 9]] = "Rock"
    counts = model.sample_counts(chinook["Genre"].assign(Name=names), seed=3)
    assert sorted(counts) == sorted(real)
    top3 = np.sort(real)[-3:]
    assert sorted(counts[names == "Rock"]) == sorted(top3)
