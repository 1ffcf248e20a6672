"""How every connector turns source values into correctly typed pandas columns.

One module so that SQLite, PostgreSQL, CSV, Parquet and Delta agree on what a column of each
:class:`~synthohive_lib.schema.model.StorageType` looks like in memory:

============  =====================================================================
storage       pandas dtype
============  =====================================================================
integer       ``Int64`` (nullable: a column with NULLs stays integer, never float)
float         ``float64`` (NULL -> NaN)
decimal       ``float64`` (exact digits are restored on write from ``Column.decimals``)
string        ``object`` holding ``str`` (NULL -> ``None``)
boolean       ``boolean`` (nullable)
datetime      ``datetime64[ns]`` (``datetime64[ns, UTC]`` when the source is tz-aware)
date          ``datetime64[ns]`` at midnight
binary        ``object`` holding ``bytes``
============  =====================================================================

Dates stored as text (``storage: string`` with ``type: datetime`` and a ``datetime_format``)
are returned *as text* unless the caller asks for ``parse_dates=True``: connectors hand back
the source representation typed correctly, and the transformer decides how to model it. That
keeps write-back byte-for-byte faithful (the same format string round-trips) and lets a data
engineer see exactly what the source holds.

Values that do not fit the declared type raise :class:`MixedTypeColumnError` naming the
source, the column and a few offending values, instead of being silently turned into NaN.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from synthohive_lib.errors import MixedTypeColumnError
from synthohive_lib.schema.model import Column, ColumnType, StorageType, Table

_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}
_EXAMPLES = 3


def storage_of_sql_type(sql_type: sa.types.TypeEngine) -> StorageType | None:
    """The storage type of a reflected SQLAlchemy column type (None: leave values as they are)."""
    checks: list[tuple[type[sa.types.TypeEngine], StorageType]] = [
        (sa.Boolean, StorageType.BOOLEAN),
        (sa.Integer, StorageType.INTEGER),
        (sa.Float, StorageType.FLOAT),
        (sa.DateTime, StorageType.DATETIME),
        (sa.Date, StorageType.DATE),
        (sa.LargeBinary, StorageType.BINARY),
        (sa.types._Binary, StorageType.BINARY),
        (sa.String, StorageType.STRING),
        (sa.Enum, StorageType.STRING),
    ]
    for cls, storage in checks:
        if isinstance(sql_type, cls):
            return storage
    if isinstance(sql_type, sa.Numeric):
        return StorageType.DECIMAL if sql_type.asdecimal else StorageType.FLOAT
    return None


def storage_of_arrow_type(arrow_type: pa.DataType) -> StorageType | None:
    """The storage type of a Parquet/Delta (Arrow) column type."""
    if pa.types.is_boolean(arrow_type):
        return StorageType.BOOLEAN
    if pa.types.is_integer(arrow_type):
        return StorageType.INTEGER
    if pa.types.is_floating(arrow_type):
        return StorageType.FLOAT
    if pa.types.is_decimal(arrow_type):
        return StorageType.DECIMAL
    if pa.types.is_timestamp(arrow_type):
        return StorageType.DATETIME
    if pa.types.is_date(arrow_type):
        return StorageType.DATE
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return StorageType.STRING
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return StorageType.BINARY
    return None


def arrow_type_of(column: Column) -> pa.DataType:
    """The Arrow type a column is written as in Parquet and Delta."""
    storage = column.storage
    if storage is StorageType.INTEGER:
        return pa.int64()
    if storage in (StorageType.FLOAT, StorageType.DECIMAL):
        return pa.float64()
    if storage is StorageType.BOOLEAN:
        return pa.bool_()
    if storage is StorageType.DATETIME:
        return pa.timestamp("us")
    if storage is StorageType.DATE:
        return pa.date32()
    if storage is StorageType.BINARY:
        return pa.binary()
    return pa.string()


def to_arrow(frame: pd.DataFrame, table: Table, source: str) -> pa.Table:
    """``frame`` as an Arrow table with the types ``table`` declares (column order kept)."""
    typed = coerce_frame(frame[table.column_names], table, source=source)
    arrays = []
    fields = []
    for column in table.columns:
        series = typed[column.name]
        target = arrow_type_of(column)
        if column.storage is StorageType.DATETIME and isinstance(series.dtype, pd.DatetimeTZDtype):
            target = pa.timestamp("us", tz="UTC")
            series = series.dt.tz_convert("UTC")
        if column.storage is StorageType.DATE:
            series = series.dt.date.where(series.notna(), None)
        arrays.append(pa.array(series, type=target, from_pandas=True))
        fields.append(pa.field(column.name, target, nullable=column.nullable))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def arrow_to_frame(data: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas with nullable integers/booleans (no int -> float on NULL)."""
    mapping = {
        pa.int8(): pd.Int64Dtype(),
        pa.int16(): pd.Int64Dtype(),
        pa.int32(): pd.Int64Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.uint8(): pd.Int64Dtype(),
        pa.uint16(): pd.Int64Dtype(),
        pa.uint32(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    frame = data.to_pandas(types_mapper=mapping.get, date_as_object=False)
    for field in data.schema:
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            series = frame[field.name]
            if isinstance(series.dtype, pd.DatetimeTZDtype):
                frame[field.name] = series.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
            else:
                frame[field.name] = series.astype("datetime64[ns]")
    return frame


def coerce_frame(
    frame: pd.DataFrame,
    table: Table | None = None,
    storages: Mapping[str, StorageType | None] | None = None,
    *,
    parse_dates: bool = False,
    source: str = "",
    table_name: str | None = None,
) -> pd.DataFrame:
    """Type every column of ``frame`` per the schema ``table``, else per ``storages``.

    Columns the schema does not mention fall back to ``storages`` (the reflected/physical
    types), then to what pandas inferred.
    """
    name = table.name if table is not None else table_name
    out: dict[str, pd.Series] = {}
    for col_name in frame.columns:
        column = (
            table.column(col_name) if table is not None and table.has_column(col_name) else None
        )
        storage = column.storage if column is not None else (storages or {}).get(col_name)
        out[col_name] = coerce_series(
            frame[col_name],
            storage,
            column=column,
            parse_dates=parse_dates,
            source=source,
            table=name,
        )
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def coerce_series(
    series: pd.Series,
    storage: StorageType | None,
    *,
    column: Column | None = None,
    parse_dates: bool = False,
    source: str = "",
    table: str | None = None,
) -> pd.Series:
    """One column converted to the pandas dtype of ``storage`` (see the module table)."""
    if storage is None:
        return series
    ctx = _Context(series, column, source, table)
    if storage is StorageType.INTEGER:
        return _to_integer(series, ctx)
    if storage in (StorageType.FLOAT, StorageType.DECIMAL):
        return _to_numeric(series, ctx).astype("float64")
    if storage is StorageType.BOOLEAN:
        return _to_boolean(series, ctx)
    if storage in (StorageType.DATETIME, StorageType.DATE):
        return _to_datetime(series, ctx, date_only=storage is StorageType.DATE)
    if storage is StorageType.STRING:
        if column is not None and column.type is ColumnType.DATETIME and parse_dates:
            return _to_datetime(series, ctx, date_only=False)
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            # parsed text dates going back to a text column: the declared format round-trips
            fmt = column.datetime_format if column is not None else None
            return _to_object(series.dt.strftime(fmt or "%Y-%m-%d %H:%M:%S"))
        return _to_object(series)
    return _to_object(series)


class _Context:
    """What a conversion error needs to say where it happened."""

    def __init__(
        self, series: pd.Series, column: Column | None, source: str, table: str | None
    ) -> None:
        self.series = series
        self.column = column
        self.source = source
        self.table = table

    def fail(self, bad: pd.Series, expected: str) -> MixedTypeColumnError:
        examples = list(dict.fromkeys(bad.astype(str).tolist()))[:_EXAMPLES]
        where = f" in {self.source}" if self.source else ""
        return MixedTypeColumnError(
            f"column {self.series.name!r}{where} is declared {expected} but {len(bad)} value(s) "
            f"are not, e.g. {examples}",
            table=self.table,
            column=str(self.series.name),
            fix="clean those values at the source, or declare the column as storage 'string' "
            "(type 'categorical' or 'text') in schema.yaml",
        )


def _to_object(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        return series
    values = series.astype(object)
    return values.where(series.notna(), None)


def _to_numeric(series: pd.Series, ctx: _Context) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series
    parsed = pd.to_numeric(series, errors="coerce")  # surrounding white space is accepted
    bad = (series.notna() & parsed.isna()).to_numpy()
    if bad.any() and _is_text_dtype(series.dtype):
        # only the values that failed: blank text is a missing value, and white space the
        # parser does not know (e.g. a non-breaking space) is stripped before a retry
        failed = series[bad]
        empty = failed.eq("").to_numpy()  # the usual blank: one C comparison, no stripping
        bad[bad] = ~empty
        if bad.any():
            blank, stripped = _blank_or_stripped(series[bad])
            retry = pd.to_numeric(stripped.where(~blank), errors="coerce")
            parsed = parsed.astype("float64")
            parsed[bad] = retry.to_numpy(dtype="float64", na_value=np.nan)
            bad[bad] = ~blank & retry.isna().to_numpy()
    if bad.any():
        raise ctx.fail(series[bad], "numeric")
    return parsed


def _to_integer(series: pd.Series, ctx: _Context) -> pd.Series:
    if isinstance(series.dtype, pd.Int64Dtype):
        return series
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Int64")
    if series.dtype == object:
        exact = _exact_integers(series)
        if exact is not None:
            return exact
    numeric = _to_numeric(series, ctx)
    if pd.api.types.is_integer_dtype(numeric.dtype):
        return numeric.astype("Int64")
    as_float = numeric.astype("float64")
    fractional = as_float.notna() & (np.floor(as_float) != as_float)
    if fractional.any():
        raise ctx.fail(series[fractional], "integer")
    return as_float.astype("Int64")


def _exact_integers(series: pd.Series) -> pd.Series | None:
    """Python ints (and None) straight to ``Int64`` without a float detour (keeps 2**63-1).

    None when the values are not all integers (digit strings, floats, bad values): the caller
    then parses them and reports what does not fit.
    """
    try:
        array = pd.array(series.to_numpy(), dtype="Int64")
    except (TypeError, ValueError):
        return None
    return pd.Series(array, index=series.index, name=series.name)


def _strings(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Which values of an object column are ``str``, and those values stripped (NaN elsewhere).

    Source columns can mix ``str`` with numbers, Decimals, booleans and bytes. The common cases
    are answered from ``infer_dtype`` (one C pass); only a truly mixed column looks at each
    value's ``type`` (a builtin called from C, no Python function per row).
    """
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred not in _MAY_HOLD_STR:
        return np.zeros(len(series), dtype=bool), pd.Series(
            np.nan, index=series.index, dtype=object
        )
    if inferred in ("string", "empty"):  # every non-null value is a str (a CSV column)
        return series.notna().to_numpy(), series.str.strip()
    is_str = _of_types(series, _STR_TYPES)
    return is_str, series.where(is_str).str.strip()


def _is_text_dtype(dtype: object) -> bool:
    """Object columns and pandas' string dtypes: the ones that can hold blank text."""
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


def _of_types(series: pd.Series, types: tuple[type, ...]) -> np.ndarray:
    """Which values of an object column are exactly of one of ``types``."""
    return series.map(type).isin(types).to_numpy()


_STR_TYPES = (str, np.str_)
_BYTES_TYPES = (bytes, np.bytes_)
#: ``infer_dtype`` results of object columns that can contain ``str`` values.
_MAY_HOLD_STR = frozenset({"string", "mixed", "mixed-integer", "empty"})
#: ``infer_dtype`` results of object columns that can contain ``bytes`` values.
_MAY_HOLD_BYTES = frozenset({"bytes", "mixed", "mixed-integer"})


def _blank_or_stripped(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """For values that failed to parse: which are blank text, and the text stripped (else NaN).

    Called on the failures only, so the common all-clean column pays nothing for it.
    """
    is_str, stripped = _strings(values)
    return is_str & stripped.eq("").to_numpy(), stripped.where(is_str)


def _to_boolean(series: pd.Series, ctx: _Context) -> pd.Series:
    """true/false/yes/no/t/f/y/n/1/0 text, booleans, and the numbers 0 and 1; else an error."""
    if isinstance(series.dtype, pd.BooleanDtype):
        return series
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean")
    values = series.astype(object)
    missing = values.isna().to_numpy()
    is_str, stripped = _strings(values)
    text = stripped.str.lower()
    other = ~missing & ~is_str
    if pd.api.types.infer_dtype(values, skipna=True) in _MAY_HOLD_BYTES:
        other &= ~_of_types(values, _BYTES_TYPES)  # b"1" is not a boolean
    # bools, ints, floats (and Decimals) that are exactly 0 or 1; anything else is NaN
    number = pd.to_numeric(values.where(other), errors="coerce") if other.any() else None
    true = is_str & text.isin(_TRUE).to_numpy()
    false = is_str & text.isin(_FALSE).to_numpy()
    if number is not None:
        true |= other & number.eq(1).to_numpy()
        false |= other & number.eq(0).to_numpy()
    blank = is_str & text.eq("").to_numpy()
    bad = ~(missing | blank | true | false)
    if bad.any():
        raise ctx.fail(series[bad], "boolean")
    result = pd.Series(pd.NA, index=series.index, dtype="boolean", name=series.name)
    result[true] = True
    result[false] = False
    return result


def _parse_datetimes(values: pd.Series, fmt: str) -> pd.Series:
    try:
        return pd.to_datetime(values, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        # mixed timezone offsets: normalise to UTC rather than return objects
        return pd.to_datetime(values, format=fmt, errors="coerce", utc=True)


def _unparsed(values: pd.Series, parsed: pd.Series) -> np.ndarray:
    """Values that are present but did not parse; blank text counts as a missing value."""
    bad = (values.notna() & parsed.isna()).to_numpy()
    if bad.any() and _is_text_dtype(values.dtype):  # only the failures are inspected
        bad[bad] = ~_blank_or_stripped(values[bad])[0]
    return bad


def _to_datetime(series: pd.Series, ctx: _Context, *, date_only: bool) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        result = series
    else:
        values = series
        fmt = ctx.column.datetime_format if ctx.column is not None else None
        result = _parse_datetimes(values, fmt or "ISO8601")
        bad = _unparsed(values, result)
        if bad.any() and fmt is None:
            result = _parse_datetimes(values, "mixed")  # not ISO 8601: let pandas infer each
            bad = _unparsed(values, result)
        if bad.any():
            expected = f"a datetime in format {fmt!r}" if fmt else "a datetime"
            raise ctx.fail(series[bad], expected)
    if isinstance(result.dtype, pd.DatetimeTZDtype):
        result = result.astype("datetime64[ns, UTC]")
    elif result.dtype != "datetime64[ns]":
        result = result.astype("datetime64[ns]")
    if date_only:
        result = result.dt.normalize()
    return result


def infer_text_storage(series: pd.Series) -> StorageType:
    """The storage type of a column read as text with no schema (CSV): the narrowest that fits.

    Integer if every value is an integer literal, float if every value is numeric, boolean if
    every value is true/false, else string. Dates are not guessed: they stay text until a
    schema (``datetime_format``) says otherwise. A column with a leading zero anywhere
    (``02134``, ``0049 …``) is a code, not a number: as a number it would lose the zero, and a
    postal code written back would no longer be the one read.
    """
    values = series.dropna().astype(str).str.strip()
    values = values[values != ""]
    if values.empty or values.str.match(r"[+-]?0[0-9]").any():
        return StorageType.STRING
    if values.str.fullmatch(r"[+-]?\d+").all():
        return StorageType.INTEGER
    if pd.to_numeric(values, errors="coerce").notna().all():
        return StorageType.FLOAT
    if values.str.lower().isin(_TRUE - {"1", "y"} | _FALSE - {"0", "n"}).all():
        return StorageType.BOOLEAN
    return StorageType.STRING
