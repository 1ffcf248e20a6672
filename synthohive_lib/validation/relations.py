"""Plain descriptions of a relational schema: what the metrics need of it, read once.

The metrics need only three facts about a schema: which tables are linked by which key columns,
which columns are keys, and what kind each column is. :class:`Relation` carries the first; the
adapter :func:`describe_schema` reads all three from any object shaped like
``synthohive_lib.schema.Schema`` (``.tables`` with ``.columns`` and ``.foreign_keys``) by duck
typing, so the metrics, the report and notebooks can hand in a schema or plain relations alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from synthohive_lib.validation.kinds import SCHEMA_TYPE_TO_KIND, Kind
from synthohive_lib.validation.scoring import unscored_columns


@dataclass(frozen=True)
class Relation:
    """``child[fk_columns]`` references ``parent[pk_columns]`` (same length, same order)."""

    parent: str
    child: str
    fk_columns: tuple[str, ...]
    pk_columns: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "fk_columns", _as_tuple(self.fk_columns))
        object.__setattr__(self, "pk_columns", _as_tuple(self.pk_columns))
        if len(self.fk_columns) != len(self.pk_columns) or not self.fk_columns:
            raise ValueError(
                f"relation {self.child}->{self.parent}: fk {self.fk_columns} and pk "
                f"{self.pk_columns} must be non-empty and of equal length"
            )

    @property
    def name(self) -> str:
        """Readable id, e.g. ``Track(AlbumId) -> Album(AlbumId)``."""
        return (
            f"{self.child}({', '.join(self.fk_columns)}) -> "
            f"{self.parent}({', '.join(self.pk_columns)})"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {
            "parent": self.parent,
            "child": self.child,
            "fk_columns": list(self.fk_columns),
            "pk_columns": list(self.pk_columns),
        }


@dataclass(frozen=True)
class SchemaDescription:
    """What validation needs from a schema: relations, key columns and column kinds per table."""

    relations: list[Relation] = field(default_factory=list)
    primary_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kinds: dict[str, dict[str, Kind]] = field(default_factory=dict)
    #: columns declared as personal data (``pii:``), whose real values must not be shown
    pii_columns: dict[str, set[str]] = field(default_factory=dict)
    #: strftime formats of datetime columns stored as text, per table and column
    datetime_formats: dict[str, dict[str, str]] = field(default_factory=dict)
    #: PII columns the privacy layer replaces, per table, with the action that replaces them:
    #: left out of fidelity (see :mod:`synthohive_lib.validation.scoring`), listed instead
    not_scored: dict[str, dict[str, str]] = field(default_factory=dict)

    def id_columns(self, table: str) -> set[str]:
        """Every key column of ``table``: its primary key and the foreign keys it holds."""
        cols = set(self.primary_keys.get(table, ()))
        for rel in self.relations:
            if rel.child == table:
                cols.update(rel.fk_columns)
            if rel.parent == table:
                cols.update(rel.pk_columns)
        return cols


def coerce_relations(relations: Iterable[Relation | Mapping[str, Any]] | None) -> list[Relation]:
    """Accept :class:`Relation` objects or dicts with parent/child/fk_columns/pk_columns keys."""
    out: list[Relation] = []
    for rel in relations or []:
        if isinstance(rel, Relation):
            out.append(rel)
        else:
            out.append(Relation(rel["parent"], rel["child"], rel["fk_columns"], rel["pk_columns"]))
    return out


def describe_schema(schema: Any) -> SchemaDescription:
    """Read relations, primary keys and column kinds from a schema-shaped object (duck typed).

    Expects ``schema.tables`` (a list, or a dict keyed by name) of tables with ``name``,
    ``columns`` (each with ``name``, ``type`` and optionally ``pii``, ``pii_action`` and
    ``datetime_format``),
    optional ``primary_key``
    and ``foreign_keys`` (each with ``columns``, ``references``, ``referenced_columns``).
    """
    tables = schema.tables
    items = list(tables.items()) if isinstance(tables, Mapping) else [(t.name, t) for t in tables]
    desc = SchemaDescription()
    for name, table in items:
        kinds: dict[str, Kind] = {}
        for col in getattr(table, "columns", []) or []:
            ctype = str(getattr(col, "type", "") or "").lower()
            ctype = getattr(getattr(col, "type", None), "value", ctype)  # enums
            if str(ctype).lower() in SCHEMA_TYPE_TO_KIND:
                kinds[col.name] = SCHEMA_TYPE_TO_KIND[str(ctype).lower()]
        desc.kinds[name] = kinds
        formats = {
            col.name: str(col.datetime_format)
            for col in getattr(table, "columns", []) or []
            if getattr(col, "datetime_format", None)
        }
        if formats:
            desc.datetime_formats[name] = formats
        pii = {
            col.name
            for col in getattr(table, "columns", []) or []
            if getattr(col, "pii", None) is not None
        }
        if pii:
            desc.pii_columns[name] = pii
        # The replacement rule is the schema model's; a duck-typed table without it has none.
        replaced = unscored_columns(table) if hasattr(table, "replaced_pii_columns") else {}
        if replaced:
            desc.not_scored[name] = replaced
        pk = getattr(table, "primary_key", None)
        if pk:
            desc.primary_keys[name] = _as_tuple(pk)
        for fk in getattr(table, "foreign_keys", []) or []:
            desc.relations.append(
                Relation(
                    parent=str(fk.references),
                    child=name,
                    fk_columns=_as_tuple(fk.columns),
                    pk_columns=_as_tuple(fk.referenced_columns),
                )
            )
    return desc


def _as_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)
