"""The table store: where every stage keeps its tables (snapshots, synthetic outputs).

Stages hand tables to each other by *location*, never as in-memory objects: the ``real``
stage writes ``<root>/real/<table>``, the stages after it read from there. A store is one
output root plus one format:

- :class:`ParquetStore` writes ``<root>/<stage>/<table>.parquet``. A write goes to a temporary
  file in the same folder and is moved over the old file with :func:`os.replace`, so a reader
  sees the old table or the new one, never half of one.
- :class:`DeltaStore` writes a Delta table (delta-rs) at ``<root>/<stage>/<table>/``; each
  write is one overwrite transaction, atomic by the Delta log, with the history kept.

Each write returns a :class:`StoredTable` with a content **fingerprint**: a SHA-256 over the
column names and dtypes and the per-row hashes of :func:`pandas.util.hash_pandas_object`,
sorted so that the fingerprint does not depend on row order (a database may return the same
rows in another order). Unchanged data gives the same fingerprint, so it serves as a data
version and as the cursor of change-detection sensors.

Table names become file names through :func:`safe_name`: a name made only of letters, digits,
``_`` and ``-`` is kept as is; any other name is reduced to those characters and suffixed with
a hash of the original, so two different names never share a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from synthohive_lib.errors import ConnectorError
from synthohive_lib.io.atomic import atomic_write

#: key of the fingerprint in Parquet file metadata / Delta commit metadata
FINGERPRINT_KEY = "synthohive.fingerprint"
#: key of the original (unsanitised) table name in the stored metadata
TABLE_KEY = "synthohive.table"
#: key of the row count in the stored metadata
ROWS_KEY = "synthohive.rows"
_PANDAS_KEY = "synthohive.pandas"

_SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$")
_STAGE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class StoredTable:
    """Where a table was stored, how many rows it has and the fingerprint of its content."""

    stage: str
    table: str
    uri: str
    rows: int
    fingerprint: str
    format: str

    @property
    def path(self) -> Path:
        return Path(self.uri)


# --------------------------------------------------------------------------- helpers


def safe_name(table: str) -> str:
    """A file-system-safe, collision-free file name for ``table``.

    Names matching ``[A-Za-z0-9_][A-Za-z0-9_-]*`` (up to 100 characters) are kept; others
    become their safe characters plus ``-`` and 12 hex digits of the name's SHA-256.
    """
    if not isinstance(table, str) or not table:
        raise ConnectorError("a table name must be a non-empty string", table=str(table))
    if _SAFE.match(table):
        return table
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", table).strip("_")[:60] or "table"
    digest = hashlib.sha256(table.encode("utf-8")).hexdigest()[:12]
    return f"{stem}-{digest}"


def _check_stage(stage: str) -> str:
    if not isinstance(stage, str) or not _STAGE.match(stage):
        raise ConnectorError(
            f"stage name {stage!r} is not valid",
            fix="use lower-case letters, digits and '_' (e.g. 'real', 'synthetic')",
        )
    return stage


def fingerprint(df: pd.DataFrame) -> str:
    """SHA-256 of the content of ``df``: column names, dtypes and rows (row order ignored,
    index ignored). Equal data gives an equal fingerprint across processes and runs."""
    h = hashlib.sha256()
    layout = [[str(c), str(t)] for c, t in zip(df.columns, df.dtypes, strict=True)]
    h.update(json.dumps(layout, separators=(",", ":")).encode("utf-8"))
    h.update(len(df).to_bytes(8, "little"))
    if len(df.columns) and len(df):
        rows = pd.util.hash_pandas_object(_hashable(df), index=False).to_numpy(np.uint64)
        h.update(np.sort(rows).tobytes())
    return h.hexdigest()


def _hashable(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with object columns of non-string values (bytes, Decimal, lists, dicts) as text,
    which :func:`pandas.util.hash_pandas_object` can hash; nulls stay null."""
    out = df
    for i, dtype in enumerate(df.dtypes):
        if not pd.api.types.is_object_dtype(dtype):
            continue
        col = df.iloc[:, i]
        if pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
            continue
        if out is df:
            out = df.copy()
        out.isetitem(i, col.astype(str).where(col.notna(), None))
    return out


def _to_arrow(df: pd.DataFrame, stage: str, table: str) -> pa.Table:
    if not df.columns.is_unique:
        dupes = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise ConnectorError(
            f"cannot store stage {stage!r}: duplicate column names {dupes}",
            table=table,
            fix="rename the columns so each name appears once",
        )
    try:
        frame = df.rename(columns=str) if not all(isinstance(c, str) for c in df.columns) else df
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise ConnectorError(
            f"cannot store stage {stage!r}: a column cannot be converted to Arrow: {exc}",
            table=table,
            fix="give every column a single type (e.g. cast mixed object columns to str)",
        ) from exc


# --------------------------------------------------------------------------- stores


class TableStore(ABC):
    """Tables of every stage under one output root, in one format."""

    format: str = "abstract"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().resolve()

    def location(self, stage: str, table: str) -> Path:
        """Where ``table`` of ``stage`` lives (whether or not it exists yet)."""
        return self.root / _check_stage(stage) / (safe_name(table) + self._suffix)

    _suffix: str = ""

    def write(self, stage: str, table: str, df: pd.DataFrame) -> StoredTable:
        """Store ``df`` as ``table`` of ``stage``, atomically replacing any previous version."""
        if not isinstance(df, pd.DataFrame):
            raise ConnectorError(
                f"expected a pandas DataFrame, got {type(df).__name__}", table=table
            )
        target = self.location(stage, table)
        digest = fingerprint(df)
        data = _to_arrow(df, stage, table)
        meta = {FINGERPRINT_KEY: digest, TABLE_KEY: table, ROWS_KEY: str(len(df))}
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._write(target, data, meta)
        except OSError as exc:
            raise ConnectorError(
                f"writing stage {stage!r} to {target} failed: {exc}",
                table=table,
                fix="check free disk space and write permissions of the output root",
            ) from exc
        return StoredTable(stage, table, str(target), len(df), digest, self.format)

    def read(self, stage: str, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """The stored table as a DataFrame; :class:`ConnectorError` when it does not exist."""
        target = self._existing(stage, table)
        return self._read(target, columns)

    def info(self, stage: str, table: str) -> StoredTable:
        """Location, rows and fingerprint of a stored table, without reading its data."""
        target = self._existing(stage, table)
        rows, meta = self._info(target)
        digest = meta.get(FINGERPRINT_KEY)
        if digest is None:  # written by something else: compute it from the data
            digest = fingerprint(self._read(target, None))
        return StoredTable(stage, table, str(target), rows, digest, self.format)

    def exists(self, stage: str, table: str) -> bool:
        return self._exists(self.location(stage, table))

    def delete(self, stage: str, table: str) -> None:
        """Remove a stored table (no error when it does not exist)."""
        self._delete(self.location(stage, table))

    def _existing(self, stage: str, table: str) -> Path:
        target = self.location(stage, table)
        if not self._exists(target):
            raise ConnectorError(
                f"no stored table for stage {stage!r} at {target}",
                table=table,
                fix=f"materialize the {stage}/{table} asset first",
            )
        return target

    @abstractmethod
    def _write(self, target: Path, data: pa.Table, meta: dict[str, str]) -> None: ...

    @abstractmethod
    def _read(self, target: Path, columns: list[str] | None) -> pd.DataFrame: ...

    @abstractmethod
    def _info(self, target: Path) -> tuple[int, dict[str, str]]: ...

    @abstractmethod
    def _exists(self, target: Path) -> bool: ...

    @abstractmethod
    def _delete(self, target: Path) -> None: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.root)!r})"


class ParquetStore(TableStore):
    """One Parquet file per table, replaced atomically (temp file + :func:`os.replace`)."""

    format = "parquet"
    _suffix = ".parquet"

    def _write(self, target: Path, data: pa.Table, meta: dict[str, str]) -> None:
        schema_meta = dict(data.schema.metadata or {})
        schema_meta.update({k.encode(): v.encode() for k, v in meta.items()})
        data = data.replace_schema_metadata(schema_meta)
        atomic_write(target, lambda fh: pq.write_table(data, fh, compression="zstd"))

    def _read(self, target: Path, columns: list[str] | None) -> pd.DataFrame:
        return pq.read_table(target, columns=columns).to_pandas()

    def _info(self, target: Path) -> tuple[int, dict[str, str]]:
        md = pq.read_metadata(target)
        raw = md.schema.to_arrow_schema().metadata or {}
        return md.num_rows, {k.decode(): v.decode() for k, v in raw.items()}

    def _exists(self, target: Path) -> bool:
        return target.is_file()

    def _delete(self, target: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()


class DeltaStore(TableStore):
    """One Delta table per table; every write is one overwrite transaction (history kept)."""

    format = "delta"

    def _write(self, target: Path, data: pa.Table, meta: dict[str, str]) -> None:
        from deltalake import CommitProperties, write_deltalake

        pandas_meta = (data.schema.metadata or {}).get(b"pandas")
        if pandas_meta is not None:  # lets read() restore the pandas dtypes (e.g. Int64)
            meta = {**meta, _PANDAS_KEY: pandas_meta.decode()}
        write_deltalake(
            str(target),
            data,
            mode="overwrite",
            schema_mode="overwrite",
            commit_properties=CommitProperties(custom_metadata=meta),
        )

    def _read(self, target: Path, columns: list[str] | None) -> pd.DataFrame:
        from deltalake import DeltaTable

        dt = DeltaTable(str(target))
        data = pa.table(dt.to_pyarrow_table(columns=columns))
        pandas_meta = _last_commit_meta(dt).get(_PANDAS_KEY)
        if pandas_meta is not None:
            data = data.replace_schema_metadata({b"pandas": pandas_meta.encode()})
        return data.to_pandas()

    def _info(self, target: Path) -> tuple[int, dict[str, str]]:
        from deltalake import DeltaTable

        dt = DeltaTable(str(target))
        meta = _last_commit_meta(dt)
        if ROWS_KEY in meta:
            return int(meta[ROWS_KEY]), meta
        actions = pa.table(dt.get_add_actions(flatten=True))
        return int(pc.sum(actions["num_records"]).as_py() or 0), meta

    def _exists(self, target: Path) -> bool:
        return (target / "_delta_log").is_dir()

    def _delete(self, target: Path) -> None:
        import shutil

        if target.exists():
            shutil.rmtree(target)


def _last_commit_meta(dt: object) -> dict[str, str]:
    """String entries of the latest commit's info (our custom metadata when we wrote last)."""
    last = dt.history(1)  # type: ignore[attr-defined]
    return {k: v for k, v in (last[0] if last else {}).items() if isinstance(v, str)}


def open_store(root: str | os.PathLike[str], format: str = "parquet") -> TableStore:
    """The store for ``format`` (``parquet`` or ``delta``) under ``root``."""
    stores: dict[str, type[TableStore]] = {"parquet": ParquetStore, "delta": DeltaStore}
    try:
        return stores[str(format)](root)
    except KeyError:
        raise ConnectorError(
            f"unknown output format {format!r}", fix="use 'parquet' or 'delta'"
        ) from None
