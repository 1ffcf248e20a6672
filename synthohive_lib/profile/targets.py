"""Foreign keys whose target is neither a primary key nor unique, settled at inference.

A database that declares little (SQLite files, exports) or a hinted foreign key can point a
child at parent columns that do not identify one row: ``flights(origin, year, month, day,
hour) -> weather(...)``, where ``weather`` has no declared key and three readings share an
hour at a daylight-saving change. Written as is, such a schema fails ``validate``
(``fk_not_key``) with no obvious next step. :func:`settle_fk_targets` makes it valid, says
what it did and how to undo it:

* the parent has no primary key and the columns hold no null: they become its
  ``primary_key``; if some rows share a value, the table also gets
  ``on_duplicate_key: drop`` (the first row of each key is kept, the others counted);
* otherwise, if no two rows share a value, the columns are declared unique (``unique: true``
  or a ``unique`` constraint);
* otherwise (a real many-to-many reference) the foreign key is left out.

The counts come from the whole referenced columns (``values`` returns them), not a sample.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from synthohive_lib.schema.model import (
    DuplicateKeyPolicy,
    ForeignKey,
    Schema,
    Table,
    UniqueConstraint,
)

#: Reads the whole given columns of a table (None when they cannot be read).
ColumnReader = Callable[[str, list[str]], pd.DataFrame | None]


def is_key_target(parent: Table, columns: list[str]) -> bool:
    """Whether ``columns`` are the parent's primary key or declared unique."""
    wanted = set(columns)
    if wanted == set(parent.primary_key):
        return True
    if any(isinstance(c, UniqueConstraint) and set(c.columns) == wanted
           for c in parent.constraints):  # fmt: skip
        return True
    return len(columns) == 1 and parent.has_column(columns[0]) and parent.column(columns[0]).unique


def _label(child: str, fk: ForeignKey) -> str:
    return (
        f"{child}({', '.join(fk.columns)}) -> {fk.references}({', '.join(fk.referenced_columns)})"
    )


def _replace(schema: Schema, table: Table) -> Schema:
    return schema.model_copy(
        update={"tables": [table if t.name == table.name else t for t in schema.tables]}
    )


def settle_fk_targets(schema: Schema, values: ColumnReader) -> tuple[Schema, list[str]]:
    """``schema`` with every foreign key aimed at a key (see the module docstring), and one
    warning per key it had to settle, each saying what was done and the fix."""
    warnings: list[str] = []
    for child_name, fk in list(schema.foreign_keys):
        if not schema.has_table(fk.references):
            continue
        parent = schema.table(fk.references)
        refs = list(fk.referenced_columns)
        if not all(parent.has_column(c) for c in refs) or is_key_target(parent, refs):
            continue
        data = values(parent.name, refs)
        keys = data[refs] if data is not None else pd.DataFrame(columns=refs)
        complete = keys.notna().all(axis=1)
        shared = int((keys.duplicated(keep=False) & complete).sum())
        extra = int((keys.duplicated(keep="first") & complete).sum())
        label = _label(child_name, fk)
        head = (
            f"{label}: the referenced columns are neither a primary key nor unique in "
            f"{parent.name!r}"
        )
        if not parent.primary_key and bool(complete.all()):
            update: dict[str, object] = {
                "primary_key": refs,
                "columns": [
                    c.model_copy(update={"nullable": False}) if c.name in refs else c
                    for c in parent.columns
                ],
            }
            note = "; made them its primary_key"
            if shared:
                update["on_duplicate_key"] = DuplicateKeyPolicy.DROP
                note += (
                    f" with on_duplicate_key: drop ({shared} rows share {shared - extra} key "
                    f"value(s); the first row of each is kept, {extra} dropped)"
                )
            schema = _replace(schema, parent.model_copy(update=update))
            warnings.append(
                f"{head}{note}. Fix, if that is not its key: remove the foreign key from "
                f"{child_name!r} or point it at the real key of {parent.name!r}"
            )
        elif not shared:
            if len(refs) == 1:
                columns = [
                    c.model_copy(update={"unique": True}) if c.name == refs[0] else c
                    for c in parent.columns
                ]
                parent = parent.model_copy(update={"columns": columns})
            else:
                parent = parent.model_copy(
                    update={"constraints": [*parent.constraints, UniqueConstraint(columns=refs)]}
                )
            schema = _replace(schema, parent)
            warnings.append(
                f"{head}; their values are distinct, so they are declared unique. Fix, if "
                "they may repeat: point the foreign key at the parent's primary key"
            )
        else:
            child = schema.table(child_name)
            kept = [f for f in child.foreign_keys if f is not fk]
            schema = _replace(schema, child.model_copy(update={"foreign_keys": kept}))
            warnings.append(
                f"{head}, and {shared} rows share a value, so a child row could match several "
                "parents: the foreign key is left out. Fix: deduplicate "
                f"{parent.name!r} on ({', '.join(refs)}) and declare them unique (or its "
                f"primary_key with on_duplicate_key: drop), then add the foreign key back"
            )
    return schema, warnings
