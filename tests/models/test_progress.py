"""The model-independent progress report: its line, its ETA, its throttling and its bar."""

from __future__ import annotations

import io

import pytest

from synthohive_lib.models.progress import (
    EpochProgress,
    TqdmProgress,
    estimate_eta,
    fan_out,
    throttled,
)


def test_line_reads_epoch_of_total_elapsed_eta_and_losses() -> None:
    progress = EpochProgress.at(37, 300, 12.1, {"g": 0.4123, "d": -0.0884})
    assert progress.line() == "epoch 37/300 · 12.1 s elapsed · ETA 1 min · g=0.412 d=-0.088"


def test_line_names_the_table_the_budget_and_says_done_at_the_end() -> None:
    progress = EpochProgress.at(5, 300, 130.0, {"g": 1.0}, table="flights", budget_s=120, done=True)
    assert (
        progress.line() == "flights: epoch 5/300 · 130.0 s elapsed · done · budget 2 min · g=1.000"
    )


def test_eta_is_the_mean_epoch_time_times_the_epochs_left() -> None:
    assert estimate_eta(10, 100, 20.0) == pytest.approx(180.0)
    assert estimate_eta(0, 100, 0.0) is None


def test_eta_never_exceeds_what_is_left_of_the_time_budget() -> None:
    assert estimate_eta(10, 100, 20.0, budget_s=50.0) == pytest.approx(30.0)
    assert estimate_eta(10, 100, 60.0, budget_s=50.0) == 0.0


def test_progress_is_immutable_losses_included() -> None:
    progress = EpochProgress.at(1, 2, 1.0, {"g": 1.0})
    with pytest.raises(AttributeError):
        progress.epoch = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        progress.losses["g"] = 2.0  # type: ignore[index]


def test_throttled_passes_the_first_the_last_and_one_report_per_interval() -> None:
    now = [0.0]
    seen: list[int] = []
    report = throttled(lambda p: seen.append(p.epoch), every_s=5.0, clock=lambda: now[0])
    for epoch in range(1, 21):  # one epoch per second
        now[0] = float(epoch)
        report(EpochProgress.at(epoch, 20, float(epoch), done=epoch == 20))
    assert seen == [1, 6, 11, 16, 20]


def test_fan_out_calls_every_callback_and_skips_none() -> None:
    a: list[int] = []
    b: list[int] = []
    report = fan_out(lambda p: a.append(p.epoch), None, lambda p: b.append(p.epoch))
    assert report is not None
    report(EpochProgress.at(3, 4, 1.0))
    assert a == b == [3]
    assert fan_out(None) is None


def test_tqdm_bar_counts_epochs_of_the_total_and_closes_when_done() -> None:
    out = io.StringIO()
    bar = TqdmProgress(desc="people", file=out, mininterval=0)
    for epoch in (1, 2, 3):
        bar(EpochProgress.at(epoch, 10, float(epoch), {"g": 0.5}, done=epoch == 3))
    text = out.getvalue()
    assert "people" in text and "3/10" in text and "g=0.500" in text
    assert bar.bar is not None and bar.bar.disable  # tqdm disables a bar it has closed
