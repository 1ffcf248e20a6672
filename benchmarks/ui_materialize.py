"""One asset materialized from the CLI (what the UI's "Materialize" runs) against the same
steps inside ``synthesize_all``, with the in-process and the multiprocess executor.

Issue 16: ``Definitions`` had no ``executor=``, so every UI/CLI materialization ran Dagster's
default multiprocess executor (a process and a torch import per step): ``synthetic/Genre``,
five steps of about a second, took 64.5 s. This measures, in one invocation on one machine:

1. ``dagster job execute -j synthesize_all`` (the project's in-process job) on the CI config,
   from which the steps of ``synthetic/Genre`` (the asset and its checks) are timed from the
   event log (STEP_START to STEP_SUCCESS of each, summed);
2. ``dagster asset materialize --select synthetic/Genre`` with ``execution.executor:
   in_process`` (the default now) and with ``multiprocess`` (what the UI got before), each as
   the run's duration (run start to end in the instance) and the command's wall time
   (which adds loading the code location, the same for both).

Prints JSON: ``ratio_<executor>`` is the run's duration over the same steps' summed time in
``synthesize_all``; ``ratio_steps_<executor>`` the steps' own time over it (the rest,
``run_overhead_s``, is Dagster starting and ending a run). Run from the repository
root::

    .venv/bin/python benchmarks/ui_materialize.py --json-out /tmp/ui_materialize.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DAGSTER = Path(sys.executable).parent / "dagster"
ASSET = "synthetic/Genre"


def project_copy(folder: Path, executor: str) -> Path:
    """The CI config with absolute paths, one output root shared by every run, ``executor``."""
    doc = yaml.safe_load((REPO / "synthohive.ci.yaml").read_text())
    doc["source"]["url"] = f"sqlite:///{REPO / 'examples/chinook/chinook.sqlite'}"
    doc["schema"] = str(REPO / "examples/chinook/schema.yaml")
    doc["output"]["root"] = str(folder / "out")
    doc.pop("environments", None)
    doc["execution"] = {"executor": executor}
    path = folder / f"project_{executor}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def run_cli(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [str(DAGSTER), *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"dagster {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return wall


def latest_run_steps(home: Path) -> tuple[float, dict[str, tuple[float, float]]]:
    """The newest run's duration and each step's (start, success) timestamps."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home)
    with dg.DagsterInstance.get() as instance:
        record = instance.get_run_records(limit=1)[0]
        steps: dict[str, list[float]] = {}
        for entry in instance.all_logs(record.dagster_run.run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "STEP_START":
                steps.setdefault(event.step_key, [entry.timestamp, entry.timestamp])[0] = (
                    entry.timestamp
                )
            elif event.event_type_value == "STEP_SUCCESS":
                steps.setdefault(event.step_key, [entry.timestamp, entry.timestamp])[1] = (
                    entry.timestamp
                )
        duration = (record.end_time or 0.0) - (record.start_time or 0.0)
        return duration, {k: (v[0], v[1]) for k, v in steps.items()}


def step_seconds(steps: dict[str, tuple[float, float]], keys: set[str]) -> float:
    """The summed durations of ``keys`` (in the job other steps run between them)."""
    return sum(steps[k][1] - steps[k][0] for k in keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json-out", type=Path)
    parser.add_argument(
        "--executors",
        nargs="+",
        default=["in_process", "multiprocess"],
        choices=["in_process", "multiprocess"],
        help="executors to materialize the asset with (default both)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ui_materialize_"))
    try:
        home = folder / "home"
        home.mkdir()
        shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
        base = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": str(REPO)}
        base.pop("SYNTHOHIVE_OUTPUT_ROOT", None)
        base.pop("SYNTHOHIVE_ENV", None)
        code = ["-m", "synthohive_pipelines.definitions", "-a", "defs"]
        configs = {e: project_copy(folder, e) for e in args.executors}

        env = {**base, "SYNTHOHIVE_CONFIG": str(configs["in_process"])}
        job_wall = run_cli(["job", "execute", *code, "-j", "synthesize_all"], env)
        job_duration, job_steps = latest_run_steps(home)

        result: dict[str, object] = {
            "asset": ASSET,
            "config": "synthohive.ci.yaml (2 epochs)",
            "synthesize_all_run_s": round(job_duration, 2),
            "synthesize_all_wall_s": round(job_wall, 2),
        }
        for executor, path in configs.items():
            env = {**base, "SYNTHOHIVE_CONFIG": str(path)}
            wall = run_cli(["asset", "materialize", *code, "--select", ASSET], env)
            duration, steps = latest_run_steps(home)
            in_job = step_seconds(job_steps, set(steps))
            own = step_seconds(steps, set(steps))
            result[executor] = {
                "steps": sorted(steps),
                "run_s": round(duration, 2),
                "steps_s": round(own, 2),
                "run_overhead_s": round(duration - own, 2),
                "wall_s": round(wall, 2),
                "same_steps_in_synthesize_all_s": round(in_job, 2),
            }
            result[f"ratio_{executor}"] = round(duration / in_job, 2)
            result[f"ratio_steps_{executor}"] = round(own / in_job, 2)
        text = json.dumps(result, indent=2)
        print(text)
        if args.json_out:
            args.json_out.write_text(text)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
