"""The schema: its model, the graph of its tables, its structural rules and its YAML file.

Pure: nothing here reads a data source. Inference of a schema from data and the check of a
source against one live in :mod:`synthohive_lib.profile`, above the connectors.
"""

from __future__ import annotations

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
from synthohive_lib.schema.sniff import PiiCandidate
from synthohive_lib.schema.validate import (
    DataReport,
    OrphanCount,
    schema_issues,
    validate_data,
    validate_schema,
)
from synthohive_lib.schema.yaml_io import dump_schema, load_schema, loads_schema, save_schema

__all__ = [
    "Column",
    "ColumnType",
    "DataReport",
    "DuplicateKeyPolicy",
    "ForeignKey",
    "InequalityConstraint",
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
    "load_schema",
    "loads_schema",
    "save_schema",
    "schema_issues",
    "validate_data",
    "validate_schema",
]
