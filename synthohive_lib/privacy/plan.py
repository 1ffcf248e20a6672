"""The PII plan: what a PII column looked like, without a single real value in it.

Fitted on the real table next to the model, a :class:`PiiPlan` records per PII column the
null rate, the share of distinct values (so repeated values repeat in the output too), whether
the column is unique, its storage (text or datetime, and the text format of dates), value
lengths, the format *shapes* of code-like kinds (``+9 (999) 999-9999``) and, for birth dates,
the range of years. That is all :func:`~synthohive_lib.privacy.fill.fill_pii` needs to fill
synthetic rows in the real column's format, and all of it is safe to save as JSON beside the
model artifact: no value, no value→fake mapping, no hash key.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from synthohive_lib.atomic import atomic_write_text
from synthohive_lib.errors import PrivacyError
from synthohive_lib.privacy.formats import top_shapes
from synthohive_lib.privacy.settings import check_columns_present, pii_settings
from synthohive_lib.schema.model import PiiKind, Table

#: kinds whose output keeps the real column's format shapes when no locale is configured
SHAPED_KINDS = frozenset({PiiKind.PHONE, PiiKind.POSTAL_CODE, PiiKind.NATIONAL_ID})
PLAN_VERSION = 1


@dataclass
class ColumnPlan:
    """Statistics of one real PII column (no values)."""

    name: str
    kind: str
    action: str
    null_rate: float = 0.0
    distinct_ratio: float = 1.0
    unique: bool = False
    storage: str = "string"  # string | datetime | number
    datetime_format: str | None = None
    length_min: int | None = None
    length_max: int | None = None
    shapes: dict[str, int] = field(default_factory=dict)
    year_min: int | None = None
    year_max: int | None = None

    @property
    def pii_kind(self) -> PiiKind:
        return PiiKind(self.kind)


def _fit_column(values: pd.Series, column: str, kind: PiiKind, action: str,
                declared_unique: bool, datetime_format: str | None) -> ColumnPlan:  # fmt: skip
    n = len(values)
    present = values.dropna()
    nn = len(present)
    plan = ColumnPlan(name=column, kind=kind.value, action=action)
    plan.null_rate = round(1.0 - nn / n, 6) if n else 0.0
    if nn:
        distinct = int(present.astype(str).nunique())
        plan.distinct_ratio = round(distinct / nn, 6)
        plan.unique = declared_unique or (distinct == nn and nn > 1)
    else:
        plan.unique = declared_unique
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        plan.storage = "datetime"
    elif pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    ):
        plan.storage = "number"
    plan.datetime_format = datetime_format
    if nn and plan.storage == "string":
        lengths = present.astype(str).str.len()
        plan.length_min, plan.length_max = int(lengths.min()), int(lengths.max())
        if kind in SHAPED_KINDS:
            plan.shapes = top_shapes(present)
    if kind is PiiKind.DATE_OF_BIRTH and nn:
        stamps = (
            present
            if plan.storage == "datetime"
            else pd.to_datetime(present.astype(str), format=datetime_format, errors="coerce")
        ).dropna()
        if not stamps.empty:
            plan.year_min, plan.year_max = int(stamps.dt.year.min()), int(stamps.dt.year.max())
    return plan


@dataclass
class PiiPlan:
    """Per-table PII statistics; fit on the real table, save beside the model, fill from it."""

    table: str
    columns: dict[str, ColumnPlan] = field(default_factory=dict)
    rows: int = 0
    version: int = PLAN_VERSION

    @classmethod
    def fit(cls, real: pd.DataFrame, table: Table) -> PiiPlan:
        """Learn the statistics of every PII column of ``table`` from the real frame."""
        settings = pii_settings(table)
        check_columns_present(table, real.columns, what="real data")
        columns = {
            name: _fit_column(
                real[name],
                name,
                s.kind,
                s.action.value,
                s.unique,
                table.column(name).datetime_format,
            )
            for name, s in settings.items()
        }
        return cls(table=table.name, columns=columns, rows=len(real))

    def column(self, name: str) -> ColumnPlan:
        """The plan of column ``name``; PrivacyError when the plan was fit without it."""
        try:
            return self.columns[name]
        except KeyError:
            raise PrivacyError(
                "the PII plan has no entry for this column",
                table=self.table,
                column=name,
                fix="fit the plan again (PiiPlan.fit) after changing the schema",
            ) from None

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "table": self.table,
            "rows": self.rows,
            "columns": {k: asdict(v) for k, v in self.columns.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PiiPlan:
        if data.get("version") != PLAN_VERSION:
            raise PrivacyError(
                f"PII plan version {data.get('version')!r} is not {PLAN_VERSION}",
                table=data.get("table"),
                fix="fit the plan again with this version of SynthoHive",
            )
        columns = {k: ColumnPlan(**v) for k, v in data["columns"].items()}
        return cls(table=data["table"], columns=columns, rows=int(data.get("rows", 0)))

    @classmethod
    def from_json(cls, text: str) -> PiiPlan:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the plan atomically (temp file + rename): never half a plan on disk."""
        return atomic_write_text(path, self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PiiPlan:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def pool_size(plan: ColumnPlan, rows: int) -> int:
    """Distinct values to generate for ``rows`` non-null rows: all of them for a unique
    column, else the real share of distinct values (at least one)."""
    if rows == 0:
        return 0
    if plan.unique:
        return rows
    return max(1, min(rows, math.ceil(plan.distinct_ratio * rows)))
