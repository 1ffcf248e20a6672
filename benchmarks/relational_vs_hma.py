"""Benchmark: SynthoHive's relational synthesizer against SDV's HMASynthesizer (issue 4).

Both sides get the same real tables (Chinook subsets HMA accepts: single-column keys, no PII
columns, foreign keys to tables outside the subset dropped) and the same metadata, and each
runs in its own subprocess (fit, then sample at 1x scale). The parent process scores both
synthetic databases with SDMetrics' multi-table ``QualityReport`` (Column Shapes, Column Pair
Trends, Cardinality, Intertable Trends) and prints one JSON object: ``ours_<subset>_<metric>``
and ``peer_<subset>_<metric>`` keys, plus ``ours_full_*`` for all 11 tables (ours only: HMA
does not take composite keys or self-references).

    python benchmarks/relational_vs_hma.py --epochs 150 --batch-size 100 --json-out bench.json
    python benchmarks/relational_vs_hma.py --subsets track --no-full   # one subset, no full run

Subsets: ``customer_invoice`` (Customer -> Invoice), ``track`` ({Album, Genre, MediaType} ->
Track), ``lines`` ({Track, Invoice} -> InvoiceLine and {Track, Playlist} -> PlaylistTrack with
its composite key dropped). Datetime columns stored as text are parsed before scoring, on both
sides alike; free-text columns are declared ``text`` and not scored.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from synthohive_lib.schema import Schema, load_schema  # noqa: E402
from synthohive_lib.schema.model import ColumnType  # noqa: E402

SCHEMA_FILE = REPO / "examples" / "chinook" / "schema.yaml"
SQLITE_FILE = REPO / "examples" / "chinook" / "chinook.sqlite"
SUBSETS: dict[str, list[str]] = {
    "customer_invoice": ["Customer", "Invoice"],
    "track": ["Album", "Genre", "MediaType", "Track"],
    "lines": ["Track", "Invoice", "InvoiceLine", "Playlist", "PlaylistTrack"],
    "full": [],  # every table, ours only
}
PROPERTIES = {
    "Column Shapes": "shapes",
    "Column Pair Trends": "pair_trends",
    "Cardinality": "cardinality",
    "Intertable Trends": "intertable",
}


def load_real() -> dict[str, pd.DataFrame]:
    schema = load_schema(SCHEMA_FILE)
    with sqlite3.connect(SQLITE_FILE) as conn:
        return {t.name: pd.read_sql(f'SELECT * FROM "{t.name}"', conn) for t in schema.tables}


def subset(name: str) -> tuple[Schema, dict[str, pd.DataFrame]]:
    """The subset's schema and frames: PII columns and outside references dropped; a
    primary key made of foreign keys is dropped too (HMA takes single-column ids only)."""
    full = load_schema(SCHEMA_FILE)
    real = load_real()
    keep = SUBSETS[name] or full.table_names
    if name == "full":
        return full, real
    tables = []
    for table in full.tables:
        if table.name not in keep:
            continue
        data = table.model_dump()
        outside = {c for fk in table.foreign_keys if fk.references not in keep
                   for c in fk.columns}
        data["foreign_keys"] = [fk for fk in data["foreign_keys"] if fk["references"] in keep]
        data["columns"] = [c for c in data["columns"]
                           if c["name"] not in outside and c.get("pii") is None]
        if set(table.primary_key) <= table.foreign_key_columns:
            data["primary_key"] = []
        tables.append(data)
    schema = Schema.model_validate({"name": f"chinook-{name}", "tables": tables})
    frames = {t.name: real[t.name][t.column_names] for t in schema.tables}
    return schema, frames


def sdv_metadata(schema: Schema) -> dict[str, Any]:
    """SDV/SDMetrics multi-table metadata from the schema (the same for both sides)."""
    tables: dict[str, Any] = {}
    relationships = []
    for table in schema.tables:
        keys = set(table.primary_key) | table.foreign_key_columns
        columns: dict[str, Any] = {}
        for col in table.columns:
            if col.name in keys:
                columns[col.name] = {"sdtype": "id"}
            elif col.type in (ColumnType.INTEGER, ColumnType.FLOAT):
                columns[col.name] = {"sdtype": "numerical"}
            elif col.type is ColumnType.DATETIME:
                columns[col.name] = {"sdtype": "datetime",
                                     "datetime_format": col.datetime_format or "%Y-%m-%d"}
            elif col.type is ColumnType.BOOLEAN:
                columns[col.name] = {"sdtype": "boolean"}
            elif col.type is ColumnType.TEXT:
                columns[col.name] = {"sdtype": "text"}
            else:
                columns[col.name] = {"sdtype": "categorical"}
        entry: dict[str, Any] = {"columns": columns}
        if len(table.primary_key) == 1:
            entry["primary_key"] = table.primary_key[0]
        tables[table.name] = entry
        for fk in table.foreign_keys:
            if fk.references == table.name:
                continue  # self-references: HMA does not take them, SDMetrics does not score
            relationships.append({
                "parent_table_name": fk.references,
                "parent_primary_key": fk.referenced_columns[0],
                "child_table_name": table.name,
                "child_foreign_key": fk.columns[0],
            })
    return {"METADATA_SPEC_VERSION": "V1", "tables": tables, "relationships": relationships}


# ------------------------------------------------------------------ one side, in a subprocess
def run_ours(name: str, epochs: int, seed: int, batch_size: int
             ) -> tuple[dict[str, pd.DataFrame], float, float]:
    from synthohive_lib.relational import RelationalSynthesizer, ctgan_factory

    schema, frames = subset(name)
    factory = ctgan_factory(epochs=epochs, batch_size=batch_size, seed=seed, device="cpu",
                            verbose=False)
    started = time.perf_counter()
    synth = RelationalSynthesizer(schema, factory).fit(frames)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    out = synth.generate(seed=seed)
    return out, fit_s, time.perf_counter() - started


def run_peer(name: str, seed: int) -> tuple[dict[str, pd.DataFrame], float, float]:
    import numpy as np
    from sdv.metadata import Metadata
    from sdv.multi_table import HMASynthesizer

    schema, frames = subset(name)
    metadata = Metadata.load_from_dict(sdv_metadata(schema))
    np.random.seed(seed)
    started = time.perf_counter()
    synth = HMASynthesizer(metadata, verbose=False)
    synth.fit(frames)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    root = next(t.name for t in schema.tables if not t.foreign_keys)
    out = synth.sample(num_rows=len(frames[root]), main_table_name=root)  # SDV 2: 1x scale
    return out, fit_s, time.perf_counter() - started


def side_main(args: argparse.Namespace) -> None:
    if args.side == "ours":
        out, fit_s, sample_s = run_ours(args.subset, args.epochs, args.seed, args.batch_size)
    else:
        out, fit_s, sample_s = run_peer(args.subset, args.seed)
    folder = Path(args.out)
    for table, frame in out.items():
        frame.to_pickle(folder / f"{table}.pkl")
    print(json.dumps({"fit_s": round(fit_s, 2), "sample_s": round(sample_s, 2)}))


# ------------------------------------------------------------------ scoring
def for_scoring(schema: Schema, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Text datetimes parsed and PII columns left out (same rule for real and both sides:
    PII is replaced by the privacy layer, never learned)."""
    out = {}
    for table in schema.tables:
        frame = frames[table.name][[c.name for c in table.columns if c.pii is None]].copy()
        for col in table.columns:
            if col.type is ColumnType.DATETIME and col.name in frame.columns:
                frame[col.name] = pd.to_datetime(frame[col.name], format=col.datetime_format,
                                                 errors="coerce")
        out[table.name] = frame
    return out


def quality(schema: Schema, real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame]
            ) -> dict[str, float]:
    from sdmetrics.reports.multi_table import QualityReport

    metadata = sdv_metadata(schema)
    for table in schema.tables:
        columns = metadata["tables"][table.name]["columns"]
        for col in table.columns:
            if col.pii is not None:
                columns.pop(col.name)
        for col in columns.values():
            col.pop("datetime_format", None)  # parsed already
    report = QualityReport()
    report.generate(for_scoring(schema, real), for_scoring(schema, synthetic), metadata,
                    verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    scores = {"overall": round(float(report.get_score()), 4)}
    scores.update({short: round(float(props[p]), 4) for p, short in PROPERTIES.items()
                   if p in props.index})
    return scores


def run_side(side: str, name: str, epochs: int, seed: int, batch_size: int = 500
             ) -> dict[str, Any]:
    schema, real = subset(name)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--side", side, "--subset", name,
               "--epochs", str(epochs), "--seed", str(seed), "--out", tmp,
               "--batch-size", str(batch_size)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
        timings = json.loads(done.stdout.strip().splitlines()[-1])
        synthetic = {t.name: pd.read_pickle(Path(tmp) / f"{t.name}.pkl") for t in schema.tables}
    return {**timings, **quality(schema, real, synthetic)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--full-epochs", type=int, default=None,
                        help="epochs for ours on all 11 tables (default: --epochs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=500,
                        help="CTGAN batch (ours); small tables train more steps per epoch")
    parser.add_argument("--subsets", default="customer_invoice,track,lines")
    parser.add_argument("--json-out", default=None)
    parser.add_argument("--no-full", action="store_true",
                        help="skip ours on all 11 tables (the subsets only)")
    parser.add_argument("--side", choices=["ours", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--subset", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        side_main(args)
        return
    result: dict[str, Any] = {"epochs": args.epochs, "batch_size": args.batch_size,
                              "seed": args.seed, "load_avg_at_start": list(os.getloadavg())}
    for name in args.subsets.split(","):
        for side, prefix in (("ours", "ours"), ("peer", "peer")):
            for key, value in run_side(side, name, args.epochs, args.seed,
                                       args.batch_size).items():
                result[f"{prefix}_{name}_{key}"] = value
            print(f"{prefix} {name} done", file=sys.stderr)
    if not args.no_full:
        full_epochs = args.full_epochs or args.epochs
        for key, value in run_side("ours", "full", full_epochs, args.seed,
                                   args.batch_size).items():
            result[f"ours_full_{key}"] = value
        result["full_epochs"] = full_epochs
    result["load_avg_at_end"] = list(os.getloadavg())
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
