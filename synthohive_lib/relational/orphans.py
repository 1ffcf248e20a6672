"""Orphan rows in the training data: apply each foreign key's ``on_orphan`` policy.

A source database without enforced constraints can hold child rows whose reference points at
no parent. Training on them would teach the cardinality models counts that the synthetic
database cannot reproduce (synthetic references always resolve), so before fitting, every
relation applies the policy declared in the schema (:class:`~synthohive_lib.schema.OrphanPolicy`):

* ``raise`` — stop with an error naming the table, the columns and how many rows;
* ``drop``  — remove the orphan rows;
* ``null``  — set their reference to NULL (the row is kept, without a parent).

:func:`apply_orphan_policies` walks the tables parents-first, so rows dropped from a parent
can in turn orphan (and be handled in) its children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthohive_lib.errors import SchemaIssue, SchemaValidationError
from synthohive_lib.relational._frames import locate, null_key_mask
from synthohive_lib.schema.graph import Relation, SchemaGraph
from synthohive_lib.schema.model import OrphanPolicy, Schema


@dataclass(frozen=True)
class OrphanReport:
    """What one relation's policy did: how many orphans it found and what became of them."""

    relation: Relation
    policy: OrphanPolicy
    orphans: int


def orphan_mask(parent_df: pd.DataFrame, child_df: pd.DataFrame, relation: Relation) -> np.ndarray:
    """True for child rows with a non-NULL reference that matches no parent row."""
    pos = locate(
        parent_df, relation.parent_columns, child_df, relation.child_columns,
        table=relation.parent,
    )
    return (pos < 0) & ~null_key_mask(child_df, relation.child_columns)


def apply_orphan_policy(
    parent_df: pd.DataFrame,
    child_df: pd.DataFrame,
    relation: Relation,
    policy: OrphanPolicy | str = OrphanPolicy.RAISE,
) -> tuple[pd.DataFrame, OrphanReport]:
    """``child_df`` with the orphans of ``relation`` handled per ``policy`` (input untouched)."""
    policy = OrphanPolicy(policy)
    mask = orphan_mask(parent_df, child_df, relation)
    report = OrphanReport(relation, policy, int(mask.sum()))
    if not mask.any():
        return child_df, report
    if policy is OrphanPolicy.RAISE:
        raise SchemaValidationError([_issue(relation, report.orphans, child_df, mask)])
    if policy is OrphanPolicy.DROP:
        return child_df.loc[~mask].reset_index(drop=True), report
    out = child_df.copy()
    for col in relation.child_columns:
        if pd.api.types.is_integer_dtype(out[col]):
            out[col] = out[col].astype("Int64")
        out.loc[mask, col] = None
    return out, report


def apply_orphan_policies(
    schema: Schema, tables: dict[str, pd.DataFrame]
) -> tuple[dict[str, pd.DataFrame], list[OrphanReport]]:
    """Every foreign key's policy applied, parents first; ``raise`` orphans collected.

    Relations whose parent or child frame is absent from ``tables`` are skipped. All
    ``raise`` violations are reported together in one :class:`SchemaValidationError`.
    """
    graph = SchemaGraph(schema)
    out = dict(tables)
    reports: list[OrphanReport] = []
    issues: list[SchemaIssue] = []
    for table_name in graph.generation_order():
        if table_name not in out:
            continue
        table = schema.table(table_name)
        for fk in table.foreign_keys:
            rel = Relation.from_fk(table_name, fk)
            if rel.parent not in out:
                continue
            try:
                out[table_name], report = apply_orphan_policy(
                    out[rel.parent], out[table_name], rel, fk.on_orphan
                )
            except SchemaValidationError as exc:
                issues.extend(exc.issues)
                continue
            reports.append(report)
    if issues:
        raise SchemaValidationError(issues)
    return out, reports


def _issue(relation: Relation, count: int, child_df: pd.DataFrame, mask: np.ndarray) -> SchemaIssue:
    examples = child_df.loc[mask, list(relation.child_columns)].head(3).to_dict("records")
    return SchemaIssue(
        code="orphan_rows",
        table=relation.child,
        column=", ".join(relation.child_columns),
        message=f"{count} row(s) reference no row of {relation.parent}"
        f"({', '.join(relation.parent_columns)}), e.g. {examples}",
        fix="fix the source data, or set on_orphan: drop / null on this foreign key in "
        "schema.yaml",
    )
