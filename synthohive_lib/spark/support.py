"""What the Spark path can generate, judged from the schema alone (before anything is fitted).

The co-partitioned generator (:mod:`synthohive_lib.spark.children`) makes a child table inside
the partition of its one context parent, so it cannot make tables whose rows need other tables'
rows at once: secondary foreign keys, self-references, link (junction) tables. Orchestrators
call :func:`check_spark_table` when they load a project, so a misconfigured table fails before
a run starts; :func:`synthohive_lib.spark.children.check_child_plan` is the same rule applied
to a fitted plan at run time.
"""

from __future__ import annotations

from synthohive_lib.errors import ConfigError
from synthohive_lib.schema.graph import SchemaGraph


def spark_unsupported(graph: SchemaGraph, table: str) -> list[str]:
    """Why the Spark path cannot generate ``table`` (empty when it can)."""
    parents = graph.parents(table)
    reasons = []
    if len(parents) > 1:
        reasons.append(f"foreign keys to {len(parents)} parents ({', '.join(parents)})")
    if table in graph.self_referencing_tables():
        reasons.append("a self-reference")
    if table in graph.junction_tables():
        reasons.append("a link (junction) table shape")
    return reasons


def check_spark_table(graph: SchemaGraph, table: str) -> None:
    """A :class:`ConfigError` naming ``table`` when the Spark path cannot generate it."""
    reasons = spark_unsupported(graph, table)
    if reasons:
        raise ConfigError(
            f"table {table!r} has engine: spark but {' and '.join(reasons)}, which the Spark "
            "path does not generate",
            table=table,
            fix=f"set engine: pandas for {table} in the project config's tables section",
        )
