"""Training samples drawn in Spark that keep whole families, collected only at the end.

Training a relational model on a random sample of each table separately breaks it: sampled
children point at parents that were not sampled, and the children-per-parent counts the
cardinality model learns shrink by the sampling rate. So sampling here is by *family*:

* each table has one **family parent** (its first foreign key in the schema unless given;
  :func:`synthohive_lib.relational.sampling.family_parents`, the rule the pandas engine's
  training samples follow too);
  the family parent chains form trees whose tops are the **family roots**;
* a family whose largest table has more than ``max_rows`` rows is sampled at the rate
  ``max_rows / largest`` — rows of the root are kept by a seeded hash of their primary key
  (deterministic, whatever the partitioning), every other table keeps exactly the rows
  whose family parent was kept (a left-semi join), so **a sampled parent keeps all its
  children** and children come only through their parents; children whose family-parent
  key is NULL are kept at the same rate by the same hash;
* families at or under ``max_rows`` are kept whole.

Only the sampled rows reach the driver (:func:`collect_sample`). Foreign keys to parents
*outside* the family (secondary parents) may point at rows that were not sampled; the
relational layer's orphan policy deals with those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import structlog
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from synthohive_lib.errors import ConfigError
from synthohive_lib.relational.sampling import family_parents
from synthohive_lib.schema.graph import Relation
from synthohive_lib.schema.model import Schema
from synthohive_lib.spark.check import check_columns_spark, col

log = structlog.get_logger(__name__)

__all__ = [
    "FamilySample",
    "collect_sample",
    "family_parents",
    "keep_by_hash",
    "sample_families_spark",
]

_MODULUS = 1_000_000_007  # a prime: hash mod it is uniform enough for a sampling rate


@dataclass(frozen=True)
class FamilySample:
    """Sampled tables (lazy DataFrames), each family's rate and each table's family parent."""

    frames: dict[str, DataFrame]
    rates: dict[str, float]
    family_parent: dict[str, Relation | None]

    def rate_of(self, table: str) -> float:
        return self.rates[table]


def keep_by_hash(df: DataFrame, columns: list[str], rate: float, seed: int) -> DataFrame:
    """Rows of ``df`` whose seeded hash of ``columns`` falls under ``rate`` (a Bernoulli
    sample that depends on the values only, never on partitions or row order)."""
    if rate >= 1.0:
        return df
    h = F.xxhash64(F.lit(int(seed)), *[col(c) for c in columns])
    return df.where(F.pmod(h, F.lit(_MODULUS)) < F.lit(int(rate * _MODULUS)))


def sample_families_spark(
    frames: Mapping[str, DataFrame],
    schema: Schema,
    *,
    max_rows: int,
    seed: int = 0,
    family_parent: Mapping[str, str] | None = None,
    counts: Mapping[str, int] | None = None,
) -> FamilySample:
    """Family-preserving samples of ``frames`` (see module docstring); nothing is collected.

    ``counts`` (rows per table) skips the count jobs when the caller knows them.
    """
    if max_rows <= 0:
        raise ConfigError(f"max_rows must be > 0, got {max_rows}", fix="pass e.g. 1_000_000")
    parents = family_parents(schema, family_parent)
    missing = sorted(set(parents) - set(frames))
    if missing:
        raise ConfigError(
            f"no Spark DataFrame for table(s) {missing}", fix="pass every table of the schema"
        )
    sizes = {t: int(counts[t]) if counts and t in counts else frames[t].count() for t in parents}
    root_of = {t: _root(t, parents) for t in parents}
    largest: dict[str, int] = {}
    for t, root in root_of.items():
        largest[root] = max(largest.get(root, 0), sizes[t])
    rates = {
        t: min(1.0, max_rows / largest[root_of[t]]) if largest[root_of[t]] else 1.0 for t in parents
    }
    out: dict[str, DataFrame] = {}
    for t, rel in parents.items():  # generation order: parents first
        df, rate = frames[t], rates[t]
        if rate >= 1.0:
            out[t] = df
        elif rel is None:
            key = schema.table(t).primary_key or schema.table(t).column_names
            check_columns_spark(df, key, table=t, what="family sampling")
            out[t] = keep_by_hash(df, key, rate, seed)
        else:
            out[t] = _children_of(df, out[rel.parent], rel, rate, seed)
        log.info(
            "spark.sample.table",
            table=t,
            rows=sizes[t],
            rate=rate,
            through=None if rel is None else rel.parent,
        )
    return FamilySample(out, rates, parents)


def _root(table: str, parents: Mapping[str, Relation | None]) -> str:
    seen = {table}
    rel = parents[table]
    while rel is not None:
        table = rel.parent
        if table in seen:  # a cycle of family parents cannot happen in an acyclic schema
            break
        seen.add(table)
        rel = parents[table]
    return table


def _children_of(
    child: DataFrame, parent_sample: DataFrame, rel: Relation, rate: float, seed: int
) -> DataFrame:
    """Children whose family-parent key is in the parent sample (+ NULL keys at ``rate``)."""
    check_columns_spark(child, list(rel.child_columns), table=rel.child, what="family sampling")
    keys = parent_sample.select(
        *[col(p).alias(f"__k{i}") for i, p in enumerate(rel.parent_columns)]
    ).distinct()
    cond = [col(c) == F.col(f"__k{i}") for i, c in enumerate(rel.child_columns)]
    linked = child.join(keys, on=cond, how="left_semi")
    is_null = F.lit(False)
    for c in rel.child_columns:
        is_null = is_null | col(c).isNull()
    orphans = keep_by_hash(child.where(is_null), child.columns, rate, seed)
    return linked.unionByName(orphans)


def collect_sample(sample: FamilySample) -> dict[str, pd.DataFrame]:
    """The sampled tables on the driver, as pandas (Arrow transfer), ready for training."""
    return {t: df.toPandas() for t, df in sample.frames.items()}
