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
column names and dtypes, the row count and two 64-bit sums of the per-row hashes of
:func:`pandas.util.hash_pandas_object` (plain, and through the splitmix64 finaliser), folded
chunk by chunk (:class:`TableFingerprint`, bounded memory), so it does not depend on row
order, the index or how the rows were cut into chunks. It is stored with the table, so
``info`` need not re-read the data; unchanged data gives the same fingerprint, so it serves as
the snapshot's data version. (The sensors' cheap source probe is
:mod:`synthohive_lib.io.fingerprint`, a different thing.)

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
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import structlog

from synthohive_lib.atomic import atomic_write
from synthohive_lib.errors import ConnectorError

log = structlog.get_logger(__name__)

#: key of the fingerprint in Parquet file metadata / Delta commit metadata
FINGERPRINT_KEY = "synthohive.fingerprint"
#: key of the original (unsanitised) table name in the stored metadata
TABLE_KEY = "synthohive.table"
#: key of the row count in the stored metadata
ROWS_KEY = "synthohive.rows"
_PANDAS_KEY = "synthohive.pandas"
#: rows per block of :meth:`TableStore.blocks`: about 30 MB for an Adult-like table, few
#: enough blocks that per-block overhead is negligible at 10M rows
BLOCK_ROWS = 262_144

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


class TableFingerprint:
    """The fingerprint of a table fed chunk by chunk (:meth:`update`), in bounded memory.

    Row order must not matter, so the per-row hashes are combined as a multiset: two 64-bit
    sums (of the hashes, and of the hashes passed through the splitmix64 finaliser) that any
    order of rows and any cut into chunks reach alike. The digest is the SHA-256 of the
    column layout (names and dtypes of the first chunk), the row count and both sums, so a
    table written in one piece and the same rows written in chunks share one fingerprint.
    Later chunks are hashed with the first chunk's dtypes (a chunk whose int column came out
    as float is cast back first).
    """

    def __init__(self) -> None:
        self._layout: list[list[str]] | None = None
        self._dtypes: dict[str, object] = {}
        self._rows = 0
        self._sum = np.uint64(0)
        self._mixed = np.uint64(0)

    def update(self, df: pd.DataFrame) -> TableFingerprint:
        """Add the rows of ``df`` (its index is ignored)."""
        if self._layout is None:
            self._layout = [[str(c), str(t)] for c, t in zip(df.columns, df.dtypes, strict=True)]
            self._dtypes = dict(zip(df.columns, df.dtypes, strict=True))
        elif any(str(t) != self._layout[i][1] for i, t in enumerate(df.dtypes)):
            # e.g. an int column that came out as float in this chunk; a chunk that cannot
            # take the first chunk's dtypes is hashed as it is
            with contextlib.suppress(TypeError, ValueError):
                df = df.astype(self._dtypes)
        self._rows += len(df)
        if len(df.columns) and len(df):
            rows = pd.util.hash_pandas_object(_hashable(df), index=False).to_numpy(np.uint64)
            with np.errstate(over="ignore"):
                self._sum += rows.sum(dtype=np.uint64)
                self._mixed += _splitmix64(rows).sum(dtype=np.uint64)
        return self

    def hexdigest(self) -> str:
        h = hashlib.sha256()
        h.update(json.dumps(self._layout or [], separators=(",", ":")).encode("utf-8"))
        h.update(self._rows.to_bytes(8, "little"))
        if self._rows and self._layout:
            h.update(int(self._sum).to_bytes(8, "little"))
            h.update(int(self._mixed).to_bytes(8, "little"))
        return h.hexdigest()


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, element-wise (wrapping uint64 arithmetic)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def fingerprint(df: pd.DataFrame) -> str:
    """SHA-256 of the content of ``df``: column names, dtypes and rows (row order ignored,
    index ignored). Equal data gives an equal fingerprint across processes and runs, and
    the same fingerprint as the same rows fed in chunks to :class:`TableFingerprint`."""
    return TableFingerprint().update(df).hexdigest()


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


@contextlib.contextmanager
def _write_errors(stage: str, table: str, target: Path) -> Iterator[None]:
    """An OS error while writing a stored table, as a typed error naming table and fix."""
    try:
        yield
    except OSError as exc:
        raise ConnectorError(
            f"writing stage {stage!r} to {target} failed: {exc}",
            table=table,
            fix="check free disk space and write permissions of the output root",
        ) from exc


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
        remove_leftovers(target)
        with _write_errors(stage, table, target):
            self._write(target, data, meta)
        return StoredTable(stage, table, str(target), len(df), digest, self.format)

    def write_chunks(
        self,
        stage: str,
        table: str,
        chunks: Iterable[pd.DataFrame],
        *,
        schema: pa.Schema | None = None,
    ) -> StoredTable:
        """Store a table handed over as consecutive chunks, holding one chunk at a time.

        Why: a table too big for memory (a synthetic table of 10M rows) can be generated and
        written piece by piece; peak memory is that of one chunk, whatever the row count.
        Chunks are streamed into one Parquet file (one row group per chunk), so the result
        reads back as one table; its fingerprint equals :func:`fingerprint` of all rows, as
        :meth:`write` would have stored. The write is as atomic as :meth:`write`: rows go to a
        hidden temporary file first, and only after the last chunk is the table published
        (Parquet: renamed over the target; Delta: committed in one transaction from that
        staged file). An error in any chunk, including one raised by the iterator producing
        them, removes the temporary file and leaves the previous table as it was.

        The column types are those of ``schema`` when given, else of the first chunk's Arrow
        conversion; a later chunk that cannot be cast to them is a :class:`ConnectorError`.
        ``chunks`` must yield at least one frame (an empty one for an empty table).
        """
        target = self.location(stage, table)
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        stream = _ChunkStream(stage, table, chunks, schema)
        with _write_errors(stage, table, target):
            self._write_chunks(target, stream)
        return StoredTable(stage, table, str(target), stream.rows, stream.digest, self.format)

    def read(self, stage: str, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """The stored table as a DataFrame; :class:`ConnectorError` when it does not exist."""
        target = self._existing(stage, table)
        return self._read(target, columns)

    def blocks(
        self,
        stage: str,
        table: str,
        columns: list[str] | None = None,
        rows: int = BLOCK_ROWS,
    ) -> Iterator[pd.DataFrame]:
        """The stored table as consecutive DataFrames of at most ``rows`` rows, in stored order.

        Why: a table written block by block (10M synthetic rows) must be validated the same
        way, holding one block at a time; the frames have the dtypes :meth:`read` gives.
        """
        if rows < 1:
            raise ValueError(f"rows must be >= 1, got {rows}")
        target = self._existing(stage, table)
        schema, batches = self._batches(target, columns, rows)
        produced = False
        for batch in batches:
            if batch.num_rows:
                produced = True
                yield pa.Table.from_batches([batch], schema=schema).to_pandas()
        if not produced:  # an empty table still has its columns and dtypes
            yield schema.empty_table().to_pandas()

    def row_count(self, stage: str, table: str) -> int:
        """Rows of the stored table, from its metadata (no data is read)."""
        return self._info(self._existing(stage, table))[0]

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
    def _write_chunks(self, target: Path, stream: _ChunkStream) -> None: ...

    @abstractmethod
    def _read(self, target: Path, columns: list[str] | None) -> pd.DataFrame: ...

    @abstractmethod
    def _batches(
        self, target: Path, columns: list[str] | None, rows: int
    ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]: ...

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

    def _write_chunks(self, target: Path, stream: _ChunkStream) -> None:
        atomic_write(target, stream.write)

    def _read(self, target: Path, columns: list[str] | None) -> pd.DataFrame:
        return pq.read_table(target, columns=columns).to_pandas()

    def _batches(
        self, target: Path, columns: list[str] | None, rows: int
    ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        file = pq.ParquetFile(target)
        schema = file.schema_arrow
        if columns is not None:
            schema = _select(schema, columns)
        return schema, file.iter_batches(batch_size=rows, columns=columns)

    def _info(self, target: Path) -> tuple[int, dict[str, str]]:
        md = pq.read_metadata(target)
        # the file's key-value metadata: our keys sit there whether they were set on the
        # Arrow schema (write) or added at the end of a chunked write (write_chunks)
        raw = {k: v for k, v in (md.metadata or {}).items() if not k.startswith(b"ARROW:")}
        return md.num_rows, {k.decode(): v.decode() for k, v in raw.items()}

    def _exists(self, target: Path) -> bool:
        return target.is_file()

    def _delete(self, target: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()


class DeltaStore(TableStore):
    """One Delta table per table; every write is one overwrite transaction (history kept)."""

    format = "delta"

    def _write(
        self, target: Path, data: pa.Table | pa.RecordBatchReader, meta: dict[str, str]
    ) -> None:
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

    def _write_chunks(self, target: Path, stream: _ChunkStream) -> None:
        """Chunks staged as one hidden Parquet file next to the table, then streamed into a
        single Delta commit batch by batch (the fingerprint is only known after the last
        chunk, and a commit's metadata must be known when it starts)."""
        staging = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.chunks.parquet"
        try:
            with open(staging, "wb") as fh:
                stream.write(fh)
            staged = pq.ParquetFile(staging)
            reader = pa.RecordBatchReader.from_batches(
                staged.schema_arrow, staged.iter_batches(batch_size=65_536)
            )
            self._write(target, reader, stream.meta)
        finally:
            with contextlib.suppress(FileNotFoundError):
                staging.unlink()

    def _read(self, target: Path, columns: list[str] | None) -> pd.DataFrame:
        from deltalake import DeltaTable

        dt = DeltaTable(str(target))
        data = pa.table(dt.to_pyarrow_table(columns=columns))
        pandas_meta = _last_commit_meta(dt).get(_PANDAS_KEY)
        if pandas_meta is not None:
            data = data.replace_schema_metadata({b"pandas": pandas_meta.encode()})
        return data.to_pandas()

    def _batches(
        self, target: Path, columns: list[str] | None, rows: int
    ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        from deltalake import DeltaTable

        dt = DeltaTable(str(target))
        dataset = dt.to_pyarrow_dataset()
        schema = dataset.schema if columns is None else _select(dataset.schema, columns)
        pandas_meta = _last_commit_meta(dt).get(_PANDAS_KEY)
        if pandas_meta is not None:  # the pandas dtypes (e.g. Int64), as _read restores them
            schema = schema.with_metadata({b"pandas": pandas_meta.encode()})
        return schema, dataset.to_batches(columns=columns, batch_size=rows)

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


def leftovers(target: Path) -> list[Path]:
    """Hidden staging files of earlier writes of ``target`` that never finished: the
    temporary file of an atomic Parquet write (``.<file>.<random>.tmp``) and the staged
    chunks of a chunked Delta write (``.<table>.<token>.chunks.parquet``). A write that fails
    removes its own; only a killed process (SIGKILL, a lost machine) leaves one behind."""
    folder = target.parent
    if not folder.is_dir():
        return []
    patterns = (f".{target.name}.*.tmp", f".{target.name}.*.chunks.parquet")
    return sorted({p for pattern in patterns for p in folder.glob(pattern) if p.is_file()})


def remove_leftovers(target: Path) -> list[Path]:
    """Delete :func:`leftovers` of ``target`` (called before every write of that table: one
    writer per table at a time, as the pipeline runs one step per asset)."""
    found = leftovers(target)
    for path in found:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if found:
        log.warning("io.store.leftovers_removed", target=str(target), files=[p.name for p in found])
    return found


def _select(schema: pa.Schema, columns: list[str]) -> pa.Schema:
    """``schema`` reduced to ``columns`` in that order, keeping its metadata."""
    missing = [c for c in columns if c not in schema.names]
    if missing:
        raise ConnectorError(
            f"no column(s) {missing} in the stored table (it has {schema.names})",
            fix="name columns the table has",
        )
    return pa.schema([schema.field(c) for c in columns], metadata=schema.metadata)


def _last_commit_meta(dt: object) -> dict[str, str]:
    """String entries of the latest commit's info (our custom metadata when we wrote last)."""
    last = dt.history(1)  # type: ignore[attr-defined]
    return {k: v for k, v in (last[0] if last else {}).items() if isinstance(v, str)}


class _ChunkStream:
    """Chunks of one table written as one Parquet stream, fingerprinted on the way."""

    def __init__(
        self,
        stage: str,
        table: str,
        chunks: Iterable[pd.DataFrame],
        schema: pa.Schema | None,
    ) -> None:
        self.stage, self.table, self.chunks, self.schema = stage, table, chunks, schema
        self.rows = 0
        self.digest = ""
        self.meta: dict[str, str] = {}

    def write(self, fh: BinaryIO) -> None:
        """Every chunk into ``fh`` (one row group each), then the metadata, then the footer."""
        fp = TableFingerprint()
        writer: pq.ParquetWriter | None = None
        try:
            for number, chunk in enumerate(self.chunks):
                if not isinstance(chunk, pd.DataFrame):
                    raise ConnectorError(
                        f"chunk {number} of stage {self.stage!r} is a {type(chunk).__name__}, "
                        "not a pandas DataFrame",
                        table=self.table,
                        fix="yield pandas DataFrames",
                    )
                data = self._arrow(chunk, number)
                if writer is None:
                    self.schema = data.schema
                    writer = pq.ParquetWriter(fh, data.schema, compression="zstd")
                writer.write_table(data, row_group_size=max(len(chunk), 1))
                fp.update(chunk)
                self.rows += len(chunk)
            if writer is None:
                raise ConnectorError(
                    f"no chunks were given for stage {self.stage!r}",
                    table=self.table,
                    fix="yield at least one (possibly empty) DataFrame",
                )
            self.digest = fp.hexdigest()
            self.meta = {
                FINGERPRINT_KEY: self.digest,
                TABLE_KEY: self.table,
                ROWS_KEY: str(self.rows),
            }
            writer.add_key_value_metadata(self.meta)
        finally:
            if writer is not None:
                writer.close()

    def _arrow(self, chunk: pd.DataFrame, number: int) -> pa.Table:
        if self.schema is None:
            return _to_arrow(chunk, self.stage, self.table)
        frame = (
            chunk.rename(columns=str)
            if not all(isinstance(c, str) for c in chunk.columns)
            else chunk
        )
        if list(frame.columns) != self.schema.names:
            raise ConnectorError(
                f"chunk {number} of stage {self.stage!r} has columns {list(frame.columns)}, "
                f"expected {self.schema.names}",
                table=self.table,
                fix="give every chunk the same columns in the same order",
            )
        try:
            return pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise ConnectorError(
                f"chunk {number} of stage {self.stage!r} does not fit the column types of the "
                f"table ({exc})",
                table=self.table,
                fix="give every chunk the same column types (or pass schema= to write_chunks)",
            ) from exc


def open_store(root: str | os.PathLike[str], format: str = "parquet") -> TableStore:
    """The store for ``format`` (``parquet`` or ``delta``) under ``root``."""
    stores: dict[str, type[TableStore]] = {"parquet": ParquetStore, "delta": DeltaStore}
    try:
        return stores[str(format)](root)
    except KeyError:
        raise ConnectorError(
            f"unknown output format {format!r}", fix="use 'parquet' or 'delta'"
        ) from None
