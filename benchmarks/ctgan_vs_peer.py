"""Benchmark: SynthoHive's CTGAN against the ``ctgan`` package (issue 3), same invocation.

Both sides train on the same random 80 % of the Adult data with identical hyper-parameters
(batch 500, embedding 128, generator/discriminator (256, 256), pac 10, lr 2e-4), each in its own
subprocess so that peak RSS is separable. The parent process then scores both synthetic tables
with SDMetrics (column shapes, column pair trends) and with TSTR: a gradient-boosting classifier
trained on synthetic rows and tested on the held-out real 20 %. One JSON object is printed.

    python benchmarks/ctgan_vs_peer.py --epochs 10 --json-out bench.json
    python benchmarks/ctgan_vs_peer.py --sides ours --epochs 1000 --time-budget-s 90

``sec_per_epoch`` is the wall time of the epoch loop divided by the epochs, on both sides (the
package's epoch loop is timed by wrapping its progress-bar iterator). ``transform_fit_s`` is
everything ``fit`` does before the first epoch: transformer fit + transform and sampler setup.
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
TARGET = "income"
HYPER = {
    "batch_size": 500,
    "embedding_dim": 128,
    "generator_dim": (256, 256),
    "discriminator_dim": (256, 256),
    "pac": 10,
    "generator_lr": 2e-4,
    "discriminator_lr": 2e-4,
    "generator_decay": 1e-6,
    "discriminator_decay": 1e-6,
}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _column_types(data_path: Path) -> dict[str, str]:
    meta = json.loads(data_path.with_suffix(".json").read_text())
    return {c["name"]: c["type"] for c in meta["columns"]}


def _discrete(types: dict[str, str]) -> list[str]:
    return [name for name, kind in types.items() if kind != "continuous"]


# --------------------------------------------------------------------------------------------
# Workers (one subprocess per side)
# --------------------------------------------------------------------------------------------
def _worker_ours(train: pd.DataFrame, types: dict[str, str], args: argparse.Namespace) -> dict:
    from dataclasses import replace

    from synthohive_lib.models import CTGAN
    from synthohive_lib.models.ctgan import generation_dtype
    from synthohive_lib.transform import ColumnKind, infer_column_specs

    specs = [
        replace(spec, kind=ColumnKind.CATEGORICAL, min=None, max=None)
        if types.get(spec.name, "continuous") != "continuous"
        else spec
        for spec in infer_column_specs(train)
    ]
    model = CTGAN(
        specs=specs,
        epochs=args.epochs,
        seed=args.seed,
        num_threads=args.threads,
        time_budget_s=args.time_budget_s,
        mixed_precision=args.mixed_precision,
        verbose=False,
        **HYPER,
    )
    model.fit(train)
    device = next(model.generator_.parameters()).device
    epochs = len(model.loss_history_)
    started = time.perf_counter()
    synthetic = model.sample(args.sample_rows, seed=args.seed)
    sample_s = time.perf_counter() - started
    synthetic.iloc[: len(train)].to_csv(args.out / "ours.csv", index=False)
    return {
        "transform_fit_s": model.transform_seconds_,
        "sec_per_epoch": sum(r["seconds"] for r in model.loss_history_) / max(epochs, 1),
        "epochs": epochs,
        "sample_rows_per_s": args.sample_rows / sample_s,
        "generation_dtype": str(
            generation_dtype(model.config.generation_precision, args.mixed_precision, device)
        ),
    }


def _worker_peer(train: pd.DataFrame, types: dict[str, str], args: argparse.Namespace) -> dict:
    import ctgan.synthesizers.ctgan as peer_module
    import torch
    from ctgan import CTGAN as PeerCTGAN

    if args.threads:
        torch.set_num_threads(args.threads)
    discrete = _discrete(types)
    marks: list[float] = []
    package_tqdm = peer_module.tqdm

    def timed_epochs(iterable: Any, **kwargs: Any) -> Any:
        """Stand-in for the package's epoch bar: records when each epoch starts and ends."""
        for item in package_tqdm(iterable, **kwargs):
            marks.append(time.perf_counter())
            yield item
        marks.append(time.perf_counter())

    peer_module.tqdm = timed_epochs  # instrumentation only; the training code is untouched

    def fit(epochs: int) -> tuple[Any, float, float]:
        """(model, preparation seconds, seconds per epoch) of one package fit."""
        marks.clear()
        model = PeerCTGAN(epochs=epochs, verbose=False, enable_gpu=False, **HYPER)
        model.set_random_state(args.seed)
        began = time.perf_counter()
        model.fit(train, discrete)
        return model, marks[0] - began, (marks[-1] - marks[0]) / epochs

    epochs = args.epochs
    if args.time_budget_s is not None:
        # Calibrate (the package cannot stop on a time budget itself) on the median of three
        # epochs: one slow first epoch would otherwise cut its budget short.
        fit(3)
        one = float(np.median(np.diff(marks)))
        epochs = max(1, int(args.time_budget_s / one))
    model, prep_s, per_epoch = fit(epochs)
    started = time.perf_counter()
    synthetic = model.sample(args.sample_rows)
    sample_s = time.perf_counter() - started
    synthetic.iloc[: len(train)].to_csv(args.out / "peer.csv", index=False)
    return {
        "transform_fit_s": prep_s,
        "sec_per_epoch": per_epoch,
        "epochs": epochs,
        "sample_rows_per_s": args.sample_rows / sample_s,
    }


def _run_worker(args: argparse.Namespace) -> None:
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))
    train = pd.read_csv(args.out / "train.csv")
    types = _column_types(args.data)
    work = _worker_ours if args.worker == "ours" else _worker_peer
    result = work(train, types, args)
    result["peak_rss_mb"] = _peak_rss_mb()
    (args.out / f"{args.worker}.json").write_text(json.dumps(result))


# --------------------------------------------------------------------------------------------
# Scoring (parent process)
# --------------------------------------------------------------------------------------------
def _quality(real: pd.DataFrame, synthetic: pd.DataFrame, types: dict[str, str]) -> dict:
    from sdmetrics.reports.single_table import QualityReport

    metadata = {
        "columns": {
            name: {"sdtype": "numerical" if kind == "continuous" else "categorical"}
            for name, kind in types.items()
        }
    }
    report = QualityReport()
    report.generate(real, synthetic, metadata, verbose=False)
    scores = report.get_properties().set_index("Property")["Score"]
    return {
        "column_shapes": float(scores["Column Shapes"]),
        "pair_trends": float(scores["Column Pair Trends"]),
    }


def _tstr(train: pd.DataFrame, test: pd.DataFrame, types: dict[str, str]) -> dict:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import accuracy_score, f1_score

    features = [c for c in types if c != TARGET]
    categorical = [c for c in features if types[c] != "continuous"]

    def encode(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[features].copy()
        for column in categorical:
            out[column] = pd.Categorical(out[column].astype(str), categories=categories[column])
        return out

    categories = {
        c: sorted(set(test[c].astype(str)) | set(train[c].astype(str))) for c in categorical
    }
    y_train = train[TARGET].astype(str).str.strip().str.startswith(">50K")
    y_test = test[TARGET].astype(str).str.strip().str.startswith(">50K")
    if y_train.nunique() < 2:
        predictions = np.full(len(test), bool(y_train.iloc[0]))
    else:
        model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
        model.fit(encode(train), y_train)
        predictions = model.predict(encode(test))
    return {
        "tstr_accuracy": float(accuracy_score(y_test, predictions)),
        "tstr_f1": float(f1_score(y_test, predictions)),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets/adult.csv"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--time-budget-s", type=float, default=None)
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads, both sides")
    parser.add_argument("--sample-rows", type=int, default=100_000)
    parser.add_argument(
        "--mixed-precision", action="store_true", help="ours only: bf16 autocast (CPU or CUDA)"
    )
    parser.add_argument("--metric-rows", type=int, default=10_000)
    parser.add_argument(
        "--sides",
        choices=["both", "ours", "peer"],
        default="both",
        help="run only one side (e.g. ours with the time budget found for the peer); ratios "
        "are printed only when both sides ran in this invocation",
    )
    parser.add_argument("--worker", choices=["ours", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data.is_absolute():
        args.data = (REPO / args.data).resolve()
    if args.worker:
        _run_worker(args)
        return {}

    types = _column_types(args.data)
    real = pd.read_csv(args.data)
    rng = np.random.default_rng(args.seed)
    in_train = rng.random(len(real)) < 0.8
    train, test = real[in_train].reset_index(drop=True), real[~in_train].reset_index(drop=True)
    result: dict[str, Any] = {
        "data": str(args.data),
        "train_rows": len(train),
        "test_rows": len(test),
        "epochs_requested": args.epochs,
        "time_budget_s": args.time_budget_s,
        "threads": args.threads,
        "ours_mixed_precision": args.mixed_precision,
        "cpu_count": os.cpu_count(),
        "hyper_parameters": {k: list(v) if isinstance(v, tuple) else v for k, v in HYPER.items()},
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        train.to_csv(out / "train.csv", index=False)
        forwarded = [
            "--data",
            str(args.data),
            "--epochs",
            str(args.epochs),
            "--seed",
            str(args.seed),
        ]
        forwarded += ["--sample-rows", str(args.sample_rows), "--out", str(out)]
        if args.time_budget_s is not None:
            forwarded += ["--time-budget-s", str(args.time_budget_s)]
        if args.threads:
            forwarded += ["--threads", str(args.threads)]
        if args.mixed_precision:
            forwarded += ["--mixed-precision"]
        for side in ("ours", "peer") if args.sides == "both" else (args.sides,):
            subprocess.run(
                [sys.executable, __file__, "--worker", side, *forwarded],
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
            measured.update(_quality(real_m, synth_m, types))
            measured.update(_tstr(synthetic, test, types))
            result.update({f"{side}_{key}": value for key, value in measured.items()})
    result["real_tstr_accuracy"] = _tstr(train, test, types)["tstr_accuracy"]
    if args.sides != "both":
        return _emit(result, args.json_out)
    result["ratio_sec_per_epoch"] = result["peer_sec_per_epoch"] / result["ours_sec_per_epoch"]
    result["ratio_transform_fit"] = result["peer_transform_fit_s"] / result["ours_transform_fit_s"]
    result["ratio_sample_rows_per_s"] = (
        result["ours_sample_rows_per_s"] / result["peer_sample_rows_per_s"]
    )
    return _emit(result, args.json_out)


def _emit(result: dict, json_out: Path | None) -> dict:
    """Print ``result`` as one JSON object (and write it to ``json_out``)."""
    text = json.dumps(result, indent=2)
    print(text)
    if json_out:
        json_out.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
