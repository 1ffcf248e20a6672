"""Benchmark: sampling speed of the autoregressive model on Adult (issue 14, >= 100k rows/s).

Training speed is not the point, so the model is fitted for a few epochs once and saved
(``--model-dir``; reused when it exists), then ``sample(n)`` is timed for every ``--rows``
and ``--threads`` value (best of ``--repeats``). Each timing is split into the network part
(token generation, ``generate_tokens``) and the decode part (tokens -> pandas frame,
``TokenEncoder.decode``), so it is clear where the time goes. One JSON object is printed.

Because the artifact is reused, the same script measures two versions of the library on the
very same model in one shell run, e.g. the main checkout before a change and a worktree after:

    python benchmarks/ar_sampling_speed.py --model-dir /tmp/ar-adult --fit-only
    PYTHONPATH=/work/main python benchmarks/ar_sampling_speed.py --model-dir /tmp/ar-adult
    PYTHONPATH=$PWD       python benchmarks/ar_sampling_speed.py --model-dir /tmp/ar-adult

``--quality-rows`` adds SDMetrics column shapes / pair trends of one sample (seed 0) against
the training rows, so a speed-up can be checked not to move the distribution; ``--profile``
prints the top of a cProfile of one ``sample`` call.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

REPO = Path(__file__).resolve().parents[1]


def _column_types(data_path: Path) -> dict[str, str]:
    meta = json.loads(data_path.with_suffix(".json").read_text())
    return {c["name"]: c["type"] for c in meta["columns"]}


def _train_split(data_path: Path, seed: int) -> pd.DataFrame:
    """The random 80 % that ``ctgan_vs_peer.py`` and ``model_vs_argn.py`` train on."""
    real = pd.read_csv(data_path)
    in_train = np.random.default_rng(seed).random(len(real)) < 0.8
    return real[in_train].reset_index(drop=True)


def _fit(train: pd.DataFrame, types: dict[str, str], args: argparse.Namespace) -> Any:
    from synthohive_lib.models import AutoregressiveModel
    from synthohive_lib.transform import ColumnKind, infer_column_specs

    specs = [  # column kinds as model_vs_argn.py declares them
        replace(spec, kind=ColumnKind.CATEGORICAL, min=None, max=None)
        if types.get(spec.name, "continuous") != "continuous"
        else spec
        for spec in infer_column_specs(train)
    ]
    model = AutoregressiveModel(
        epochs=args.epochs, specs=specs, seed=args.seed, num_threads=1, verbose=False
    )
    return model.fit(train)


def _time_sample(model: Any, n: int, seed: int) -> dict[str, float]:
    """Wall seconds of one ``sample(n)``, and of its network and decode parts separately."""
    from synthohive_lib.models.autoregressive import sampling

    spent = {"network_s": 0.0, "decode_s": 0.0}
    generate, decode = sampling.generate_tokens, model.encoder_.decode

    def timed(name: str, function: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    module = sys.modules[type(model).__module__]
    module.generate_tokens = timed("network_s", generate)  # type: ignore[attr-defined]
    model.encoder_.decode = timed("decode_s", decode)
    try:
        started = time.perf_counter()
        rows = model.sample(n, seed=seed)
        spent["total_s"] = time.perf_counter() - started
    finally:
        module.generate_tokens = generate  # type: ignore[attr-defined]
        del model.encoder_.decode
    assert len(rows) == n
    return spent


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/datasets/adult.csv"))
    parser.add_argument("--model-dir", type=Path, default=Path("/tmp/ar-sampling-adult"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rows", default="10000,100000", help="comma-separated n")
    parser.add_argument("--threads", default="1,2", help="comma-separated torch threads")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quality-rows", type=int, default=0, help="0 = skip SDMetrics")
    parser.add_argument("--profile", type=int, default=0, help="cProfile one sample(n)")
    parser.add_argument("--fit-only", action="store_true")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.data.is_absolute():
        args.data = (REPO / args.data).resolve()

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))
    from synthohive_lib.models import load_model

    types = _column_types(args.data)
    train = _train_split(args.data, args.seed)
    if not (args.model_dir / "manifest.json").exists():
        torch.set_num_threads(1)
        _fit(train, types, args).save(args.model_dir)
    if args.fit_only:
        return {}
    model = load_model(args.model_dir)
    import synthohive_lib

    result: dict[str, Any] = {
        "library": str(Path(synthohive_lib.__file__).parent),
        "model_dir": str(args.model_dir),
        "sub_columns": len(model.encoder_.sub_columns),
        "vocab_total": int(sum(s.vocab for s in model.encoder_.sub_columns)),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
        "timings": [],
    }
    model.sample(1_000, seed=args.seed)  # warm-up: lazy imports, first-call allocations
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        model.config.num_threads = threads
        for n in [int(r) for r in args.rows.split(",")]:
            runs = [_time_sample(model, n, args.seed + i) for i in range(args.repeats)]
            best = min(runs, key=lambda r: r["total_s"])
            result["timings"].append(
                {
                    "threads": threads,
                    "n": n,
                    "rows_per_s": n / best["total_s"],
                    **{k: round(v, 4) for k, v in best.items()},
                    "all_total_s": [round(r["total_s"], 4) for r in runs],
                }
            )
    result["rows_per_s"] = max(t["rows_per_s"] for t in result["timings"])
    result["load_average_at_end"] = os.getloadavg()[0]
    if args.profile:
        torch.set_num_threads(1)
        model.config.num_threads = 1
        profiler = cProfile.Profile()
        profiler.runcall(model.sample, args.profile, seed=args.seed)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
        print(text.getvalue(), file=sys.stderr)
    if args.quality_rows:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from ctgan_vs_peer import _quality

        synthetic = model.sample(args.quality_rows, seed=args.seed)
        real = train.sample(min(args.quality_rows, len(train)), random_state=args.seed)
        result["quality"] = _quality(real, synthetic[list(train.columns)], types)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
