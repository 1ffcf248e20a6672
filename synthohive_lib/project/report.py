"""The schema-wide report of a run: scores, PII leak scan and verdict, and its two files.

This is where validation and privacy meet, so it sits above both: the metrics
(:mod:`synthohive_lib.validation`) know nothing of the privacy layer, and the privacy layer's
identifier gate only uses validation's gate types. :func:`build_report_from_frames` is
everything ``synthohive report`` does except reading the inputs and writing the file;
:func:`judge` turns the report's own figures into the gates' :class:`Verdict`;
:func:`write_report` renders the report (JSON for machines, HTML for people) and writes both
files atomically, as the CLI's ``synthohive run`` and the Dagster report asset do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from synthohive_lib.atomic import atomic_write_text
from synthohive_lib.privacy.leaks import LeakReport, PiiAllowList, scan_schema_for_leaks
from synthohive_lib.schema.model import Schema
from synthohive_lib.validation.holdout import split_holdout
from synthohive_lib.validation.html import render_html
from synthohive_lib.validation.privacy import check_copy_rate
from synthohive_lib.validation.relations import (
    Relation,
    SchemaDescription,
    coerce_relations,
    describe_schema,
)
from synthohive_lib.validation.report import Report, parse_text_dates, schema_report
from synthohive_lib.validation.scoring import copy_columns
from synthohive_lib.validation.verdict import (
    GateResult,
    GateThresholds,
    TableStatus,
    Verdict,
    fidelity_gate,
    integrity_gate,
    key_gate,
    leak_gate,
    privacy_gate,
)


def build_report_from_frames(
    real_tables: Mapping[str, pd.DataFrame],
    synthetic_tables: Mapping[str, pd.DataFrame],
    schema: Any | None = None,
    *,
    relations: Iterable[Relation | Mapping[str, Any]] | None = None,
    kinds: Mapping[str, Mapping[str, str]] | None = None,
    holdout_tables: Mapping[str, pd.DataFrame] | None = None,
    targets: Mapping[str, str] | None = None,
    privacy: bool = True,
    title: str = "SynthoHive validation report",
    leak_scan: bool = True,
    holdout: float = 0.0,
    gates: GateThresholds | None = None,
    statuses: Mapping[str, TableStatus] | None = None,
    run_id: str | None = None,
    pii_allow: PiiAllowList | None = None,
) -> Report:
    """Everything ``synthohive report`` does except reading the inputs and writing the file.

    ``holdout`` (a share, e.g. 0.1) splits every real table with
    :func:`~synthohive_lib.validation.holdout.split_holdout`, exactly as the model stage did:
    the synthetic rows are scored against the training rows, and the holdout gives the
    achievable maximum and the privacy yardstick (DCR share). ``gates`` adds the verdict
    (every gate of the pipeline, same functions), ``statuses`` the tables that failed or were
    skipped, ``run_id`` the run the report belongs to; ``pii_allow`` is the leak scan's
    :class:`~synthohive_lib.privacy.leaks.PiiAllowList`.

    ``schema`` is any object shaped like ``synthohive_lib.schema.Schema`` (see
    :func:`describe_schema`); its relations, primary keys and column types are used, and
    explicit ``relations`` / ``kinds`` are merged on top. PII columns the schema replaces are
    not scored (listed per table instead). Tables only in the synthetic data are ignored;
    tables only in the real data are an error.

    With a ``synthohive_lib.schema.Schema`` and ``leak_scan``, the report also holds the PII
    leak scan over every synthetic column (``Report.pii_leak_scan``): not-scored columns are
    exactly where copied real values would otherwise go unseen. Pass the real frames with
    their PII columns for it to have something to look for.
    """
    desc = describe_schema(schema) if schema is not None else SchemaDescription()
    statuses = dict(statuses or {})
    synthetic_tables = {t: f for t, f in synthetic_tables.items() if t not in statuses}
    leaks = _leak_scan(real_tables, synthetic_tables, schema, pii_allow) if leak_scan else None
    real_tables = {t: f for t, f in real_tables.items() if t not in statuses}
    if holdout and holdout_tables is None:
        split = {
            t: split_holdout(f, desc.primary_keys.get(t, ()), holdout)
            for t, f in real_tables.items()
        }
        real_tables = {t: train for t, (train, _) in split.items()}
        holdout_tables = {t: held for t, (_, held) in split.items() if len(held)}
    real_tables = parse_text_dates(real_tables, desc)
    synthetic_tables = parse_text_dates(synthetic_tables, desc)
    if holdout_tables is not None:
        holdout_tables = parse_text_dates(holdout_tables, desc)
    merged_kinds = {t: dict(k) for t, k in desc.kinds.items()}
    for t, k in (kinds or {}).items():
        merged_kinds.setdefault(t, {}).update(k)
    rels = list(desc.relations) + coerce_relations(relations)
    report = schema_report(
        real_tables,
        synthetic_tables,
        rels,
        kinds=merged_kinds,
        primary_keys=desc.primary_keys,
        holdout_tables=holdout_tables,
        targets=targets,
        privacy=privacy,
        title=title,
        pii_columns=desc.pii_columns,
        not_scored=desc.not_scored,
    )
    report.pii_leak_scan = leaks.to_dict() if leaks is not None else None
    report.holdout_fraction = holdout
    if gates is not None:
        report.verdict = judge(
            report, real_tables, synthetic_tables, schema, gates, leaks, statuses, run_id
        )
    return report


def _leak_scan(
    real_tables: Mapping[str, pd.DataFrame],
    synthetic_tables: Mapping[str, pd.DataFrame],
    schema: Any,
    allow: PiiAllowList | None = None,
) -> LeakReport | None:
    """The privacy layer's leak scan, table by table exactly as the ``no_pii_leak`` gates
    scan (:func:`~synthohive_lib.privacy.leaks.scan_schema_for_leaks`); None without a real
    schema object (a duck-typed schema of a notebook or test has no PII settings to scan by).
    """
    if not isinstance(schema, Schema):
        return None
    known = {t: f for t, f in synthetic_tables.items() if schema.has_table(t)}
    return scan_schema_for_leaks(real_tables, known, schema, allow=allow)


def judge(
    report: Report,
    real_tables: Mapping[str, pd.DataFrame],
    synthetic_tables: Mapping[str, pd.DataFrame],
    schema: Any,
    thresholds: GateThresholds,
    leaks: LeakReport | None,
    statuses: Mapping[str, TableStatus] | None = None,
    run_id: str | None = None,
) -> Verdict:
    """Every gate of every judged table, from the report's own figures (same functions as
    the checks): fidelity from its :class:`TableQuality`, keys and foreign keys from its
    structure results, exact copies by :func:`check_copy_rate` on
    :func:`~synthohive_lib.validation.scoring.copy_columns`, leaks from the per-table scan
    (``leaks``: a :class:`~synthohive_lib.privacy.leaks.LeakReport` or None)."""
    gates: list[GateResult] = []
    for name, quality in report.tables.items():
        table = schema.table(name) if schema is not None and schema.has_table(name) else None
        if table is not None and table.primary_key and quality.primary_key is not None:
            gates.append(key_gate(name, tuple(table.primary_key), quality.primary_key))
        rels = {r.relation.name: r.integrity for r in report.relations if r.relation.child == name}
        if rels:
            gates.append(integrity_gate(name, rels))
        if quality.column_shapes:
            gates.append(fidelity_gate(quality, thresholds.fidelity_for(name)))
        cols = copy_columns(table) if table is not None else []
        cols = [c for c in cols if c in real_tables[name].columns]
        if cols:
            check = check_copy_rate(
                real_tables[name][cols],
                synthetic_tables[name][cols],
                thresholds.copy_limit_for(name),
            )
            gates.append(privacy_gate(name, check))
        if leaks is not None and name in leaks.tables:
            coincidences = sum(1 for c in leaks.coincidences if c.table == name)
            gates.append(leak_gate(name, leaks.leaks_in(name), coincidences))
    return Verdict(gates=gates, tables=dict(statuses or {}), run_id=run_id)


def write_report(report: Report, json_path: Path, html_path: Path) -> None:
    """Write ``report`` as JSON and as a self-contained HTML page, each file atomically."""
    atomic_write_text(json_path, report.to_json())
    atomic_write_text(html_path, render_html(report))
