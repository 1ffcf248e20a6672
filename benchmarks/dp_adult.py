"""Benchmark: both table models trained with DP-SGD at epsilon 5 on Adult (issue 14).

The target of issue 14 is column shapes >= 0.90 at ``epsilon = 5`` with either model. Both
models train on the random 80 % of Adult that ``ctgan_vs_peer.py`` and ``model_vs_argn.py``
use (same seed, same split) with ``privacy: {epsilon: 5, delta: 1e-5, max_grad_norm: 1}``,
each in its own subprocess; the parent scores them exactly as ``model_vs_argn.py`` does
(SDMetrics column shapes and pair trends on ``--metric-rows`` rows, TSTR on the real 20 %) and
prints one JSON object with ``ours_<model>_dp_*`` keys, the epsilon each one spent among them.

    python benchmarks/dp_adult.py --json-out dp.json
    python benchmarks/dp_adult.py --models autoregressive --time-budget-s 600

The epochs are the plan the noise is computed for: a run that finishes them spends the whole
epsilon (``stopped_by`` "epsilon"); one cut short by ``--time-budget-s`` spends what the
accountant says at the stop (``stopped_by`` "time_budget_s"), and that is the epsilon printed.
DP-SGD CTGAN differentiates every real row's critic loss (gradient penalty included) on its
own, so it is slow on a CPU: its default plan is a few epochs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
PRIVACY = {"epsilon": 5.0, "delta": 1e-5, "max_grad_norm": 1.0}


def _worker(model_name: str, args: argparse.Namespace) -> None:
    """Fit one model with DP-SGD on the split's training rows and sample from it."""
    from dataclasses import replace

    import structlog

    from synthohive_lib.models import CTGAN, AutoregressiveModel
    from synthohive_lib.transform import ColumnKind, infer_column_specs

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))
    train = pd.read_csv(args.out / "train.csv")
    meta = json.loads(args.data.with_suffix(".json").read_text())
    types = {c["name"]: c["type"] for c in meta["columns"]}
    specs = [  # the column types of model_vs_argn.py
        replace(spec, kind=ColumnKind.CATEGORICAL, min=None, max=None)
        if types.get(spec.name, "continuous") != "continuous"
        else spec
        for spec in infer_column_specs(train)
    ]
    common: dict[str, Any] = {
        "specs": specs,
        "seed": args.seed,
        "time_budget_s": args.time_budget_s,
        "num_threads": args.threads,
        "verbose": False,
        "privacy": dict(PRIVACY, epsilon=args.epsilon),
    }
    if model_name == "ctgan":
        model: Any = CTGAN(epochs=args.ctgan_epochs, batch_size=args.ctgan_batch, **common)
    else:
        model = AutoregressiveModel(epochs=args.ar_epochs, batch_size=args.ar_batch, **common)
    started = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    synthetic = model.sample(args.sample_rows, seed=args.seed)
    sample_s = time.perf_counter() - started
    synthetic.to_csv(args.out / f"{model_name}.csv", index=False)
    spent = model.privacy_ or {}
    result = {
        "fit_s": fit_s,
        "epochs": len(model.loss_history_),
        "planned_epochs": args.ctgan_epochs if model_name == "ctgan" else args.ar_epochs,
        "batch_size": args.ctgan_batch if model_name == "ctgan" else args.ar_batch,
        "stopped_by": model.stopped_by_,
        "sample_rows_per_s": args.sample_rows / sample_s,
        "spent_epsilon": spent.get("epsilon"),
        "delta": spent.get("delta"),
        "noise_multiplier": spent.get("noise_multiplier"),
        "dp_steps": spent.get("steps"),
    }
    (args.out / f"{model_name}.json").write_text(json.dumps(result))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets/adult.csv"))
    parser.add_argument("--models", default="autoregressive,ctgan", help="comma-separated")
    parser.add_argument("--epsilon", type=float, default=PRIVACY["epsilon"])
    parser.add_argument("--time-budget-s", type=float, default=None, help="per model")
    parser.add_argument("--ctgan-epochs", type=int, default=4)
    parser.add_argument("--ctgan-batch", type=int, default=250)
    parser.add_argument("--ar-epochs", type=int, default=20)
    parser.add_argument("--ar-batch", type=int, default=1024)
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--sample-rows", type=int, default=100_000)
    parser.add_argument("--metric-rows", type=int, default=10_000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data.is_absolute():
        args.data = (REPO / args.data).resolve()
    if args.worker:
        _worker(args.worker, args)
        return {}

    sys.path.insert(0, str(REPO / "benchmarks"))
    from ctgan_vs_peer import _quality, _tstr

    meta = json.loads(args.data.with_suffix(".json").read_text())
    types = {c["name"]: c["type"] for c in meta["columns"]}
    real = pd.read_csv(args.data)
    rng = np.random.default_rng(args.seed)  # the split of ctgan_vs_peer.py
    in_train = rng.random(len(real)) < 0.8
    train, test = real[in_train].reset_index(drop=True), real[~in_train].reset_index(drop=True)
    result: dict[str, Any] = {
        "data": str(args.data),
        "train_rows": len(train),
        "privacy": dict(PRIVACY, epsilon=args.epsilon),
        "time_budget_s": args.time_budget_s,
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    forwarded = ["--data", str(args.data), "--seed", str(args.seed)]
    forwarded += ["--sample-rows", str(args.sample_rows), "--epsilon", str(args.epsilon)]
    forwarded += ["--ctgan-epochs", str(args.ctgan_epochs), "--ctgan-batch", str(args.ctgan_batch)]
    forwarded += ["--ar-epochs", str(args.ar_epochs), "--ar-batch", str(args.ar_batch)]
    if args.time_budget_s is not None:
        forwarded += ["--time-budget-s", str(args.time_budget_s)]
    if args.threads:
        forwarded += ["--threads", str(args.threads)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        train.to_csv(out / "train.csv", index=False)
        for side in [m.strip() for m in args.models.split(",") if m.strip()]:
            subprocess.run(
                [sys.executable, __file__, "--worker", side, "--out", str(out), *forwarded],
                cwd=REPO,
                check=True,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
            measured = json.loads((out / f"{side}.json").read_text())
            synthetic = pd.read_csv(out / f"{side}.csv")
            real_m = train.sample(min(args.metric_rows, len(train)), random_state=args.seed)
            synth_m = synthetic.sample(
                min(args.metric_rows, len(synthetic)), random_state=args.seed
            )
            measured.update(_quality(real_m, synth_m[list(train.columns)], types))
            measured.update(_tstr(synthetic, test, types))
            result.update({f"ours_{side}_dp_{key}": value for key, value in measured.items()})
    result["load_average_at_end"] = os.getloadavg()[0]
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
