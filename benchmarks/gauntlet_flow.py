"""The path a new user takes with a database, scripted: infer, validate, configure, run, check.

1. ``synthohive schema infer <url> -o schema.yaml`` (the CLI, in a subprocess);
2. ``synthohive schema validate schema.yaml --source <url>``; every problem whose fix the tool
   states as a setting (today: an orphan policy, ``on_orphan: drop``) is applied to
   schema.yaml exactly as the message says, and validate is run again; any other problem
   stops the flow (a user could not go on without learning the tool's internals);
3. a project config in the style of the repository's ``synthohive.yaml`` with **no settings**
   beyond the source, the schema and the output folder (tests add lower epochs and the
   matching smoke-level fidelity gate, as ``synthohive.ci.yaml`` does);
4. the Dagster job ``synthesize_all``, in process;
5. checks made here, independently of the project's own checks: every foreign key (composite
   ones included) of the synthetic tables resolves to a synthetic parent row, every primary
   key is unique, and ``validation/report.json`` was written and names every table.

Used by ``tests/gauntlet/`` (small sizes) and ``benchmarks/gauntlet.py`` (full sizes).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

#: a problem line of ``schema validate``: ``- [code] table.column: message (fix: ...)``
_PROBLEM = re.compile(r"^\s*- \[(?P<code>[a-z_]+)\] (?P<where>[^:]+): (?P<text>.*)$")
#: the foreign key an orphan problem names: ``child(cols) -> parent(cols)``
_ORPHAN_FK = re.compile(r"(?P<child>[^\s(]+)\((?P<cols>[^)]*)\) -> (?P<parent>[^\s(]+)\(")
#: the codes whose fix is a setting validate spells out, and the setting applied
SETTABLE = {"orphan_foreign_key"}


class FlowError(AssertionError):
    """A step of the user's path failed; the message is what the user would have seen."""


@dataclass
class FlowResult:
    """What one database's run produced: timings, the run's failures and the checks."""

    folder: Path
    schema_path: Path
    config_path: Path
    output_root: Path
    applied_fixes: list[str] = field(default_factory=list)
    stage_seconds: dict[str, dict[str, float]] = field(default_factory=dict)
    run_success: bool = False
    step_failures: dict[str, str] = field(default_factory=dict)
    check_failures: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        return [f"step {k}: {v}" for k, v in self.step_failures.items()] + [
            f"check {k}: {v}" for k, v in self.check_failures.items()
        ]


def _cli(*args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, float]]:
    started, cpu0 = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [sys.executable, "-m", "synthohive_lib.cli", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    timing = {"wall_s": time.perf_counter() - started, "cpu_s": _children_cpu() - cpu0}
    return done, timing


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def infer_and_validate(url: str, folder: Path) -> FlowResult:
    """Steps 1 and 2: a reviewed-by-the-tool schema.yaml in ``folder``; raise on a problem
    the user cannot fix by a setting validate names."""
    folder.mkdir(parents=True, exist_ok=True)
    schema_path = folder / "schema.yaml"
    result = FlowResult(folder, schema_path, folder / "synthohive.yaml", folder / "out")
    done, timing = _cli("schema", "infer", url, "-o", str(schema_path))
    result.stage_seconds["infer"] = timing
    if done.returncode != 0:
        raise FlowError(f"schema infer failed: {_last_line(done)}")
    done, timing = _cli("schema", "validate", str(schema_path), "--source", url)
    result.stage_seconds["validate"] = timing
    if done.returncode != 0:
        problems = _problems(done.stdout + done.stderr)
        others = [p for p in problems if p["code"] not in SETTABLE]
        if others or not problems:
            shown = others[0]["line"] if others else _last_line(done)
            raise FlowError(f"schema validate --source: {shown}")
        result.applied_fixes = _apply_fixes(schema_path, problems)
        done, timing = _cli("schema", "validate", str(schema_path), "--source", url)
        result.stage_seconds["validate_again"] = timing
        if done.returncode != 0:
            raise FlowError(f"schema validate after its own fixes: {_last_line(done)}")
    return result


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit {done.returncode}"


def _problems(text: str) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        match = _PROBLEM.match(line)
        if match:
            seen.setdefault(line.strip(), {**match.groupdict(), "line": line.strip()})
    return list(seen.values())


def _apply_fixes(schema_path: Path, problems: list[dict[str, str]]) -> list[str]:
    """Set ``on_orphan: drop`` on each foreign key validate reported orphans for (its fix
    text offers ``drop`` or clearing the key; ``drop`` loads the same in every YAML)."""
    doc = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    applied = []
    for problem in problems:
        match = _ORPHAN_FK.search(problem["text"])
        if match is None:
            raise FlowError(f"cannot tell which foreign key: {problem['line']}")
        child, parent = match["child"], match["parent"]
        cols = [c.strip() for c in match["cols"].split(",")]
        for fk in doc["tables"][child].get("foreign_keys", []):
            if fk["references"] == parent and list(fk["columns"]) == cols:
                fk["on_orphan"] = "drop"
                applied.append(f"{child}({', '.join(cols)}) -> {parent}: on_orphan: drop")
    schema_path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return applied


def write_config(result: FlowResult, url: str, defaults: dict[str, Any] | None = None) -> Path:
    """Step 3: the project config, ``synthohive.yaml``'s keys with nothing tuned."""
    doc: dict[str, Any] = {
        "project": result.folder.name,
        "environment": "local",
        "source": {"url": url},
        "schema": result.schema_path.name,
        "output": {"root": result.output_root.name, "format": "parquet"},
        "execution": {"executor": "in_process"},
    }
    if defaults:
        doc["defaults"] = dict(defaults)
    result.config_path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return result.config_path


def run_synthesize_all(result: FlowResult, stages: bool = False) -> FlowResult:
    """Step 4: ``synthesize_all`` in process; failed steps and checks are recorded.

    ``stages=True`` (the benchmark) also times each stage: the in-process executor runs one
    step at a time, so the wall and CPU seconds between a step's start and end events (seen
    as the instance stores them) belong to that step's stage (``model__orders`` → model;
    a check such as ``synthetic__orders_key_unique`` to the stage of its asset).
    """
    import dagster as dg

    from synthohive_pipelines.definitions import build_definitions
    from synthohive_pipelines.jobs import SYNTHESIZE_ALL

    defs = build_definitions(result.config_path)
    job = defs.resolve_job_def(SYNTHESIZE_ALL)
    instance = dg.DagsterInstance.ephemeral()
    if stages:
        _time_steps(instance, result.stage_seconds)
    started, cpu0 = time.perf_counter(), _self_cpu()
    run = job.execute_in_process(instance=instance, raise_on_error=False)
    result.stage_seconds["synthesize_all"] = {
        "wall_s": time.perf_counter() - started,
        "cpu_s": _self_cpu() - cpu0,
    }
    result.run_success = run.success
    _collect_failures(run, result)
    return result


def _time_steps(instance: Any, into: dict[str, dict[str, float]]) -> None:
    """Wrap ``instance.handle_new_event`` to add each step's wall and CPU seconds to its
    stage in ``into``."""
    store = instance.handle_new_event
    open_steps: dict[str, tuple[float, float]] = {}

    def handle(event: Any, *args: Any, **kwargs: Any) -> Any:
        dagster_event = getattr(event, "dagster_event", None)
        if dagster_event is not None and dagster_event.step_key:
            kind, key = dagster_event.event_type_value, dagster_event.step_key
            if kind == "STEP_START":
                open_steps[key] = (time.perf_counter(), _self_cpu())
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and key in open_steps:
                wall0, cpu0 = open_steps.pop(key)
                stage = into.setdefault(key.split("__", 1)[0], {"wall_s": 0.0, "cpu_s": 0.0})
                stage["wall_s"] += time.perf_counter() - wall0
                stage["cpu_s"] += _self_cpu() - cpu0
        return store(event, *args, **kwargs)

    instance.handle_new_event = handle


def _collect_failures(run: Any, result: FlowResult) -> None:
    for event in run.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            cause = error
            while (
                cause is not None
                and cause.cause is not None
                and "dagster" in (cause.cls_name or "").lower()
            ):
                cause = cause.cause
            message = (cause or error).message.strip().splitlines()[0]
            result.step_failures[event.step_key] = message
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                key = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                meta = {k: getattr(v, "value", v) for k, v in evaluation.metadata.items()}
                result.check_failures[key] = json.dumps(meta, default=str)[:300]


# ------------------------------------------------------------------ independent checks
def synthetic_frames(result: FlowResult) -> dict[str, pd.DataFrame]:
    """The synthetic tables, read straight from the parquet files (not through the store)."""
    folder = result.output_root / "synthetic"
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def final_schema(result: FlowResult) -> dict[str, Any]:
    return yaml.safe_load(result.schema_path.read_text(encoding="utf-8"))


def unresolved_foreign_keys(
    schema: dict[str, Any], frames: dict[str, pd.DataFrame]
) -> dict[str, int]:
    """Per foreign key, child rows (all key columns non-null) without a parent row."""
    out: dict[str, int] = {}
    for child, table in schema["tables"].items():
        for fk in table.get("foreign_keys") or []:
            cols, parent = list(fk["columns"]), fk["references"]
            ref = list(fk.get("referenced_columns") or cols)
            name = f"{child}({', '.join(cols)}) -> {parent}"
            if child not in frames or parent not in frames:
                out[name] = -1  # a table is missing: cannot resolve at all
                continue
            keys = frames[child][cols].dropna()
            parents = frames[parent][ref].dropna().drop_duplicates()
            parents.columns = cols
            merged = keys.astype(object).merge(
                parents.astype(object).assign(_found=True), how="left", on=cols
            )
            out[name] = int(merged["_found"].isna().sum())
    return out


def duplicate_primary_keys(
    schema: dict[str, Any], frames: dict[str, pd.DataFrame]
) -> dict[str, int]:
    out = {}
    for name, table in schema["tables"].items():
        pk = table.get("primary_key") or []
        if pk and name in frames:
            out[name] = int(frames[name].duplicated(pk).sum())
    return out


def report_tables(result: FlowResult) -> list[str] | None:
    """Tables named in ``validation/report.json``; None when no report was written."""
    path = result.output_root / "validation" / "report.json"
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    tables = doc.get("tables", [])
    if isinstance(tables, dict):
        return sorted(tables)
    return sorted(t.get("name", t.get("table", "")) for t in tables)


def run_database(
    url: str, folder: Path, defaults: dict[str, Any] | None = None, stages: bool = False
) -> FlowResult:
    """Steps 1-4 on one database."""
    result = infer_and_validate(url, folder)
    write_config(result, url, defaults)
    return run_synthesize_all(result, stages=stages)


def assert_end_to_end(result: FlowResult) -> None:
    """Acceptance for one database: the run succeeded, every FK resolves (checked here),
    keys are unique, the report names every table."""
    schema = final_schema(result)
    if not result.run_success:
        raise FlowError("synthesize_all failed: " + "; ".join(result.problems()))
    frames = synthetic_frames(result)
    missing = sorted(set(schema["tables"]) - set(frames))
    assert not missing, f"no synthetic table for {missing}"
    broken = {k: v for k, v in unresolved_foreign_keys(schema, frames).items() if v}
    assert not broken, f"synthetic foreign keys that resolve to no parent: {broken}"
    dupes = {k: v for k, v in duplicate_primary_keys(schema, frames).items() if v}
    assert not dupes, f"duplicate synthetic primary keys: {dupes}"
    named = report_tables(result)
    assert named is not None, "validation/report.json was not written"
    assert set(schema["tables"]) <= set(named), f"report lacks {set(schema['tables']) - set(named)}"
