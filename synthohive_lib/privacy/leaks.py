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
Australian postcode ``2010``).

**Leaks and coincidences.** Not every shared value is a leak. A hit is a **leak** when the
real value comes from the *same* column, or from a column of the *same PII kind* (a real
phone number in a synthetic fax column), or when it is of an identifying kind (an e-mail, a
phone, an address, an IBAN, ...: :data:`IDENTIFYING_KINDS`, values no generator makes up by
chance) in any column, free text included. Anything else is a **coincidence**: a value
shared with a different kind of column (an artist called like a customer's city, a first
name that is also someone's last name). Coincidences are listed but never fail anything.
An allow-list (:class:`PiiAllowList`, ``validation.pii_allow`` in the project config)
accepts given values everywhere, or every hit in given synthetic columns.

**One verdict.** :func:`scan_table_for_leaks` scans one synthetic table against the real PII
of that table and its parents. The blocking ``no_pii_leak`` check calls it per table, and
:func:`scan_schema_for_leaks` (the report) calls it for every table and merges the results, so
the report's verdict and the gates agree by construction. :func:`scan_for_leaks` (every real
table against every synthetic one) is the wider search for notebooks and tests.

:func:`assert_no_leaks` raises :class:`~synthohive_lib.errors.PiiLeakError` naming the
leaking ``table.column`` and counts, with masked examples only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

import pandas as pd

from synthohive_lib.errors import PiiLeakError
from synthohive_lib.privacy.identifiers import identifier_columns
from synthohive_lib.privacy.mask import mask_values
from synthohive_lib.privacy.normalise import (
    CODE_KINDS,
    MIN_CODE_LENGTH,
    MIN_TEXT_LENGTH,
    code_form,
    text_form,
)
from synthohive_lib.schema.model import ColumnType, PiiAction, PiiKind, Schema, Table

#: kinds that identify a person on their own: found in any synthetic column, a leak
IDENTIFYING_KINDS = frozenset(
    {PiiKind.EMAIL, PiiKind.PHONE, PiiKind.ADDRESS, PiiKind.IP_ADDRESS, PiiKind.CREDIT_CARD,
     PiiKind.NATIONAL_ID, PiiKind.IBAN}
)  # fmt: skip

HitKind = Literal["leak", "coincidence"]


@dataclass(frozen=True)
class PiiAllowList:
    """Values that are never a leak, and synthetic columns whose hits are all accepted.

    ``values`` are compared in the text form (case and whitespace do not matter); ``columns``
    are ``table.column`` names of *synthetic* columns. Set in the project config as
    ``validation.pii_allow: {values: [...], columns: [...]}``.
    """

    values: frozenset[str] = frozenset()
    columns: frozenset[str] = frozenset()

    @classmethod
    def of(cls, values: Iterable[str] = (), columns: Iterable[str] = ()) -> PiiAllowList:
        forms = text_form(pd.Series(list(values), dtype=object)) if values else pd.Series([])
        return cls(frozenset(forms), frozenset(columns))


@dataclass(frozen=True)
class ColumnLeak:
    """Real PII values found in one synthetic column."""

    table: str
    column: str
    values: int  # distinct synthetic values that equal a real PII value
    rows: int  # synthetic rows holding them
    sources: tuple[str, ...]  # real table.column the values come from
    example: str  # masked, never the value itself
    #: ``leak`` (same column, same PII kind, or an identifying kind in a non-PII column) or
    #: ``coincidence`` (a value shared with a different kind of column only)
    kind: HitKind = "leak"

    @property
    def where(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass
class LeakReport:
    """What a scan found: leaks (they fail the gate) and coincidences (listed only)."""

    leaks: list[ColumnLeak] = field(default_factory=list)
    coincidences: list[ColumnLeak] = field(default_factory=list)
    columns_scanned: int = 0
    real_values: int = 0
    kept_columns: list[str] = field(default_factory=list)
    #: synthetic tables scanned, each against the real PII of itself and its parents
    tables: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks

    @property
    def leaking_rows(self) -> int:
        return sum(leak.rows for leak in self.leaks)

    def leaks_in(self, table: str) -> list[ColumnLeak]:
        """The leaks found in one synthetic table."""
        return [leak for leak in self.leaks if leak.table == table]

    def merge(self, other: LeakReport) -> LeakReport:
        """Both scans' findings (the report merges the per-table scans of the gates)."""
        return LeakReport(
            leaks=self.leaks + other.leaks,
            coincidences=self.coincidences + other.coincidences,
            columns_scanned=self.columns_scanned + other.columns_scanned,
            real_values=max(self.real_values, other.real_values),
            kept_columns=sorted(set(self.kept_columns) | set(other.kept_columns)),
            tables=self.tables + other.tables,
        )

    def describe(self) -> str | None:
        """One line per leaking column (masked examples), None when clean."""
        if self.ok:
            return None
        return "; ".join(
            f"{leak.where}: {leak.rows} rows hold real PII of {', '.join(leak.sources)} "
            f"(e.g. {leak.example})"
            for leak in self.leaks
        )

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON or Dagster metadata (masked examples only)."""
        return {
            "ok": self.ok,
            "leaks": [asdict(leak) for leak in self.leaks],
            "coincidences": [asdict(hit) for hit in self.coincidences],
            "columns_scanned": self.columns_scanned,
            "real_values": self.real_values,
            "kept_columns": list(self.kept_columns),
            "tables": list(self.tables),
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


def _string_identifiers(table: Table, frame: pd.DataFrame) -> set[str]:
    """Non-key identifier columns holding text (``id``-typed or near-unique categoricals; see
    :mod:`~synthohive_lib.privacy.identifiers`). Numeric identifiers are left to the
    identifier gate, which compares them column by column: a real id ``2010`` is not a leak
    when an invoice total is 2010. Free text is left out too (its generator rejects real
    values of its own column, and a title may rightly equal another table's)."""
    names = identifier_columns(table, frame)
    return {
        name
        for name in names
        if not _is_number(frame[name].dropna()) and table.column(name).type is not ColumnType.TEXT
    }


def collect_real_pii(real_frames: Mapping[str, pd.DataFrame], schema: Schema) -> RealPii:
    """The comparison forms of every real PII value, minus those public in non-PII columns;
    the values of text identifiers that are not keys count as PII (code forms)."""
    out = RealPii()
    public: set[str] = set()
    for table in schema.tables:
        frame = real_frames.get(table.name)
        if frame is None:
            continue
        keys = table.key_columns
        identifiers = _string_identifiers(table, frame)
        for col in table.columns:
            if col.name not in frame.columns or col.name in keys:
                continue
            values = frame[col.name].dropna()
            source = f"{table.name}.{col.name}"
            if col.name in identifiers:  # never public: regenerated, never copied
                out.kinds[source] = PiiKind.NATIONAL_ID
                code = code_form(values.astype(str))
                _add(out.code, code[code.str.len() >= MIN_CODE_LENGTH], source)
                continue
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


def _scan_column(series: pd.Series, real: RealPii, allow: frozenset[str]) -> _Hits | None:
    """The distinct real forms in ``series`` (allow-listed values removed), with sources."""
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
    if allow:
        hits = hits[~hits.isin(allow)]
    if hits.empty:
        return None
    return _Hits(
        {form: set().union(*(table.get(form, set()) for table in lookup)) for form in hits},
        numeric,
    )


@dataclass
class _Hits:
    """Real forms found in one synthetic column: form -> the real columns holding it."""

    sources: dict[str, set[str]]
    numeric: bool

    def split(self, where: str, kind: PiiKind | None, real: RealPii) -> dict[HitKind, set[str]]:
        """Forms that leak vs forms that only coincide (see the module docstring)."""
        out: dict[HitKind, set[str]] = {"leak": set(), "coincidence": set()}
        for form, sources in self.sources.items():
            leak = any(
                src == where
                or (kind is not None and real.kinds.get(src) == kind)
                or real.kinds.get(src) in IDENTIFYING_KINDS
                for src in sources
            )
            out["leak" if leak else "coincidence"].add(form)
        return out


@dataclass
class _Finding:
    """What one synthetic column holds of some real forms, summed over the blocks seen."""

    forms: set[str]
    rows: int
    sources: set[str]
    example: str  # masked

    def add(self, other: _Finding) -> None:
        self.forms |= other.forms
        self.rows += other.rows
        self.sources |= other.sources


def _column_finding(series: pd.Series, forms: set[str], hits: _Hits, real: RealPii) -> _Finding:
    """Rows, sources and one masked example of ``forms`` in ``series``."""
    present = series.dropna()
    if hits.numeric:
        row_hits = _number_text(present).isin(forms)
    else:
        as_text = present.astype(str)
        row_hits = text_form(as_text).isin(forms) | code_form(as_text).isin(forms)
    sources = set().union(*(hits.sources[f] for f in forms))
    first = present[row_hits.to_numpy()].astype(str).iloc[0] if row_hits.any() else min(forms)
    pii = real.kinds.get(sorted(sources)[0], PiiKind.PERSON_NAME)
    example = str(mask_values(pd.Series([first]), pii).iloc[0])
    return _Finding(set(forms), int(row_hits.sum()), sources, example)


#: findings of one synthetic table: (column, leak or coincidence) -> what was found
_Findings = dict[tuple[str, HitKind], _Finding]


def _scan_frame(
    name: str,
    synthetic: pd.DataFrame,
    schema: Schema,
    real: RealPii,
    allow: PiiAllowList,
    found: _Findings,
) -> int:
    """Scan every non-key, non-kept column of one synthetic table (or one block of it) into
    ``found``; returns the number of columns scanned."""
    table = schema.table(name) if schema.has_table(name) else None
    keys = table.key_columns if table else set()
    kept = set(real.kept)
    scanned = 0
    for column in synthetic.columns:
        where = f"{name}.{column}"
        if where in kept or column in keys:
            continue  # keys are generated sequences, never copied values
        scanned += 1
        hits = _scan_column(synthetic[column], real, allow.values)
        if hits is None:
            continue
        col = table.column(column) if table is not None and table.has_column(column) else None
        split = hits.split(where, col.pii if col is not None else None, real)
        if where in allow.columns:  # accepted by the project: listed, never failing
            split = {"leak": set(), "coincidence": split["leak"] | split["coincidence"]}
        kind: HitKind
        for kind in ("leak", "coincidence"):
            if split[kind]:
                finding = _column_finding(synthetic[column], split[kind], hits, real)
                if (column, kind) in found:
                    found[(column, kind)].add(finding)
                else:
                    found[(column, kind)] = finding
    return scanned


def _record(name: str, columns: list[str], found: _Findings, report: LeakReport) -> None:
    """The findings of table ``name`` as :class:`ColumnLeak` entries, in column order."""
    order = {c: i for i, c in enumerate(columns)}
    for (column, kind), f in sorted(found.items(), key=lambda item: order[item[0][0]]):
        hit = ColumnLeak(
            name, column, len(f.forms), f.rows, tuple(sorted(f.sources)), f.example, kind
        )
        (report.leaks if kind == "leak" else report.coincidences).append(hit)


def scan_for_leaks(
    real_frames: Mapping[str, pd.DataFrame],
    synthetic_frames: Mapping[str, pd.DataFrame],
    schema: Schema,
    *,
    allow: PiiAllowList | None = None,
) -> LeakReport:
    """Look for every real PII value (of any table) in every synthetic column."""
    allow = allow or PiiAllowList()
    real = collect_real_pii(real_frames, schema)
    report = LeakReport(
        real_values=len(real), kept_columns=list(real.kept), tables=list(synthetic_frames)
    )
    for name, synthetic in synthetic_frames.items():
        found: _Findings = {}
        report.columns_scanned += _scan_frame(name, synthetic, schema, real, allow, found)
        _record(name, [str(c) for c in synthetic.columns], found, report)
    return report


def leak_scope(schema: Schema, table: str) -> list[str]:
    """The real tables whose PII a synthetic ``table`` is checked against: itself and its
    parents (the tables its model saw as context)."""
    parents = [fk.references for fk in schema.table(table).foreign_keys]
    return list(dict.fromkeys([table, *(p for p in parents if p != table)]))


def scan_table_for_leaks(
    real_frames: Mapping[str, pd.DataFrame],
    synthetic: pd.DataFrame,
    schema: Schema,
    table: str,
    *,
    allow: PiiAllowList | None = None,
) -> LeakReport:
    """The ``no_pii_leak`` gate of one synthetic table: the real PII of the tables in
    :func:`leak_scope` looked up in every column of ``synthetic``."""
    scope = {n: real_frames[n] for n in leak_scope(schema, table) if n in real_frames}
    return scan_for_leaks(scope, {table: synthetic}, schema, allow=allow)


def scan_table_blocks_for_leaks(
    real_frames: Mapping[str, pd.DataFrame],
    blocks: Iterable[pd.DataFrame],
    schema: Schema,
    table: str,
    *,
    allow: PiiAllowList | None = None,
) -> LeakReport:
    """:func:`scan_table_for_leaks` of a synthetic table given as consecutive blocks (a table
    too big for memory): the real PII is collected once, every block is scanned, and the
    counts are summed per column, so the verdict is that of the whole table."""
    allow = allow or PiiAllowList()
    scope = {n: real_frames[n] for n in leak_scope(schema, table) if n in real_frames}
    real = collect_real_pii(scope, schema)
    report = LeakReport(real_values=len(real), kept_columns=list(real.kept), tables=[table])
    found: _Findings = {}
    columns: list[str] = []
    for number, block in enumerate(blocks):
        scanned = _scan_frame(table, block, schema, real, allow, found)
        if number == 0:
            report.columns_scanned, columns = scanned, [str(c) for c in block.columns]
    _record(table, columns, found, report)
    return report


def scan_schema_for_leaks(
    real_frames: Mapping[str, pd.DataFrame],
    synthetic_frames: Mapping[str, pd.DataFrame],
    schema: Schema,
    *,
    allow: PiiAllowList | None = None,
) -> LeakReport:
    """:func:`scan_table_for_leaks` of every synthetic table of the schema, merged: exactly
    what the per-table gates decide, so the report can never contradict them."""
    merged = LeakReport()
    for name, synthetic in synthetic_frames.items():
        if schema.has_table(name):
            merged = merged.merge(
                scan_table_for_leaks(real_frames, synthetic, schema, name, allow=allow)
            )
    return merged


def assert_no_leaks(report: LeakReport) -> LeakReport:
    """Raise :class:`PiiLeakError` (columns, counts, masked examples) unless the scan is clean."""
    if report.ok:
        return report
    raise PiiLeakError(
        {leak.where: leak.rows for leak in report.leaks},
        {leak.where: leak.example for leak in report.leaks},
    )
