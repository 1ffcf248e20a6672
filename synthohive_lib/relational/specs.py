"""Schema columns as transformer column specs: the schema, not the data, says what a column is.

Left to infer from data, the model would treat a 25-row lookup label (``Genre.Name``: all
values distinct) as free text, or a numeric code as a quantity. The reviewed schema knows
better, so the relational layer hands the model one
:class:`~synthohive_lib.transform.specs.ColumnSpec` per column, built from the schema's
semantic type, nullability, text datetime format, bounds and decimals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from synthohive_lib.schema.model import Column, ColumnType, Table
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec

_KINDS = {
    ColumnType.INTEGER: ColumnKind.INTEGER,
    ColumnType.FLOAT: ColumnKind.CONTINUOUS,
    ColumnType.CATEGORICAL: ColumnKind.CATEGORICAL,
    ColumnType.BOOLEAN: ColumnKind.BOOLEAN,
    ColumnType.DATETIME: ColumnKind.DATETIME,
    ColumnType.TEXT: ColumnKind.TEXT,
}


def column_spec(
    column: Column, *, force_nullable: bool = False, kind: ColumnKind | None = None
) -> ColumnSpec:
    """The spec of one schema column (an ``id`` outside any key is an identifier:
    regenerated in its real format, never copied).

    ``kind`` overrides the schema's: a meaningful column of a composite key is typed ``id``
    in the schema but modelled by what its values are (a year as a category).
    """
    kind = kind or _KINDS.get(column.type)
    if kind is None:  # ColumnType.ID used as an attribute
        kind = ColumnKind.IDENTIFIER
    numeric = kind in (ColumnKind.INTEGER, ColumnKind.CONTINUOUS)
    return ColumnSpec(
        name=column.name,
        kind=kind,
        nullable=column.nullable or force_nullable,
        datetime_format=column.datetime_format if kind is ColumnKind.DATETIME else None,
        decimals=column.decimals if kind is ColumnKind.CONTINUOUS else None,
        min=float(column.min) if numeric and isinstance(column.min, int | float) else None,
        max=float(column.max) if numeric and isinstance(column.max, int | float) else None,
        true_value=column.true_value if kind is ColumnKind.BOOLEAN else None,
        false_value=column.false_value if kind is ColumnKind.BOOLEAN else None,
    )


def column_specs(
    table: Table,
    columns: Iterable[str],
    *,
    force_nullable: bool = False,
    kinds: Mapping[str, str] | None = None,
) -> list[ColumnSpec]:
    """Specs of ``columns`` of ``table``, in the given order.

    ``force_nullable`` is for parent context: a child whose reference is NULL sees an
    all-NULL context row. ``kinds`` (column -> kind) overrides the schema's kind.
    """
    kinds = kinds or {}
    return [
        column_spec(
            table.column(c),
            force_nullable=force_nullable,
            kind=ColumnKind(kinds[c]) if c in kinds else None,
        )
        for c in columns
    ]
