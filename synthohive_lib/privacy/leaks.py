"""Leakage proof: no real PII value anywhere in the synthetic output, and few copied rows.

:func:`scan_for_leaks` collects every real value of every PII column of every table (in the
comparison forms of :mod:`~synthohive_lib.privacy.normalise`) and looks each *synthetic*
column of each table up in that set, with ``isin`` on the distinct synthetic values: a real
e-mail that turns up in a free-text column of another table is found as surely as one in its
own column. Two exclusions keep the scan honest rather than noisy:

* real PII values that also occur in a real *non-PII* column are not secrets (Chinook's city
  "Dublin" is also the state "Dublin", which the model learns legitimately);
* columns with ``pii_action: keep`` are an explicit, logged opt-out and are listed apart.

Key columns are skipped (generated sequences). Numeric synthetic columns are compared only
with PII columns that are numeric in the source (an invoice total of ``2010`` is not the
Australian postcode ``2010``). The report also gives the whole-row exact-copy rate per table
from :func:`synthohive_lib.validation.privacy.exact_copy_rate`, on the non-key columns both
frames share.

:func:`assert_no_leaks` raises :class:`~synthohive_lib.errors.PiiLeakError` naming the
leaking ``table.column`` and counts, with masked examples only: the blocking check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import pandas as pd

from synthohive_lib.errors import PiiLeakError
from synthohive_lib.privacy.mask import mask_values
from synthohive_lib.privacy.normalise import (
    CODE_KINDS,
    MIN_CODE_LENGTH,
    MIN_TEXT_LENGTH,
    code_form,
    text_form,
)
from synthohive_lib.schema.model import PiiAction, PiiKind, Schema
from synthohive_lib.validation.privacy import exact_copy_rate


@dataclass(frozen=True)
class ColumnLeak:
    """Real PII values found in one synthetic column."""

    table: str
    column: str
    values: int  # distinct synthetic values that equal a real PII value
    rows: int  # synthetic rows holding them
    sources: tuple[str, ...]  # real table.column the values come from
    example: str  # masked, never the value itself

    @property
    def where(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass
class LeakReport:
    """What :func:`scan_for_leaks` found, per synthetic column and per table."""

    leaks: list[ColumnLeak] = field(default_factory=list)
    exact_copy_rates: dict[str, float] = field(default_factory=dict)
    columns_scanned: int = 0
    real_values: int = 0
    kept_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks

    @property
    def leaking_rows(self) -> int:
        return sum(leak.rows for leak in self.leaks)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON or Dagster metadata (masked examples only)."""
        return {
            "ok": self.ok,
            "leaks": [asdict(leak) for leak in self.leaks],
            "exact_copy_rates": dict(self.exact_copy_rates),
            "columns_scanned": self.columns_scanned,
            "real_values": self.real_values,
            "kept_columns": list(self.kept_columns),
        }


@dataclass
class RealPii:
    """Comparison forms of real PII values, with the columns each came from."""

    text: dict[str, set[str]] = field(default_factory=dict)  # form -> sources
    code: dict[str, set[str]] = field(default_factory=dict)
    numeric: dict[str, set[str]] = field(default_factory=dict)
    kinds: dict[str, PiiKind] = field(default_factory=dict)  # source -> kind
    kept: list[str] = field(default_factory=list)

    def forms(self) -> set[str]:
        """Every form, for the fake generator's ``avoid`` set."""
        return set(self.text) | set(self.code) | set(self.numeric)

    def __len__(self) -> int:
        return len(self.text) + len(self.code) + len(self.numeric)


def _add(target: dict[str, set[str]], forms: pd.Series, source: str) -> None:
    for value in forms.unique():  # per distinct real value
        target.setdefault(value, set()).add(source)


def _is_number(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _number_text(series: pd.Series) -> pd.Series:
    values = series.dropna()
    if pd.api.types.is_float_dtype(values.dtype) and (values == values.round()).all():
        values = values.astype("int64")
    return values.astype(str)


def collect_real_pii(real_frames: Mapping[str, pd.DataFrame], schema: Schema) -> RealPii:
    """The comparison forms of every real PII value, minus those public in non-PII columns."""
    out = RealPii()
    public: set[str] = set()
    for table in schema.tables:
        frame = real_frames.get(table.name)
        if frame is None:
            continue
        keys = table.key_columns
        for col in table.columns:
            if col.name not in frame.columns or col.name in keys:
                continue
            values = frame[col.name].dropna()
            source = f"{table.name}.{col.name}"
            if col.pii is None:
                if not _is_number(values):
                    public.update(text_form(values).unique())
                continue
            if col.pii_action is PiiAction.KEEP:
                out.kept.append(source)
                continue
            out.kinds[source] = col.pii
            if _is_number(values):
                _add(out.numeric, _number_text(values), source)
                continue
            texts = values.astype(str)
            if pd.api.types.is_datetime64_any_dtype(values.dtype):
                texts = values.dt.strftime("%Y-%m-%d %H:%M:%S")
            text = text_form(texts)
            _add(out.text, text[text.str.len() >= MIN_TEXT_LENGTH], source)
            if col.pii in CODE_KINDS:
                code = code_form(texts)
                _add(out.code, code[code.str.len() >= MIN_CODE_LENGTH], source)
    for form in public:
        out.text.pop(form, None)
    return out


def _column_forms(series: pd.Series) -> tuple[pd.Series, pd.Series | None, bool]:
    """(distinct text forms, distinct code forms or None, is numeric) of a synthetic column."""
    present = series.dropna()
    if _is_number(present):
        return pd.Series(_number_text(present).unique()), None, True
    if pd.api.types.is_datetime64_any_dtype(present.dtype):
        present = present.dt.strftime("%Y-%m-%d %H:%M:%S")
    distinct = pd.Series(present.astype(str).unique())
    return text_form(distinct), code_form(distinct), False


def _scan_column(series: pd.Series, real: RealPii) -> tuple[int, int, set[str], str] | None:
    text, code, numeric = _column_forms(series)
    if text.empty:
        return None
    if numeric:
        hits = text[text.isin(real.numeric.keys())]
        lookup = [real.numeric]
    else:
        hit_text = text.isin(real.text.keys())
        hit_code = code.isin(real.code.keys()) if code is not None else hit_text & False
        hits = pd.concat([text[hit_text], code[hit_code]]).drop_duplicates()
        lookup = [real.text, real.code]
    if hits.empty:
        return None
    sources: set[str] = set()
    for form in hits:  # only the leaking distinct values, few by construction
        for table in lookup:
            sources |= table.get(form, set())
    present = series.dropna()
    if numeric:
        row_hits = _number_text(present).isin(set(hits))
    else:
        as_text = present.astype(str)
        row_hits = text_form(as_text).isin(set(hits)) | code_form(as_text).isin(set(hits))
    first = present[row_hits.to_numpy()].astype(str).iloc[0] if row_hits.any() else hits.iloc[0]
    kind = real.kinds.get(sorted(sources)[0], PiiKind.PERSON_NAME) if sources else None
    example = str(mask_values(pd.Series([first]), kind or PiiKind.PERSON_NAME).iloc[0])
    return len(hits), int(row_hits.sum()), sources, example


def scan_for_leaks(
    real_frames: Mapping[str, pd.DataFrame],
    synthetic_frames: Mapping[str, pd.DataFrame],
    schema: Schema,
) -> LeakReport:
    """Look for every real PII value in every synthetic column; exact-copy rate per table."""
    real = collect_real_pii(real_frames, schema)
    report = LeakReport(real_values=len(real), kept_columns=list(real.kept))
    kept = set(real.kept)
    for name, synthetic in synthetic_frames.items():
        table = schema.table(name) if schema.has_table(name) else None
        keys = table.key_columns if table else set()
        for column in synthetic.columns:
            if f"{name}.{column}" in kept or column in keys:
                continue  # keys are generated sequences, never copied values
            report.columns_scanned += 1
            found = _scan_column(synthetic[column], real)
            if found is not None:
                values, rows, sources, example = found
                report.leaks.append(
                    ColumnLeak(name, column, values, rows, tuple(sorted(sources)), example)
                )
        real_frame = real_frames.get(name)
        if real_frame is not None:
            shared = [c for c in synthetic.columns if c in real_frame.columns and c not in keys]
            report.exact_copy_rates[name] = (
                exact_copy_rate(real_frame, synthetic, shared) if shared else 0.0
            )
    return report


def assert_no_leaks(report: LeakReport) -> LeakReport:
    """Raise :class:`PiiLeakError` (columns, counts, masked examples) unless the scan is clean."""
    if report.ok:
        return report
    raise PiiLeakError(
        {leak.where: leak.rows for leak in report.leaks},
        {leak.where: leak.example for leak in report.leaks},
    )
