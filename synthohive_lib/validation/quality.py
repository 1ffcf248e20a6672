"""One table's quality: every metric for one real/synthetic pair, gathered in one object.

``table_quality`` is the single entry point the report, the Dagster checks, the quality gate and
the benchmark call, so they all score a table the same way. Its headline score follows SDMetrics'
quality report: the mean of the column-shapes score and the pair-trends score. Structure
(adherence, key uniqueness), binned accuracy, privacy and utility are reported alongside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import SchemaIssue, SchemaValidationError
from synthohive_lib.validation.binned import BinnedAccuracy, binned_accuracy
from synthohive_lib.validation.discriminator import Discriminator, discriminator_auc
from synthohive_lib.validation.encoded import EncodedColumn, encode_frames
from synthohive_lib.validation.encoding import equal_width_codes, frequencies, nanmean
from synthohive_lib.validation.kinds import (
    Kind,
    resolve_kinds,
)
from synthohive_lib.validation.pairs import PairTrend, pair_trends
from synthohive_lib.validation.privacy import Privacy, privacy_metrics
from synthohive_lib.validation.scoring import not_scored_reason
from synthohive_lib.validation.shapes import ColumnShape, shape_from_encoded
from synthohive_lib.validation.structure import (
    KeyUniqueness,
    adherence_from_encoded,
    key_uniqueness,
)
from synthohive_lib.validation.utility import Utility, tstr

_HIST_BINS = 20
_BAR_CATEGORIES = 12


@dataclass(frozen=True)
class Distribution:
    """Real vs synthetic frequencies of one column on shared bins, ready to plot."""

    labels: list[str]
    real: list[float]
    synthetic: list[float]
    ordered: bool  # histogram (True) or category bars (False)

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {
            "labels": self.labels,
            "real": self.real,
            "synthetic": self.synthetic,
            "ordered": self.ordered,
        }


@dataclass
class TableQuality:
    """Every metric of one table. ``score`` is the headline fidelity number in [0, 1]."""

    table: str
    n_real: int
    n_synthetic: int
    kinds: dict[str, Kind]
    column_shapes: list[ColumnShape]
    pair_trends: list[PairTrend]
    binned: BinnedAccuracy
    adherence: dict[str, tuple[str, float]] = field(default_factory=dict)
    primary_key: KeyUniqueness | None = None
    privacy: Privacy | None = None
    utility: Utility | None = None
    distributions: dict[str, Distribution] = field(default_factory=dict)
    correlations: dict[str, Any] = field(default_factory=dict)
    #: PII columns replaced by the privacy layer: column -> action (fake, mask, hash, drop)
    not_scored: dict[str, str] = field(default_factory=dict)
    #: the holdout scored against the training rows: the achievable maximum of ``score``,
    #: ``column_shapes``, ``pair_trends`` and each ``column:<name>`` (None without holdout)
    ceiling: dict[str, float] | None = None
    #: real-vs-synthetic classifier (None unless asked for: ``discriminator=True``)
    discriminator: Discriminator | None = None
    #: synthetic rows the statistical figures were scored on when they are a uniform sample
    #: of a larger table (``n_synthetic`` is then every row; None: every row was scored)
    scored_rows: int | None = None

    @property
    def column_shapes_score(self) -> float:
        """Mean column-shape score (NaN when no column is scored)."""
        return nanmean([c.score for c in self.column_shapes])

    @property
    def pair_trends_score(self) -> float:
        """Mean pair-trend score (NaN when fewer than two columns are scored)."""
        return nanmean([p.score for p in self.pair_trends])

    @property
    def score(self) -> float:
        """Mean of column shapes and pair trends, each ignored when undefined."""
        return nanmean([self.column_shapes_score, self.pair_trends_score])

    @property
    def validity_score(self) -> float:
        """Mean of adherence scores and primary-key uniqueness: does the data follow the rules?"""
        parts = [s for _, s in self.adherence.values()]
        if self.primary_key is not None:
            parts.append(self.primary_key.score)
        return nanmean(parts)

    def column_scores(self) -> dict[str, float]:
        """Column -> shape score, worst first (what the gate and the report rank by)."""
        pairs = sorted(((c.column, c.score) for c in self.column_shapes), key=_worst_first)
        return dict(pairs)

    def failing_columns(self, threshold: float) -> dict[str, float]:
        """Columns whose shape score is below ``threshold``, worst first."""
        return {c: s for c, s in self.column_scores().items() if not s >= threshold}

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON (NaN becomes None in :func:`report.to_json`)."""
        return {
            "table": self.table,
            "rows": {
                "real": self.n_real,
                "synthetic": self.n_synthetic,
                "synthetic_scored": self.n_synthetic
                if self.scored_rows is None
                else self.scored_rows,
            },
            "score": self.score,
            "column_shapes_score": self.column_shapes_score,
            "pair_trends_score": self.pair_trends_score,
            "validity_score": self.validity_score,
            "kinds": dict(self.kinds),
            "column_shapes": [
                c.to_dict()
                for c in sorted(self.column_shapes, key=lambda c: _worst_first((0, c.score)))
            ],
            "pair_trends": [
                p.to_dict()
                for p in sorted(self.pair_trends, key=lambda p: _worst_first((0, p.score)))
            ],
            "binned_accuracy": self.binned.to_dict(),
            "adherence": {c: {"metric": m, "score": s} for c, (m, s) in self.adherence.items()},
            "primary_key": self.primary_key.to_dict() if self.primary_key else None,
            "privacy": self.privacy.to_dict() if self.privacy else None,
            "utility": self.utility.to_dict() if self.utility else None,
            "distributions": {c: d.to_dict() for c, d in self.distributions.items()},
            "not_scored": [
                {"column": c, "action": a, "reason": f"not scored: {not_scored_reason(a)}"}
                for c, a in self.not_scored.items()
            ],
            "holdout_ceiling": self.ceiling,
            "discriminator": self.discriminator.to_dict() if self.discriminator else None,
        }


def table_quality(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    table: str = "table",
    kinds: Mapping[str, str] | None = None,
    id_columns: set[str] | frozenset[str] = frozenset(),
    primary_key: tuple[str, ...] | list[str] | None = None,
    holdout: pd.DataFrame | None = None,
    target: str | None = None,
    privacy: bool = True,
    plots: bool = True,
    max_pair_columns: int = 60,
    pii_columns: set[str] | frozenset[str] = frozenset(),
    not_scored: Mapping[str, str] | None = None,
    discriminator: bool = False,
) -> TableQuality:
    """Score ``synthetic`` against ``real``: shapes, pairs, binned accuracy, structure, privacy.

    ``kinds`` (schema vocabulary accepted) overrides dtype inference; ``id_columns`` and
    ``primary_key`` columns are treated as keys, never as distributions. ``holdout`` (real rows
    the generator never saw) adds the binned-accuracy ceiling and the privacy yardstick;
    ``target`` adds train-on-synthetic/test-on-real. ``pii_columns`` are scored, but their
    plot labels are placeholders, never real values or real bin edges. ``not_scored`` maps
    the PII columns the privacy layer replaces to their action (see
    :func:`~synthohive_lib.validation.scoring.unscored_columns`): they are left out of every
    metric, may be absent from either frame (``drop`` removes them), and are listed in
    ``TableQuality.not_scored``. Other columns missing from ``synthetic`` are a
    ``SchemaValidationError``: silently skipping them would inflate the score.
    ``discriminator`` adds the real-vs-synthetic classifier AUC (a second or so per table).
    """
    skipped = dict(not_scored or {})
    if target is not None and target in skipped:
        raise SchemaValidationError(
            [
                SchemaIssue(
                    "target_not_scored",
                    f"the utility target is a PII column {not_scored_reason(skipped[target])}: "
                    "a model trained on replaced values predicts nothing real",
                    table=table,
                    column=target,
                    fix="choose a target column that is not PII (or has pii_action: keep)",
                )
            ]
        )
    real = real[[c for c in real.columns if c not in skipped]]
    missing = [c for c in real.columns if c not in synthetic.columns]
    if missing:
        raise SchemaValidationError(
            [
                SchemaIssue(
                    "missing_synthetic_column",
                    "the synthetic table lacks this column of the real table",
                    table=table,
                    column=str(c),
                    fix="generate every column of the schema, or drop it from the real data",
                )
                for c in missing
            ]
        )
    synthetic = synthetic[list(real.columns)]
    keys = set(id_columns) | set(primary_key or ())
    resolved = resolve_kinds(real, kinds, keys)
    if holdout is not None:
        holdout = holdout[list(real.columns)]
    frames = [real, synthetic] if holdout is None else [real, synthetic, holdout]
    encoded = encode_frames(frames, resolved)  # every string and date converted exactly once
    shapes = [shape_from_encoded(enc) for enc in encoded.values()]
    trends, matrices = pair_trends(
        real, synthetic, resolved, max_columns=max_pair_columns, encoded=encoded
    )
    binned = binned_accuracy(
        real, synthetic, resolved, holdout=holdout, max_columns=max_pair_columns, encoded=encoded
    )
    adh = {c: adherence_from_encoded(enc) for c, enc in encoded.items()}
    pk = key_uniqueness(synthetic, list(primary_key)) if primary_key else None
    # exact copies on every non-key column left (replaced PII is gone): the privacy gate's set
    copy_columns = [c for c in real.columns if c not in keys]
    priv = (
        privacy_metrics(real, synthetic, resolved, holdout=holdout, copy_columns=copy_columns)
        if privacy
        else None
    )
    util = tstr(real, synthetic, target, resolved, holdout=holdout) if target else None
    dists = _distributions(encoded, pii_columns) if plots else {}
    corr = {
        "columns": [str(c) for c in matrices["columns"]],
        "real": matrices["real"].tolist(),
        "synthetic": matrices["synthetic"].tolist(),
        "difference": np.abs(
            np.asarray(matrices["real"], dtype=float)
            - np.asarray(matrices["synthetic"], dtype=float)
        ).tolist(),
    }
    disc = discriminator_auc(encoded) if discriminator else None
    return TableQuality(
        table,
        len(real),
        len(synthetic),
        resolved,
        shapes,
        trends,
        binned,
        adh,
        pk,
        priv,
        util,
        dists,
        corr,
        skipped,
        discriminator=disc,
    )


def _distributions(
    encoded: Mapping[str, EncodedColumn], pii_columns: set[str] | frozenset[str] = frozenset()
) -> dict[str, Distribution]:
    """Shared-bin frequencies per column for the plots; personal data gets placeholder labels."""
    out: dict[str, Distribution] = {}
    for c, enc in encoded.items():
        ordered = enc.floats is not None
        if enc.floats is not None:
            codes = equal_width_codes(enc.floats[0], enc.floats[1], n_bins=_HIST_BINS)
        else:
            assert enc.codes is not None
            codes = enc.codes
        fr = frequencies(codes.codes[0], codes.n_levels)
        fs = frequencies(codes.codes[1], codes.n_levels)
        labels = list(codes.labels)
        if ordered and enc.kind == "datetime":
            labels = [*_datetime_labels(codes.edges), "(null)"]
        if not ordered and codes.n_levels > _BAR_CATEGORIES:  # keep the most frequent bars
            order = np.argsort(-(fr + fs), kind="stable")[:_BAR_CATEGORIES]
            labels = [labels[i] for i in order]
            fr, fs = fr[order], fs[order]
        elif fr[-1] == 0 and fs[-1] == 0:  # drop an empty null bar
            labels, fr, fs = labels[:-1], fr[:-1], fs[:-1]
        if c in pii_columns:
            labels = _anonymous_labels(labels, ordered)
        out[c] = Distribution(labels, fr.round(6).tolist(), fs.round(6).tolist(), ordered)
    return out


def _anonymous_labels(labels: list[str], ordered: bool) -> list[str]:
    """Labels of a personal-data column: its bars keep their order, not their real values."""
    word = "bin" if ordered else "value"
    keep = {"(null)", "(other)"}
    return [lab if lab in keep else f"{word} {i + 1}" for i, lab in enumerate(labels)]


def _datetime_labels(inner: tuple[float, ...]) -> list[str]:
    """Bins of timestamps labelled by dates: ``< first edge``, then ``>= edge`` for the rest."""
    dates = [str(pd.Timestamp(int(e)).date()) for e in inner]
    if not dates:
        return ["all"]
    return [f"< {dates[0]}", *(f">= {d}" for d in dates)]


def _worst_first(item: tuple[object, float]) -> tuple[int, float]:
    score = item[1]
    return (0, -1.0) if score is None or np.isnan(score) else (1, score)
