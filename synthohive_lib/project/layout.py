"""Where a project run keeps its outputs: one object instead of paths built in four places.

Before this module the layout was spelled by ``ModelStoreResource.path_for`` and
``assets.report_file`` (Dagster) and by ``pipeline.model_folder`` (the CLI), which had to agree
by convention for ``synthohive run`` and the UI to find each other's files. Now both ask an
:class:`OutputLayout`::

    <root>/<stage>/<table>[.parquet]     tables (the TableStore's own naming, safe_name)
    <root>/model/<table>/                model artifact (plan.json, model/, pii.json)
    <root>/validation/<key>.json         per-table scores (key: the Dagster key name)
    <root>/validation/report.html|json   the schema-wide report

The layout is a pure function of the root, so every process (webserver, run worker, CLI,
notebook) finds the same files. Nothing here imports Dagster or reads data.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from synthohive_lib.io.store import TableStore, safe_name

MODEL_STAGE = "model"
VALIDATION_STAGE = "validation"
REPORT_HTML = "report.html"
REPORT_JSON = "report.json"

_IDENT = re.compile(r"^[A-Za-z0-9_]+$")


def key_name(table: str) -> str:
    """The identifier a table is known by in asset keys and per-table score files: the name
    itself when it is ``[A-Za-z0-9_]+``, else its identifier characters plus 8 hex digits of
    the name's SHA-256 (collision-free). Dagster requires identifiers in keys; the score file
    carries the same name so a key and its file are found from each other."""
    if _IDENT.match(table):
        return table
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", table).strip("_") or "table"
    return f"{stem}_{hashlib.sha256(table.encode('utf-8')).hexdigest()[:8]}"


@dataclass(frozen=True)
class OutputLayout:
    """Every output location of a project run under one root (absolute, user-expanded)."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> OutputLayout:
        """The layout under ``root`` (``~`` expanded, made absolute)."""
        return cls(Path(root).expanduser().resolve())

    @classmethod
    def of_store(cls, store: TableStore) -> OutputLayout:
        """The layout around ``store``: its root is the output root."""
        return cls(store.root)

    def model_folder(self, table: str) -> Path:
        """The artifact folder of ``table``'s plan, model and PII plan."""
        return self.root / MODEL_STAGE / safe_name(table)

    @property
    def validation_folder(self) -> Path:
        """Where scores and the report live (the staleness marker sits here too)."""
        return self.root / VALIDATION_STAGE

    def validation_file(self, file: str) -> Path:
        """``<root>/validation/<file>``."""
        return self.validation_folder / file

    def table_scores(self, table: str) -> Path:
        """The per-table score file of ``table`` (a one-table report as JSON)."""
        return self.validation_file(f"{key_name(table)}.json")

    @property
    def report_html(self) -> Path:
        return self.validation_file(REPORT_HTML)

    @property
    def report_json(self) -> Path:
        return self.validation_file(REPORT_JSON)
