"""Whole-schema synthesis: fit every table, then generate them parents first.

For each table, in :meth:`SchemaGraph.generation_order`:

1. **rows** — a root table gets ``scale × real rows`` (or the row target given for it); a child
   gets, under each synthetic row of its context parent, a count drawn from that relation's
   :class:`~synthohive_lib.relational.cardinality.CardinalityModel` (a row target rescales
   them); a link table gets unique pairs from its
   :class:`~synthohive_lib.relational.junction.JunctionModel`;
2. **attributes** — the table's generative model samples one row per child row, given the
   synthetic parent rows as ``context`` (row-aligned), so children follow their parents;
3. **keys** — context foreign keys come from the expansion, the other foreign keys from the
   "slots" assignment, the primary key from the real format, self-references from the
   hierarchy model; a column that repeats a secondary parent's column in the real data
   (``InvoiceLine.UnitPrice`` = ``Track.UnitPrice``) then takes the assigned parent's value
   on the real share of rows (:mod:`~synthohive_lib.relational.inherit`);
4. the finished table goes to ``sink(table, frame)`` at once. Only the columns its children
   still need are kept (keys plus context attributes), and a parent is released as soon as
   its last child is done, so memory holds at most one generation front of narrow frames.

Models come from a ``model_factory(request) -> GenerativeModel``: generation relies only on the
contract in :mod:`synthohive_lib.models.base`; which model a table gets (CTGAN, the
autoregressive model, the text-only or small-table model) is the factory's choice
(:mod:`~synthohive_lib.relational.modelling`).
PII columns never reach a model (unless their ``pii_action`` is ``keep``); they are filled by
``fill_pii`` (the privacy layer) or left NULL.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import structlog

from synthohive_lib.config import check_scale
from synthohive_lib.errors import ConfigError, ModelError, UnreachableRowTargetError
from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.relational._frames import locate
from synthohive_lib.relational.attributes import sample_attributes
from synthohive_lib.relational.blocks import PiiFiller, finish_block
from synthohive_lib.relational.inherit import apply_inherited
from synthohive_lib.relational.keys import (
    assign_by_slots,
    assign_within,
    drop_repeated_keys,
    expand_parent_keys,
    null_parent_count,
    with_null_parents,
)
from synthohive_lib.relational.modelling import (
    ModelFactory,
    context_rows,
    model_request,
    training_frames,
)
from synthohive_lib.relational.plan import TablePlan, dealt_secondary
from synthohive_lib.schema.graph import SchemaGraph
from synthohive_lib.schema.model import Schema, Table
from synthohive_lib.schema.validate import validate_data

log = structlog.get_logger(__name__)

ModelLoader = Callable[[Path], GenerativeModel]
Sink = Callable[[str, pd.DataFrame], None]


def table_rng(seed: int, table: str) -> np.random.Generator:
    """A generator per (run seed, table): stable when other tables are added or removed."""
    return np.random.default_rng([seed, zlib.crc32(table.encode())])


def generate_table(
    plan: TablePlan,
    model: GenerativeModel | None,
    parents: Mapping[str, pd.DataFrame],
    *,
    table: Table,
    scale: float = 1.0,
    rows: int | None = None,
    seed: int = 0,
    key_offset: int = 0,
    fill_pii: PiiFiller | None = None,
    avoid: Collection[str] = (),
) -> pd.DataFrame:
    """One synthetic table, given the synthetic rows of its parents (see module docstring).

    ``rows`` is a row target (a root's row count, or the total over all parents of a child);
    ``key_offset`` shifts the generated primary keys so that partitions never collide;
    ``avoid`` (``privacy.real_pii_forms(real, schema)``) keeps generated free text from
    spelling a real PII value (:mod:`~synthohive_lib.relational.scrub`).
    """
    rng = table_rng(seed, plan.table)
    frame, positions = _skeleton(plan, parents, scale, rows, rng)
    n = len(frame)

    if plan.attributes and n == 0:
        for col in plan.attributes:
            frame[col] = pd.Series(dtype=object)
    elif plan.attributes:
        if model is None:
            raise ModelError(
                "no generative model for a table with attribute columns",
                table=plan.table,
                fix="fit the synthesizer (or pass the table's model) before generating",
            )
        model_seed = int(rng.integers(2**31))
        context = None
        if plan.context is not None and plan.context_columns:
            parent = parents[plan.context.parent]
            context = context_rows(parent[plan.context_columns], positions)
        attrs = sample_attributes(
            model, plan, n, context, model_seed, rng, table=table, avoid=avoid
        )
        for col in plan.attributes:
            frame[col] = attrs[col].to_numpy()

    affinities = plan.affinities or [None] * len(plan.secondary)
    dealt = set(dealt_secondary(plan))  # a key inside a wider one comes with the wider one
    assigned = set(plan.context.child_columns) if plan.context is not None else set()
    for i, (card, affinity) in enumerate(zip(plan.secondary, affinities, strict=True)):
        if i not in dealt:
            continue
        rel = card.relation_
        shared = [c for c in rel.child_columns if c in assigned]
        if shared:  # keys sharing columns: dealt within the values already assigned
            fks = assign_within(
                frame, parents[rel.parent], rel, card, shared, rng, affinity=affinity
            )
        else:
            fks = assign_by_slots(
                n, parents[rel.parent], rel, card, rng, affinity=affinity, child_df=frame
            )
        for col in rel.child_columns:
            frame[col] = fks[col].array
        assigned |= set(rel.child_columns)
    for inherited in plan.inherited:  # after every foreign key is dealt
        if inherited.relation not in {plan.secondary[i].relation_ for i in dealt}:
            continue
        apply_inherited(frame, parents[inherited.relation.parent], inherited, rng)

    plan.keys.generate(frame, offset=key_offset, seed=int(rng.integers(2**31)))
    for hierarchy in plan.hierarchies:
        rel = hierarchy.relation_
        refs = hierarchy.generate(frame[list(rel.parent_columns)], rng, attributes=frame)
        for col in rel.child_columns:
            frame[col] = refs[col].array

    frame = drop_repeated_keys(frame, table)
    frame = finish_block(frame, plan, rng, table=table, fill_pii=fill_pii)
    return frame[[c for c in table.column_names if c in frame.columns]]


def _skeleton(
    plan: TablePlan,
    parents: Mapping[str, pd.DataFrame],
    scale: float,
    rows: int | None,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of the table with their context keys, and each row's context-parent position."""
    if plan.junction is not None:
        left, right = plan.junction.left_.relation_, plan.junction.right_.relation_
        left_parents = parents[left.parent].reset_index(drop=True)
        links = plan.junction.generate(left_parents, parents[right.parent], rng, total=rows)
        positions = locate(left_parents, left.parent_columns, links, left.child_columns)
        return links, positions
    if plan.cardinality is None or plan.context is None:
        n = rows if rows is not None else _scaled(plan.n_rows, scale)
        return pd.DataFrame(index=range(n)), np.full(n, -1, dtype=np.int64)

    rel, card = plan.context, plan.cardinality
    parent = parents[rel.parent].reset_index(drop=True)
    rate = card.null_rate_
    linked_target = None if rows is None else round(rows * (1 - rate))
    counts = card.sample_counts(parent, rng, total=linked_target)
    keys, positions = expand_parent_keys(
        parent[list(rel.parent_columns)], counts, rel.child_columns
    )
    n_null = (rows - len(keys)) if rows is not None else null_parent_count(rate, len(keys), rng)
    keys, positions = with_null_parents(keys, positions, n_null)
    return keys, positions


def _scaled(n_real: int, scale: float) -> int:
    """Rows of a root table at ``scale``: at least one when the real table has any."""
    return max(1, round(scale * n_real)) if n_real else 0


class RelationalSynthesizer:
    """Fit and generate a whole schema; the library-level equivalent of the asset graph.

    ``model_factory`` builds an unfitted model from a :class:`ModelRequest` (e.g.
    ``ctgan_factory(epochs=300)``); ``context_parents`` overrides the choice
    of context parent per child table; ``cardinality_params`` go to every
    :class:`CardinalityModel`.
    """

    def __init__(
        self,
        schema: Schema,
        model_factory: ModelFactory | None = None,
        *,
        context_parents: Mapping[str, str] | None = None,
        cardinality_params: Mapping[str, Any] | None = None,
        context_columns: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.schema = schema
        self.context_columns = {k: list(v) for k, v in (context_columns or {}).items()}
        self.graph = SchemaGraph(schema)
        self.model_factory = model_factory
        self.context_parents = dict(context_parents or {})
        self.cardinality_params = dict(cardinality_params or {})

    def fit(self, tables: Mapping[str, pd.DataFrame]) -> RelationalSynthesizer:
        """Validate the real tables (orphan policies applied), then learn every table."""
        frames = validate_data(self.schema, tables).frames
        self.plans_: dict[str, TablePlan] = {}
        self.models_: dict[str, GenerativeModel] = {}
        for name in self.graph.generation_order():
            plan = TablePlan.fit(
                self.schema,
                name,
                frames,
                context_parent=self.context_parents.get(name),
                cardinality_params=self.cardinality_params,
                context_columns=self.context_columns.get(name),
            )
            self.plans_[name] = plan
            if plan.attributes and plan.n_rows:  # an empty real table generates no rows
                if self.model_factory is None:
                    raise ConfigError(
                        f"table {name!r} has attribute columns but no model factory was given",
                        table=name,
                        fix="pass model_factory=ctgan_factory(epochs=...)",
                    )
                data, context = training_frames(plan, frames)
                request = model_request(self.schema, plan)
                self.models_[name] = self.model_factory(request).fit(data, context)
        return self

    def generate(
        self,
        sink: Sink | None = None,
        *,
        scale: float = 1.0,
        rows: Mapping[str, int] | None = None,
        seed: int = 0,
        exact_sizes: bool = True,
        fill_pii: PiiFiller | None = None,
        avoid: Collection[str] = (),
    ) -> dict[str, pd.DataFrame] | dict[str, int]:
        """Generate every table parents first and hand each to ``sink`` when it is done.

        Every table gets ``scale ×`` its real rows (``rows`` overrides per table). With
        ``exact_sizes=False`` a child table's size is instead the sum of its sampled
        children-per-parent counts, which varies from run to run (strongly so under a few
        coarse parents). When the exact size is out of reach of the real children-per-parent
        range, that table falls back to the summed counts, with a warning.

        ``fill_pii`` fills the PII columns (``privacy.pii_filler``); ``avoid``
        (``privacy.real_pii_forms``) keeps generated free text from spelling a real PII value.

        Returns the row count per table when a sink is given, or the frames themselves when
        not (convenient in a notebook; the memory-bounded path is the sink).
        """
        if not hasattr(self, "plans_"):
            raise ModelError("the synthesizer is not fitted", fix="call fit(tables) first")
        scale = check_scale(scale)
        collected: dict[str, pd.DataFrame] = {}
        out = sink or collected.__setitem__
        order = self.graph.generation_order()
        needed: dict[str, set[str]] = {name: set() for name in order}
        waiting: dict[str, int] = dict.fromkeys(order, 0)
        for plan in self.plans_.values():
            for parent, cols in plan.parent_columns_needed().items():
                needed[parent] |= cols
                waiting[parent] += 1
        kept: dict[str, pd.DataFrame] = {}
        counts: dict[str, int] = {}
        for name in order:
            plan = self.plans_[name]
            target = (rows or {}).get(name)
            if target is None and exact_sizes:
                target = _scaled(plan.n_rows, scale)
            started = time.perf_counter()
            frame = self._generate_one(
                plan, kept, target, scale, seed, fill_pii, avoid, explicit=name in (rows or {})
            )
            counts[name] = len(frame)
            log.info(
                "relational.table_generated",
                table=name,
                rows=len(frame),
                seconds=round(time.perf_counter() - started, 3),
            )
            if needed[name]:
                kept[name] = frame[sorted(needed[name])]
            out(name, frame)
            for parent in plan.parent_columns_needed():
                waiting[parent] -= 1
                if waiting[parent] == 0:
                    kept.pop(parent, None)
        return collected if sink is None else counts

    def _generate_one(
        self,
        plan: TablePlan,
        kept: Mapping[str, pd.DataFrame],
        target: int | None,
        scale: float,
        seed: int,
        fill_pii: PiiFiller | None,
        avoid: Collection[str],
        *,
        explicit: bool,
    ) -> pd.DataFrame:
        args: dict[str, Any] = {
            "table": self.schema.table(plan.table),
            "scale": scale,
            "seed": seed,
            "fill_pii": fill_pii,
            "avoid": avoid,
        }
        model = self.models_.get(plan.table)
        try:
            return generate_table(plan, model, kept, rows=target, **args)
        except UnreachableRowTargetError as exc:
            if explicit or target is None or plan.context is None:
                raise
            log.warning(
                "relational.size_fallback", table=plan.table, target=target, reason=exc.message
            )
            return generate_table(plan, model, kept, rows=None, **args)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """``plans.json`` (plain JSON) plus one model directory per table under ``models/``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, model in self.models_.items():
            model.save(path / "models" / name)
        tmp = path / "plans.json.tmp"
        tmp.write_text(
            json.dumps({n: p.to_dict() for n, p in self.plans_.items()}), encoding="utf-8"
        )
        tmp.replace(path / "plans.json")
        return path

    @classmethod
    def load(
        cls, path: str | Path, schema: Schema, model_loader: ModelLoader | None = None
    ) -> RelationalSynthesizer:
        """Read what :meth:`save` wrote; models by ``model_loader`` (default: the class named
        in each artifact's manifest, :func:`synthohive_lib.models.load_model`)."""
        if model_loader is None:
            from synthohive_lib.models import load_model as model_loader
        path = Path(path)
        synth = cls(schema)
        plans = json.loads((path / "plans.json").read_text(encoding="utf-8"))
        synth.plans_ = {name: TablePlan.from_dict(p) for name, p in plans.items()}
        synth.models_ = {
            name: model_loader(path / "models" / name)
            for name, plan in synth.plans_.items()
            if plan.attributes and plan.n_rows
        }
        return synth
