"""Validation: fidelity, structure, privacy and utility metrics, a JSON/HTML report and gates.

One metrics module for every consumer (report, Dagster checks, quality gate, benchmarks).
Start with :func:`table_quality` for one table, :func:`schema_report` /
:func:`build_report_from_frames` for a whole schema, and :func:`check_quality_gate` to refuse
bad synthetic data. :func:`scored_columns` decides which columns are scored (replaced PII is
not) for every consumer. See ``docs/validation.md`` for the metric definitions.
"""

from synthohive_lib.validation.binned import BinnedAccuracy, binned_accuracy
from synthohive_lib.validation.gate import check_quality_gate, check_report_gate, raise_if_failing
from synthohive_lib.validation.kinds import Kind, infer_kind, resolve_kinds
from synthohive_lib.validation.pairs import (
    PairTrend,
    contingency_similarity,
    correlation_similarity,
    pair_trends,
    pairwise_correlation,
)
from synthohive_lib.validation.privacy import (
    CopyRateCheck,
    Privacy,
    check_copy_rate,
    exact_copy_rate,
    natural_copy_rate,
    privacy_metrics,
)
from synthohive_lib.validation.quality import TableQuality, table_quality
from synthohive_lib.validation.relations import (
    Relation,
    SchemaDescription,
    coerce_relations,
    describe_schema,
)
from synthohive_lib.validation.report import (
    RelationQuality,
    Report,
    build_report_from_frames,
    relation_quality,
    schema_report,
    schema_table_quality,
)
from synthohive_lib.validation.scoring import scored_columns, unscored_columns
from synthohive_lib.validation.shapes import (
    ColumnShape,
    column_shape,
    ks_complement,
    ks_statistic,
    missing_similarity,
    tv_complement,
)
from synthohive_lib.validation.structure import (
    ChildrenPerParent,
    KeyUniqueness,
    ReferentialIntegrity,
    boundary_adherence,
    category_adherence,
    children_per_parent,
    intertable_trends,
    key_uniqueness,
    referential_integrity,
)
from synthohive_lib.validation.utility import Utility, tstr

__all__ = [
    "BinnedAccuracy",
    "ChildrenPerParent",
    "ColumnShape",
    "CopyRateCheck",
    "KeyUniqueness",
    "Kind",
    "PairTrend",
    "Privacy",
    "ReferentialIntegrity",
    "Relation",
    "RelationQuality",
    "Report",
    "SchemaDescription",
    "TableQuality",
    "Utility",
    "binned_accuracy",
    "boundary_adherence",
    "build_report_from_frames",
    "category_adherence",
    "check_copy_rate",
    "check_quality_gate",
    "check_report_gate",
    "children_per_parent",
    "coerce_relations",
    "column_shape",
    "contingency_similarity",
    "correlation_similarity",
    "describe_schema",
    "exact_copy_rate",
    "infer_kind",
    "intertable_trends",
    "key_uniqueness",
    "ks_complement",
    "ks_statistic",
    "missing_similarity",
    "natural_copy_rate",
    "pair_trends",
    "pairwise_correlation",
    "privacy_metrics",
    "raise_if_failing",
    "referential_integrity",
    "relation_quality",
    "resolve_kinds",
    "schema_report",
    "schema_table_quality",
    "scored_columns",
    "table_quality",
    "tstr",
    "tv_complement",
    "unscored_columns",
]
