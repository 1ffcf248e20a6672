"""Schema model, YAML load/save, graph, inference and validation.

Inference and validation are exported lazily (PEP 562 ``__getattr__``): they use the I/O
layer, whose type helpers import the schema model, so importing them eagerly here would make
``import synthohive_lib.io`` circular.
"""

from __future__ import annotations

import importlib
from typing import Any

from synthohive_lib.schema.graph import Relation, SchemaGraph
from synthohive_lib.schema.model import (
    Column,
    ColumnType,
    DuplicateKeyPolicy,
    ForeignKey,
    InequalityConstraint,
    OrphanPolicy,
    PiiAction,
    PiiKind,
    PiiOptions,
    Schema,
    StorageType,
    Table,
    UniqueConstraint,
)
from synthohive_lib.schema.yaml_io import dump_schema, load_schema, loads_schema, save_schema

__all__ = [
    "Column",
    "ColumnType",
    "DataReport",
    "DuplicateKeyPolicy",
    "ForeignKey",
    "InequalityConstraint",
    "InferenceResult",
    "OrphanCount",
    "OrphanPolicy",
    "PiiAction",
    "PiiCandidate",
    "PiiKind",
    "PiiOptions",
    "Relation",
    "Schema",
    "SchemaGraph",
    "StorageType",
    "Table",
    "UniqueConstraint",
    "dump_schema",
    "infer",
    "infer_from_frames",
    "infer_schema",
    "infer_schema_from_frames",
    "load_schema",
    "loads_schema",
    "save_schema",
    "schema_issues",
    "validate_against_source",
    "validate_data",
    "validate_schema",
]

_LAZY = {
    "InferenceResult": "synthohive_lib.schema.infer",
    "infer": "synthohive_lib.schema.infer",
    "infer_from_frames": "synthohive_lib.schema.infer",
    "infer_schema": "synthohive_lib.schema.infer",
    "infer_schema_from_frames": "synthohive_lib.schema.infer",
    "PiiCandidate": "synthohive_lib.schema.sniff",
    "DataReport": "synthohive_lib.schema.validate",
    "OrphanCount": "synthohive_lib.schema.validate",
    "schema_issues": "synthohive_lib.schema.validate",
    "validate_against_source": "synthohive_lib.schema.validate",
    "validate_data": "synthohive_lib.schema.validate",
    "validate_schema": "synthohive_lib.schema.validate",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
