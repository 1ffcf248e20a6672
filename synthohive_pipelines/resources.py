"""Dagster resources: the source database and the table store, built from the project config.

Both are thin: they hold configuration (a URL, an output root and format) and hand out the
library objects that do the work (:func:`synthohive_lib.io.open_connector`,
:func:`synthohive_lib.io.store.open_store`). A source URL written as ``env:VARNAME`` in the
project config becomes a Dagster :class:`~dagster.EnvVar`, so the URL (and any password in it)
is read by the run worker at run time and never shown in the UI or stored in run config.
"""

from pathlib import Path

import dagster as dg

from synthohive_lib.config import ProjectConfig, resolve_sqlite_url
from synthohive_lib.io.base import Connector
from synthohive_lib.io.store import TableStore, open_store


class SourceDatabase(dg.ConfigurableResource):
    """The database (or folder of files) the real tables are read from."""

    url: str
    #: directory a relative ``sqlite:///`` path is resolved against ("" = leave it as is)
    base_dir: str = ""

    def resolved_url(self) -> str:
        base = Path(self.base_dir) if self.base_dir else None
        return resolve_sqlite_url(self.url, base)

    def open(self) -> Connector:
        """A connector on the source; use it as a context manager so it is closed."""
        from synthohive_lib.io import open_connector

        return open_connector(self.resolved_url())


class TableStoreResource(dg.ConfigurableResource):
    """Where stages keep their tables: an output root and a format (parquet | delta)."""

    root: str
    format: str = "parquet"

    def get(self) -> TableStore:
        return open_store(self.root, self.format)


def build_resources(config: ProjectConfig) -> dict[str, dg.ConfigurableResource]:
    """The resources of a project: ``source`` and ``store``."""
    if config.source.env_var is not None:
        source = SourceDatabase(url=dg.EnvVar(config.source.env_var))
    else:
        source = SourceDatabase(url=config.source.url, base_dir=str(config.base_dir))
    store = TableStoreResource(root=str(config.output_root()), format=config.output.format.value)
    return {"source": source, "store": store}
