"""The per-table recipe of a project run: fit a table, generate it into the store.

One recipe, whoever runs it. ``synthohive run`` (:mod:`synthohive_lib.pipeline`), a notebook
and the Dagster ``model/<T>`` and ``synthetic/<T>`` assets (:mod:`synthohive_pipelines`) call
:func:`fit_table` and :func:`generate_table_to_store`; before this module the Dagster model
asset and the CLI each held their own copy of the same dozen library calls, and a fix to one
(the holdout, the sample's context categories, the table's own model choice) had to be made
twice.

The steps, for one table:

- :func:`fit_table`: the real snapshots of the table and its parents from the store, the
  schema's orphan policies (:func:`validated_frames`), the relational plan on every row, the
  holdout left out, a bounded training sample (``max_training_rows``), the model the table
  chose (``model_factory``) within its time budget, the PII statistics, and one artifact folder
  saved atomically.
- :func:`generate_table_to_store`: the artifact, the table's synthetic parents from the store,
  PII filled so that no real value comes back, block by block for a big table without parents,
  and the table written to the store.

What a caller overrides for one run (epochs, seed, budget, model...) is a
:class:`TrainingOptions`; unset fields fall back to the project config. Nothing here imports
Dagster: the assets turn the returned :class:`FittedTable` / :class:`GeneratedTable` into
metadata.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from synthohive_lib.config import ProjectConfig, TableSettings
from synthohive_lib.io.store import StoredTable, TableStore
from synthohive_lib.privacy import PiiPlan, pii_filler, real_pii_forms
from synthohive_lib.project.layout import OutputLayout
from synthohive_lib.relational import (
    TablePlan,
    generate_table,
    load_table_artifact,
    model_factory,
    model_request,
    save_table_artifact,
    training_frames,
)
from synthohive_lib.relational.chunked import write_table_chunked
from synthohive_lib.relational.sampling import TrainingSample, plan_for_sample, training_sample
from synthohive_lib.schema.model import Schema, Table
from synthohive_lib.schema.validate import validate_data
from synthohive_lib.validation.holdout import holdout_mask

REAL_STAGE = "real"
SYNTHETIC_STAGE = "synthetic"
PREVIEW_ROWS = 5


@dataclass(frozen=True)
class TrainingOptions:
    """One run's overrides of a table's training settings; ``None``: the project config's.

    ``seed`` is always set (0 unless the run says otherwise) so two runs of the same config
    fit the same model.
    """

    epochs: int | None = None
    batch_size: int | None = None
    device: str | None = None
    time_budget_s: float | None = None
    model: str | None = None
    seed: int = 0


@dataclass(frozen=True)
class TableJob:
    """One table of a project with its settings merged once: the table, its parents, the
    parent(s) its context columns name and the model it trains."""

    config: ProjectConfig
    name: str

    @property
    def table(self) -> Table:
        return self.config.schema.table(self.name)

    @property
    def parents(self) -> list[str]:
        return list(self.config.graph.parents(self.name))

    @property
    def settings(self) -> TableSettings:
        return self.config.settings_for(self.name)

    @property
    def context_parents(self) -> list[str]:
        """The parents the table's ``context_columns`` name (more than one: the relational
        layer conditions on one parent, chosen by its own rule)."""
        return list(self.config.context_parents(self.name))

    def model_name(self, chosen: str | None = None) -> str:
        """The model this run fits: ``chosen`` (a run's override), else the table's
        ``model``, else ``ctgan``."""
        return chosen or self.settings.model or "ctgan"


@dataclass(frozen=True)
class FittedTable:
    """What :func:`fit_table` did: the artifact it saved and how the model was trained."""

    plan: TablePlan
    model: Any  # a GenerativeModel, or None for a table with nothing to learn
    pii: PiiPlan | None
    sample: TrainingSample
    holdout_rows: int
    time_budget_s: float | None
    artifact: Path
    seconds: float

    @property
    def model_kind(self) -> str:
        """The fitted model's class name, ``none`` when there was nothing to learn."""
        return type(self.model).__name__ if self.model is not None else "none"


@dataclass(frozen=True)
class GeneratedTable:
    """What :func:`generate_table_to_store` wrote: the stored table and its first rows."""

    stored: StoredTable
    preview: pd.DataFrame
    in_blocks: bool
    seconds: float


def validated_frames(
    config: ProjectConfig, table: Table, frames: dict[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """The real rows of ``table`` and its parents with the schema's orphan policies applied
    (what :meth:`RelationalSynthesizer.fit` does for the whole schema, for one table)."""
    parents = [p for p in frames if p != table.name]
    scope = Schema(
        name=config.schema.name,
        tables=[config.schema.table(p).model_copy(update={"foreign_keys": []}) for p in parents]
        + [table],
    )
    return dict(validate_data(scope, frames).frames)


def real_rows(config: ProjectConfig, store: TableStore) -> dict[str, int]:
    """Rows of every real snapshot in the store (its metadata, not its data): what the
    project-wide ``training_budget_s`` is split by."""
    return {
        t: store.info(REAL_STAGE, t).rows
        for t in config.schema.table_names
        if store.exists(REAL_STAGE, t)
    }


def fit_table(
    config: ProjectConfig,
    store: TableStore,
    name: str,
    options: TrainingOptions | None = None,
    *,
    folder: Path | None = None,
    progress: Callable[[Any], None] | None = None,
) -> FittedTable:
    """Fit ``name``'s relational plan, model and PII plan on the real snapshots in ``store``
    and save them as one artifact folder (``folder``, else the layout's ``model/<T>``).

    ``progress`` receives the model's progress records (a throttled logger, a tqdm bar).
    """
    started = time.perf_counter()
    opts = options or TrainingOptions()
    job = TableJob(config, name)
    table, settings = job.table, job.settings
    frames = validated_frames(
        config, table, {n: store.read(REAL_STAGE, n) for n in [*job.parents, name]}
    )
    plan = TablePlan.fit(
        config.schema,
        name,
        frames,
        context_columns=settings.context_columns if len(job.context_parents) == 1 else None,
    )
    budget = (
        opts.time_budget_s
        if opts.time_budget_s is not None
        else config.time_budget_for(name, real_rows(config, store))
    )
    # the plan above counts on every row; the model trains on a bounded sample of them, drawn
    # from the rows outside the holdout (validation.holdout): the gates and the report score
    # against the rest and use the holdout as the yardstick
    held_out = holdout_mask(frames[name], table.primary_key, config.validation.holdout)
    held = int(held_out.sum())
    sample = training_sample(
        config.schema,
        name,
        frames[name][~held_out] if held else frames[name],
        max_rows=config.max_training_rows_for(name),
        seed=opts.seed,
    )
    # PII statistics (formats, pools; never values) to fill the PII columns after sampling
    pii = PiiPlan.fit(frames[name], table) if table.pii_columns else None
    model = None
    if plan.attributes and plan.n_rows:
        # the plan knows only the context categories of the sample
        plan = plan_for_sample(plan, config.schema, frames, sample)
        data, parent_context = training_frames(plan, {**frames, name: sample.frame})
        settings_options = {
            "epochs": opts.epochs if opts.epochs is not None else settings.epochs,
            "batch_size": opts.batch_size if opts.batch_size is not None else settings.batch_size,
            "device": opts.device if opts.device is not None else settings.device,
            "seed": opts.seed,
            "time_budget_s": budget,
            "verbose": False,
            "privacy": settings.privacy.model_dump() if settings.privacy else None,
        }
        factory = model_factory(
            model=job.model_name(opts.model),
            **{k: v for k, v in settings_options.items() if v is not None},
        )
        model = factory(model_request(config.schema, plan))
        if progress is not None:
            model.progress = progress
        model.fit(data, parent_context)
    target = folder if folder is not None else OutputLayout.of_store(store).model_folder(name)
    final = save_table_artifact(target, plan, model, pii)
    return FittedTable(
        plan=plan,
        model=model,
        pii=pii,
        sample=sample,
        holdout_rows=held,
        time_budget_s=budget,
        artifact=Path(final),
        seconds=round(time.perf_counter() - started, 3),
    )


def generate_table_to_store(
    config: ProjectConfig,
    store: TableStore,
    name: str,
    *,
    seed: int = 0,
    rows: int | None = None,
    folder: Path | None = None,
    preview_rows: int = PREVIEW_ROWS,
) -> GeneratedTable:
    """Generate ``name`` under its synthetic parents in ``store`` with its saved artifact
    (``folder``, else the layout's ``model/<T>``) and write it to ``synthetic/<T>``.

    ``rows`` (a run's override) applies to a table without parents, times its ``scale``; a
    child's size follows its parents' cardinality. A table without parents asked for more rows
    than its ``chunk_rows_above`` is written block by block, never whole in memory.
    """
    started = time.perf_counter()
    job = TableJob(config, name)
    table = job.table
    source = folder if folder is not None else OutputLayout.of_store(store).model_folder(name)
    artifact = load_table_artifact(source)
    plan, model = artifact.plan, artifact.model
    # never a real PII value of this table or its parents: neither in the PII columns the
    # privacy layer fills nor spelled by generated free text
    avoid = real_pii_forms(
        {n: store.read(REAL_STAGE, n) for n in [name, *job.parents]}, config.schema
    )
    fill = pii_filler(config.schema, {name: artifact.pii}, avoid=avoid) if artifact.pii else None
    wanted = config.rows_to_generate(name, plan.n_rows, rows)
    n_rows = plan.n_rows if wanted is None else wanted
    if config.generates_in_blocks(name, n_rows):
        head: list[pd.DataFrame] = []

        def keep_head(block: pd.DataFrame) -> None:
            if not head:  # a copy: a view of the block would keep the whole block alive
                head.append(block.head(preview_rows).copy())

        stored = write_table_chunked(
            store,
            SYNTHETIC_STAGE,
            plan,
            model,
            n_rows,
            seed,
            table=table,
            fill_pii=fill,
            avoid=avoid,
            on_block=keep_head,
        )
        preview = head[0] if head else pd.DataFrame()
        return GeneratedTable(stored, preview, True, round(time.perf_counter() - started, 3))
    synthetic_parents = {
        parent: store.read(SYNTHETIC_STAGE, parent, columns=sorted(columns))
        for parent, columns in plan.parent_columns_needed().items()
    }
    frame = generate_table(
        plan,
        model,
        synthetic_parents,
        table=table,
        rows=wanted,
        seed=seed,
        fill_pii=fill,
        avoid=avoid,
    )
    stored = store.write(SYNTHETIC_STAGE, name, frame)
    return GeneratedTable(
        stored, frame.head(preview_rows), False, round(time.perf_counter() - started, 3)
    )
