"""FileConnector: CSV or Parquet files as tables (a folder with one file per table, or one file).

Reads are typed like every other connector (:mod:`synthohive_lib.io.dtypes`). CSV carries no
types, so with a schema every value is checked against its declared storage type and a column
mixing numbers with free text raises :class:`MixedTypeColumnError` naming the file, the column
and example values; without a schema each column gets the narrowest type its text fits.
An empty CSV field is a missing value (an empty string cannot be told apart in CSV).

Writes are atomic: every file is first written completely into a temporary folder; a new
output folder is then renamed into place in one step, and into an existing folder each file
is moved with ``os.replace`` (atomic per file) only once all of them were written, so a
failure while writing leaves the previous files untouched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import structlog

from synthohive_lib.atomic import atomic_write
from synthohive_lib.errors import ConnectorError, SourceUnreachableError
from synthohive_lib.io.base import Connector, check_chunksize, require_columns, unknown_table
from synthohive_lib.io.dtypes import (
    arrow_to_frame,
    coerce_frame,
    infer_text_storage,
    to_arrow,
)
from synthohive_lib.io.identifiers import validate_identifier
from synthohive_lib.io.prepare import prepare_frames
from synthohive_lib.schema.model import Schema, StorageType, Table

log = structlog.get_logger(__name__)

SUFFIXES = {"csv": (".csv",), "parquet": (".parquet", ".pq")}
_TMP_PREFIX = ".synthohive-tmp-"


class FileConnector(Connector):
    """Tables stored as ``<folder>/<table>.csv`` / ``.parquet``, or a single such file."""

    def __init__(
        self, path: str | os.PathLike[str], *, format: str, parse_dates: bool = False
    ) -> None:
        if format not in SUFFIXES:
            raise ConnectorError(f"unknown file format {format!r}", fix="use 'csv' or 'parquet'")
        self.path = Path(path)
        self.format = format
        self.kind = format
        self.parse_dates = parse_dates
        self.single_file = self.path.suffix.lower() in SUFFIXES[format]

    def describe(self) -> str:
        return f"{self.format} {'file' if self.single_file else 'folder'} {self.path}"

    # ------------------------------------------------------------------ discovery
    def _files(self) -> dict[str, Path]:
        if self.single_file:
            if not self.path.is_file():
                raise SourceUnreachableError(
                    f"{self.describe()} does not exist", fix="check the path"
                )
            return {self.path.stem: self.path}
        if not self.path.is_dir():
            raise SourceUnreachableError(f"{self.describe()} does not exist", fix="check the path")
        return {
            p.stem: p
            for p in sorted(self.path.iterdir())
            if p.is_file() and p.suffix.lower() in SUFFIXES[self.format]
        }

    def list_tables(self) -> list[str]:
        return sorted(self._files())

    def file_of(self, name: str) -> Path:
        """The file holding table ``name``; :class:`ConnectorError` listing the others."""
        files = self._files()
        if name not in files:
            raise unknown_table(
                name,
                files,
                self.describe(),
                f"each table is a file <name>{SUFFIXES[self.format][0]}",
            )
        return files[name]

    # ------------------------------------------------------------------ reads
    def read_table(
        self,
        name: str,
        table: Table | None = None,
        columns: list[str] | None = None,
        *,
        parse_dates: bool | None = None,
    ) -> pd.DataFrame:
        chunks = list(self._chunks(name, table, 0, columns, parse_dates))
        return chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)

    def iter_table(
        self,
        name: str,
        table: Table | None = None,
        chunksize: int = 100_000,
        *,
        columns: list[str] | None = None,
        parse_dates: bool | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Chunks of at most ``chunksize`` rows (an empty table: one empty, typed chunk)."""
        check_chunksize(chunksize, name)
        yield from self._chunks(name, table, chunksize, columns, parse_dates)

    def _chunks(
        self,
        name: str,
        table: Table | None,
        chunksize: int,
        columns: list[str] | None,
        parse_dates: bool | None,
    ) -> Iterator[pd.DataFrame]:
        """The table in chunks of ``chunksize`` rows; ``0`` reads it as one chunk."""
        path = self.file_of(name)
        parse = self.parse_dates if parse_dates is None else parse_dates
        if self.format == "csv":
            yield from self._iter_csv(path, name, table, chunksize, columns, parse)
        else:
            yield from self._iter_parquet(path, name, table, chunksize, columns, parse)

    def _iter_csv(
        self,
        path: Path,
        name: str,
        table: Table | None,
        chunksize: int,
        columns: list[str] | None,
        parse: bool,
    ) -> Iterator[pd.DataFrame]:
        header = pd.read_csv(path, nrows=0, encoding="utf-8").columns.tolist()
        require_columns(name, columns, header, f"file {path}")
        read = dict(
            dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8", usecols=columns
        )
        source = f"file {path}"
        storages: dict[str, StorageType | None] | None = None
        reader: Iterable[pd.DataFrame]
        if table is not None and chunksize:
            reader = pd.read_csv(path, chunksize=chunksize, **read)  # streamed, never whole
        else:
            whole = pd.read_csv(path, **read)
            if table is None:
                # no schema: the whole file decides each column's type, not the first chunk;
                # having read it whole, the chunks are cut from memory, not read a second time
                storages = {c: infer_text_storage(whole[c]) for c in whole.columns}
            step = chunksize or max(len(whole), 1)
            reader = (whole.iloc[i : i + step] for i in range(0, len(whole), step))
        produced = False
        for raw in reader:
            produced = True
            text = raw.astype(object).where(raw.notna(), None)
            yield coerce_frame(
                text, table, storages, parse_dates=parse, source=source, table_name=name
            )
        if not produced:
            empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns or header})
            yield coerce_frame(
                empty, table, storages, parse_dates=parse, source=source, table_name=name
            )

    def _iter_parquet(
        self,
        path: Path,
        name: str,
        table: Table | None,
        chunksize: int,
        columns: list[str] | None,
        parse: bool,
    ) -> Iterator[pd.DataFrame]:
        parquet = pq.ParquetFile(path)
        require_columns(name, columns, parquet.schema_arrow.names, f"file {path}")
        source = f"file {path}"
        if not chunksize:
            batches: Iterator[pa.Table] = iter([parquet.read(columns=columns)])
        else:
            batches = (
                pa.Table.from_batches([b])
                for b in parquet.iter_batches(batch_size=chunksize, columns=columns)
            )
        produced = False
        for data in batches:
            produced = True
            yield coerce_frame(
                arrow_to_frame(data), table, parse_dates=parse, source=source, table_name=name
            )
        if not produced:
            empty = parquet.schema_arrow.empty_table()
            if columns is not None:
                empty = empty.select(columns)
            yield coerce_frame(
                arrow_to_frame(empty), table, parse_dates=parse, source=source, table_name=name
            )

    def row_count(self, name: str) -> int:
        path = self.file_of(name)
        if self.format == "parquet":
            return int(pq.ParquetFile(path).metadata.num_rows)
        return int(
            sum(len(c) for c in pd.read_csv(path, usecols=[0], dtype=str, chunksize=1_000_000))
        )

    # ------------------------------------------------------------------ writes
    def write_schema(
        self, schema: Schema, frames: Mapping[str, pd.DataFrame], if_exists: str = "fail"
    ) -> None:
        """One file per table, all written before any is put in place (see module docstring)."""
        if if_exists not in ("fail", "replace"):
            raise ConnectorError(
                f"if_exists={if_exists!r} is not supported", fix="use 'fail' or 'replace'"
            )
        prepared = prepare_frames(schema, frames, source=self.describe())
        for name in schema.table_names:
            check_table_file_name(name)
        if self.single_file:
            self._write_single(schema, prepared, if_exists)
            return
        suffix = SUFFIXES[self.format][0]
        existing = [n for n in schema.table_names if (self.path / f"{n}{suffix}").exists()]
        if existing and if_exists == "fail":
            raise ConnectorError(
                f"table file(s) {existing} already exist in {self.describe()}",
                table=existing[0],
                fix="pass if_exists='replace', or write to an empty folder",
            )
        fresh = not self.path.exists()
        staging = (
            self.path.parent / f"{_TMP_PREFIX}{self.path.name}-{uuid.uuid4().hex[:8]}"
            if fresh
            else self.path / f"{_TMP_PREFIX}{uuid.uuid4().hex[:8]}"
        )
        staging.mkdir(parents=True)
        try:
            for table in schema.tables:
                self._write_file(prepared[table.name], table, staging / f"{table.name}{suffix}")
            if fresh:
                os.rename(staging, self.path)
            else:
                for table in schema.tables:
                    name = f"{table.name}{suffix}"
                    os.replace(staging / name, self.path / name)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
        log.info("io.files.schema_written", target=self.describe(), tables=len(schema.tables))

    def _write_single(
        self, schema: Schema, prepared: dict[str, pd.DataFrame], if_exists: str
    ) -> None:
        if len(schema.tables) != 1:
            raise ConnectorError(
                f"{self.describe()} holds one table but the schema has {len(schema.tables)}",
                fix="write to a folder instead of a single file",
            )
        if self.path.exists() and if_exists == "fail":
            raise ConnectorError(
                f"{self.describe()} already exists", fix="pass if_exists='replace'"
            )
        table = schema.tables[0]
        atomic_write(self.path, lambda fh: self._write_file(prepared[table.name], table, fh))

    def _write_file(self, frame: pd.DataFrame, table: Table, path: Path | BinaryIO) -> None:
        """One table as one CSV/Parquet file at ``path`` (a path or an open binary file)."""
        if self.format == "parquet":
            pq.write_table(to_arrow(frame, table, source=self.describe()), path)
            return
        out = frame.copy()
        for column in table.columns:
            if column.storage is StorageType.DATE:
                out[column.name] = out[column.name].dt.strftime("%Y-%m-%d")
            elif column.storage is StorageType.DATETIME:
                aware = isinstance(out[column.name].dtype, pd.DatetimeTZDtype)
                fmt = "%Y-%m-%d %H:%M:%S.%f%z" if aware else "%Y-%m-%d %H:%M:%S.%f"
                out[column.name] = out[column.name].dt.strftime(fmt)
        out.to_csv(path, index=False, encoding="utf-8")


def check_table_file_name(name: str) -> None:
    """A table name must be usable as one file name: no separators, not . or .."""
    validate_identifier(name, kind="table")
    if "/" in name or "\\" in name or name in {".", ".."} or name.startswith(_TMP_PREFIX):
        raise ConnectorError(
            f"table name {name!r} cannot be a file name",
            table=name,
            fix="rename the table (no '/' or '\\\\')",
        )
