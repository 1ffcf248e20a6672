"""Benchmark: peak memory of the whole job stays flat from 1M to 10M generated rows (issue 13).

A fresh project on UCI Adult (32,561 rows, 15 columns, plus an ``id`` primary key) in
SQLite, schema inferred by ``synthohive schema infer``, run by ``synthohive run``'s library
call (:func:`synthohive_lib.pipeline.run_project`: snapshot, fit, generate, validate, report)
once per size, each in a fresh process, with ``rows`` set on the table and the defaults
otherwise: above ``chunk_rows_above`` (1,000,000; lowered to 100,000 here so both sizes take
the same path) the table is generated block by block, and above ``validation.sample_rows``
(200,000) it is scored on a uniform sample while its keys, copies and leaks are checked on
every row in blocks. One epoch of training: this measures memory, not fidelity (the report is
written whatever its gates say).

The child process samples its own RSS every 0.1 s and reports the peak per phase (the
phases are ``run_project``'s log lines: snapshot, then each table's fit + generate, then the
report) and ``VmHWM`` overall. Prints one JSON object with the figures per size and the
ratio of the peaks (target: at most 1.3, i.e. flat).

    python benchmarks/validation_memory.py --rows 1000000 10000000 --json-out /tmp/vm.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]
ADULT = REPO.parent / "shared" / "datasets" / "adult.csv"


def _rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_project(folder: Path, rows: int) -> Path:
    """Adult in SQLite, the inferred schema and a config asking for ``rows`` rows."""
    from big_tables import infer_schema, write_sqlite

    frame = pd.read_csv(ADULT)
    frame.insert(0, "id", range(len(frame)))
    write_sqlite(folder / "adult.sqlite", [("adult", frame, ["id"], [])])
    infer_schema(f"sqlite:///{folder / 'adult.sqlite'}", folder / "schema.yaml")
    config = {
        "project": "validation_memory",
        "source": {"url": "sqlite:///adult.sqlite"},
        "schema": "schema.yaml",
        "output": {"root": "out"},
        "defaults": {"epochs": 1, "device": "cpu", "chunk_rows_above": 100_000},
        "tables": {"adult": {"rows": rows}},
    }
    path = folder / "synthohive.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def child(config_path: Path) -> dict[str, Any]:
    """Run the project in this process; peak RSS per phase and overall."""
    from synthohive_lib.config import load_project_config
    from synthohive_lib.pipeline import run_project

    phases: list[dict[str, Any]] = []
    current = {"phase": "start", "peak_mb": _rss_mb(), "started": time.perf_counter()}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            current["peak_mb"] = max(current["peak_mb"], _rss_mb())

    def log(message: str) -> None:  # a log line ends the phase it names
        current["peak_mb"] = max(current["peak_mb"], _rss_mb())
        phases.append(
            {
                "phase": message.split(":")[0],
                "peak_rss_mb": round(current["peak_mb"], 1),
                "seconds": round(time.perf_counter() - current["started"], 1),
            }
        )
        current.update(peak_mb=_rss_mb(), started=time.perf_counter())

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    started = time.perf_counter()
    config = load_project_config(config_path)
    result = run_project(config, epochs=1, log=log)
    log("report: written")
    done.set()
    report = json.loads(result.report_json.read_text())
    return {
        "wall_s": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(_rss_mb("VmHWM"), 1),
        "phases": phases,
        "rows": {t["table"]: t["rows"] for t in report["tables"]},
        "verdict": report["verdict"]["headline"] if report.get("verdict") else None,
        "gates": {f"{g['table']}:{g['gate']}": g["passed"] for g in report["verdict"]["gates"]},
    }


def measure(rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="validation-memory-") as tmp:
        config = write_project(Path(tmp), rows)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(config)],
            check=True,
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return {}
    sizes = {str(n): measure(n) for n in args.rows}
    peaks = [sizes[str(n)]["peak_rss_mb"] for n in args.rows]
    out = {
        "benchmark": "validation_memory",
        "sizes": sizes,
        "peak_ratio_largest_to_smallest": round(peaks[-1] / peaks[0], 3),
        "target_ratio": 1.3,
    }
    text = json.dumps(out, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text)
    return out


if __name__ == "__main__":
    main()
