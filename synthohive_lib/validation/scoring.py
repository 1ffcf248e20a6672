"""Which columns are scored for fidelity: one decision for the report, the checks and the gates.

A PII column whose values the privacy layer replaces (``fake``, ``mask``, ``hash``) or removes
(``drop``) never reaches a model: its synthetic values are made by the privacy layer, on
purpose *unlike* the real ones. Comparing them with the real values measures the replacement,
not the generator, and pulls the fidelity of PII-heavy tables down for no fault of the model
(Chinook's ``Invoice`` scored 0.34 with its three faked billing columns compared). So those
columns are left out of column shapes, pair trends, binned accuracy, adherence, the privacy
distances and TSTR, and are *listed* instead as "not scored: PII replaced by <action>".

They are not left out of the PII leak scan (:func:`synthohive_lib.privacy.scan_for_leaks`),
which reads every synthetic column: once a column is not scored, the scan is what would notice
real values copied into it.

``keep`` is the explicit opt-out: the column is model input like any other, so it is scored
(its plots still show placeholder labels, never real values). Key columns are never replaced
(the relational layer regenerates them), so a key marked ``pii`` stays in the frame for the
key and referential-integrity checks, where it is an ``id`` column, not a distribution.

The rule itself lives on the schema (``Column.is_replaced_pii``, ``Table.replaced_pii_columns``),
where :func:`synthohive_lib.relational.plan.private_columns`, the model side, reads it too.
"""

from __future__ import annotations

from synthohive_lib.schema.model import PiiAction, Table


def unscored_columns(table: Table) -> dict[str, str]:
    """Columns of ``table`` not scored for fidelity, each with the PII action that replaces it.

    In table order: the schema's :attr:`~synthohive_lib.schema.model.Table.replaced_pii_columns`,
    the same columns the relational layer keeps away from the model. Keys and ``keep`` columns
    are never in it; no action means ``fake``, the privacy layer's default.
    """
    return {c.name: (c.pii_action or PiiAction.FAKE).value for c in table.replaced_pii_columns}


def scored_columns(table: Table) -> list[str]:
    """Columns of ``table`` scored for fidelity (all but :func:`unscored_columns`), in order.

    What the pipeline reads for its validation assets and fidelity gates; the report reaches
    the same set through :func:`~synthohive_lib.validation.relations.describe_schema`.
    """
    skip = unscored_columns(table)
    return [c.name for c in table.columns if c.name not in skip]


def not_scored_reason(action: str) -> str:
    """The label a not-scored column carries in the report, e.g. ``PII replaced by fake``."""
    return f"PII replaced by {action}"


def copy_columns(table: Table) -> list[str]:
    """Columns exact copies are judged on: every column but keys and replaced PII, in order.

    The same set for the ``privacy_gate`` check, the report's exact-copy figure and its
    natural-copy baseline, so the three can never show different numbers. It equals the
    model's ``relational.plan.attribute_columns`` (what the generator learns).
    """
    keys = table.key_columns
    return [c.name for c in table.columns if c.name not in keys and not c.is_replaced_pii]
