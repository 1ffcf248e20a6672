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

import numpy as np
import pandas as pd

from synthohive_lib.atomic import atomic_write_text
from synthohive_lib.config import DEFAULT_VALIDATION_SAMPLE_ROWS
from synthohive_lib.io.sampling import FrameRows, Rows, StoredRows
from synthohive_lib.io.store import BLOCK_ROWS, TableStore
from synthohive_lib.privacy.leaks import (
    LeakReport,
    PiiAllowList,
    scan_schema_for_leaks,
)
from synthohive_lib.project.every_row import (
    copy_check_of,
    key_uniqueness_of,
    leak_scan_of,
    referential_integrity_of,
)
from synthohive_lib.project.recipe import REAL_STAGE, SYNTHETIC_STAGE
from synthohive_lib.schema.model import Schema
from synthohive_lib.validation.blockwise import (
    compare_as_text,
    key_hashes,
    rows_in_family,
)
from synthohive_lib.validation.holdout import split_holdout
from synthohive_lib.validation.html import render_html
from synthohive_lib.validation.privacy import CopyRateCheck, check_copy_rate
from synthohive_lib.validation.quality import TableQuality
from synthohive_lib.validation.relations import (
    Relation,
    SchemaDescription,
    coerce_relations,
    describe_schema,
)
from synthohive_lib.validation.report import (
    Report,
    parse_text_dates,
    schema_report,
    schema_table_quality,
)
from synthohive_lib.validation.scoring import copy_columns, scored_columns
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
    large: Mapping[str, StoredRows] | None = None,
    sample_rows: int = DEFAULT_VALIDATION_SAMPLE_ROWS,
    seed: int = 0,
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
    large = {t: rows for t, rows in (large or {}).items() if t in synthetic_tables}
    leaks = (
        _leak_scan(real_tables, synthetic_tables, schema, pii_allow, large) if leak_scan else None
    )
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
    families = {
        rel.name: parse_text_dates(_family(rel, synthetic_tables, large, sample_rows, seed), desc)
        for rel in rels
        if (rel.parent in large or rel.child in large)
        and rel.parent in synthetic_tables
        and rel.child in synthetic_tables
    }
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
        relation_frames=families,
    )
    if large:
        _every_row(report, large, synthetic_tables, desc)
    report.pii_leak_scan = leaks.to_dict() if leaks is not None else None
    report.holdout_fraction = holdout
    if gates is not None:
        copies = copy_checks(real_tables, synthetic_tables, schema, gates, large)
        report.verdict = judge(report, schema, gates, leaks, copies, statuses, run_id)
    return report


def build_stored_report(
    store: TableStore,
    schema: Schema,
    tables: Iterable[str],
    *,
    sample_rows: int = DEFAULT_VALIDATION_SAMPLE_ROWS,
    seed: int = 0,
    block_rows: int = BLOCK_ROWS,
    **options: Any,
) -> Report:
    """:func:`build_report_from_frames` of the stored real and synthetic ``tables``, with
    bounded memory: a synthetic table of more than ``sample_rows`` rows is never read whole
    (its figures come from a uniform sample, its rules from every row in blocks). ``options``
    are those of :func:`build_report_from_frames` (title, holdout, gates, statuses, ...);
    ``block_rows`` is the rows per block of the every-row passes."""
    names = list(tables)
    real = {n: store.read(REAL_STAGE, n) for n in names}
    synthetic: dict[str, pd.DataFrame] = {}
    large: dict[str, StoredRows] = {}
    for name in names:
        rows = StoredRows(store, SYNTHETIC_STAGE, name, block_rows=block_rows)
        if rows.rows > sample_rows:
            large[name] = rows
            synthetic[name] = rows.sample(sample_rows, seed=seed)
        else:
            synthetic[name] = store.read(SYNTHETIC_STAGE, name)
    return build_report_from_frames(
        real, synthetic, schema, large=large, sample_rows=sample_rows, seed=seed, **options
    )


def stored_table_quality(
    store: TableStore,
    schema: Schema,
    table: str,
    real: pd.DataFrame,
    *,
    sample_rows: int = DEFAULT_VALIDATION_SAMPLE_ROWS,
    seed: int = 0,
    privacy: bool = True,
) -> TableQuality:
    """:func:`~synthohive_lib.validation.report.schema_table_quality` of the stored synthetic
    ``table`` against ``real`` (its training rows), in bounded memory: the scored columns of
    at most ``sample_rows`` synthetic rows (a uniform sample of a larger table, which
    ``scored_rows`` then records), the primary key checked on every row."""
    definition = schema.table(table)
    columns = scored_columns(definition)
    rows = StoredRows(store, SYNTHETIC_STAGE, table)
    synthetic = rows.sample(sample_rows, seed=seed, columns=columns)
    quality = schema_table_quality(real[columns], synthetic, schema, table, privacy=privacy)
    if rows.rows > len(synthetic):
        quality.scored_rows, quality.n_synthetic = len(synthetic), rows.rows
        key = list(definition.primary_key)
        if key and quality.primary_key is not None:
            quality.primary_key = key_uniqueness_of(rows, key)
    return quality


def _family(
    relation: Relation,
    synthetic: Mapping[str, pd.DataFrame],
    large: Mapping[str, StoredRows],
    sample_rows: int,
    seed: int,
) -> dict[str, pd.DataFrame]:
    """A family sample of one relation: a uniform share of the parents (at most
    ``sample_rows`` of them, and few enough that their children are about as many), then
    every child row of the sampled parents, read block by block from a large child."""
    parent, child = relation.parent, relation.child
    parent_rows = large[parent].rows if parent in large else len(synthetic[parent])
    child_rows = large[child].rows if child in large else len(synthetic[child])
    share = min(1.0, sample_rows / max(parent_rows, child_rows, 1))
    wanted = min(parent_rows, max(1, round(share * parent_rows)))  # a few huge families: one
    if parent in large:
        parents = large[parent].sample(wanted, seed=seed)
    else:
        parents = synthetic[parent].sample(n=wanted, random_state=seed).sort_index()
    fk, pk = list(relation.fk_columns), list(relation.pk_columns)
    child_frame = synthetic[child] if child not in large else None
    as_text = compare_as_text(
        (parents, pk), (child_frame if child_frame is not None else synthetic[child], fk)
    )
    hashed, null = key_hashes(parents, pk, as_text)
    known = np.unique(hashed[~null])
    if child_frame is not None:
        children = rows_in_family(child_frame, fk, known, as_text)
    else:
        parts = [rows_in_family(b, fk, known, as_text) for b in large[child].blocks()]
        children = pd.concat(parts, ignore_index=True)
    if parent == child:  # a self-reference: one table plays both parts
        return {parent: pd.concat([parents, children]).drop_duplicates(ignore_index=True)}
    return {parent: parents.reset_index(drop=True), child: children.reset_index(drop=True)}


def _every_row(
    report: Report,
    large: Mapping[str, StoredRows],
    synthetic: Mapping[str, pd.DataFrame],
    desc: SchemaDescription,
) -> None:
    """Replace the sample's rule figures of the large tables by those of every row."""

    def rows(table: str) -> Rows:
        return large[table] if table in large else FrameRows(synthetic[table])

    for name, stored in large.items():
        quality = report.tables.get(name)
        if quality is None:
            continue
        quality.scored_rows, quality.n_synthetic = quality.n_synthetic, stored.rows
        key = list(desc.primary_keys.get(name, ()))
        if key and quality.primary_key is not None:
            quality.primary_key = key_uniqueness_of(stored, key)
    for rel in report.relations:
        parent, child = rel.relation.parent, rel.relation.child
        if parent in large or child in large:
            rel.integrity = referential_integrity_of(rows(child), rows(parent), rel.relation)


def copy_checks(
    real_tables: Mapping[str, pd.DataFrame],
    synthetic_tables: Mapping[str, pd.DataFrame],
    schema: Any,
    thresholds: GateThresholds,
    large: Mapping[str, StoredRows] | None = None,
) -> dict[str, CopyRateCheck]:
    """The exact-copy check of every table of ``schema`` (the privacy gate's figures), on
    :func:`~synthohive_lib.validation.scoring.copy_columns`; a large table is looked up block
    by block, every row of it."""
    out: dict[str, CopyRateCheck] = {}
    for name, synthetic in synthetic_tables.items():
        if schema is None or not schema.has_table(name) or name not in real_tables:
            continue
        real = real_tables[name]
        cols = [c for c in copy_columns(schema.table(name)) if c in real.columns]
        if not cols:
            continue
        limit = thresholds.copy_limit_for(name)
        if large and name in large:
            out[name] = copy_check_of(real, large[name], cols, limit)
        else:
            out[name] = check_copy_rate(real[cols], synthetic[cols], limit)
    return out


def _leak_scan(
    real_tables: Mapping[str, pd.DataFrame],
    synthetic_tables: Mapping[str, pd.DataFrame],
    schema: Any,
    allow: PiiAllowList | None = None,
    large: Mapping[str, StoredRows] | None = None,
) -> LeakReport | None:
    """The privacy layer's leak scan, table by table exactly as the ``no_pii_leak`` gates
    scan (:func:`~synthohive_lib.privacy.leaks.scan_schema_for_leaks`); None without a real
    schema object (a duck-typed schema of a notebook or test has no PII settings to scan by).
    """
    if not isinstance(schema, Schema):
        return None
    large = large or {}
    known = {t: f for t, f in synthetic_tables.items() if schema.has_table(t)}
    merged = scan_schema_for_leaks(
        real_tables, {t: f for t, f in known.items() if t not in large}, schema, allow=allow
    )
    for name in known:
        if name in large:
            merged = merged.merge(leak_scan_of(real_tables, large[name], schema, name, allow))
    order = list(known)
    merged.tables.sort(key=order.index)
    return merged


def judge(
    report: Report,
    schema: Any,
    thresholds: GateThresholds,
    leaks: LeakReport | None,
    copies: Mapping[str, CopyRateCheck],
    statuses: Mapping[str, TableStatus] | None = None,
    run_id: str | None = None,
) -> Verdict:
    """Every gate of every judged table, from the report's own figures (same functions as
    the checks): fidelity from its :class:`TableQuality`, keys and foreign keys from its
    structure results, exact copies from ``copies`` (:func:`copy_checks`), leaks from the
    per-table scan (``leaks``: a :class:`~synthohive_lib.privacy.leaks.LeakReport` or None)."""
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
        if name in copies:
            gates.append(privacy_gate(name, copies[name]))
        if leaks is not None and name in leaks.tables:
            coincidences = sum(1 for c in leaks.coincidences if c.table == name)
            gates.append(leak_gate(name, leaks.leaks_in(name), coincidences))
    return Verdict(gates=gates, tables=dict(statuses or {}), run_id=run_id)


def write_report(report: Report, json_path: Path, html_path: Path) -> None:
    """Write ``report`` as JSON and as a self-contained HTML page, each file atomically."""
    atomic_write_text(json_path, report.to_json())
    atomic_write_text(html_path, render_html(report))
