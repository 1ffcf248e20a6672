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

The functions are duck typed on ``synthohive_lib.schema.Table`` (``columns`` with ``name``,
``pii``, ``pii_action``; optional ``primary_key`` and ``foreign_keys``) like the rest of the
package, and mirror :func:`synthohive_lib.relational.plan.private_columns`, the model side's
rule (a test asserts the two agree on the bundled schema).
"""

from __future__ import annotations

from typing import Any

#: Actions after which the synthetic values are not the model's: such columns are not scored.
REPLACING_ACTIONS: frozenset[str] = frozenset({"fake", "mask", "hash", "drop"})


def _action(column: Any) -> str:
    """A PII column's action as text; no action means ``fake``, the privacy layer's default."""
    action = getattr(column, "pii_action", None)
    if action is None:
        return "fake"
    return str(getattr(action, "value", action)).lower()


def _key_columns(table: Any) -> set[str]:
    keys = {str(c) for c in getattr(table, "primary_key", None) or ()}
    for fk in getattr(table, "foreign_keys", None) or ():
        keys.update(str(c) for c in fk.columns)
    return keys


def unscored_columns(table: Any) -> dict[str, str]:
    """Columns of ``table`` not scored for fidelity, each with the PII action that replaces it.

    In table order. Keys and ``keep`` columns are never in it; every other column with
    ``pii`` set is (an unknown action counts as replacing: scoring a column the privacy layer
    may have rewritten would be the very error this rule prevents).
    """
    keys = _key_columns(table)
    out: dict[str, str] = {}
    for col in getattr(table, "columns", None) or ():
        if getattr(col, "pii", None) is None or col.name in keys:
            continue
        action = _action(col)
        if action != "keep":
            out[col.name] = action
    return out


def scored_columns(table: Any) -> list[str]:
    """Columns of ``table`` scored for fidelity (all but :func:`unscored_columns`), in order.

    What the pipeline reads for its validation assets and fidelity gates; the report reaches
    the same set through :func:`~synthohive_lib.validation.relations.describe_schema`.
    """
    skip = unscored_columns(table)
    return [c.name for c in getattr(table, "columns", None) or () if c.name not in skip]


def not_scored_reason(action: str) -> str:
    """The label a not-scored column carries in the report, e.g. ``PII replaced by fake``."""
    return f"PII replaced by {action}"
