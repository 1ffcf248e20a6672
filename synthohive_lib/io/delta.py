"""DeltaConnector: Delta Lake tables through ``deltalake`` (delta-rs), no Spark needed.

A target is either one Delta table (a folder with ``_delta_log``; the table is named after
the folder) or a folder whose sub-folders are Delta tables, one per schema table. Reads go
through Arrow and are typed like every other connector (:mod:`synthohive_lib.io.dtypes`).

Atomicity: each table is written with one Delta commit (``mode="overwrite"`` replaces the
table's content in a single transaction, readers see the old or the new version, never half).
Delta has no multi-table transactions, so a write of several tables is prepared completely
first (every frame checked and converted to Arrow) and only then committed table by table;
a failure at commit time can leave earlier tables at their new version (each is whole, and
the previous version stays reachable through Delta time travel).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import structlog
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import DeltaError, TableNotFoundError

from synthohive_lib.errors import ConnectorError, SourceUnreachableError
from synthohive_lib.io.base import Connector, check_chunksize, require_columns, unknown_table
from synthohive_lib.io.dtypes import arrow_to_frame, coerce_frame, to_arrow
from synthohive_lib.io.files import check_table_file_name
from synthohive_lib.io.prepare import prepare_frames
from synthohive_lib.schema.model import Schema, Table

log = structlog.get_logger(__name__)


class DeltaConnector(Connector):
    """One Delta table, or a folder of Delta tables (one sub-folder per table)."""

    kind = "delta"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        parse_dates: bool = False,
        storage_options: Mapping[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.parse_dates = parse_dates
        self.storage_options = dict(storage_options or {}) or None
        self.single_table = (self.path / "_delta_log").is_dir()

    def describe(self) -> str:
        return f"delta {'table' if self.single_table else 'folder'} {self.path}"

    # ------------------------------------------------------------------ discovery
    def _tables(self) -> dict[str, Path]:
        if self.single_table:
            return {self.path.name: self.path}
        if not self.path.is_dir():
            raise SourceUnreachableError(f"{self.describe()} does not exist", fix="check the path")
        return {p.name: p for p in sorted(self.path.iterdir()) if (p / "_delta_log").is_dir()}

    def list_tables(self) -> list[str]:
        return sorted(self._tables())

    def open_table(self, name: str) -> DeltaTable:
        """The Delta table ``name``; :class:`ConnectorError` listing the available ones."""
        tables = self._tables()
        if name not in tables:
            raise unknown_table(
                name, tables, self.describe(), "each table is a sub-folder with a _delta_log"
            )
        try:
            return DeltaTable(tables[name], storage_options=self.storage_options)
        except TableNotFoundError:
            raise SourceUnreachableError(
                f"{tables[name]} is not a readable Delta table",
                table=name,
                fix="check the _delta_log folder",
            ) from None

    # ------------------------------------------------------------------ reads
    def read_table(
        self,
        name: str,
        table: Table | None = None,
        columns: list[str] | None = None,
        *,
        parse_dates: bool | None = None,
    ) -> pd.DataFrame:
        data = self._dataset(name, columns).to_table(columns=columns)
        return self._typed(data, name, table, parse_dates)

    def iter_table(
        self,
        name: str,
        table: Table | None = None,
        chunksize: int = 100_000,
        *,
        columns: list[str] | None = None,
        parse_dates: bool | None = None,
    ) -> Iterator[pd.DataFrame]:
        check_chunksize(chunksize, name)
        dataset = self._dataset(name, columns)
        produced = False
        for batch in dataset.to_batches(columns=columns, batch_size=chunksize):
            if batch.num_rows == 0:
                continue
            produced = True
            yield self._typed(pa.Table.from_batches([batch]), name, table, parse_dates)
        if not produced:
            empty = dataset.schema.empty_table()
            yield self._typed(empty.select(columns) if columns else empty, name, table, parse_dates)

    def row_count(self, name: str) -> int:
        return int(self._dataset(name, None).count_rows())

    def _dataset(self, name: str, columns: list[str] | None) -> ds.Dataset:
        dataset = self.open_table(name).to_pyarrow_dataset()
        require_columns(name, columns, dataset.schema.names, self.describe())
        return dataset

    def _typed(
        self, data: pa.Table, name: str, table: Table | None, parse_dates: bool | None
    ) -> pd.DataFrame:
        return coerce_frame(
            arrow_to_frame(data),
            table,
            parse_dates=self.parse_dates if parse_dates is None else parse_dates,
            source=f"{self.describe()} table {name!r}",
            table_name=name,
        )

    # ------------------------------------------------------------------ writes
    def write_schema(
        self, schema: Schema, frames: Mapping[str, pd.DataFrame], if_exists: str = "fail"
    ) -> None:
        """One Delta commit per table, after every table was prepared (module docstring)."""
        if if_exists not in ("fail", "replace"):
            raise ConnectorError(
                f"if_exists={if_exists!r} is not supported", fix="use 'fail' or 'replace'"
            )
        prepared = prepare_frames(schema, frames, source=self.describe())
        targets = self._targets(schema)
        existing = [n for n, p in targets.items() if (p / "_delta_log").is_dir()]
        if existing and if_exists == "fail":
            raise ConnectorError(
                f"Delta table(s) {existing} already exist in {self.describe()}",
                table=existing[0],
                fix="pass if_exists='replace' (a new Delta version; the old stays in history)",
            )
        arrow = {
            t.name: to_arrow(prepared[t.name], t, source=self.describe()) for t in schema.tables
        }
        for table in schema.tables:
            try:
                write_deltalake(
                    targets[table.name],
                    arrow[table.name],
                    mode="overwrite" if if_exists == "replace" else "error",
                    schema_mode="overwrite" if if_exists == "replace" else None,
                    storage_options=self.storage_options,
                )
            except DeltaError as exc:
                raise ConnectorError(
                    f"writing Delta table {table.name!r} in {self.describe()} failed: {exc}",
                    table=table.name,
                    fix="check the path is writable; earlier tables of this write are committed",
                ) from exc
        log.info("io.delta.schema_written", target=self.describe(), tables=len(schema.tables))

    def _targets(self, schema: Schema) -> dict[str, Path]:
        if self.single_table:
            if len(schema.tables) != 1:
                raise ConnectorError(
                    f"{self.describe()} holds one table but the schema has {len(schema.tables)}",
                    fix="write to a folder of Delta tables instead",
                )
            return {schema.tables[0].name: self.path}
        for name in schema.table_names:
            check_table_file_name(name)
        return {name: self.path / name for name in schema.table_names}
