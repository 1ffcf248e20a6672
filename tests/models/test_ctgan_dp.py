"""DP-SGD for CTGAN: the critic's updates are private, training stops at the epsilon budget
and the spent epsilon/delta travel with the model (see synthohive_lib.models.ctgan_dp)."""

from __future__ import annotations

import pytest

from synthohive_lib.errors import ModelError
from synthohive_lib.models import CTGAN, load_model

from .conftest import FAST, people

PRIVACY = {"epsilon": 5.0, "delta": 1e-5, "max_grad_norm": 1.0}


def test_dp_ctgan_stops_at_the_epsilon_budget_and_save_load_keeps_it(tmp_path) -> None:
    data = people(200)
    model = CTGAN(epochs=50, seed=0, privacy=PRIVACY, **FAST).fit(data)
    spent = model.privacy_
    assert spent is not None
    assert 0 < spent["epsilon"] <= 5.0 and spent["delta"] == 1e-5
    assert spent["noise_multiplier"] > 0 and spent["sample_rate"] == 0.5
    # the planned 50 epochs x 2 steps spend exactly the budget: all of it, not more
    assert model.stopped_by_ == "epsilon" and spent["steps"] == 100
    assert spent["epsilon"] > 4.5
    assert model.config.pac == 1
    assert "discriminator_loss" not in model.loss_history_[-1]
    assert len(model.sample(50, seed=0)) == 50
    loaded = load_model(model.save(tmp_path / "dp"))
    assert loaded.privacy_ == spent
    assert loaded.sample(20, seed=1).shape == (20, data.shape[1])


def test_dp_ctgan_stopped_by_time_spends_less_than_the_budget() -> None:
    model = CTGAN(epochs=10_000, seed=0, time_budget_s=0.01, privacy=PRIVACY, **FAST)
    model.fit(people(200))
    assert model.stopped_by_ == "time_budget_s"
    assert 0 < model.privacy_["epsilon"] < 5.0


@pytest.mark.parametrize(
    ("privacy", "key"),
    [
        ({"epsilon": -1}, "privacy.epsilon"),
        ({"epsilon": 5, "delta": 2}, "privacy.delta"),
        ({"epsilon": 5, "max_grad_norm": 0}, "privacy.max_grad_norm"),
        ({"epsilon": "5"}, "privacy.epsilon"),
        ({"delta": 1e-5}, "privacy.epsilon is required"),
        ({"epsilon": 5, "eps": 1}, r"unknown key\(s\) \['eps'\]"),
    ],
)
def test_invalid_privacy_settings_are_typed_errors_naming_the_key(privacy, key) -> None:
    with pytest.raises(ModelError, match=key):
        CTGAN(privacy=privacy)


def test_dp_refuses_what_the_guarantee_would_not_cover() -> None:
    with pytest.raises(ModelError, match="eval_every"):
        CTGAN(privacy=PRIVACY, eval_every=1)
    data = people(120)
    with pytest.raises(ModelError, match="parent context"):
        CTGAN(epochs=1, privacy=PRIVACY, **FAST).fit(data, context=data[["plan"]])
