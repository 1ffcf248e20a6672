"""Benchmark: the gauntlet of real public databases at full size (issue 12).

For each database (``benchmarks/gauntlet_sources.py``; provenance in ``GAUNTLET.md``) one
subprocess materialises it as SQLite, takes it down the new user's path
(``gauntlet_flow``: ``schema infer`` → ``schema validate --source`` → a config with defaults
only, ``--epochs`` the one setting → ``synthesize_all``, run stage by stage on one Dagster
instance so each stage is timed) and prints one JSON object:

- ``stages``: wall and CPU seconds of infer, validate, real, model, synthetic, validation;
- ``peak_rss_mb`` of that subprocess (HMA runs in its own subprocess: ``hma.peak_rss_mb``);
- ``run_success``, failed steps and failed checks (a failed default gate is a finding);
- ``fk_unresolved`` (checked here, composite keys included), ``pk_duplicates``;
- ``sdmetrics``: SDMetrics multi-table ``QualityReport`` as in ``relational_vs_hma.py``
  (relationships with composite keys are left out of its metadata: SDMetrics takes
  single-column keys only), ``report_score``: our ``validation/report.json`` score;
- ``exact_copy_rate`` per table on its attribute columns (keys and replaced PII left out);
- ``hma``: SDV's ``HMASynthesizer`` on the same real snapshot, scored the same way, where HMA
  accepts the schema (single-column foreign keys; a composite primary key is dropped for it).

    python benchmarks/gauntlet.py --epochs 50 --json-out benchmarks/out/gauntlet.json
    python benchmarks/gauntlet.py --databases bakeoff,pbc --epochs 5 --tpch-sf 0.01
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

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]

import gauntlet_flow  # noqa: E402
import gauntlet_sources  # noqa: E402

DATABASES = ["bakeoff", "pbc", "ratdat", "loans", "tpch", "nycflights13"]


def _peak_rss_mb() -> float:
    """This process's peak RSS: ``VmHWM`` (reset by exec, so a subprocess does not inherit
    its parent's peak as ``ru_maxrss`` does), else ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _real_frames(result: gauntlet_flow.FlowResult) -> dict[str, pd.DataFrame]:
    folder = result.output_root / "real"
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def scoring_schema(schema: Any) -> Any:
    """The schema as SDMetrics (and HMA) can take it: composite primary keys dropped, foreign
    keys kept only when single-column onto a single-column primary key."""
    from synthohive_lib.schema import Schema

    pks = {t.name: t.primary_key for t in schema.tables}
    tables = []
    for table in schema.tables:
        data = table.model_dump()
        if len(table.primary_key) != 1:
            data["primary_key"] = []
        data["foreign_keys"] = [
            fk
            for fk in data["foreign_keys"]
            if len(fk["columns"]) == 1
            and len(pks.get(fk["references"], [])) == 1
            and list(fk.get("referenced_columns") or fk["columns"]) == pks[fk["references"]]
        ]
        tables.append(data)
    return Schema.model_validate({"name": schema.name, "tables": tables})


def hma_refusal(schema: Any) -> str | None:
    """Why HMA cannot take ``schema`` as it is (None: it can)."""
    for table in schema.tables:
        for fk in table.foreign_keys:
            if len(fk.columns) > 1:
                return f"composite foreign key {table.name}({', '.join(fk.columns)})"
            ref = list(fk.referenced_columns or fk.columns)
            parent = schema.table(fk.references)
            if list(parent.primary_key) != ref:
                return f"{table.name}({fk.columns[0]}) references a non-primary key"
    return None


def booleans_as_bool(schema: Any, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Boolean-typed columns stored as 0/1 or text (``Y``/``N``) as pandas booleans, on every
    side alike: SDMetrics and HMA take a boolean sdtype only as True/False."""
    out = {}
    for table in schema.tables:
        if table.name not in frames:
            continue
        frame = frames[table.name].copy()
        for col in table.columns:
            if col.type.value != "boolean" or col.name not in frame.columns:
                continue
            values = frame[col.name]
            true = getattr(col, "true_value", None)
            if true is not None:
                mapped = values.map(lambda v, t=true: None if pd.isna(v) else str(v) == str(t))
                frame[col.name] = mapped.astype("boolean")
            elif not pd.api.types.is_bool_dtype(values.dtype):
                frame[col.name] = pd.to_numeric(values, errors="coerce").astype("boolean")
        out[table.name] = frame
    return out


def quality(schema: Any, real: dict[str, pd.DataFrame], synth: dict[str, pd.DataFrame]) -> dict:
    import relational_vs_hma

    scoring = scoring_schema(schema)
    try:
        return relational_vs_hma.quality(
            scoring, booleans_as_bool(schema, real), booleans_as_bool(schema, synth)
        )
    except Exception as exc:  # noqa: BLE001 - record what SDMetrics refused, go on
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}


def exact_copy_rates(schema: Any, real: dict, synth: dict) -> dict[str, float]:
    from synthohive_lib.validation.privacy import exact_copy_rate

    out = {}
    for table in schema.tables:
        skip = table.key_columns | {c.name for c in table.replaced_pii_columns}
        cols = [c for c in table.column_names if c not in skip]
        if table.name in real and table.name in synth and cols:
            out[table.name] = round(exact_copy_rate(real[table.name], synth[table.name], cols), 4)
    return out


def without_orphans(schema: Any, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """HMA refuses orphans: child rows whose key matches no parent row are dropped, parents
    first (what ``on_orphan: drop`` does for ours)."""
    out = dict(frames)
    for table in schema.tables:  # schema order is parents first for these databases
        frame = out[table.name]
        for fk in table.foreign_keys:
            col, ref = fk.columns[0], (fk.referenced_columns or fk.columns)[0]
            ok = frame[col].isna() | frame[col].isin(out[fk.references][ref])
            frame = frame[ok]
        out[table.name] = frame.reset_index(drop=True)
    return out


def run_hma(folder: Path) -> dict[str, Any]:
    """HMA in its own subprocess on the pickled real frames and scoring schema in ``folder``."""
    done = subprocess.run(
        [sys.executable, __file__, "--hma-side", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def hma_side(folder: Path) -> None:
    import numpy as np
    import relational_vs_hma
    from sdv.metadata import Metadata
    from sdv.multi_table import HMASynthesizer

    from synthohive_lib.schema import load_schema

    schema = load_schema(folder / "scoring.yaml")
    real = {t.name: pd.read_pickle(folder / f"{t.name}.pkl") for t in schema.tables}
    metadata = Metadata.load_from_dict(relational_vs_hma.sdv_metadata(schema))
    np.random.seed(0)
    started, cpu0 = time.perf_counter(), time.process_time()
    synth = HMASynthesizer(metadata, verbose=False)
    synth.fit(real)
    fit = {"wall_s": round(time.perf_counter() - started, 2)}
    root = next(t.name for t in schema.tables if not t.foreign_keys)
    # SDV 2: rows of one root table, the others at the same scale (as relational_vs_hma.py)
    synthetic = synth.sample(num_rows=len(real[root]), main_table_name=root)
    fit["cpu_s"] = round(time.process_time() - cpu0, 2)
    for name, frame in synthetic.items():
        frame.to_pickle(folder / f"hma_{name}.pkl")
    print(json.dumps({"fit_sample": fit, "peak_rss_mb": round(_peak_rss_mb(), 1)}))


def one_database(
    name: str, epochs: int, tpch_sf: float, with_hma: bool, gate: float | None = None
) -> dict[str, Any]:
    from synthohive_lib.schema import load_schema, save_schema

    out: dict[str, Any] = {"database": name, "epochs": epochs, "fidelity_threshold": gate}
    defaults: dict[str, Any] = {"epochs": epochs, "device": "cpu"}
    if gate is not None:
        defaults["fidelity_threshold"] = gate
    with tempfile.TemporaryDirectory(prefix=f"gauntlet-{name}-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        if name == "tpch":
            db = gauntlet_sources.tpch(folder / "tpch.sqlite", "full", sf=tpch_sf)
            out["tpch_sf"] = tpch_sf
        else:
            db = gauntlet_sources.materialise(name, folder, "full")
        out["load_s"] = round(time.perf_counter() - started, 2)
        url = f"sqlite:///{db}"
        try:
            result = gauntlet_flow.run_database(url, folder / "project", defaults, stages=True)
        except gauntlet_flow.FlowError as exc:
            out["flow_error"] = str(exc)[:500]
            out["peak_rss_mb"] = round(_peak_rss_mb(), 1)
            return out
        out["applied_fixes"] = result.applied_fixes
        out["stages"] = {
            k: {m: round(v, 2) for m, v in t.items()} for k, t in result.stage_seconds.items()
        }
        out["run_success"] = result.run_success
        out["step_failures"] = result.step_failures
        out["check_failures"] = sorted(result.check_failures)
        schema_doc = gauntlet_flow.final_schema(result)
        schema = load_schema(result.schema_path)
        real, synth = _real_frames(result), gauntlet_flow.synthetic_frames(result)
        out["rows_real"] = {k: len(v) for k, v in real.items()}
        out["rows_synthetic"] = {k: len(v) for k, v in synth.items()}
        out["fk_unresolved"] = gauntlet_flow.unresolved_foreign_keys(schema_doc, synth)
        out["pk_duplicates"] = gauntlet_flow.duplicate_primary_keys(schema_doc, synth)
        report = result.output_root / "validation" / "report.json"
        out["report_written"] = report.exists()
        if report.exists():
            out["report_score"] = round(json.loads(report.read_text())["score"], 4)
        if set(real) <= set(synth):
            out["sdmetrics"] = quality(schema, real, synth)
        out["exact_copy_rate"] = exact_copy_rates(schema, real, synth)
        out["peak_rss_mb"] = round(_peak_rss_mb(), 1)
        refusal = hma_refusal(schema)
        if not with_hma:
            out["hma"] = "not run (--no-hma)"
        elif refusal:
            out["hma"] = f"not applicable: {refusal}"
        else:
            scoring = scoring_schema(schema)
            hma_dir = folder / "hma"
            hma_dir.mkdir()
            save_schema(scoring, hma_dir / "scoring.yaml")
            clean = without_orphans(scoring, booleans_as_bool(schema, real))
            for table, frame in clean.items():
                frame.to_pickle(hma_dir / f"{table}.pkl")
            hma = run_hma(hma_dir)
            if "error" not in hma:
                hma_synth = {t: pd.read_pickle(hma_dir / f"hma_{t}.pkl") for t in clean}
                hma["sdmetrics"] = quality(schema, clean, hma_synth)
                hma["exact_copy_rate"] = exact_copy_rates(schema, clean, hma_synth)
            out["hma"] = hma
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--tpch-sf", type=float, default=0.1)
    parser.add_argument("--no-hma", action="store_true")
    parser.add_argument(
        "--fidelity-threshold",
        type=float,
        default=None,
        help="override the default fidelity gate (0.8), e.g. 0 to score every table at low "
        "epochs; left out, the run is at defaults",
    )
    parser.add_argument("--json-out", default=None)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--hma-side", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hma_side:
        hma_side(Path(args.hma_side))
        return
    if args.one:
        entry = one_database(
            args.one, args.epochs, args.tpch_sf, not args.no_hma, args.fidelity_threshold
        )
        print(json.dumps(entry))
        return
    os.environ.setdefault("DAGSTER_HOME", str(REPO / "dagster_home"))
    results = []
    for name in args.databases.split(","):
        cmd = [
            sys.executable,
            __file__,
            "--one",
            name,
            "--epochs",
            str(args.epochs),
            "--tpch-sf",
            str(args.tpch_sf),
        ] + (["--no-hma"] if args.no_hma else [])
        if args.fidelity_threshold is not None:
            cmd += ["--fidelity-threshold", str(args.fidelity_threshold)]
        load = list(os.getloadavg())
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        lines = done.stdout.strip().splitlines()
        try:
            entry = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            entry = {"database": name, "error": (done.stderr.strip().splitlines() or ["?"])[-1]}
        entry["load_avg_at_start"] = load
        print(json.dumps(entry), flush=True)
        results.append(entry)
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
