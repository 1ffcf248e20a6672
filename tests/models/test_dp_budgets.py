"""DP-SGD training of both models honours its two budgets - time and epsilon - and the
epsilon/delta it spent travel with the artifact (``spent_privacy``)."""

from __future__ import annotations

import json

import pytest

from synthohive_lib.errors import ArtifactError
from synthohive_lib.models import CTGAN, AutoregressiveModel, load_model, spent_privacy

from .conftest import FAST, people

PRIVACY = {"epsilon": 5.0, "delta": 1e-5, "max_grad_norm": 1.0}
TINY_AR = {"embedding_dim": 8, "hidden_dim": 32, "num_threads": 1, "verbose": False}
#: how far past time_budget_s a fit may end: a few tiny steps plus the accountant's report
TOLERANCE_S = 0.75


def _categorical(rows: int):
    """Categorical columns only: CTGAN's transform (Gaussian mixtures for numbers) would take
    seconds of the time budget before the first step."""
    data = people(rows)
    return data[["plan"]].assign(decade=(data["age"] // 10).astype(str))


def _ctgan(**kwargs) -> CTGAN:
    return CTGAN(**{**FAST, **kwargs}, seed=0, privacy=PRIVACY)


def _autoregressive(**kwargs) -> AutoregressiveModel:
    return AutoregressiveModel(**{**TINY_AR, **kwargs}, seed=0, privacy=PRIVACY)


@pytest.fixture(scope="module")
def warmed_up() -> None:
    """The first fit in a process pays for lazy imports (seconds of a small time budget)."""
    _ctgan(epochs=1).fit(_categorical(100))
    _autoregressive(epochs=1).fit(people(100))


@pytest.mark.parametrize(
    "make",
    [
        # one epoch of 400 (CTGAN) or 1,500 (autoregressive) private steps takes several
        # times the budget, so a deadline checked once an epoch would overshoot by seconds
        lambda: _ctgan(epochs=1, batch_size=10, time_budget_s=1.5).fit(_categorical(4000)),
        lambda: _autoregressive(epochs=1, batch_size=2, time_budget_s=1.5).fit(people(3000)),
    ],
    ids=["ctgan", "autoregressive"],
)
def test_dp_training_stops_mid_epoch_within_a_step_of_the_time_budget(make, warmed_up) -> None:
    model = make()
    spent = model.privacy_
    steps_per_epoch = round(1 / spent["sample_rate"])
    assert model.stopped_by_ == "time_budget_s"
    assert 0 < spent["steps"] < steps_per_epoch  # stopped inside the one planned epoch
    assert model.fit_seconds_ <= 1.5 + TOLERANCE_S
    assert 0 < spent["epsilon"] < PRIVACY["epsilon"]  # the steps not taken were not spent


def test_dp_autoregressive_stops_at_the_epsilon_budget_after_the_planned_steps() -> None:
    model = _autoregressive(epochs=3, batch_size=100).fit(people(400))
    spent = model.privacy_
    assert model.stopped_by_ == "epsilon"
    assert spent["steps"] == 3 * 4  # epochs x (rows / batch): the plan the noise was set for
    # the plan spends the budget: nearly all of it (the noise is solved to ~1 %), never more
    assert 0.95 * PRIVACY["epsilon"] <= spent["epsilon"] <= PRIVACY["epsilon"]
    assert spent["delta"] == PRIVACY["delta"] and spent["epsilon_budget"] == PRIVACY["epsilon"]
    assert [r["epsilon"] for r in model.loss_history_] == sorted(
        r["epsilon"] for r in model.loss_history_
    )
    assert model.loss_history_[-1]["epsilon"] == spent["epsilon"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: _ctgan(epochs=2).fit(people(200)),
        lambda: _autoregressive(epochs=2, batch_size=100).fit(people(300)),
    ],
    ids=["ctgan", "autoregressive"],
)
def test_spent_epsilon_and_delta_are_in_the_manifest_and_survive_save_and_load(
    make, tmp_path
) -> None:
    model = make()
    path = model.save(tmp_path / "dp")
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["privacy"] == model.privacy_
    from_dir, from_manifest = spent_privacy(path), spent_privacy(manifest)
    assert from_dir == from_manifest == model.privacy_
    assert 0 < from_dir["epsilon"] <= from_dir["epsilon_budget"] == PRIVACY["epsilon"]
    assert from_dir["delta"] == PRIVACY["delta"]
    loaded = load_model(path)
    assert loaded.privacy_ == model.privacy_
    assert len(loaded.sample(20, seed=0)) == 20


def test_spent_privacy_is_none_without_dp_and_refuses_a_malformed_record(tmp_path) -> None:
    plain = AutoregressiveModel(epochs=1, seed=0, **TINY_AR).fit(people(200))
    assert spent_privacy(plain.save(tmp_path / "plain")) is None
    with pytest.raises(ArtifactError, match="privacy record"):
        spent_privacy({"privacy": {"epsilon": "5", "delta": 1e-5, "epsilon_budget": 5.0}})
    with pytest.raises(ArtifactError, match="privacy record"):
        spent_privacy({"privacy": {"delta": 1e-5}})
