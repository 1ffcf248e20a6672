"""A run whose worker was SIGKILLed is marked FAILURE by the housekeeping; a live one is not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from synthohive_pipelines.definitions import build_definitions
from synthohive_pipelines.housekeeping import ORPHANED_RUNS_SENSOR, fail_orphaned_runs

REPO = Path(__file__).resolve().parents[2]

#: A run worker: one run of a job whose op sleeps, on the instance in $DAGSTER_HOME.
WORKER = """
import time
import dagster as dg

@dg.op
def wait() -> None:
    time.sleep(600)

@dg.job
def waiting():
    wait()

waiting.execute_in_process(instance=dg.DagsterInstance.get())
"""


def start_run(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", WORKER], env=env)
    instance = dg.DagsterInstance.from_config(str(home))
    deadline = time.monotonic() + 120
    while True:
        started = [
            r
            for r in instance.get_runs(
                filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])
            )
            if r.run_id not in known(home)
        ]
        if started:
            (home / f"{started[0].run_id}.seen").touch()
            return proc, started[0].run_id
        assert time.monotonic() < deadline and proc.poll() is None, "the run never started"
        time.sleep(0.2)


def known(home: Path) -> set[str]:
    return {p.stem for p in home.glob("*.seen")}


def test_a_killed_run_is_marked_failed_and_a_running_one_is_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    killed, killed_id = start_run(home)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    alive, alive_id = start_run(home)
    try:
        instance = dg.DagsterInstance.from_config(str(home))
        assert instance.get_run_by_id(killed_id).status == dg.DagsterRunStatus.STARTED
        assert fail_orphaned_runs(instance) == [killed_id]
        assert instance.get_run_by_id(killed_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive_id).status == dg.DagsterRunStatus.STARTED
        assert fail_orphaned_runs(instance) == []
    finally:
        alive.kill()
        alive.wait()


def test_the_housekeeping_sensor_is_part_of_the_definitions_and_runs_by_default() -> None:
    defs = build_definitions(REPO / "synthohive.ci.yaml")
    sensor = defs.resolve_sensor_def(ORPHANED_RUNS_SENSOR)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
