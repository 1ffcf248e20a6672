"""CTGAN: the model contract, reproducibility, parent context, observability, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import EmptyTableError, ModelError
from synthohive_lib.models import CTGAN, GenerativeModel
from synthohive_lib.models.progress import EpochProgress

from .conftest import FAST, people


def test_ctgan_implements_the_model_contract() -> None:
    assert issubclass(CTGAN, GenerativeModel)


def test_samples_have_the_real_columns_dtypes_and_ranges(fitted) -> None:
    model, data = fitted
    sample = model.sample(500, seed=1)
    assert list(sample.columns) == list(data.columns)
    assert sample.dtypes.equals(data.dtypes)
    assert sample["age"].between(data["age"].min(), data["age"].max()).all()
    assert set(sample["plan"]) <= set(data["plan"])


def test_the_same_seed_gives_the_same_rows(fitted) -> None:
    model, _ = fitted
    pd.testing.assert_frame_equal(model.sample(200, seed=5), model.sample(200, seed=5))
    assert not model.sample(200, seed=5).equals(model.sample(200, seed=6))


def test_loss_history_is_kept_per_epoch(fitted) -> None:
    model, _ = fitted
    assert [r["epoch"] for r in model.loss_history_] == [1.0, 2.0]
    assert all(np.isfinite(r["generator_loss"]) for r in model.loss_history_)


def test_best_epoch_is_chosen_on_fidelity_and_patience_stops_training() -> None:
    model = CTGAN(epochs=6, seed=3, eval_every=1, eval_rows=200, patience=1, **FAST)
    model.fit(people())
    scored = [r["fidelity"] for r in model.loss_history_]
    assert all(0.0 <= s <= 1.0 for s in scored)
    assert model.best_epoch_ is not None
    assert scored[model.best_epoch_ - 1] == max(scored)


def test_a_small_table_trains_on_smaller_batches_so_an_epoch_has_several_steps() -> None:
    """At the default batch of 500 a 418-row table got one optimizer step an epoch (pbc in the
    gauntlet: 50 steps in a 50-epoch fit); it now trains on batches of 100, and an epoch is at
    least ``min_steps_per_epoch`` (8) of them even where the rows fill only four."""
    small = {**FAST, "batch_size": 500}
    data = people(418)
    model = CTGAN(epochs=1, seed=3, **small).fit(data)
    assert (model.train_batch_size_, model.steps_per_epoch_) == (100, 8)
    off = CTGAN(epochs=1, seed=3, min_steps_per_epoch=0, **small).fit(data)
    assert (off.train_batch_size_, off.steps_per_epoch_) == (500, 1)
    big = CTGAN(epochs=1, seed=3, **small).fit(people(5_000))
    assert (big.train_batch_size_, big.steps_per_epoch_) == (500, 10)  # large: unchanged
    config = CTGAN(**small).config
    assert config.train_batch_size(1_945) == 240  # a multiple of pac, 8 steps
    assert config.train_steps(371) == 8  # pbc's training rows: 3 batches of 100 fill them
    with pytest.raises(ModelError, match="min_steps_per_epoch"):
        CTGAN(min_steps_per_epoch=-1)


def test_time_budget_stops_after_the_first_step_past_it() -> None:
    model = CTGAN(epochs=50, seed=3, time_budget_s=0.0, **FAST).fit(people(1000))
    assert len(model.loss_history_) == 1
    assert model.stopped_by_ == "time_budget_s"


def test_time_budget_cuts_an_epoch_short_instead_of_finishing_it() -> None:
    """One epoch of 20,000 rows is 200 steps; a budget spent after the first step ends the fit
    long before the epoch would have ended."""
    data = people(20_000)
    full = CTGAN(epochs=1, seed=3, **FAST).fit(data)
    cut = CTGAN(epochs=1, seed=3, time_budget_s=full.transform_seconds_, **FAST).fit(data)
    train = lambda m: m.fit_seconds_ - m.transform_seconds_  # noqa: E731
    assert train(cut) < train(full) / 3


def test_every_epoch_is_reported_with_its_number_losses_and_a_final_done() -> None:
    reports: list[EpochProgress] = []
    model = CTGAN(epochs=3, seed=3, table="people", **FAST)
    model.progress = reports.append
    model.fit(people(200))
    assert [r.epoch for r in reports] == [1, 2, 3]
    assert {r.epochs for r in reports} == {3}
    assert [r.done for r in reports] == [False, False, True]
    assert set(reports[0].losses) == {"g", "d"}
    assert reports[-1].losses["g"] == model.loss_history_[-1]["generator_loss"]
    assert reports[0].line().startswith("people: epoch 1/3 · ")


def test_a_fit_stopped_by_its_budget_reports_done_on_its_last_epoch() -> None:
    reports: list[EpochProgress] = []
    model = CTGAN(epochs=50, seed=3, time_budget_s=0.0, **FAST)
    model.progress = reports.append
    model.fit(people(100))
    assert [(r.epoch, r.epochs, r.done, r.budget_s) for r in reports] == [(1, 50, True, 0.0)]


def _parents_and_children(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    segment = rng.choice(["retail", "business"], n)
    business = segment == "business"
    parents = pd.DataFrame({"segment": segment, "size": rng.integers(1, 50, n)})
    children = pd.DataFrame(
        {
            "amount": np.where(business, rng.normal(1000, 50, n), rng.normal(100, 10, n)).round(2),
            "channel": np.where(rng.random(n) < 0.9, np.where(business, "invoice", "card"), "cash"),
        }
    )
    return parents, children


def test_context_makes_children_follow_their_parents() -> None:
    parents, children = _parents_and_children(600, seed=0)
    fast = {**FAST, "batch_size": 50, "generator_lr": 1e-3, "discriminator_lr": 1e-3}
    model = CTGAN(epochs=60, seed=2, **fast).fit(children, context=parents)
    new_parents = pd.DataFrame({"segment": ["retail"] * 300 + ["business"] * 300, "size": 10})
    out = model.sample(context=new_parents, seed=4)
    assert len(out) == 600
    retail, business = out.iloc[:300], out.iloc[300:]
    large_share = (business["amount"] > 500).mean() - (retail["amount"] > 500).mean()
    assert large_share > 0.25
    agreement = (retail["channel"] == "card").mean() + (business["channel"] == "invoice").mean()
    assert agreement / 2 > 0.75


def test_context_is_required_checked_and_validated() -> None:
    parents, children = _parents_and_children(200, seed=1)
    model = CTGAN(epochs=1, seed=2, **FAST).fit(children, context=parents)
    with pytest.raises(ModelError):
        model.sample(10)
    with pytest.raises(ModelError) as info:
        model.sample(context=parents.rename(columns={"size": "headcount"}))
    assert info.value.column in {"size", "headcount"}
    with pytest.raises(ModelError) as info:
        model.sample(context=parents.assign(segment="government"))
    assert info.value.column == "segment"
    with pytest.raises(ModelError):
        model.sample(5, context=parents.iloc[:3])


def test_bad_training_input_is_refused_with_typed_errors() -> None:
    with pytest.raises(EmptyTableError):
        CTGAN(epochs=1, **FAST).fit(people().iloc[:0])
    with pytest.raises(ModelError) as info:
        CTGAN(epochs=1, **FAST).fit(people().assign(gone=np.nan))
    assert info.value.column == "gone"
    with pytest.raises(ModelError) as info:
        CTGAN(epochs=1, **FAST).fit(people().assign(age=np.inf))
    assert info.value.column == "age"
    with pytest.raises(ModelError):
        CTGAN(batch_size=101, pac=10)


def test_mixed_precision_trains_and_samples_on_cpu() -> None:
    model = CTGAN(epochs=1, seed=3, mixed_precision=True, **FAST).fit(people(100))
    sample = model.sample(50, seed=1)
    assert len(sample) == 50 and sample["income"].dropna().map(np.isfinite).all()


def test_generation_precision_picks_the_generator_dtype(fitted) -> None:
    import torch

    from synthohive_lib.models.ctgan import generation_dtype, native_bf16

    cpu = torch.device("cpu")
    assert generation_dtype("float32", True, cpu) == torch.float32
    assert generation_dtype("bfloat16", False, cpu) == torch.bfloat16
    auto = torch.bfloat16 if native_bf16(cpu) else torch.float32
    assert generation_dtype("auto", False, cpu) == auto
    assert generation_dtype("auto", True, cpu) == torch.bfloat16
    model, data = fitted
    by_dtype = {}
    for precision in ("float32", "bfloat16"):
        model.config.generation_precision = precision
        by_dtype[precision] = model.sample(300, seed=4)
        pd.testing.assert_frame_equal(by_dtype[precision], model.sample(300, seed=4))
        assert by_dtype[precision]["age"].between(data["age"].min(), data["age"].max()).all()
    model.config.generation_precision = "auto"
    # Same noise and conditions, different rounding: close, not identical.
    assert not by_dtype["float32"].equals(by_dtype["bfloat16"])
    with pytest.raises(ModelError, match="generation_precision"):
        CTGAN(generation_precision="float16")


def test_the_bf16_generation_plan_gives_the_same_rows_whatever_memory_it_reuses() -> None:
    import torch

    from synthohive_lib.models.networks import GenerationPlan, Generator

    torch.manual_seed(0)
    noise_dim, cond_dim, ctx_dim = 16, 6, 5
    generator = Generator(noise_dim + cond_dim + ctx_dim, (32, 32), 12).eval()
    plan = GenerationPlan(generator, noise_dim, cond_dim, torch.bfloat16)
    noise = torch.randn(59, noise_dim).to(torch.bfloat16)
    context = torch.randn(59, ctx_dim).to(torch.bfloat16)
    outputs = []
    for _ in range(6):
        outputs.append(plan(noise, None, context))
        # Leave NaN garbage where the plan's next buffer is likely to be allocated.
        garbage = torch.full((59, 64 + noise_dim + ctx_dim), float("nan"), dtype=torch.bfloat16)
        del garbage
    assert all(torch.equal(outputs[0], out) for out in outputs[1:])
    assert torch.isfinite(outputs[0]).all()


def test_the_weight_average_ramps_up_and_is_what_sampling_uses() -> None:
    import torch

    from synthohive_lib.models.weight_average import WeightAverage

    layer = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        layer.weight.fill_(0.0)
    average = WeightAverage(layer, 0.999)
    with torch.no_grad():
        layer.weight.fill_(1.0)
    average.update(layer)  # step 1: decay min(0.999, 2/11) -> mostly the new weights
    assert torch.allclose(average.params[0], torch.full((1, 2), 1 - 2 / 11))
    with average.swapped_in(layer):
        assert torch.allclose(layer.weight, average.params[0])
    assert torch.equal(layer.weight, torch.ones(1, 2))  # live weights back
    averaged = CTGAN(epochs=2, seed=3, **FAST).fit(people(200))
    last = CTGAN(epochs=2, seed=3, generator_ema=None, **FAST).fit(people(200))
    assert not averaged.sample(100, seed=1).equals(last.sample(100, seed=1))
    again = CTGAN(epochs=2, seed=3, **FAST).fit(people(200))
    pd.testing.assert_frame_equal(averaged.sample(100, seed=1), again.sample(100, seed=1))


def test_matmul_precision_is_resolved_and_the_global_setting_restored() -> None:
    import torch

    from synthohive_lib.models.ctgan import matmul_precision, native_bf16

    cpu = torch.device("cpu")
    assert matmul_precision("highest", cpu) == "highest"
    assert matmul_precision("auto", cpu) == ("medium" if native_bf16(cpu) else "highest")
    assert matmul_precision("auto", torch.device("cuda")) == "high"
    before = torch.get_float32_matmul_precision()
    model = CTGAN(epochs=1, seed=3, matmul_precision="medium", **FAST).fit(people(100))
    assert torch.get_float32_matmul_precision() == before
    pd.testing.assert_frame_equal(model.sample(50, seed=2), model.sample(50, seed=2))
    assert torch.get_float32_matmul_precision() == before
    with pytest.raises(ModelError, match="matmul_precision"):
        CTGAN(matmul_precision="low")


def test_zero_rows_can_be_sampled(fitted) -> None:
    model, data = fitted
    empty = model.sample(0, seed=1)
    assert list(empty.columns) == list(data.columns) and len(empty) == 0
