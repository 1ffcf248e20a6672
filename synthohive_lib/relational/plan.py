"""What the relational layer learns about one table, apart from its generative model.

:class:`TablePlan` gathers, for one table, everything that decides *how many* rows it gets
and *which keys* they carry: the context parent that drives generation and its cardinality,
the cardinality of every other parent (secondary foreign keys), the hierarchy of a
self-reference, the pair model of a link table, the primary-key plan, and which columns the
generative model makes (attributes) or receives (parent context). It is plain data, saved as
JSON, so the Dagster layer can store it beside the model artifact of the table.

Choosing the context parent
    A child with several parents (``Track`` → Album, Genre, MediaType; ``InvoiceLine`` →
    Invoice, Track) is generated *under* one of them: its count per parent comes from that
    parent's cardinality and its attributes are conditioned on that parent's row. The others
    are assigned afterwards so that their own children-per-parent distributions match. Unless
    the caller names it, the context parent is, in order of preference: the parent whose
    foreign key is part of the child's primary key (``OrderLine(OrderId, LineNo)``); the one
    whose real parents nearly all have children (an invoice always has lines, most tracks were
    never sold); the one with the most rows (an album is finer than a genre).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational._frames import children_per_parent, locate
from synthohive_lib.relational.affinity import ParentAffinity
from synthohive_lib.relational.cardinality import CardinalityModel
from synthohive_lib.relational.constants import ConstantColumn, detect_constants
from synthohive_lib.relational.hierarchy import HierarchyModel
from synthohive_lib.relational.inherit import InheritedColumn, detect_inherited
from synthohive_lib.relational.junction import JunctionModel
from synthohive_lib.relational.keys import PrimaryKeyPlan
from synthohive_lib.schema.graph import Relation, SchemaGraph, split_context_ref
from synthohive_lib.schema.model import Column, ColumnType, Schema, Table

#: Column types a parent may pass to its children's model as context (no ids, no free text).
CONTEXT_TYPES = frozenset(
    {
        ColumnType.INTEGER,
        ColumnType.FLOAT,
        ColumnType.CATEGORICAL,
        ColumnType.BOOLEAN,
        ColumnType.DATETIME,
    }
)

#: Column types that may say how high a row sits in a hierarchy (``Title``, a grade, a salary):
#: values that repeat across rows, so a real value seen in training means the same when the
#: model generates it (free text and exact dates would only be memorised).
HIERARCHY_TYPES = frozenset(
    {ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.CATEGORICAL, ColumnType.BOOLEAN}
)


def key_columns(table: Table) -> set[str]:
    """Primary- and foreign-key columns: produced by the relational layer, not the model."""
    return table.key_columns


def is_private(column: Column) -> bool:
    """PII that the privacy layer handles: it never reaches a model (``keep`` opts out)."""
    return column.is_replaced_pii


def private_columns(table: Table) -> list[str]:
    """PII columns of ``table`` that are not keys, in table order."""
    return [c.name for c in table.replaced_pii_columns]


def attribute_columns(table: Table) -> list[str]:
    """Columns the generative model learns: everything but keys and PII, in table order."""
    keys = key_columns(table)
    return [c.name for c in table.columns if c.name not in keys and not is_private(c)]


def model_columns(table: Table, keys: PrimaryKeyPlan) -> list[str]:
    """The attributes plus the meaningful columns of a composite key (a year, a date part,
    a stint; :func:`~synthohive_lib.relational.keys.meaningful_key_columns`), in table
    order: the model makes them, so they keep their real distribution."""
    attrs = set(attribute_columns(table)) | set(keys.modelled)
    return [c.name for c in table.columns if c.name in attrs]


def default_context_columns(parent: Table) -> list[str]:
    """Parent columns handed to a child model as context: typed attributes, no PII."""
    keys = key_columns(parent)
    return [
        c.name
        for c in parent.columns
        if c.name not in keys and not is_private(c) and c.type in CONTEXT_TYPES
    ]


def choose_context_relation(
    schema: Schema, table: str, tables: Mapping[str, pd.DataFrame]
) -> Relation | None:
    """The relation a child is generated under (see the module docstring for the rule)."""
    relations = SchemaGraph(schema).relations_of(table)
    if not relations:
        return None
    # a foreign key inside a wider one (flights.origin inside origin, year, month, day, hour)
    # takes its values from the wider one, so it cannot drive the child
    relations = [r for r in relations if not covered(r, relations)] or relations
    pk = set(schema.table(table).primary_key)

    def score(rel: Relation) -> tuple[bool, float, int]:
        parent = tables[rel.parent]
        counts = children_per_parent(
            parent, rel.parent_columns, tables[table], rel.child_columns, table=rel.parent
        )
        coverage = float((counts > 0).mean()) if len(counts) else 0.0
        return set(rel.child_columns) <= pk, round(coverage, 1), len(parent)

    return max(relations, key=score)


def covered(relation: Relation, relations: Sequence[Relation]) -> bool:
    """True when another relation's foreign-key columns include all of ``relation``'s.

    ``flights.origin -> airports`` inside ``flights(origin, year, month, day, hour) ->
    weather``: dealing both would let one overwrite the other's ``origin`` and break it.
    The wider key alone is dealt; the narrower resolves through it when the wider parent's
    columns reference the same parent (``weather.origin -> airports``).
    """
    cols = set(relation.child_columns)
    return any(
        other != relation
        and cols <= set(other.child_columns)
        and (len(other.child_columns) > len(cols) or other.parent < relation.parent)
        for other in relations
    )


def dealt_secondary(plan: TablePlan) -> list[int]:
    """Positions in ``plan.secondary`` of the relations generation deals by slots: all but
    those covered by the context relation or by another secondary (see :func:`covered`)."""
    relations = [m.relation_ for m in plan.secondary]
    if plan.context is not None:
        relations.append(plan.context)
    return [
        i for i, rel in enumerate(relations[: len(plan.secondary)]) if not covered(rel, relations)
    ]


def group_column(parent: Table, parent_df: pd.DataFrame, max_groups: int = 50) -> str | None:
    """The parent's label that best sorts children into kinds: its categorical column (no
    key, no PII) with the most distinct values, up to ``max_groups``; None without one."""
    keys = key_columns(parent)
    candidates = [
        (int(parent_df[c.name].nunique()), c.name)
        for c in parent.columns
        if c.type is ColumnType.CATEGORICAL
        and not is_private(c)
        and c.name not in keys
        and c.name in parent_df.columns
    ]
    usable = [(n, name) for n, name in candidates if 1 < n <= max_groups]
    return max(usable)[1] if usable else None


def lookup_label(parent: Table, parent_df: pd.DataFrame) -> str | None:
    """The label of a lookup parent (``Genre.Name``), whose values nearly name its rows: the
    children-per-parent counts are then kept per label. None for other parents."""
    label = group_column(parent, parent_df)
    if label is None or len(parent_df) == 0:
        return None
    return label if parent_df[label].nunique() >= 0.5 * len(parent_df) else None


#: Column types whose few values may group a secondary parent's rows (``Track.UnitPrice``).
NUMERIC_GROUP_TYPES = frozenset({ColumnType.INTEGER, ColumnType.FLOAT})


def group_candidates(
    parent: Table, parent_df: pd.DataFrame, max_groups: int = 50
) -> list[tuple[str, bool]]:
    """``(column, numeric)`` of the parent columns that may group its rows for an affinity:
    categories and numbers with 2 … ``max_groups`` distinct values (no key, no PII)."""
    keys = key_columns(parent)
    out = []
    for c in parent.columns:
        if c.name in keys or is_private(c) or c.name not in parent_df.columns:
            continue
        numeric = c.type in NUMERIC_GROUP_TYPES
        if (c.type is ColumnType.CATEGORICAL or numeric) and 1 < int(
            parent_df[c.name].nunique()
        ) <= max_groups:
            out.append((c.name, numeric))
    return out


def _fit_affinity(
    schema: Schema,
    child: Table,
    child_df: pd.DataFrame,
    parent_df: pd.DataFrame,
    relation: Relation,
) -> ParentAffinity | None:
    """The secondary relation's affinity, when the parent has a column to group by and the
    child has attributes to learn it from.

    With several candidate columns (a label, a few-valued price), the one the child's
    attributes explain best on the real linked rows wins (:meth:`ParentAffinity.information`),
    so a 1.99 line is dealt to a 1.99 track rather than to a track of the "right" genre only;
    ties keep the categorical label with the most values (the rule before numeric groups).
    """
    attrs = attribute_columns(child)
    candidates = group_candidates(schema.table(relation.parent), parent_df)
    if not candidates or not attrs:
        return None
    exclude = tuple(c for c in child_df.columns if c not in attrs)
    fitted = [
        ParentAffinity(name, exclude=exclude, numeric=numeric).fit(child_df, parent_df, relation)
        for name, numeric in candidates
    ]
    if len(fitted) == 1:
        return fitted[0]

    def score(model: ParentAffinity) -> tuple[float, bool, int]:
        info = round(model.information(child_df, parent_df), 3)
        return info, not model.numeric, len(model.groups_)

    return max(fitted, key=score)


def _detect_inherited(
    schema: Schema,
    child: Table,
    child_df: pd.DataFrame,
    attributes: Sequence[str],
    parent_df: pd.DataFrame,
    relation: Relation,
) -> list[InheritedColumn]:
    """Child attributes that repeat a (non-key, non-PII) column of a secondary parent."""
    parent = schema.table(relation.parent)
    keys = key_columns(parent)
    columns = [c.name for c in parent.columns if c.name not in keys and not is_private(c)]
    return detect_inherited(child_df, attributes, parent_df, columns, relation)


@dataclass
class TablePlan:
    """The fitted relational state of one table (see the module docstring)."""

    table: str
    n_rows: int
    keys: PrimaryKeyPlan
    attributes: list[str]
    pii: list[str]
    context: Relation | None = None
    context_columns: list[str] = field(default_factory=list)
    cardinality: CardinalityModel | None = None
    secondary: list[CardinalityModel] = field(default_factory=list)
    affinities: list[ParentAffinity | None] = field(default_factory=list)
    hierarchies: list[HierarchyModel] = field(default_factory=list)
    junction: JunctionModel | None = None
    constants: list[ConstantColumn] = field(default_factory=list)
    context_categories: dict[str, list[Any]] = field(default_factory=dict)
    inherited: list[InheritedColumn] = field(default_factory=list)
    context_nullable: list[str] = field(default_factory=list)

    @classmethod
    def fit(
        cls,
        schema: Schema,
        table_name: str,
        tables: Mapping[str, pd.DataFrame],
        *,
        context_parent: str | None = None,
        cardinality_params: Mapping[str, Any] | None = None,
        context_columns: Sequence[str] | None = None,
    ) -> TablePlan:
        """Learn the relational state of ``table_name`` from real, validated frames.

        ``context_columns`` (``"Parent.Column"`` or bare column names of the context parent,
        e.g. from the project config) replace the default context: they must all name one
        parent, which then becomes the context parent; PII columns are refused
        (:func:`synthohive_lib.privacy.check_context_columns`). Constant and all-NULL
        columns are never modelled (:mod:`~synthohive_lib.relational.constants`).
        """
        graph = SchemaGraph(schema)
        table = schema.table(table_name)
        data = tables[table_name]
        params = dict(cardinality_params or {})
        relations = graph.relations_of(table_name)
        _check_columns(table, data)
        keys = PrimaryKeyPlan.fit(table, data)
        modelled = model_columns(table, keys)
        constants = detect_constants(data, modelled)
        constant_names = {c.name for c in constants}
        plan = cls(
            table=table_name,
            n_rows=len(data),
            keys=keys,
            attributes=[c for c in modelled if c not in constant_names],
            pii=private_columns(table),
            constants=constants,
        )
        configured = None
        if context_columns:
            context_parent, configured = resolve_context_columns(
                schema, table_name, context_columns, context_parent
            )
        missing = sorted({r.parent for r in relations} - set(tables))
        if missing:
            raise ConfigError(
                f"parent tables {missing} are needed to learn {table_name!r}",
                table=table_name,
                fix="pass every parent table's real rows along with the child",
            )

        def card(rel: Relation) -> CardinalityModel:
            parent = schema.table(rel.parent)
            exclude = tuple(sorted(key_columns(parent) | set(private_columns(parent))))
            label = lookup_label(parent, tables[rel.parent])
            defaults = {"exclude": exclude, "label_column": label}
            return CardinalityModel(**{**defaults, **params}).fit(tables[rel.parent], data, rel)

        if table_name in graph.junction_tables() and len(relations) == 2:
            left, right = relations
            plan.junction = JunctionModel(**params)
            plan.junction.left_, plan.junction.right_ = card(left), card(right)
            plan.context = left
        elif relations:
            if context_parent is not None:
                chosen = [r for r in relations if r.parent == context_parent]
                if not chosen:
                    raise ConfigError(
                        f"{context_parent!r} is not a parent of {table_name!r}",
                        table=table_name,
                        fix=f"choose one of {sorted({r.parent for r in relations})}",
                    )
                plan.context = chosen[0]
            else:
                plan.context = choose_context_relation(schema, table_name, tables)
            assert plan.context is not None
            plan.cardinality = card(plan.context)
            plan.secondary = [card(r) for r in relations if r != plan.context]
            plan.affinities = [
                _fit_affinity(schema, table, data, tables[m.relation_.parent], m.relation_)
                for m in plan.secondary
            ]
            plan.inherited = [
                found
                for m in plan.secondary
                for found in _detect_inherited(
                    schema, table, data, plan.attributes, tables[m.relation_.parent], m.relation_
                )
            ]
        if plan.context is not None and plan.attributes:
            parent_df = tables[plan.context.parent]
            chosen = (
                configured
                if configured is not None
                else default_context_columns(schema.table(plan.context.parent))
            )
            dead = {c.name for c in detect_constants(parent_df, chosen)}
            plan.context_columns = [c for c in chosen if c not in dead]
            plan.context_nullable = nullable_context_columns(
                schema.table(plan.context.parent), parent_df, plan.context_columns
            )
            plan.context_categories = seen_categories(
                schema.table(plan.context.parent),
                parent_df,
                plan.context,
                data,
                plan.context_columns,
            )
        level_attributes = tuple(
            c for c in plan.attributes if table.column(c).type in HIERARCHY_TYPES
        )
        plan.hierarchies = [
            HierarchyModel(attributes=level_attributes, label=group_column(table, data)).fit(
                data, r
            )
            for r in graph.self_relations
            if r.child == table_name
        ]
        return plan

    def parent_columns_needed(self) -> dict[str, set[str]]:
        """Columns of each parent's synthetic rows this table reads while being generated."""
        needed: dict[str, set[str]] = {}
        models = [self.cardinality, *self.secondary]
        if self.junction is not None:
            models += [self.junction.left_, self.junction.right_]
        for model in models:
            if model is None:
                continue
            rel = model.relation_
            cols = needed.setdefault(rel.parent, set())
            cols |= set(rel.parent_columns) | {s.name for s in model.encoder_.specs_}
        if self.context is not None:
            needed.setdefault(self.context.parent, set()).update(self.context_columns)
        for affinity in self.affinities:
            if affinity is not None:
                needed[affinity.relation_.parent].add(affinity.group_column)
        for inherited in self.inherited:
            needed.setdefault(inherited.relation.parent, set()).add(inherited.parent_column)
        return needed

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        ctx = self.context
        return {
            "table": self.table,
            "n_rows": self.n_rows,
            "keys": self.keys.to_dict(),
            "attributes": self.attributes,
            "pii": self.pii,
            "context": None
            if ctx is None
            else [ctx.parent, ctx.child, list(ctx.child_columns), list(ctx.parent_columns)],
            "context_columns": self.context_columns,
            "cardinality": None if self.cardinality is None else self.cardinality.to_dict(),
            "secondary": [m.to_dict() for m in self.secondary],
            "affinities": [None if a is None else a.to_dict() for a in self.affinities],
            "hierarchies": [h.to_dict() for h in self.hierarchies],
            "junction": None if self.junction is None else self.junction.to_dict(),
            "constants": [c.to_dict() for c in self.constants],
            "context_categories": self.context_categories,
            "inherited": [i.to_dict() for i in self.inherited],
            "context_nullable": self.context_nullable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TablePlan:
        ctx = data["context"]
        return cls(
            table=data["table"],
            n_rows=int(data["n_rows"]),
            keys=PrimaryKeyPlan.from_dict(data["keys"]),
            attributes=list(data["attributes"]),
            pii=list(data["pii"]),
            context=None if ctx is None else Relation(ctx[0], ctx[1], tuple(ctx[2]), tuple(ctx[3])),
            context_columns=list(data["context_columns"]),
            cardinality=None
            if data["cardinality"] is None
            else CardinalityModel.from_dict(data["cardinality"]),
            secondary=[CardinalityModel.from_dict(m) for m in data["secondary"]],
            affinities=[
                None if a is None else ParentAffinity.from_dict(a) for a in data["affinities"]
            ],
            hierarchies=[HierarchyModel.from_dict(h) for h in data["hierarchies"]],
            junction=None
            if data["junction"] is None
            else JunctionModel.from_dict(data["junction"]),
            constants=[ConstantColumn.from_dict(c) for c in data.get("constants", [])],
            context_categories={k: list(v) for k, v in data.get("context_categories", {}).items()},
            # plans saved before inherited columns have none
            inherited=[InheritedColumn.from_dict(i) for i in data.get("inherited", [])],
            # plans saved before null-aware context train their models as before
            context_nullable=list(data.get("context_nullable", [])),
        )


def _check_columns(table: Table, data: pd.DataFrame) -> None:
    """Every key and attribute column must be in the data: a missing foreign key would
    otherwise count every child as orphaned, a missing attribute fail deep in the model."""
    needed = key_columns(table) | set(attribute_columns(table))
    missing = [c for c in table.column_names if c in needed and c not in data.columns]
    if missing:
        raise ConfigError(
            f"columns {missing} of {table.name!r} are missing from its data",
            table=table.name,
            column=missing[0],
            fix="read the table with every column the schema declares, or fix the schema",
        )


def resolve_context_columns(
    schema: Schema, table: str, refs: Sequence[str], context_parent: str | None
) -> tuple[str, list[str]]:
    """(context parent, its columns) named by configured ``refs`` (``"Parent.Column"``, or a
    bare column of ``context_parent``); PII and non-attribute columns are refused."""
    from synthohive_lib.privacy import check_context_columns  # lazy: privacy pulls in Faker

    parents = {r.parent for r in SchemaGraph(schema).relations_of(table)}
    named: dict[str, list[str]] = {}
    for ref in refs:
        owner, column = split_context_ref(ref, parents)
        parent = owner or context_parent or ""
        if parent not in parents:
            raise ConfigError(
                f"context column {ref!r} does not name a parent of {table!r}",
                table=table,
                fix=f"write it as <Parent>.<column> with a parent among {sorted(parents)}",
            )
        named.setdefault(parent, []).append(column)
    if len(named) != 1 or (context_parent is not None and context_parent not in named):
        raise ConfigError(
            f"context columns of {table!r} must name one parent, got {sorted(named)}",
            table=table,
            fix="condition a table on the columns of a single parent",
        )
    parent, columns = next(iter(named.items()))
    check_context_columns(schema, parent, columns)
    ptable = schema.table(parent)
    keys = key_columns(ptable)
    for column in columns:
        if (
            column not in ptable.column_names
            or column in keys
            or ptable.column(column).type not in CONTEXT_TYPES
        ):
            raise ConfigError(
                f"{parent}.{column} cannot be context: only typed attributes (numbers, "
                "categories, booleans, datetimes) of a parent can",
                table=table,
                column=column,
                fix="choose attribute columns of the parent that are not keys or free text",
            )
    return parent, list(dict.fromkeys(columns))


def nullable_context_columns(
    parent: Table, parent_df: pd.DataFrame, columns: Sequence[str]
) -> list[str]:
    """Context columns a synthetic parent may leave NULL: nullable in the parent's schema, or
    NULL somewhere in its real rows. The child's model must learn what NULL means there even
    when no linked parent had one (see ``modelling.training_frames``)."""
    return [
        c
        for c in columns
        if parent.column(c).nullable or (c in parent_df.columns and parent_df[c].isna().any())
    ]


def seen_categories(
    parent: Table,
    parent_df: pd.DataFrame,
    relation: Relation,
    child_df: pd.DataFrame,
    columns: Sequence[str],
) -> dict[str, list[Any]]:
    """Values of each categorical/boolean context column that the child's model is trained
    on (those of parents with at least one child), most frequent first. Generation maps any
    other value of a synthetic parent onto these (see ``generate.align_context``)."""
    if len(child_df) == 0:
        return {}
    pos = locate(
        parent_df, relation.parent_columns, child_df, relation.child_columns, table=relation.child
    )
    linked = parent_df.iloc[pos[pos >= 0]]
    out: dict[str, list[Any]] = {}
    for column in columns:
        if parent.column(column).type in (ColumnType.CATEGORICAL, ColumnType.BOOLEAN):
            counts = linked[column].dropna().value_counts()
            out[column] = [v.item() if hasattr(v, "item") else v for v in counts.index]
    return out
