"""``synthetic/database``: the synthetic copy written into the database of ``output.url``.

Wiring only: the write is :func:`synthohive_lib.io.database_output.write_store_to_database`.
The asset depends on every ``synthetic/<T>``, so the blocking gates on those tables (keys,
fidelity, privacy, PII leaks) must pass before anything reaches the database. The URL is read
when the step runs (``env:VARNAME`` from the run worker's environment) and shown redacted.
"""

import time

import dagster as dg

from synthohive_lib.config import ProjectConfig
from synthohive_lib.errors import ConfigError
from synthohive_lib.io.database_output import write_store_to_database
from synthohive_pipelines.assets import SYNTHETIC, asset_key, asset_name
from synthohive_pipelines.resources import TableStoreResource

DATABASE_KEY = dg.AssetKey([SYNTHETIC.name, "database"])


def build_database_asset(config: ProjectConfig) -> dg.AssetsDefinition:
    """The asset writing every synthetic table into ``output.url`` (only when it is set)."""
    order = config.graph.generation_order()
    if asset_name("database") in {asset_name(n) for n in order}:
        raise ConfigError(
            "a table named 'database' collides with the synthetic/database asset",
            fix="rename the table in schema.yaml, or leave output.url unset",
        )

    @dg.asset(
        key=DATABASE_KEY,
        group_name=SYNTHETIC.name,
        deps=[asset_key(SYNTHETIC.name, n) for n in order],
        description="The synthetic copy written into the database of output.url: every table "
        "with its primary keys, foreign keys and constraints, parents first, all or nothing "
        "(replaces the schema's tables there).",
        kinds={"sql"},
        tags={"synthohive/stage": SYNTHETIC.name},
    )
    def _write_database(
        context: dg.AssetExecutionContext, store: TableStoreResource
    ) -> dg.MaterializeResult:
        started = time.perf_counter()
        url = config.output_database_url()
        assert url is not None  # the asset exists only with output.url
        copy = write_store_to_database(store.get(), SYNTHETIC.name, config.schema, url)
        context.log.info(f"synthetic copy written to {copy.target}: {sum(copy.rows.values())} rows")
        rows = "\n".join(f"| {t} | {n} |" for t, n in copy.rows.items())
        return dg.MaterializeResult(
            metadata={
                "target": copy.target,
                "dagster/row_count": sum(copy.rows.values()),
                "tables": dg.MetadataValue.md("| table | rows |\n|---|---:|\n" + rows),
                "seconds": round(time.perf_counter() - started, 3),
            }
        )

    return _write_database
