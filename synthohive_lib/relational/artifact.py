"""One table's fitted state as one directory: relational plan, generative model, PII plan.

The Dagster ``model/<T>`` asset fits a table and ``synthetic/<T>`` generates it, in different
steps (possibly different processes), so everything a table needs for generation travels as
one artifact directory::

    <dir>/plan.json    the TablePlan (plain JSON)
    <dir>/model/       the model artifact (CTGAN or text-only), absent for key-only tables
    <dir>/pii.json     the PiiPlan (statistics, never values), absent without PII columns

It is written to a temporary sibling directory and renamed into place, so a failed or killed
fit never leaves half an artifact where a good one was (the old one stays until the new one is
complete). Loading reads the model class from its manifest; nothing in it is executed.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from synthohive_lib.errors import ArtifactError
from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.relational.plan import TablePlan

if TYPE_CHECKING:
    from synthohive_lib.privacy.plan import PiiPlan

PLAN_FILE = "plan.json"
MODEL_DIR = "model"
PII_FILE = "pii.json"


@dataclass
class TableArtifact:
    """What :func:`load_table_artifact` returns: the three parts of a fitted table."""

    plan: TablePlan
    model: GenerativeModel | None = None
    pii: PiiPlan | None = None


def save_table_artifact(
    path: str | Path,
    plan: TablePlan,
    model: GenerativeModel | None = None,
    pii: PiiPlan | None = None,
) -> Path:
    """Write plan, model and PII plan into directory ``path`` atomically; returns ``path``."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        (tmp / PLAN_FILE).write_text(json.dumps(plan.to_dict()), encoding="utf-8")
        if model is not None:
            model.save(tmp / MODEL_DIR)
        if pii is not None:
            pii.save(tmp / PII_FILE)
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        if final.exists():
            os.replace(final, old)
        os.replace(tmp, final)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def load_table_artifact(
    path: str | Path, model_loader: Callable[[Path], GenerativeModel] | None = None
) -> TableArtifact:
    """Read what :func:`save_table_artifact` wrote (model class from its manifest)."""
    folder = Path(path)
    plan_file = folder / PLAN_FILE
    if not plan_file.is_file():
        raise ArtifactError(
            f"no {PLAN_FILE} in {folder}",
            fix="materialize the table's model first (save_table_artifact)",
        )
    try:
        plan = TablePlan.from_dict(json.loads(plan_file.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(
            f"{PLAN_FILE} in {folder} cannot be read ({exc})", fix="refit the table's model"
        ) from exc
    model = None
    if (folder / MODEL_DIR).exists():
        if model_loader is None:
            from synthohive_lib.models import load_model as model_loader
        model = model_loader(folder / MODEL_DIR)
    pii = None
    if (folder / PII_FILE).exists():
        from synthohive_lib.privacy.plan import PiiPlan

        pii = PiiPlan.load(folder / PII_FILE)
    return TableArtifact(plan, model, pii)
