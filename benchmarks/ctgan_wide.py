"""Benchmark: CTGAN on a 300,000-row x 40-column mixed table, ours vs the ``ctgan`` package.

Issue 3's scale target: such a table "fits without the transformer dominating the run, peak RSS
< 4 GB". The table is ``benchmarks/metrics_scale.py``'s builder (imported, not copied): numbers
(correlated, gamma-shaped, 10 % nulls in some), categoricals of 5 / 20 / 200 / 2,000 levels,
native datetimes and booleans. The builder's primary and foreign key are dropped (keys are not
modelled by CTGAN), so it is asked for two extra columns and 40 remain.

    python benchmarks/ctgan_wide.py --json-out /tmp/wide.json
    python benchmarks/ctgan_wide.py --epochs 1 --peer-epochs 0     # ours only

Each side runs in its own subprocess (so each peak RSS is its own, ``ru_maxrss``) with the same
hyper-parameters (``ctgan_vs_peer.HYPER``, which are also our defaults). The package refuses
nulls in continuous columns and has no datetime type, so its copy of the table gets the nulls
filled with the column median and datetimes as epoch seconds (listed under
``peer_input_adaptations``). Each worker appends a line per stage (seconds since start, VmHWM
and VmRSS from ``/proc/self/status``) to ``<side>_stages``, which says where memory and time go.

A watchdog in the parent sums the RSS of each worker's whole process tree (the package
transforms columns in joblib worker processes, which ``ru_maxrss`` does not see) and kills the
tree above ``--rss-limit-mb``: the machine is shared and the package's dense one-hot matrix of
this table does not fit in it. A killed side is reported with its last stage and the largest
tree RSS seen; ratios that use it are then lower bounds (``ratio_peak_rss_is_lower_bound``).

``transformer_share`` = transform_fit_s / (transform_fit_s + sec_per_epoch): the share of the
transformer in a one-epoch run. ``transform_fit_s`` is everything ``fit`` does before the first
epoch on both sides (transformer fit + transform + conditional-sampler set-up).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ctgan_vs_peer import HYPER, REPO, _peak_rss_mb
from metrics_scale import make_tables

KEYS = ("id", "parent_id")
RSS_TARGET_MB = 4096.0


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------
def build_table(rows: int, columns: int, seed: int) -> pd.DataFrame:
    """``rows`` x ``columns`` modelled columns: metrics_scale's real table without its keys."""
    real, _, _ = make_tables(rows, columns + len(KEYS), seed)
    return real.drop(columns=list(KEYS))


def column_kinds(table: pd.DataFrame) -> dict[str, str]:
    """Column name -> one of numeric / categorical / datetime / boolean (builder dtypes)."""
    kinds = {}
    for name, dtype in table.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype):
            kinds[str(name)] = "boolean"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kinds[str(name)] = "datetime"
        elif pd.api.types.is_numeric_dtype(dtype):
            kinds[str(name)] = "numeric"
        else:
            kinds[str(name)] = "categorical"
    return kinds


def adapt_for_peer(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """(frame the package accepts, its discrete columns, what was changed and why)."""
    out = table.copy()
    notes = []
    discrete = []
    for name, kind in column_kinds(table).items():
        if kind == "datetime":
            out[name] = table[name].astype("int64") // 10**9
            notes.append(f"{name}: datetime as epoch seconds (no datetime type in the package)")
        elif kind == "numeric" and table[name].isna().any():
            out[name] = table[name].fillna(table[name].median())
            notes.append(f"{name}: nulls filled with the median (package refuses nulls)")
        elif kind in ("categorical", "boolean"):
            discrete.append(name)
    return out, discrete, notes


# --------------------------------------------------------------------------------------------
# Workers (one subprocess per side)
# --------------------------------------------------------------------------------------------
class Stages:
    """Appends (stage, wall and CPU seconds, VmHWM, VmRSS) lines to a file.

    One line per stage, flushed at once, so the parent reads them even after a kill.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = time.perf_counter()

    def mark(self, stage: str, **extra: Any) -> None:
        status = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
        record = {
            "stage": stage,
            "t_s": round(time.perf_counter() - self.started, 3),
            "cpu_s": round(time.process_time(), 3),  # the machine is shared: wall time varies
            "hwm_mb": round(int(status["VmHWM"].split()[0]) / 1024, 1),
            "rss_mb": round(int(status["VmRSS"].split()[0]) / 1024, 1),
            **extra,
        }
        with self.path.open("a") as handle:
            handle.write(json.dumps(record) + "\n")


def _wrap(owner: type, method: str, before: str | None, after: str, stages: Stages) -> None:
    """Instrument ``owner.method`` with stage marks (the wrapped code itself is untouched)."""
    original = getattr(owner, method)

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        if before:
            stages.mark(before)
        out = original(self, *args, **kwargs)
        dims = getattr(self, "output_dim_", None) or getattr(self, "output_dimensions", None)
        stages.mark(after, **({"data_dim": int(dims)} if dims else {}))
        return out

    setattr(owner, method, wrapped)


def _worker_ours(table: pd.DataFrame, args: argparse.Namespace, stages: Stages) -> dict:
    from synthohive_lib.models import CTGAN
    from synthohive_lib.transform import DataTransformer

    _wrap(DataTransformer, "fit", "transformer_fit_start", "transformer_fit_end", stages)
    _wrap(DataTransformer, "transform", None, "transform_end", stages)
    model = CTGAN(
        epochs=args.epochs,
        seed=args.seed,
        num_threads=args.threads,
        verbose=False,
        table="wide",
        **HYPER,
    )
    model.fit(table)
    stages.mark("trained", epochs=len(model.loss_history_))
    started = time.perf_counter()
    model.sample(args.sample_rows, seed=args.seed)
    sample_s = time.perf_counter() - started
    stages.mark("sampled")
    epochs = len(model.loss_history_)
    return {
        "data_dim": model.transformer_.output_dim,
        "epochs": epochs,
        "transform_fit_s": model.transform_seconds_,
        "sec_per_epoch": sum(r["seconds"] for r in model.loss_history_) / max(epochs, 1),
        "sample_rows_per_s": args.sample_rows / sample_s,
    }


def _worker_peer(table: pd.DataFrame, args: argparse.Namespace, stages: Stages) -> dict:
    import ctgan.synthesizers.ctgan as peer_module
    import torch
    from ctgan import CTGAN as PeerCTGAN
    from ctgan.data_transformer import DataTransformer as PeerTransformer

    if args.threads:
        torch.set_num_threads(args.threads)
    data, discrete, _ = adapt_for_peer(table)
    del table
    stages.mark("adapted")
    _wrap(PeerTransformer, "fit", "transformer_fit_start", "transformer_fit_end", stages)
    _wrap(PeerTransformer, "transform", None, "transform_end", stages)
    marks: list[float] = []
    package_tqdm = peer_module.tqdm

    def timed_epochs(iterable: Any, **kwargs: Any) -> Any:
        """Stand-in for the package's epoch bar: records when each epoch starts and ends."""
        for item in package_tqdm(iterable, **kwargs):
            marks.append(time.perf_counter())
            stages.mark("epoch_start")
            yield item
        marks.append(time.perf_counter())

    peer_module.tqdm = timed_epochs  # instrumentation only; the training code is untouched
    model = PeerCTGAN(epochs=args.peer_epochs, verbose=False, enable_gpu=False, **HYPER)
    model.set_random_state(args.seed)
    began = time.perf_counter()
    model.fit(data, discrete)
    stages.mark("trained", epochs=args.peer_epochs)
    started = time.perf_counter()
    model.sample(args.sample_rows)
    sample_s = time.perf_counter() - started
    stages.mark("sampled")
    return {
        "data_dim": int(model._transformer.output_dimensions),
        "epochs": args.peer_epochs,
        "transform_fit_s": marks[0] - began,
        "sec_per_epoch": (marks[-1] - marks[0]) / args.peer_epochs,
        "sample_rows_per_s": args.sample_rows / sample_s,
    }


def _run_worker(args: argparse.Namespace) -> None:
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))
    stages = Stages(args.out / f"{args.worker}.stages.jsonl")
    table = pd.read_parquet(args.out / "table.parquet")
    stages.mark("loaded")
    work = _worker_ours if args.worker == "ours" else _worker_peer
    result = work(table, args, stages)
    result["peak_rss_mb"] = _peak_rss_mb()
    (args.out / f"{args.worker}.json").write_text(json.dumps(result))


# --------------------------------------------------------------------------------------------
# Parent: run a worker under the RSS watchdog
# --------------------------------------------------------------------------------------------
def _tree_usage(session: int) -> tuple[float, float]:
    """(total RSS in MB, CPU seconds of the live processes) of every process in ``session``:
    the worker and whatever it spawned."""
    total_pages, ticks = 0, 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) == session:  # field 6 of stat: session id
                total_pages += int(Path(entry.path, "statm").read_text().split()[1])
                ticks += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
        except (OSError, ValueError, IndexError):
            continue  # the process ended while being read
    rss_mb = total_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    return rss_mb, ticks / os.sysconf("SC_CLK_TCK")


def _run_side(
    side: str, forwarded: list[str], out: Path, limit_mb: float, timeout_s: float
) -> dict[str, Any]:
    """Run one worker; returns its measurements plus status, stages and the tree's RSS peak."""
    stderr_path = out / f"{side}.stderr"
    with stderr_path.open("w") as stderr_file:  # a file, not a pipe: no one drains a pipe here
        process = subprocess.Popen(
            [sys.executable, __file__, "--worker", side, *forwarded],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            start_new_session=True,  # its own session: the watchdog finds (and kills) the tree
            stderr=stderr_file,
        )
    tree_peak, killed, timed_out, cpu_at_kill = 0.0, False, False, 0.0
    began = time.perf_counter()
    while process.poll() is None:
        rss, cpu_s = _tree_usage(process.pid)
        tree_peak = max(tree_peak, rss)
        timed_out = timed_out or time.perf_counter() - began > timeout_s
        if (rss > limit_mb or timed_out) and not killed:
            os.killpg(process.pid, signal.SIGKILL)
            killed, cpu_at_kill = True, cpu_s
        time.sleep(0.25)
    stderr = stderr_path.read_text(errors="replace")
    stages_path = out / f"{side}.stages.jsonl"
    stages = (
        [json.loads(line) for line in stages_path.read_text().splitlines()]
        if stages_path.exists()
        else []
    )
    result: dict[str, Any] = {"peak_rss_tree_mb": round(tree_peak, 1), "stages": stages}
    last = stages[-1]["stage"] if stages else "start"
    if killed:
        result["killed_at_s"] = round(time.perf_counter() - began, 1)
        result["cpu_s_at_kill"] = round(cpu_at_kill, 1)
    if killed and timed_out:
        result["status"] = f"killed: still running after {timeout_s:.0f} s, in stage {last}"
    elif killed:
        result["status"] = f"killed: process tree RSS above {limit_mb:.0f} MB after stage {last}"
    elif process.returncode != 0:
        result["status"] = f"failed (exit {process.returncode}) after stage {last}"
        result["error_tail"] = stderr[-2000:]
    else:
        result["status"] = "ok"
        result.update(json.loads((out / f"{side}.json").read_text()))
    return result


def _code_version() -> dict[str, Any]:
    """HEAD and the library files that differ from it: the tree is shared and changes often."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", "synthohive_lib").splitlines()
    return {"git_head": git("rev-parse", "--short", "HEAD"), "uncommitted_library_files": dirty}


def len_rows(result: dict[str, Any]) -> int:
    """Rows of the benchmark table, as recorded in the result."""
    return int(result["rows"])


def _ratio(peer: Any, ours: Any) -> float | None:
    return peer / ours if isinstance(peer, int | float) and isinstance(ours, int | float) else None


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--columns", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=2, help="ours")
    parser.add_argument("--peer-epochs", type=int, default=1, help="the package; 0 = skip it")
    parser.add_argument("--sample-rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads, both sides")
    parser.add_argument(
        "--rss-limit-mb",
        type=float,
        default=None,
        help="kill a side whose process tree exceeds this (default: 8192 or 60%% of MemAvailable)",
    )
    parser.add_argument(
        "--side-timeout-s", type=float, default=1200, help="kill a side still running after this"
    )
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--worker", choices=["ours", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _run_worker(args)
        return {}

    limit_mb = args.rss_limit_mb
    if limit_mb is None:
        lines = Path("/proc/meminfo").read_text().splitlines()
        meminfo = dict(line.split(":", 1) for line in lines)
        limit_mb = min(8192.0, 0.6 * int(meminfo["MemAvailable"].split()[0]) / 1024)
    started = time.perf_counter()
    table = build_table(args.rows, args.columns, args.seed)
    kinds = column_kinds(table)
    _, _, adaptations = adapt_for_peer(table)
    result: dict[str, Any] = {
        "rows": len(table),
        "columns": table.shape[1],
        "column_kinds": {k: list(kinds.values()).count(k) for k in sorted(set(kinds.values()))},
        "categorical_levels": {
            name: int(table[name].nunique())
            for name, kind in kinds.items()
            if kind == "categorical"
        },
        "null_share": round(float(table.isna().to_numpy().mean()), 4),
        "epochs_requested": args.epochs,
        "peer_epochs_requested": args.peer_epochs,
        "sample_rows": args.sample_rows,
        "threads": args.threads,
        "cpu_count": os.cpu_count(),
        "rss_limit_mb": round(limit_mb),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        **_code_version(),
        "hyper_parameters": {k: list(v) if isinstance(v, tuple) else v for k, v in HYPER.items()},
        "peer_input_adaptations": adaptations,
        # the package one-hot encodes every distinct value and stores float64: its training
        # matrix is at least this big (each number takes >= 2 columns: value + one mode)
        "peer_matrix_mb_lower_bound": round(
            len(table)
            * sum(
                2 if kind in ("numeric", "datetime") else int(table[name].nunique())
                for name, kind in kinds.items()
            )
            * 8
            / 2**20,
            1,
        ),
    }
    sides = ["ours"] + (["peer"] if args.peer_epochs > 0 else [])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        table.to_parquet(out / "table.parquet", index=False)
        del table
        forwarded = ["--out", str(out), "--seed", str(args.seed)]
        forwarded += ["--epochs", str(args.epochs), "--peer-epochs", str(args.peer_epochs)]
        forwarded += ["--sample-rows", str(args.sample_rows)]
        if args.threads:
            forwarded += ["--threads", str(args.threads)]
        for side in sides:
            measured = _run_side(side, forwarded, out, limit_mb, args.side_timeout_s)
            result.update({f"{side}_{key}": value for key, value in measured.items()})
    for side in sides:
        dims = [s["data_dim"] for s in result.get(f"{side}_stages", []) if "data_dim" in s]
        if dims:  # the training matrix as the side stores it (ours float32, the package float64)
            itemsize = 4 if side == "ours" else 8
            result[f"{side}_matrix_mb"] = round(len_rows(result) * dims[0] * itemsize / 2**20, 1)
        t_fit, epoch = result.get(f"{side}_transform_fit_s"), result.get(f"{side}_sec_per_epoch")
        share = _ratio(t_fit, (t_fit or 0) + (epoch or 0)) if t_fit and epoch else None
        result[f"{side}_transformer_share"] = share
    if "ours_peak_rss_mb" in result:
        result["ours_peak_rss_below_target"] = result["ours_peak_rss_mb"] < RSS_TARGET_MB
        share = result["ours_transformer_share"]
        result["ours_transformer_dominates"] = share is not None and share > 0.5
    if "peer" in sides:
        result["ratio_transform_fit"] = _ratio(
            result.get("peer_transform_fit_s"), result.get("ours_transform_fit_s")
        )
        result["ratio_sec_per_epoch"] = _ratio(
            result.get("peer_sec_per_epoch"), result.get("ours_sec_per_epoch")
        )
        stages = {s["stage"]: s["t_s"] for s in result.get("peer_stages", [])}
        killed_at = result.get("peer_killed_at_s")
        if killed_at and "transformer_fit_start" in stages and "epoch_start" not in stages:
            # killed before its first epoch: its preparation took at least this long
            bound = killed_at - stages["transformer_fit_start"]
            result["peer_transform_fit_s_lower_bound"] = round(bound, 1)
            result["ratio_transform_fit_lower_bound"] = _ratio(
                bound, result.get("ours_transform_fit_s")
            )
        elif killed_at and "epoch_start" in stages and "trained" not in stages:
            # killed during its first epoch: preparation is known, the epoch is a lower bound
            t_fit = stages["epoch_start"] - stages["transformer_fit_start"]
            result["peer_transform_fit_s"] = round(t_fit, 3)
            result["ratio_transform_fit"] = _ratio(t_fit, result.get("ours_transform_fit_s"))
            bound = killed_at - stages["epoch_start"]
            result["peer_sec_per_epoch_lower_bound"] = round(bound, 1)
            result["ratio_sec_per_epoch_lower_bound"] = _ratio(
                bound, result.get("ours_sec_per_epoch")
            )
        peer_rss = result.get("peer_peak_rss_mb", result.get("peer_peak_rss_tree_mb"))
        if "transform_end" not in stages:  # killed before building its matrix: no peak yet
            peer_rss = None
        result["ratio_peak_rss"] = _ratio(peer_rss, result.get("ours_peak_rss_mb"))
        result["ratio_peak_rss_is_lower_bound"] = result.get("peer_status") != "ok"
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["wall_s"] = round(time.perf_counter() - started, 1)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = args.json_out.with_name(args.json_out.name + ".tmp")
        tmp_path.write_text(text + "\n")
        tmp_path.replace(args.json_out)  # atomic: a reader never sees half a result
    return result


if __name__ == "__main__":
    main()
