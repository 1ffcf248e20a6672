"""SchemaGraph: the relational schema as a directed graph of parent → child tables.

Everything that must happen "parents before children" — training with parent context,
generating children after their synthetic parents, the Dagster asset dependencies — takes its
order from here. Self-references (``Employee.ReportsTo → Employee``) are kept aside: they do
not order tables, they shape a hierarchy inside one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from synthohive_lib.errors import SchemaIssue, SchemaValidationError
from synthohive_lib.schema.model import ForeignKey, Schema


@dataclass(frozen=True)
class Relation:
    """One foreign key seen as an edge: ``child.child_columns → parent.parent_columns``."""

    parent: str
    child: str
    child_columns: tuple[str, ...]
    parent_columns: tuple[str, ...]

    @classmethod
    def from_fk(cls, child: str, fk: ForeignKey) -> Relation:
        return cls(fk.references, child, tuple(fk.columns), tuple(fk.referenced_columns))

    def __str__(self) -> str:
        return (
            f"{self.child}({', '.join(self.child_columns)}) -> "
            f"{self.parent}({', '.join(self.parent_columns)})"
        )


class SchemaGraph:
    """Parent → child graph of a :class:`Schema` (one edge per distinct table pair)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.graph = nx.DiGraph()
        self.graph.add_nodes_from(schema.table_names)
        self.relations: list[Relation] = []
        self.self_relations: list[Relation] = []
        for child, fk in schema.foreign_keys:
            rel = Relation.from_fk(child, fk)
            if rel.parent == rel.child:
                self.self_relations.append(rel)
                continue
            self.relations.append(rel)
            if self.graph.has_edge(rel.parent, rel.child):
                self.graph.edges[rel.parent, rel.child]["relations"].append(rel)
            elif rel.parent in self.graph:
                self.graph.add_edge(rel.parent, rel.child, relations=[rel])

    # ------------------------------------------------------------------ structure
    def cycles(self) -> list[list[str]]:
        """Cycles between different tables (self-references excluded), each as a table list."""
        return [sorted(c) for c in nx.simple_cycles(self.graph)]

    def check_acyclic(self) -> None:
        """Raise a :class:`SchemaValidationError` naming every cycle other than self-references."""
        issues = [
            SchemaIssue(
                code="cycle",
                table=cycle[0],
                message=f"foreign keys form a cycle between tables {' -> '.join(cycle)}",
                fix="declare one foreign key of the cycle as nullable and drop it from the schema, "
                "or model it as a self-reference; only self-references may loop",
            )
            for cycle in self.cycles()
        ]
        if issues:
            raise SchemaValidationError(issues)

    def generation_order(self) -> list[str]:
        """Tables in an order where every parent comes before its children (stable by name)."""
        self.check_acyclic()
        return list(nx.lexicographical_topological_sort(self.graph))

    def edges(self) -> set[tuple[str, str]]:
        """Distinct (parent, child) table pairs, self-references excluded."""
        return set(self.graph.edges)

    def parents(self, table: str) -> list[str]:
        """Distinct parent tables of ``table`` (not itself), in declaration order."""
        return self.schema.table(table).parent_tables

    def children(self, table: str) -> list[str]:
        return sorted(self.graph.successors(table))

    def relations_of(self, child: str) -> list[Relation]:
        """Foreign keys of ``child`` to other tables."""
        return [r for r in self.relations if r.child == child]

    def roots(self) -> list[str]:
        return sorted(t for t in self.graph if self.graph.in_degree(t) == 0)

    def ancestors(self, table: str) -> set[str]:
        return set(nx.ancestors(self.graph, table))

    def descendants(self, table: str) -> set[str]:
        return set(nx.descendants(self.graph, table))

    def multi_parent_tables(self) -> list[str]:
        return sorted(t for t in self.graph if self.graph.in_degree(t) > 1)

    def self_referencing_tables(self) -> list[str]:
        return sorted({r.child for r in self.self_relations})

    def junction_tables(self) -> list[str]:
        """Many-to-many link tables: the primary key is made only of FKs to two or more parents."""
        out = []
        for table in self.schema.tables:
            pk = set(table.primary_key)
            fk_cols = table.foreign_key_columns
            if len(table.parent_tables) >= 2 and pk and pk <= fk_cols:
                out.append(table.name)
        return sorted(out)

    def depth(self, table: str) -> int:
        """Length of the longest parent chain above ``table`` (roots have depth 0)."""
        if table not in self.graph:
            self.schema.table(table)  # KeyError listing the known tables
        return self.depths()[table]

    def depths(self) -> dict[str, int]:
        """Every table's depth, in one pass over the generation order.

        One pass, not a recursion per parent: with diamonds (two tables on each level, both
        referencing both above) the number of parent chains doubles per level, and walking
        each of them took seconds at 20 levels and hours at 40.
        """
        out: dict[str, int] = {}
        for table in self.generation_order():  # parents first; a cycle raises, typed
            preds = list(self.graph.predecessors(table))
            out[table] = 1 + max(out[p] for p in preds) if preds else 0
        return out

    # ------------------------------------------------------------------ display
    def describe(self) -> str:
        """A human-readable summary: order, levels, relation kinds."""
        order = self.generation_order()
        depths = self.depths()
        multi, junction = set(self.multi_parent_tables()), set(self.junction_tables())
        self_ref = set(self.self_referencing_tables())
        lines = [
            f"Schema {self.schema.name!r}: {len(order)} tables, "
            f"{len(self.relations) + len(self.self_relations)} foreign keys, "
            f"max depth {max(depths.values(), default=0)}",
            "Generation order:",
        ]
        for i, table in enumerate(order, 1):
            parents = self.parents(table)
            tags = []
            if table in multi:
                tags.append("multi-parent")
            if table in junction:
                tags.append("junction")
            if table in self_ref:
                tags.append("self-reference")
            suffix = f"  [{', '.join(tags)}]" if tags else ""
            src = f" <- {', '.join(parents)}" if parents else " (root)"
            lines.append(f"  {i:>2}. {table}{src}{suffix}")
        lines.append("Foreign keys:")
        lines += [f"  {rel}" for rel in [*self.relations, *self.self_relations]]
        return "\n".join(lines)


def split_context_ref(ref: str, parents: Iterable[str]) -> tuple[str | None, str]:
    """``(parent, column)`` of a configured context column, ``"Parent.Column"`` or a bare
    ``"Column"`` (parent None: the caller looks it up in the context parent).

    One parser for the config checks and the plan, because either side of the dot may hold a
    dot itself: a schema-qualified parent (``"sales.Customer.Id"``) or a dotted column
    (``"Customer.address.city"``). The longest parent name that prefixes ``ref`` wins; a
    dotted ``ref`` that starts with no parent splits at its last dot, so the error names the
    unknown parent as written.
    """
    for parent in sorted(parents, key=len, reverse=True):
        if ref.startswith(parent + ".") and len(ref) > len(parent) + 1:
            return parent, ref[len(parent) + 1 :]
    if "." in ref:
        parent, _, column = ref.rpartition(".")
        return parent, column
    return None, ref
