"""Benchmark: distributed generation in Spark local[2] vs the single-process path.

Run:  .venv/bin/python benchmarks/spark_scale.py                  (1M and 10M rows, 5M children)
      .venv/bin/python benchmarks/spark_scale.py --sizes 1000000 3000000 10000000
      .venv/bin/python benchmarks/spark_scale.py --sizes 100000 200000 --skip-family \
          --oneshot-up-to 200000                                  (a quick check, ~2 minutes)

What it measures, each in its own fresh process (so every peak RSS is that run's own):

* **Adult table** (``/work/shared/datasets/adult.csv``, CTGAN trained ``--epochs`` epochs):
  for each size N, N rows generated and written as Parquet
  - by the single-process path users run for a big table: ``write_table_chunked`` into a
    ``ParquetStore`` (50,000-row blocks streamed into one atomically published file), and
  - by ``generate_table_spark`` + ``write_table_spark`` in ``local[2]``;
  rows/s of both, their ratio, and the peak RSS (``VmHWM``) of the Python driver — flat
  from 1M to 10M on the Spark path, since nothing is collected — next to the JVM's peak
  (driver *and* executors in local mode) and the single process's peak (flat too: one
  block at a time). At the smallest size both tables' fingerprints are compared: the same
  seed and block size give the same rows on both paths (``single_equals_spark``).
  ``--oneshot-up-to N`` also times the old one-shot path (``model.sample(N)`` +
  ``pyarrow.parquet.write_table``, all rows in memory) for sizes up to N.
* **2-level schema**: a customers/orders plan (orders conditioned on their customer) fitted
  on a small real-like sample, then enough synthetic customers for ``--children`` orders,
  generated co-partitioned in Spark and written as Parquet; orphans are counted in Spark
  with a left-anti join of the written tables (must be 0) and order keys checked unique.

Prints one JSON object. The machine is shared: wall-clock numbers move with other load.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ADULT = Path("/work/shared/datasets/adult.csv")
HERE = Path(__file__).resolve()


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident set size (VmHWM) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _session(cores: int = 2) -> Any:
    from synthohive_lib.spark import local_spark_session

    spark = local_spark_session(cores, "synthohive-bench", {"spark.driver.memory": "3g"})
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _jvm_peak_mb(spark: Any) -> float:
    return peak_rss_mb(int(spark._jvm.java.lang.ProcessHandle.current().pid()))


# --------------------------------------------------------------------------- workers
def run_single(n: int, model_dir: str, out: str) -> dict[str, Any]:
    """The single-process path users run: ``write_table_chunked`` into a ``ParquetStore``.

    The table is generated in ``DEFAULT_BLOCK_ROWS`` blocks, with the same seed and the same
    key column as the Spark run, and streamed into one Parquet file published atomically, so
    peak memory is one block's and the rows equal the Spark run's.
    """
    import torch

    from synthohive_lib.io.store import ParquetStore
    from synthohive_lib.models import load_model
    from synthohive_lib.relational.chunked import write_table_chunked
    from synthohive_lib.relational.keys import IntegerSequenceKey

    model = load_model(model_dir)
    rss_after_load = peak_rss_mb()
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    cpu = time.process_time()
    stored = write_table_chunked(
        ParquetStore(out),
        "synthetic",
        None,
        model,
        n,
        1,
        name="adult",
        key_column="id",
        key_format=IntegerSequenceKey(),
        threads=1,
    )
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    return {
        "rows": stored.rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(stored.rows / seconds),
        "rows_per_cpu_s": round(stored.rows / cpu_seconds),
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_model_load_mb": rss_after_load,
        "torch_threads": 1,
        "torch_threads_default": torch.get_num_threads(),
        "fingerprint": stored.fingerprint,
        "load_avg_1m_before_after": [load_before, os.getloadavg()[0]],
    }


def run_oneshot(n: int, model_dir: str, out: str) -> dict[str, Any]:
    """The old single-process path, for comparison: ``model.sample(N)`` + one Parquet write
    (all N rows in memory at once)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from synthohive_lib.models import load_model

    model = load_model(model_dir)
    start = time.perf_counter()
    frame = model.sample(n, seed=1)
    sampled = time.perf_counter() - start
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), out)
    seconds = time.perf_counter() - start
    return {
        "rows": len(frame),
        "seconds": round(seconds, 2),
        "sample_seconds": round(sampled, 2),
        "rows_per_s": round(len(frame) / seconds),
        "peak_rss_mb": peak_rss_mb(),
    }


def spark_fingerprint(folder: str) -> str:
    """The store fingerprint of a Spark Parquet folder, read file by file (bounded memory)."""
    import pyarrow.parquet as pq

    from synthohive_lib.io.store import TableFingerprint

    fp = TableFingerprint()
    for path in sorted(Path(folder).glob("*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=100_000):
            fp.update(batch.to_pandas())
    return fp.hexdigest()


def run_spark(n: int, model_dir: str, out: str, compare: str = "") -> dict[str, Any]:
    """generate_table_spark + write_table_spark (Parquet) in local[2]; with ``compare``, the
    written table's fingerprint too (after the timing)."""
    import pyarrow.parquet as pq

    from synthohive_lib.relational.keys import IntegerSequenceKey
    from synthohive_lib.spark import generate_table_spark, write_table_spark

    spark = _session()
    rss_after_start = peak_rss_mb()
    start = time.perf_counter()
    df = generate_table_spark(
        spark, model_dir, n, seed=1, key_column="id", key_format=IntegerSequenceKey()
    )
    write_table_spark(df, out, "parquet")
    seconds = time.perf_counter() - start
    driver_peak = peak_rss_mb()  # before the fingerprint check reads the table back
    fingerprint = spark_fingerprint(out) if compare else None
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in Path(out).glob("*.parquet"))
    result = {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "driver_peak_rss_mb": driver_peak,
        "driver_rss_after_session_start_mb": rss_after_start,
        "jvm_peak_rss_mb_driver_and_executors": _jvm_peak_mb(spark),
        "partitions": df.rdd.getNumPartitions(),
    }
    if fingerprint is not None:
        result["fingerprint"] = fingerprint
    spark.stop()
    return result


def run_family(children: int, state_dir: str, out: str) -> dict[str, Any]:
    """Customers then their orders, co-partitioned; orphans counted with an anti-join."""
    from synthohive_lib.relational.plan import TablePlan
    from synthohive_lib.schema.yaml_io import load_schema
    from synthohive_lib.spark import (
        generate_children_spark,
        generate_table_spark,
        read_table_spark,
        write_table_spark,
    )

    state = Path(state_dir)
    schema = load_schema(state / "schema.yaml")
    plans = {
        n: TablePlan.from_dict(json.loads((state / f"{n}.plan.json").read_text()))
        for n in ("customers", "orders")
    }
    card = plans["orders"].cardinality
    assert card is not None
    mean = card.mean_ * (1 + card.null_rate_)
    n_parents = math.ceil(children / mean)
    spark = _session()
    start = time.perf_counter()
    parents = generate_table_spark(
        spark,
        state / "customers",
        n_parents,
        seed=5,
        plan=plans["customers"],
        table=schema.table("customers"),
        keep_row_index=True,
    ).persist()
    write_table_spark(parents, f"{out}/customers", "parquet")
    orders = generate_children_spark(
        spark, parents, state / "orders", plans["orders"], 5, table=schema.table("orders")
    )
    write_table_spark(orders, f"{out}/orders", "parquet")
    seconds = time.perf_counter() - start
    parents.unpersist()
    syn_c = read_table_spark(spark, f"{out}/customers")
    syn_o = read_table_spark(spark, f"{out}/orders")
    n_orders = syn_o.count()
    orphans = syn_o.join(syn_c, on="customer_id", how="left_anti").count()
    unique = syn_o.select("order_id").distinct().count() == n_orders
    result = {
        "parent_rows": syn_c.count(),
        "child_rows": n_orders,
        "orphans": orphans,
        "child_keys_unique": unique,
        "seconds": round(seconds, 2),
        "rows_per_s": round((n_orders + n_parents) / seconds),
        "driver_peak_rss_mb": peak_rss_mb(),
        "jvm_peak_rss_mb_driver_and_executors": _jvm_peak_mb(spark),
    }
    spark.stop()
    return result


# --------------------------------------------------------------------------- setup
def train_adult(epochs: int, model_dir: Path) -> dict[str, Any]:
    import pandas as pd

    from synthohive_lib.models import CTGAN

    data = pd.read_csv(ADULT, skipinitialspace=True)
    start = time.perf_counter()
    CTGAN(epochs=epochs, device="cpu", seed=0, verbose=False).fit(data).save(model_dir)
    return {
        "rows": len(data),
        "columns": data.shape[1],
        "epochs": epochs,
        "fit_seconds": round(time.perf_counter() - start, 1),
    }


def train_family(epochs: int, state: Path) -> dict[str, Any]:
    """A real-like customers/orders sample (0..10 orders, more for 'pro' customers)."""
    import numpy as np
    import pandas as pd

    from synthohive_lib.profile.infer import infer_schema_from_frames
    from synthohive_lib.relational.generate import RelationalSynthesizer
    from synthohive_lib.relational.modelling import ctgan_factory
    from synthohive_lib.schema.yaml_io import save_schema

    rng = np.random.default_rng(0)
    n = 4_000
    segment = rng.choice(["retail", "pro", "gov"], n, p=[0.6, 0.3, 0.1])
    customers = pd.DataFrame(
        {"customer_id": np.arange(1, n + 1), "segment": segment, "age": rng.integers(18, 80, n)}
    )
    per = np.where(segment == "pro", rng.integers(5, 11, n), rng.integers(0, 8, n))
    owner = np.repeat(customers["customer_id"].to_numpy(), per)
    orders = pd.DataFrame(
        {
            "order_id": [f"ORD-{i:08d}" for i in range(1, len(owner) + 1)],
            "customer_id": owner,
            "amount": np.round(rng.gamma(2.0, 30.0, len(owner)), 2),
            "channel": rng.choice(["web", "shop", "phone"], len(owner)),
        }
    )
    frames = {"customers": customers, "orders": orders}
    schema = infer_schema_from_frames(
        frames,
        "shop",
        primary_keys={"customers": ["customer_id"], "orders": ["order_id"]},
        foreign_keys={
            "orders": [
                {
                    "columns": ["customer_id"],
                    "references": "customers",
                    "referenced_columns": ["customer_id"],
                }
            ]
        },
    )
    synth = RelationalSynthesizer(
        schema, ctgan_factory(epochs=epochs, device="cpu", seed=0, verbose=False)
    ).fit(frames)
    save_schema(schema, state / "schema.yaml")
    for name, plan in synth.plans_.items():
        (state / f"{name}.plan.json").write_text(json.dumps(plan.to_dict()))
        synth.models_[name].save(state / name)
    return {"real_customers": n, "real_orders": len(orders)}


def _free_memory_mb() -> int:
    """MemAvailable of the machine, in MiB (the single path once needed ~12 GiB at 10M)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return -1


def _child(mode: str, *args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its last stdout line is JSON."""
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    proc = subprocess.run(
        [sys.executable, str(HERE), mode, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} {args} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--children", type=int, default=5_000_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument(
        "--skip-single-above",
        type=int,
        default=None,
        help="skip the single-process path for larger sizes (memory)",
    )
    parser.add_argument(
        "--oneshot-up-to",
        type=int,
        default=0,
        help="also run the old one-shot single path (model.sample(N) + one "
        "Parquet write) for sizes up to this",
    )
    parser.add_argument("--skip-family", action="store_true", help="skip the 2-level schema")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="spark-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "benchmark": "spark_scale",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "spark_master": "local[2]",
            "load_avg_at_start": os.getloadavg(),
        },
        "adult": {"model": train_adult(args.epochs, work / "adult_model"), "sizes": {}},
    }
    for i, n in enumerate(args.sizes):
        entry: dict[str, Any] = {}
        compare = i == 0  # the smallest size: check both paths wrote the same rows
        if args.oneshot_up_to and n <= args.oneshot_up_to:
            entry["single_process_oneshot"] = _child(
                "_oneshot", str(n), str(work / "adult_model"), str(work / f"oneshot-{n}.parquet")
            )
            (work / f"oneshot-{n}.parquet").unlink(missing_ok=True)
        if args.skip_single_above is None or n <= args.skip_single_above:
            free = _free_memory_mb()
            entry["single_process"] = _child(
                "_single", str(n), str(work / "adult_model"), str(work / f"single-{n}")
            )
            entry["single_process"]["free_memory_mb_before"] = free
            shutil.rmtree(work / f"single-{n}", ignore_errors=True)
        entry["spark_local2"] = _child(
            "_spark",
            str(n),
            str(work / "adult_model"),
            str(work / f"spark-{n}"),
            *(["compare"] if compare else []),
        )
        shutil.rmtree(work / f"spark-{n}", ignore_errors=True)
        if "single_process" in entry:
            entry["speedup_spark_vs_single"] = round(
                entry["spark_local2"]["rows_per_s"] / entry["single_process"]["rows_per_s"], 2
            )
            if compare:
                entry["single_equals_spark"] = (
                    entry["single_process"]["fingerprint"] == entry["spark_local2"]["fingerprint"]
                )
        report["adult"]["sizes"][str(n)] = entry
        print(json.dumps({"progress": n, **entry}), file=sys.stderr)
    drivers = [e["spark_local2"]["driver_peak_rss_mb"] for e in report["adult"]["sizes"].values()]
    report["adult"]["driver_peak_rss_growth_ratio"] = round(max(drivers) / min(drivers), 3)
    singles = [
        e["single_process"]["peak_rss_mb"]
        for e in report["adult"]["sizes"].values()
        if "single_process" in e
    ]
    if singles:
        report["adult"]["single_peak_rss_growth_ratio"] = round(max(singles) / min(singles), 3)
    if args.skip_family:
        report["load_avg_at_end"] = os.getloadavg()
        print(json.dumps(report))
        return
    state = work / "family"
    state.mkdir(exist_ok=True)
    report["two_level"] = {
        "fit": train_family(args.epochs, state),
        **_child("_family", str(args.children), str(state), str(work / "family-out")),
    }
    shutil.rmtree(work / "family-out", ignore_errors=True)
    report["load_avg_at_end"] = os.getloadavg()
    print(json.dumps(report))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        runner = {
            "_single": run_single,
            "_oneshot": run_oneshot,
            "_spark": run_spark,
            "_family": run_family,
        }
        mode, size, *rest = sys.argv[1:]
        print(json.dumps(runner[mode](int(size), *rest)))
    else:
        main()
