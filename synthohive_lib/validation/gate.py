"""The quality gate: refuse synthetic data whose columns fall below a threshold.

``sample(..., quality_threshold=...)`` in the model layer and the blocking Dagster checks call
these, so a bad generator fails loudly with the offending columns named, instead of quietly
shipping a table nobody should use. The gate judges column shapes (nulls included), the
per-column metric users can act on; a table-level number would hide the one broken column.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from synthohive_lib.errors import QualityGateError
from synthohive_lib.validation.quality import TableQuality, table_quality
from synthohive_lib.validation.report import Report


def check_quality_gate(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    threshold: float,
    *,
    table: str | None = None,
    kinds: Mapping[str, str] | None = None,
    id_columns: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Raise :class:`QualityGateError` when any column's shape score is below ``threshold``."""
    quality = table_quality(
        real,
        synthetic,
        table=table or "table",
        kinds=kinds,
        id_columns=id_columns,
        privacy=False,
        plots=False,
    )
    raise_if_failing(quality, threshold, table=table)


def raise_if_failing(quality: TableQuality, threshold: float, *, table: str | None = None) -> None:
    """Gate an already computed :class:`TableQuality` (no recomputation)."""
    _check_threshold(threshold)
    failing = quality.failing_columns(threshold)
    if failing:
        raise QualityGateError(failing, threshold, table=table)


def check_report_gate(report: Report, threshold: float) -> None:
    """Gate every table of a schema report; the error lists failures of all tables at once."""
    _check_threshold(threshold)
    failing = {
        f"{name}.{col}": score
        for name, t in report.tables.items()
        for col, score in t.failing_columns(threshold).items()
    }
    if failing:
        raise QualityGateError(dict(sorted(failing.items(), key=lambda kv: kv[1])), threshold)


def _check_threshold(threshold: float) -> None:
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"quality threshold must be in [0, 1], got {threshold}")
