"""The sensor and schedule commands the docs show address the code location the daemon of
``dagster dev -w workspace.yaml`` loads, so the sensor they start is really ticked.

Issue 16: the documented ``dagster sensor start source_changes -m
synthohive_pipelines.definitions -a defs`` said "Started" but stored the state under another
code location (named after the module); the daemon never ticked it. The test runs the
commands exactly as docs/pipelines.md writes them, then a real ``dagster-daemon run -w
workspace.yaml`` (what ``dagster dev`` starts), and waits for the sensor's first tick in the
instance. The module-addressed form is started beside it and stays unticked.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from scripts.ui_server import stop_group
from synthohive_pipelines.jobs import FULL_REFRESH
from synthohive_pipelines.sensors import SOURCE_SENSOR

from .conftest import REPO

BIN = Path(sys.executable).parent
DOCS = REPO / "docs" / "pipelines.md"


def documented(action: str) -> list[str]:
    """The documented command line that contains ``action`` (e.g. 'sensor start')."""
    lines = [line for line in DOCS.read_text().splitlines() if f"dagster {action} " in line]
    assert len(lines) == 1, lines
    words = shlex.split(lines[0])
    assert words[0] == ".venv/bin/dagster"
    return [str(BIN / "dagster"), *words[1:]]


def test_the_docs_address_the_workspace_in_every_sensor_and_schedule_command() -> None:
    commands = re.findall(r"dagster (?:sensor|schedule) \w+ .*", DOCS.read_text())
    assert commands
    for command in commands:
        assert "-w workspace.yaml" in command, command
    assert "job execute -w" not in (REPO / "workspace.yaml").read_text()


@pytest.mark.slow
def test_the_documented_sensor_command_starts_a_sensor_the_daemon_ticks(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "SYNTHOHIVE_CONFIG": str(REPO / "synthohive.yaml"),
        "SYNTHOHIVE_OUTPUT_ROOT": str(tmp_path / "out"),
    }
    module_form = [
        str(BIN / "dagster"), "sensor", "start", SOURCE_SENSOR,
        "-m", "synthohive_pipelines.definitions", "-a", "defs",
    ]  # fmt: skip
    for command in (module_form, documented("sensor start"), documented("schedule start")):
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr

    with dg.DagsterInstance.from_config(str(home)) as instance:
        states = instance.all_instigator_state()
        sensors = [s for s in states if s.instigator_name == SOURCE_SENSOR]
        (schedule,) = [s for s in states if s.instigator_name == FULL_REFRESH]
        assert schedule.is_running
        by_location = {s.origin.repository_origin.code_location_origin.location_name: s
                       for s in sensors}  # fmt: skip
        module_location = "synthohive_pipelines.definitions:defs"  # named after the module
        assert set(by_location) == {"synthohive", module_location}
        assert all(s.is_running for s in sensors)
        ours = by_location["synthohive"]
        assert schedule.origin.repository_origin.code_location_origin.location_name == "synthohive"

        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 240
            ticks = []
            while not ticks and time.monotonic() < deadline:
                assert daemon.poll() is None, "dagster-daemon exited"
                time.sleep(2)
                ticks = instance.get_ticks(ours.instigator_origin_id, ours.selector_id)
        finally:
            stop_group(daemon)
        assert ticks, "the daemon never ticked the sensor started by the documented command"
        other = by_location[module_location]
        assert instance.get_ticks(other.instigator_origin_id, other.selector_id) == []
