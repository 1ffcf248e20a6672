"""Benchmark: SynthoHive's table models against MOSTLY AI's TabularARGN (issue 14).

Both sides train on the random 80 % of the data that ``ctgan_vs_peer.py`` uses (same seed,
same split) under the same time budget, each in its own process (so peak RSS is separable):
ours in this interpreter, TabularARGN (``mostlyai-engine==2.7.3``) in its own venv, made by
``make bench-peer-venv`` (``benchmarks/.venv-argn``). The parent scores every synthetic table
the same way as ``ctgan_vs_peer.py``: SDMetrics column shapes and pair trends on
``--metric-rows`` rows, and TSTR (gradient boosting trained on synthetic rows, tested on the
real held-out 20 %). One JSON object is printed, ``ours_<model>_*`` and ``peer_*`` keys.

    make bench-peer-venv
    python benchmarks/model_vs_argn.py --time-budget-s 90 --json-out out.json
    python benchmarks/model_vs_argn.py --models autoregressive,ctgan --time-budget-s 300

``fit_s`` is the wall time of everything before sampling (for the peer: split, analyze,
encode and train; its ``max_training_time`` is the budget in minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
PEER_PYTHON = REPO / "benchmarks" / ".venv-argn" / "bin" / "python"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _column_types(data_path: Path) -> dict[str, str]:
    meta = json.loads(data_path.with_suffix(".json").read_text())
    return {c["name"]: c["type"] for c in meta["columns"]}


# --------------------------------------------------------------------------------------------
# Workers (one subprocess per side)
# --------------------------------------------------------------------------------------------
def _worker_ours(model_name: str, train: pd.DataFrame, types: dict[str, str], args) -> dict:
    from dataclasses import replace

    from synthohive_lib.models import CTGAN, AutoregressiveModel
    from synthohive_lib.transform import ColumnKind, infer_column_specs

    specs = [
        replace(spec, kind=ColumnKind.CATEGORICAL, min=None, max=None)
        if types.get(spec.name, "continuous") != "continuous"
        else spec
        for spec in infer_column_specs(train)
    ]
    common = {
        "specs": specs,
        "seed": args.seed,
        "time_budget_s": args.time_budget_s,
        "num_threads": args.threads,
        "verbose": False,
    }
    if model_name == "ctgan":
        model: Any = CTGAN(epochs=10_000, **common)
    else:
        model = AutoregressiveModel(epochs=10_000, **common)
    started = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    synthetic = model.sample(args.sample_rows, seed=args.seed)
    sample_s = time.perf_counter() - started
    synthetic.to_csv(args.out / f"ours_{model_name}.csv", index=False)
    return {
        "fit_s": fit_s,
        "epochs": len(model.loss_history_),
        "sample_rows_per_s": args.sample_rows / sample_s,
    }


def _worker_peer(train: pd.DataFrame, types: dict[str, str], args) -> dict:
    import torch
    from mostlyai import engine

    if args.threads:
        torch.set_num_threads(args.threads)
    workspace = args.out / "argn-ws"
    started = time.perf_counter()
    engine.split(tgt_data=train, model_type="TABULAR", workspace_dir=workspace)
    engine.analyze(workspace_dir=workspace)
    engine.encode(workspace_dir=workspace)
    engine.train(workspace_dir=workspace, max_training_time=args.time_budget_s / 60.0, device="cpu")
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    engine.generate(workspace_dir=workspace, sample_size=args.sample_rows, device="cpu")
    sample_s = time.perf_counter() - started
    synthetic = pd.concat(
        [pd.read_parquet(p) for p in sorted((workspace / "SyntheticData").glob("*.parquet"))]
    )
    synthetic.to_csv(args.out / "peer.csv", index=False)
    return {"fit_s": fit_s, "sample_rows_per_s": args.sample_rows / sample_s}


def _run_worker(args: argparse.Namespace) -> None:
    train = pd.read_csv(args.out / "train.csv")
    types = _column_types(args.data)
    if args.worker == "peer":
        result = _worker_peer(train, types, args)
    else:
        import structlog

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))
        result = _worker_ours(args.worker, train, types, args)
    result["peak_rss_mb"] = _peak_rss_mb()
    (args.out / f"{args.worker}.json").write_text(json.dumps(result))


# --------------------------------------------------------------------------------------------
# Parent: split, run the sides, score
# --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets/adult.csv"))
    parser.add_argument("--time-budget-s", type=float, default=90.0)
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--models", default="autoregressive", help="ours, comma-separated")
    parser.add_argument("--no-peer", action="store_true", help="only our models")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads, all sides")
    parser.add_argument("--sample-rows", type=int, default=100_000)
    parser.add_argument("--metric-rows", type=int, default=10_000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data.is_absolute():
        args.data = (REPO / args.data).resolve()
    if args.worker:
        _run_worker(args)
        return {}

    sys.path.insert(0, str(REPO / "benchmarks"))
    from ctgan_vs_peer import _quality, _tstr

    types = _column_types(args.data)
    real = pd.read_csv(args.data)
    rng = np.random.default_rng(args.seed)  # the split of ctgan_vs_peer.py
    in_train = rng.random(len(real)) < 0.8
    train, test = real[in_train].reset_index(drop=True), real[~in_train].reset_index(drop=True)
    result: dict[str, Any] = {
        "data": str(args.data),
        "train_rows": len(train),
        "test_rows": len(test),
        "time_budget_s": args.time_budget_s,
        "threads": args.threads,
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    sides = [m.strip() for m in args.models.split(",") if m.strip()]
    if not args.no_peer:
        if not PEER_PYTHON.exists():
            sys.exit(f"no peer venv at {PEER_PYTHON}: run `make bench-peer-venv` first")
        sides.append("peer")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        train.to_csv(out / "train.csv", index=False)
        forwarded = ["--data", str(args.data), "--seed", str(args.seed), "--out", str(out)]
        forwarded += ["--sample-rows", str(args.sample_rows)]
        forwarded += ["--time-budget-s", str(args.time_budget_s)]
        if args.threads:
            forwarded += ["--threads", str(args.threads)]
        for side in sides:
            python = str(PEER_PYTHON) if side == "peer" else sys.executable
            subprocess.run(
                [python, __file__, "--worker", side, *forwarded],
                cwd=REPO,
                check=True,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
            measured = json.loads((out / f"{side}.json").read_text())
            name = "peer" if side == "peer" else f"ours_{side}"
            synthetic = pd.read_csv(out / f"{name}.csv")
            real_m = train.sample(min(args.metric_rows, len(train)), random_state=args.seed)
            synth_m = synthetic.sample(
                min(args.metric_rows, len(synthetic)), random_state=args.seed
            )
            measured.update(_quality(real_m, synth_m[list(train.columns)], types))
            measured.update(_tstr(synthetic, test, types))
            result.update({f"{name}_{key}": value for key, value in measured.items()})
    result["real_tstr_accuracy"] = _tstr(train, test, types)["tstr_accuracy"]
    result["load_average_at_end"] = os.getloadavg()[0]
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
