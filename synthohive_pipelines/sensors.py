"""The source-change sensor: re-run the part of the graph that a changed source table feeds.

Every ``orchestration.sensor_interval_seconds`` the sensor fingerprints each source table
cheaply, where the data lives (:mod:`synthohive_lib.io.fingerprint`: row count, the maximum of
the table's ``change_column`` when the project declares one, an aggregate checksum where the
backend has one) and keeps the fingerprints in its cursor as JSON. When some tables changed it
requests **one** run of their ``real/<T>`` snapshots and every asset downstream of them (the
selection is resolved once, from the asset graph, when the definitions are built).

Why these rules:

- the **first tick** (no cursor, or an unreadable one) only records the baseline: turning the
  sensor on must not launch a refresh of every table;
- the **run key** is a hash of the changed tables' fingerprints before and after, so the same
  change is never launched twice (e.g. a tick retried after the daemon restarted);
- an **unreachable database**, a **dropped table**, an unset URL variable or a database error
  mid-query becomes a :class:`~dagster.SkipReason` naming the cause (the library's messages
  name host and database, never the password) and leaves the cursor as it was, so the change
  is still seen when the source is back. A sensor tick never crashes on the source: that is
  why the sensor reads the URL from the project config at each tick (``env:VAR`` included)
  instead of through the ``source`` resource, whose unset ``EnvVar`` would fail the tick
  before the sensor's code runs.

The sensor is created STOPPED (see docs/pipelines.md to turn it on).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

import dagster as dg
import sqlalchemy as sa

from synthohive_lib.config import ProjectConfig
from synthohive_lib.errors import SynthoHiveError
from synthohive_lib.io import open_connector, redact_url
from synthohive_lib.io.fingerprint import (
    SourceFingerprint,
    changed_tables,
    dumps_fingerprints,
    fingerprint_tables,
    loads_fingerprints,
)
from synthohive_pipelines.assets import REAL, REPORT_KEY, asset_key

SOURCE_SENSOR = "source_changes"
#: run tag listing the changed source tables that triggered a run
CHANGED_TAG = "synthohive/changed_tables"


def downstream_of_real(
    config: ProjectConfig, assets: Sequence[dg.AssetsDefinition]
) -> dict[str, list[dg.AssetKey]]:
    """For each table, ``real/<T>`` and every asset downstream of it, resolved once, plus
    ``validation/report``: the report has no upstream edges (it runs last in every run, after
    the checks whatever their outcome), so the graph alone would leave it out of the run and
    the report on disk would go stale."""
    known = {key for asset in assets for key in asset.keys}
    report = [REPORT_KEY] if REPORT_KEY in known else []
    out: dict[str, list[dg.AssetKey]] = {}
    for name in config.graph.generation_order():
        selection = dg.AssetSelection.assets(asset_key(REAL.name, name)).downstream()
        keys = set(selection.resolve(assets)) | set(report)
        out[name] = sorted(keys, key=lambda k: k.to_user_string())
    return out


def run_key_for(
    changed: Sequence[str],
    before: Mapping[str, SourceFingerprint],
    after: Mapping[str, SourceFingerprint],
) -> str:
    """A run key naming this exact change (the same change always gives the same key)."""
    change = {
        name: [before[name].to_dict() if name in before else None, after[name].to_dict()]
        for name in changed
    }
    digest = hashlib.sha256(json.dumps(change, sort_keys=True).encode("utf-8")).hexdigest()
    return f"source-change-{digest[:24]}"


def build_source_sensor(
    config: ProjectConfig,
    assets: Sequence[dg.AssetsDefinition],
    job: dg.UnresolvedAssetJobDefinition,
) -> dg.SensorDefinition:
    """The ``source_changes`` sensor of a project (STOPPED by default)."""
    order = config.graph.generation_order()
    change_columns = {name: config.settings_for(name).change_column for name in order}
    downstream = downstream_of_real(config, assets)
    interval = config.orchestration.sensor_interval_seconds

    @dg.sensor(
        name=SOURCE_SENSOR,
        job=job,
        minimum_interval_seconds=interval,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            f"Every {interval} s, fingerprint each source table (row count, change column, "
            "checksum where the database has one) and run the snapshots of the changed tables "
            "and everything downstream of them. The first tick only records the baseline."
        ),
    )
    def source_changes(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        where = "the source"
        try:
            # read at every tick (an env: URL too), so an unset variable is a skip, not a
            # resource error that would crash the tick
            url = config.source_url()
            where = redact_url(url)
            with open_connector(url) as connector:
                now = fingerprint_tables(connector, change_columns)
        except SynthoHiveError as exc:  # unreachable, table dropped, URL variable unset
            return dg.SkipReason(f"source not fingerprinted, cursor kept: {exc}")
        except sa.exc.DBAPIError as exc:  # e.g. the server went away mid-query
            cause = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
            return dg.SkipReason(
                f"source not fingerprinted, cursor kept: database error ({cause}) on {where}"
            )
        before = loads_fingerprints(context.cursor)
        context.update_cursor(dumps_fingerprints(now))
        if before is None:
            return dg.SkipReason(f"baseline recorded for {len(now)} source tables; no run")
        changed = changed_tables(before, now)
        if not changed:
            return dg.SkipReason(f"no change in {len(now)} source tables")
        keys = sorted(
            {key for name in changed for key in downstream[name]},
            key=lambda k: k.to_user_string(),
        )
        context.log.info(f"source tables changed: {', '.join(changed)}; {len(keys)} assets")
        return dg.RunRequest(
            run_key=run_key_for(changed, before, now),
            asset_selection=keys,
            tags={CHANGED_TAG: ",".join(changed)[:200]},
        )

    return source_changes


def build_sensors(
    config: ProjectConfig,
    assets: Sequence[dg.AssetsDefinition],
    job: dg.UnresolvedAssetJobDefinition,
) -> list[dg.SensorDefinition]:
    return [build_source_sensor(config, assets, job)]
