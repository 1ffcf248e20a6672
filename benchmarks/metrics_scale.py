"""Benchmark: the validation metrics on a 300,000 x 40 table, printed as JSON.

Run:  .venv/bin/python benchmarks/metrics_scale.py            (defaults: 300000 rows, 40 columns)
      .venv/bin/python benchmarks/metrics_scale.py --peer-rows 20000   (adds SDMetrics' report)

The table mixes what real tables hold: correlated numbers (some with nulls), categories of low
and high cardinality, datetimes and booleans, plus a primary key and a foreign key into a
parent table. The synthetic copy is a perturbed resample. Every stage is timed separately and
``table_quality`` (what the report and the gates call) is timed as a whole, in wall-clock and
CPU seconds (the machine is shared, so wall time varies with other load); the target is under
30 s wall-clock for the whole table on the project's 2-core machine. With ``--peer-rows`` the
same column shapes and pair trends are also computed by SDMetrics' QualityReport on a subsample,
in the same process, and the speed ratio is printed (the peer run is what it is relative to).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthohive_lib.validation import (
    Relation,
    binned_accuracy,
    children_per_parent,
    column_shape,
    key_uniqueness,
    pair_trends,
    privacy_metrics,
    referential_integrity,
    resolve_kinds,
    table_quality,
)


def make_tables(rows: int, cols: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(real child, synthetic child, parent): ``cols`` columns incl. a PK and an FK."""
    rng = np.random.default_rng(seed)
    n_parents = max(1, rows // 10)
    data: dict[str, Any] = {
        "id": np.arange(rows),
        "parent_id": rng.integers(0, n_parents, rows),
    }
    payload = cols - 2
    n_num, n_cat, n_dt = int(payload * 0.55), int(payload * 0.28), max(1, payload // 12)
    n_bool = payload - n_num - n_cat - n_dt
    base = rng.normal(size=rows)
    for i in range(n_num):
        col = 0.6 * base + rng.normal(size=rows) if i % 2 else rng.gamma(2.0, 3.0, rows)
        if i % 5 == 0:
            col = np.where(rng.random(rows) < 0.1, np.nan, col)
        data[f"num_{i}"] = col
    for i in range(n_cat):
        levels = [5, 20, 200, 2000][i % 4]
        p = rng.dirichlet(np.ones(levels))
        data[f"cat_{i}"] = pd.Categorical.from_codes(
            rng.choice(levels, rows, p=p), [f"v{j}" for j in range(levels)]
        ).astype(str)
    for i in range(n_dt):
        data[f"date_{i}"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
            rng.integers(0, 4 * 365 * 24 * 3600, rows), "s"
        )
    for i in range(n_bool):
        data[f"flag_{i}"] = rng.random(rows) < 0.3
    real = pd.DataFrame(data)
    synthetic = real.sample(rows, replace=True, random_state=seed + 1).reset_index(drop=True)
    for c in real.columns:
        if c.startswith("num_"):
            synthetic[c] = synthetic[c] + rng.normal(0, 0.2, rows)
    synthetic["id"] = np.arange(rows)
    parent = pd.DataFrame(
        {"id": np.arange(n_parents), "region": rng.choice(list("ABCD"), n_parents)}
    )
    return real, synthetic, parent


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--cols", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--peer-rows",
        type=int,
        default=0,
        help="also time SDMetrics' QualityReport on this many rows (0 = skip)",
    )
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()

    t_gen, (real, synthetic, parent) = timed(lambda: make_tables(args.rows, args.cols, args.seed))
    keys = {"id", "parent_id"}
    kinds = resolve_kinds(real, id_columns=keys)
    rel = Relation("parent", "child", ("parent_id",), ("id",))
    stages: dict[str, float] = {}
    stages["column_shapes"], _ = timed(
        lambda: [column_shape(real[c], synthetic[c], kinds[c]) for c in real.columns]
    )
    stages["pair_trends"], (trends, _) = timed(lambda: pair_trends(real, synthetic, kinds))
    stages["binned_accuracy"], _ = timed(lambda: binned_accuracy(real, synthetic, kinds))
    stages["privacy"], _ = timed(lambda: privacy_metrics(real, synthetic, kinds))
    stages["key_uniqueness"], _ = timed(lambda: key_uniqueness(synthetic, ["id"]))
    stages["referential_integrity"], _ = timed(
        lambda: referential_integrity(synthetic, parent, ["parent_id"], ["id"])
    )
    stages["children_per_parent"], _ = timed(
        lambda: children_per_parent(
            {"parent": parent, "child": real}, {"parent": parent, "child": synthetic}, rel
        )
    )
    cpu_start = time.process_time()
    total, quality = timed(
        lambda: table_quality(real, synthetic, table="child", id_columns=keys, primary_key=["id"])
    )
    cpu_total = time.process_time() - cpu_start
    result: dict[str, Any] = {
        "benchmark": "metrics_scale",
        "rows": args.rows,
        "columns": args.cols,
        "column_kinds": {k: list(kinds.values()).count(k) for k in sorted(set(kinds.values()))},
        "pairs": len(trends),
        "generate_s": round(t_gen, 3),
        "stages_s": {k: round(v, 3) for k, v in stages.items()},
        "table_quality_s": round(total, 3),
        "table_quality_cpu_s": round(cpu_total, 3),  # wall time depends on the machine's load
        "table_quality_score": round(quality.score, 6),
        "target_s": 30.0,
        "within_target": total < 30.0,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    if args.peer_rows:
        result["peer"] = peer(real, synthetic, kinds, args.peer_rows)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(text + "\n")


def peer(real: pd.DataFrame, synthetic: pd.DataFrame, kinds: dict[str, str], n: int) -> dict:
    """SDMetrics' QualityReport vs our shapes + pair trends on the same ``n``-row subsample."""
    from sdmetrics.reports.single_table import QualityReport

    r, s = real.iloc[:n], synthetic.iloc[:n]
    sdtype = {
        "numerical": "numerical",
        "datetime": "datetime",
        "categorical": "categorical",
        "boolean": "boolean",
        "id": "id",
        "text": "id",
    }
    metadata = {"columns": {c: {"sdtype": sdtype[k]} for c, k in kinds.items()}}
    report = QualityReport()
    t_peer, _ = timed(lambda: _quiet(lambda: report.generate(r, s, metadata, verbose=False)))
    t_ours, _ = timed(
        lambda: ([column_shape(r[c], s[c], kinds[c]) for c in r.columns], pair_trends(r, s, kinds))
    )
    return {
        "rows": n,
        "sdmetrics_quality_report_s": round(t_peer, 3),
        "ours_shapes_and_pairs_s": round(t_ours, 3),
        "speedup": round(t_peer / t_ours, 1) if t_ours else None,
        "sdmetrics_score": round(float(report.get_score()), 6),
    }


def _quiet(fn: Callable[[], Any]) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn_out = fn()
    return fn_out


if __name__ == "__main__":
    main()
