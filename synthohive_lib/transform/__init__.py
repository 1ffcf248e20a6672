"""Reversible encoding of table columns for generative models (see :class:`DataTransformer`)."""

from synthohive_lib.transform.encoders import Span
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec, infer_column_specs
from synthohive_lib.transform.text import MarkovText
from synthohive_lib.transform.transformer import DataTransformer

__all__ = [
    "ColumnKind",
    "ColumnSpec",
    "DataTransformer",
    "MarkovText",
    "Span",
    "infer_column_specs",
]
