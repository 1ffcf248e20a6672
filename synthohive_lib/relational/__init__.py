"""Relational synthesis: children per parent, keys, hierarchies, many-to-many links.

The model-independent half of whole-schema generation: everything that decides *how many*
rows a table gets under each parent and *which keys* they carry, so that every foreign key of
the synthetic database resolves and its shape (children per parent, depth of a hierarchy,
per-side counts of a link table) follows the real one. See ``docs/relational.md``.
"""

from synthohive_lib.relational.affinity import ParentAffinity, assign_groups, deal_slots
from synthohive_lib.relational.artifact import (
    TableArtifact,
    load_table_artifact,
    save_table_artifact,
)
from synthohive_lib.relational.attributes import align_context, sample_attributes
from synthohive_lib.relational.cardinality import CardinalityModel, rescale_counts
from synthohive_lib.relational.constants import ConstantColumn, detect_constants
from synthohive_lib.relational.context import ContextEncoder
from synthohive_lib.relational.generate import RelationalSynthesizer, generate_table
from synthohive_lib.relational.hierarchy import HierarchyModel, node_depths
from synthohive_lib.relational.junction import JunctionModel, match_degrees, sample_pairs
from synthohive_lib.relational.keys import (
    GenericStringKey,
    IntegerSequenceKey,
    KeyFormat,
    PatternKey,
    PrimaryKeyPlan,
    UuidKey,
    assign_by_slots,
    detect_key_format,
    expand_parent_keys,
    key_format_from_dict,
)
from synthohive_lib.relational.modelling import (
    MODEL_KINDS,
    ModelRequest,
    context_rows,
    ctgan_factory,
    is_text_only,
    model_factory,
    model_request,
    training_frames,
)
from synthohive_lib.relational.plan import TablePlan, choose_context_relation
from synthohive_lib.relational.specs import column_spec, column_specs

__all__ = [
    "MODEL_KINDS",
    "CardinalityModel",
    "ConstantColumn",
    "ContextEncoder",
    "GenericStringKey",
    "HierarchyModel",
    "IntegerSequenceKey",
    "JunctionModel",
    "KeyFormat",
    "ModelRequest",
    "ParentAffinity",
    "PatternKey",
    "PrimaryKeyPlan",
    "RelationalSynthesizer",
    "TableArtifact",
    "TablePlan",
    "UuidKey",
    "align_context",
    "assign_by_slots",
    "assign_groups",
    "choose_context_relation",
    "column_spec",
    "column_specs",
    "context_rows",
    "ctgan_factory",
    "deal_slots",
    "detect_constants",
    "detect_key_format",
    "expand_parent_keys",
    "generate_table",
    "is_text_only",
    "key_format_from_dict",
    "load_table_artifact",
    "match_degrees",
    "model_factory",
    "model_request",
    "node_depths",
    "rescale_counts",
    "sample_attributes",
    "sample_pairs",
    "save_table_artifact",
    "training_frames",
]
