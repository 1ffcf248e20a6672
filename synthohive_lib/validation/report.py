"""The schema-wide report: every table, every relation, one overall score, as JSON or HTML.

``schema_report`` takes plain dicts of DataFrames and a plain list of relations, so the CLI,
the Dagster assets and a notebook all build the same report; ``build_report_from_frames`` adds
the schema adapter on top. Reading and writing files is left to callers (the CLI, the IO layer).

Scores: each table's fidelity score is SDMetrics' (column shapes + pair trends) / 2; each
relation's is the mean of its children-per-parent similarity and its intertable trends. The
headline score (:attr:`Report.score`, defined on the page) is the mean of the table scores and
the relations' *intertable trends*: children per parent is left out of it because the
relational layer samples every parent's number of children from the real distribution, so it
is close to 1.0 by construction and would only dilute a bad table. It is shown beside the
worst table. Referential integrity, key uniqueness and adherence form a separate *validity*
score: broken keys are a defect to fix, not a shade of fidelity, so they are never averaged
away into a good-looking number.

With ``gates`` the report also holds a :class:`~synthohive_lib.validation.verdict.Verdict`:
every gate the pipeline's blocking checks apply, computed by the same functions, plus the
tables that failed or were skipped in the run, for the banner at the top of the page.

PII columns the privacy layer replaces are not scored (:mod:`~synthohive_lib.validation.scoring`
decides which, for the report and the pipeline alike); with a schema the report runs the PII
leak scan instead, so real values copied into those columns are still found.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import SchemaIssue, SchemaValidationError
from synthohive_lib.validation.encoding import nanmean
from synthohive_lib.validation.kinds import resolve_kinds
from synthohive_lib.validation.pairs import PairTrend
from synthohive_lib.validation.quality import TableQuality, table_quality
from synthohive_lib.validation.relations import (
    Relation,
    SchemaDescription,
    coerce_relations,
    describe_schema,
)
from synthohive_lib.validation.structure import (
    ChildrenPerParent,
    ReferentialIntegrity,
    children_per_parent,
    intertable_trends,
    referential_integrity,
)
from synthohive_lib.validation.verdict import Verdict


@dataclass
class RelationQuality:
    """Structure and fidelity of one foreign key in the synthetic schema."""

    relation: Relation
    integrity: ReferentialIntegrity
    cardinality: ChildrenPerParent
    trends: list[PairTrend] = field(default_factory=list)

    @property
    def histogram(self) -> dict[str, list[Any]]:
        """Children per parent, real vs synthetic, binned for the plot and the JSON."""
        return children_histogram(self.cardinality)

    @property
    def intertable_score(self) -> float:
        """Mean intertable pair-trend score (NaN when no column pairs apply)."""
        return nanmean([t.score for t in self.trends])

    @property
    def score(self) -> float:
        """Mean of children-per-parent similarity and intertable trends."""
        return nanmean([self.cardinality.score, self.intertable_score])

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {
            "name": self.relation.name,
            **self.relation.to_dict(),
            "score": self.score,
            "referential_integrity": self.integrity.to_dict(),
            "children_per_parent": self.cardinality.to_dict(),
            "children_per_parent_histogram": self.histogram,
            "intertable_score": self.intertable_score,
            "intertable_trends": [t.to_dict() for t in sorted(self.trends, key=lambda t: t.score)],
        }


@dataclass
class Report:
    """The whole validation report; ``to_json`` for machines,
    :func:`~synthohive_lib.validation.html.render_html` for people."""

    tables: dict[str, TableQuality]
    relations: list[RelationQuality]
    title: str = "SynthoHive validation report"
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    #: ``LeakReport.to_dict()`` of :func:`synthohive_lib.privacy.scan_for_leaks` (masked
    #: examples only), or None when no leak scan ran (no schema, or ``leak_scan=False``)
    pii_leak_scan: dict[str, Any] | None = None
    #: gates, failed and skipped tables, and the run (None: no gates were evaluated)
    verdict: Verdict | None = None
    #: share of each table's real rows held out of training (0: no holdout)
    holdout_fraction: float = 0.0

    #: how :attr:`score` is computed, printed under the number on the page
    SCORE_DEFINITION = (
        "mean of every table's score (column shapes and pair trends, SDMetrics' quality "
        "score) and of every relation's parent-child pair trends; children per parent is "
        "left out (the relational layer samples it from the real counts, so it is close to "
        "1.0 by construction) and shown with the relations"
    )

    @property
    def score(self) -> float:
        """Headline fidelity: mean of the table scores and the relations' intertable trends
        (children per parent excluded, see :attr:`SCORE_DEFINITION`)."""
        return nanmean(
            [t.score for t in self.tables.values()] + [r.intertable_score for r in self.relations]
        )

    @property
    def worst_table(self) -> TableQuality | None:
        """The table with the lowest score (None without tables)."""
        ranked = [t for t in self.tables_worst_first() if not math.isnan(t.score)]
        return ranked[0] if ranked else None

    @property
    def validity_score(self) -> float:
        """Mean of referential integrity, key uniqueness and adherence over the schema."""
        vals = [t.validity_score for t in self.tables.values()]
        return nanmean(vals + [r.integrity.score for r in self.relations])

    def tables_worst_first(self) -> list[TableQuality]:
        """Tables ordered by score, worst (or unscored) first."""
        return sorted(self.tables.values(), key=lambda t: _sort_key(t.score))

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-ready dict; tables and columns worst first."""
        worst = self.worst_table
        return {
            "title": self.title,
            "created_at": self.created_at,
            "verdict": self.verdict.to_dict() if self.verdict is not None else None,
            "score": self.score,
            "score_definition": self.SCORE_DEFINITION,
            "worst_table": {"table": worst.table, "score": worst.score} if worst else None,
            "holdout_fraction": self.holdout_fraction,
            "validity_score": self.validity_score,
            "tables": [t.to_dict() for t in self.tables_worst_first()],
            "relations": [
                r.to_dict() for r in sorted(self.relations, key=lambda r: _sort_key(r.score))
            ],
            "pii_leak_scan": self.pii_leak_scan,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Strict JSON (NaN and infinities become null, numpy scalars plain numbers)."""
        return json.dumps(_jsonable(self.to_dict()), indent=indent, allow_nan=False)


def schema_report(
    real_tables: Mapping[str, pd.DataFrame],
    synthetic_tables: Mapping[str, pd.DataFrame],
    relations: Iterable[Relation | Mapping[str, Any]] | None = None,
    *,
    kinds: Mapping[str, Mapping[str, str]] | None = None,
    primary_keys: Mapping[str, Iterable[str]] | None = None,
    holdout_tables: Mapping[str, pd.DataFrame] | None = None,
    targets: Mapping[str, str] | None = None,
    privacy: bool = True,
    title: str = "SynthoHive validation report",
    pii_columns: Mapping[str, Iterable[str]] | None = None,
    not_scored: Mapping[str, Mapping[str, str]] | None = None,
    discriminator: bool = True,
    relation_frames: Mapping[str, Mapping[str, pd.DataFrame]] | None = None,
) -> Report:
    """Score every table present in both dicts and every relation between them.

    ``pii_columns`` (per table) are scored like any column, but their plots never show real
    values: the report is shared and archived, personal data must not end up in it.
    ``not_scored`` (per table, column -> PII action) are left out of every metric and listed
    in the table's ``not_scored`` (see :func:`table_quality`). ``relation_frames`` (relation
    name -> {table: frame}) are the synthetic frames a relation is scored on instead of the
    whole tables: the family sample of a table too big to hold.
    """
    rels = coerce_relations(relations)
    desc = SchemaDescription(
        relations=rels,
        primary_keys={t: tuple(c) for t, c in (primary_keys or {}).items()},
    )
    missing = sorted(set(real_tables) - set(synthetic_tables))
    if missing:
        raise SchemaValidationError(
            [
                SchemaIssue(
                    "missing_synthetic_table",
                    "the synthetic data lacks this table of the real data",
                    table=name,
                    fix="generate every table of the schema, or leave it out of the real data",
                )
                for name in missing
            ]
        )
    tables: dict[str, TableQuality] = {}
    for name, real in real_tables.items():
        tables[name] = table_quality(
            real,
            synthetic_tables[name],
            table=name,
            kinds=(kinds or {}).get(name),
            id_columns=desc.id_columns(name),
            primary_key=desc.primary_keys.get(name),
            holdout=(holdout_tables or {}).get(name),
            target=(targets or {}).get(name),
            privacy=privacy,
            pii_columns=frozenset((pii_columns or {}).get(name, ())),
            not_scored=(not_scored or {}).get(name),
            discriminator=discriminator,
        )
        held = (holdout_tables or {}).get(name)
        if held is not None and len(held) > 0:
            tables[name].ceiling = holdout_ceiling(tables[name], real, held, desc, name)
    all_kinds = {name: dict(t.kinds) for name, t in tables.items()}
    rel_quality = [
        relation_quality(
            real_tables,
            {**synthetic_tables, **(relation_frames or {}).get(rel.name, {})},
            rel,
            all_kinds,
        )
        for rel in rels
        if rel.child in tables and rel.parent in tables
    ]
    return Report(tables, rel_quality, title=title)


def holdout_ceiling(
    quality: TableQuality,
    real: pd.DataFrame,
    holdout: pd.DataFrame,
    desc: SchemaDescription,
    name: str,
) -> dict[str, float]:
    """The achievable maximum of the table's fidelity figures: the holdout (real rows the
    model never saw) scored against the training rows exactly as the synthetic rows are."""
    real = real[[c for c in real.columns if c not in quality.not_scored]]
    q = table_quality(
        real,
        holdout[list(real.columns)],
        table=name,
        kinds=dict(quality.kinds),
        id_columns=desc.id_columns(name),
        primary_key=desc.primary_keys.get(name),
        privacy=False,
        plots=False,
    )
    return {
        "score": q.score,
        "column_shapes": q.column_shapes_score,
        "pair_trends": q.pair_trends_score,
        "rows": len(holdout),
        **{f"column:{c}": v for c, v in q.column_scores().items()},
    }


def relation_quality(
    real_tables: Mapping[str, pd.DataFrame],
    synthetic_tables: Mapping[str, pd.DataFrame],
    relation: Relation,
    kinds: Mapping[str, Mapping[str, str]] | None = None,
) -> RelationQuality:
    """Referential integrity (synthetic), children per parent and intertable trends of one FK.

    ``kinds`` per table (metric kinds, e.g. ``TableQuality.kinds``) choose the intertable
    column pairs; without them the kinds are inferred, with both key sides marked as ``id``.
    """
    if kinds is None:
        kinds = {
            relation.parent: resolve_kinds(
                real_tables[relation.parent], id_columns=set(relation.pk_columns)
            ),
            relation.child: resolve_kinds(
                real_tables[relation.child], id_columns=set(relation.fk_columns)
            ),
        }
    return RelationQuality(
        relation,
        referential_integrity(
            synthetic_tables[relation.child],
            synthetic_tables[relation.parent],
            relation.fk_columns,
            relation.pk_columns,
        ),
        children_per_parent(real_tables, synthetic_tables, relation),
        intertable_trends(real_tables, synthetic_tables, relation, kinds),
    )


def schema_table_quality(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Any,
    table: str,
    *,
    privacy: bool = True,
    plots: bool = False,
    holdout: pd.DataFrame | None = None,
    target: str | None = None,
) -> TableQuality:
    """:func:`table_quality` of one table of ``schema``, read the way the whole report reads it.

    Kinds, key columns, the primary key, PII columns (replaced ones not scored, kept ones
    scored with their labels never shown) and text dates (parsed with the schema's
    ``datetime_format``) all come from the schema, so a per-table check and the schema-wide
    report can never disagree about the same table.
    """
    desc = describe_schema(schema)
    frames = parse_text_dates({"real": real, "synthetic": synthetic}, desc, table)
    if holdout is not None:
        holdout = parse_text_dates({"holdout": holdout}, desc, table)["holdout"]
    return table_quality(
        frames["real"],
        frames["synthetic"],
        table=table,
        kinds=desc.kinds.get(table),
        id_columns=desc.id_columns(table),
        primary_key=desc.primary_keys.get(table),
        holdout=holdout,
        target=target,
        privacy=privacy,
        plots=plots,
        pii_columns=frozenset(desc.pii_columns.get(table, set())),
        not_scored=desc.not_scored.get(table),
    )


def parse_text_dates(
    tables: Mapping[str, pd.DataFrame], desc: SchemaDescription, table: str | None = None
) -> dict[str, pd.DataFrame]:
    """Datetime columns stored as text, parsed with the schema's own ``datetime_format``.

    Without it the metrics would have to guess the format, and a guess reads the day-first
    ``05/01/2024`` as 1 May. Values that do not fit the format become missing, as they would
    for any unparseable date. Frames already holding datetimes are left as they are. Frames
    are keyed by table name, or — with ``table`` — all taken to be copies of that one table.
    """
    out = dict(tables)
    for key, frame in tables.items():
        formats = desc.datetime_formats.get(table if table is not None else key, {})
        parsed = {
            column: pd.to_datetime(frame[column], format=fmt, errors="coerce")
            for column, fmt in formats.items()
            if column in frame.columns
            and not pd.api.types.is_datetime64_any_dtype(frame[column].dtype)
        }
        if parsed:
            out[key] = frame.assign(**parsed)
    return out


def children_histogram(card: ChildrenPerParent, max_bins: int = 15) -> dict[str, list[Any]]:
    """Share of parents with 0, 1, 2, ... children (the tail pooled), real vs synthetic."""
    top = int(max(card.real_counts.max(initial=0), card.synthetic_counts.max(initial=0)))
    width = max(1, math.ceil((top + 1) / max_bins))
    n_bins = top // width + 1

    def hist(counts: np.ndarray) -> list[float]:
        h = np.bincount(counts.astype(np.int64) // width, minlength=n_bins).astype(float)
        return (h / h.sum() if h.sum() else h).round(6).tolist()

    labels = [
        str(i * width) if width == 1 else f"{i * width}-{(i + 1) * width - 1}"
        for i in range(n_bins)
    ]
    return {
        "labels": labels,
        "real": hist(card.real_counts),
        "synthetic": hist(card.synthetic_counts),
    }


def _sort_key(score: float) -> tuple[int, float]:
    return (0, 0.0) if math.isnan(score) else (1, score)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
