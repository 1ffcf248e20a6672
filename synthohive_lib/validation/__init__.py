"""Validation: fidelity, structure, privacy and utility metrics, a JSON/HTML report and gates.

One metrics module for every consumer (report, Dagster checks, quality gate, benchmarks).
Start with :func:`table_quality` for one table, :func:`schema_report` for a whole schema
(:func:`synthohive_lib.project.report.build_report_from_frames` adds the schema, the PII leak
scan and the verdict on top), and :func:`check_quality_gate` to refuse
bad synthetic data. :func:`scored_columns` decides which columns are scored (replaced PII is
not) for every consumer. See ``docs/validation.md`` for the metric definitions.
"""

from synthohive_lib.validation.binned import BinnedAccuracy, binned_accuracy
from synthohive_lib.validation.gate import check_quality_gate, check_report_gate, raise_if_failing
from synthohive_lib.validation.holdout import DEFAULT_HOLDOUT, holdout_mask, split_holdout
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
    PrivacyTest,
    check_copy_rate,
    exact_copy_rate,
    natural_copy_rate,
    privacy_metrics,
    privacy_tests,
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
    relation_quality,
    schema_report,
    schema_table_quality,
)
from synthohive_lib.validation.scoring import copy_columns, scored_columns, unscored_columns
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
from synthohive_lib.validation.verdict import (
    GateResult,
    GateThresholds,
    TableState,
    TableStatus,
    Verdict,
    fidelity_gate,
    integrity_gate,
    key_gate,
    leak_gate,
    privacy_gate,
)

__all__ = [
    "DEFAULT_HOLDOUT",
    "BinnedAccuracy",
    "ChildrenPerParent",
    "ColumnShape",
    "CopyRateCheck",
    "GateResult",
    "GateThresholds",
    "KeyUniqueness",
    "Kind",
    "PairTrend",
    "Privacy",
    "PrivacyTest",
    "ReferentialIntegrity",
    "Relation",
    "RelationQuality",
    "Report",
    "SchemaDescription",
    "TableQuality",
    "TableState",
    "TableStatus",
    "Utility",
    "Verdict",
    "binned_accuracy",
    "boundary_adherence",
    "category_adherence",
    "check_copy_rate",
    "check_quality_gate",
    "check_report_gate",
    "children_per_parent",
    "coerce_relations",
    "column_shape",
    "contingency_similarity",
    "copy_columns",
    "correlation_similarity",
    "describe_schema",
    "exact_copy_rate",
    "fidelity_gate",
    "holdout_mask",
    "infer_kind",
    "integrity_gate",
    "intertable_trends",
    "key_gate",
    "key_uniqueness",
    "ks_complement",
    "ks_statistic",
    "leak_gate",
    "missing_similarity",
    "natural_copy_rate",
    "pair_trends",
    "pairwise_correlation",
    "privacy_gate",
    "privacy_metrics",
    "privacy_tests",
    "raise_if_failing",
    "referential_integrity",
    "relation_quality",
    "resolve_kinds",
    "schema_report",
    "schema_table_quality",
    "scored_columns",
    "split_holdout",
    "table_quality",
    "tstr",
    "tv_complement",
    "unscored_columns",
]
