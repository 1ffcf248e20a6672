"""The autoregressive model: types and nulls round-trip, seeds repeat, parents and given
columns steer generation, artifacts reload, time budgets and DP budgets stop training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ModelError
from synthohive_lib.models import AutoregressiveModel, load_model
from synthohive_lib.models.autoregressive.encoding import TokenEncoder
from synthohive_lib.models.autoregressive.sampling import draw_categorical
from synthohive_lib.models.progress import EpochProgress

from .conftest import people

TINY = {"embedding_dim": 8, "hidden_dim": 32, "num_threads": 1, "verbose": False}


@pytest.fixture(scope="module")
def fitted() -> tuple[AutoregressiveModel, pd.DataFrame]:
    data = people(400)
    return AutoregressiveModel(epochs=15, seed=3, **TINY).fit(data), data


def test_samples_keep_columns_dtypes_bounds_nulls_and_datetime_units(fitted) -> None:
    model, data = fitted
    rows = model.sample(2_000, seed=1)
    assert list(rows.columns) == list(data.columns)
    assert rows["age"].dtype == data["age"].dtype
    assert rows["joined"].dtype == data["joined"].dtype
    assert rows["age"].between(data["age"].min(), data["age"].max()).all()
    assert set(rows["plan"]) <= set(data["plan"])
    assert 0.03 < rows["income"].isna().mean() < 0.2  # real: 10 % nulls
    assert (rows["joined"].dt.normalize() == rows["joined"]).all()  # whole days, as the real
    shares = rows["plan"].value_counts(normalize=True)
    assert abs(shares["basic"] - 0.6) < 0.1


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(fitted) -> None:
    model, _ = fitted
    assert model.sample(300, seed=5).equals(model.sample(300, seed=5))
    assert not model.sample(300, seed=5).equals(model.sample(300, seed=6))


def test_drawn_tokens_follow_the_softmax_and_never_take_a_zero_probability_token() -> None:
    import torch

    probs = torch.tensor([0.5, 0.0, 0.3, 0.2, 0.0])
    logits = torch.log(probs).expand(200_000, -1).contiguous()  # -inf where p = 0
    generator = torch.Generator().manual_seed(0)
    tokens = draw_categorical(logits, generator)
    counts = torch.bincount(tokens, minlength=5).double() / len(tokens)
    assert counts[1] == 0 and counts[4] == 0
    assert torch.allclose(counts, probs.double(), atol=0.005)
    again = draw_categorical(logits, torch.Generator().manual_seed(0))
    assert torch.equal(tokens, again)


def test_heavy_values_come_back_exactly_and_few_valued_numbers_stay_exact() -> None:
    rng = np.random.default_rng(0)
    gain = np.where(rng.random(2_000) < 0.9, 0, rng.integers(1_000, 99_999, 2_000))
    frame = pd.DataFrame({"gain": gain, "stars": rng.integers(1, 6, 2_000)})
    encoder = TokenEncoder(bins=16, fine_bins=4).fit(frame, rng)
    decoded = encoder.decode(encoder.encode(frame), rng)
    assert ((decoded["gain"] == 0) == (frame["gain"] == 0)).all()
    assert decoded["stars"].equals(frame["stars"])
    inside = frame["gain"] > 0  # binned values come back inside their own quantile sub-bin
    assert np.corrcoef(decoded["gain"][inside], frame["gain"][inside])[0, 1] > 0.99


def test_children_follow_their_parents_through_the_context_prefix() -> None:
    rng = np.random.default_rng(1)
    segment = rng.choice(["retail", "business"], 800)
    data = pd.DataFrame(
        {
            "channel": np.where(segment == "retail", "web", "sales-rep"),
            "amount": np.where(segment == "retail", 20, 900) + rng.integers(0, 10, 800),
        }
    )
    context = pd.DataFrame({"segment": segment})
    model = AutoregressiveModel(epochs=10, seed=0, **TINY).fit(data, context)
    parents = pd.DataFrame({"segment": ["business"] * 300 + ["retail"] * 300})
    rows = model.sample(context=parents, seed=2)
    assert (rows["channel"][:300] == "sales-rep").mean() > 0.9
    assert (rows["channel"][300:] == "web").mean() > 0.9
    assert rows["amount"][:300].median() > 500 > rows["amount"][300:].median()


def test_given_columns_are_kept_and_the_others_generated_conditionally() -> None:
    rng = np.random.default_rng(2)
    tier = rng.choice(["gold", "silver", "bronze"], 800)
    data = pd.DataFrame(
        {  # the condition comes *last* in column order: needs the random-order training
            "discount": np.select([tier == "gold", tier == "silver"], [30, 10], 0),
            "tier": tier,
        }
    )
    model = AutoregressiveModel(epochs=10, seed=0, **TINY).fit(data)
    given = pd.DataFrame({"tier": ["gold"] * 200 + ["bronze"] * 200})
    rows = model.sample(given=given, seed=4)
    assert rows["tier"].equals(given["tier"])
    assert (rows["discount"][:200] == 30).mean() > 0.9
    assert (rows["discount"][200:] == 0).mean() > 0.9


def test_a_loaded_model_samples_the_same_rows(fitted, tmp_path) -> None:
    model, _ = fitted
    path = model.save(tmp_path / "m")
    loaded = load_model(path)
    assert isinstance(loaded, AutoregressiveModel)
    assert loaded.sample(200, seed=9).equals(model.sample(200, seed=9))
    assert loaded.loss_history_ == model.loss_history_


def test_training_stops_at_the_time_budget_and_reports_every_epoch() -> None:
    seen: list[EpochProgress] = []
    model = AutoregressiveModel(
        epochs=10_000, time_budget_s=1.0, patience=0, seed=0, progress=seen.append, **TINY
    ).fit(people(300))
    assert 1 <= len(model.loss_history_) < 10_000
    assert [p.epoch for p in seen] == [int(r["epoch"]) for r in model.loss_history_]
    assert all("val_nll" in p.losses for p in seen)
    assert seen[-1].done and not any(p.done for p in seen[:-1])
    assert model.stopped_by_ == "time_budget_s"


def test_dp_sgd_spends_at_most_the_epsilon_budget_and_records_it(tmp_path) -> None:
    model = AutoregressiveModel(
        epochs=1,
        seed=0,
        batch_size=100,
        privacy={"epsilon": 5.0, "delta": 1e-5, "max_grad_norm": 1.0},
        **TINY,
    ).fit(people(400))
    assert model.privacy_ is not None
    assert 0 < model.privacy_["epsilon"] <= 5.0
    assert model.privacy_["delta"] == 1e-5
    assert model.privacy_["noise_multiplier"] > 0
    assert len(model.sample(100, seed=0)) == 100
    loaded = load_model(model.save(tmp_path / "dp"))
    assert loaded.privacy_ == model.privacy_


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fixed_order_share": 1.5}, "fixed_order_share"),
        ({"privacy": {"epsilon": -1}}, "epsilon"),
        ({"privacy": {"eps": 1}}, "privacy settings"),
        ({"no_such_option": 1}, "unknown autoregressive hyper-parameter"),
    ],
)
def test_bad_hyper_parameters_are_typed_errors(kwargs, message) -> None:
    with pytest.raises(ModelError, match=message):
        AutoregressiveModel(**kwargs)


def test_sampling_without_the_fitted_context_names_the_fix(fitted) -> None:
    model, _ = fitted
    with pytest.raises(ModelError, match="without parent context"):
        model.sample(context=pd.DataFrame({"x": [1]}))
    with pytest.raises(ModelError, match="not generated columns"):
        model.sample(given=pd.DataFrame({"nope": [1]}))


def test_generation_tables_give_the_training_forward_pass_logits_in_any_order(fitted) -> None:
    import torch

    from synthohive_lib.models.autoregressive.network import GenerationTables

    network = fitted[0].network_.eval()
    k = network.k
    order = list(np.random.default_rng(0).permutation(k))
    tokens = torch.stack([torch.randint(0, v, (300,)) for v in network.vocabs], dim=1)
    position = torch.empty(k, dtype=torch.long)
    position[torch.tensor(order)] = torch.arange(k)
    known = (position[None, :] < position[:, None]).expand(300, k, k)
    with torch.inference_mode():
        expected = network(tokens, known)
        tables = GenerationTables(network, order, temperature=0.5)
        bag = tokens[:, order] + tables.bag_offsets
        for p, j in enumerate(order):
            got = tables.logits(bag, p) * 0.5
            assert torch.allclose(got, expected[:, j, : network.vocabs[j]], atol=1e-4)
