"""Schema model, YAML load/save, graph, inference and validation."""

from synthohive_lib.schema.graph import Relation, SchemaGraph
from synthohive_lib.schema.model import (
    Column,
    ColumnType,
    ForeignKey,
    InequalityConstraint,
    OrphanPolicy,
    PiiKind,
    Schema,
    StorageType,
    Table,
    UniqueConstraint,
)
from synthohive_lib.schema.yaml_io import dump_schema, load_schema, loads_schema, save_schema

__all__ = [
    "Column",
    "ColumnType",
    "ForeignKey",
    "InequalityConstraint",
    "OrphanPolicy",
    "PiiKind",
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
]
