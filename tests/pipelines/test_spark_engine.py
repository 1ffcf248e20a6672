"""``engine: spark`` is checked when the definitions load: a table the Spark path cannot
generate (secondary foreign keys, self-reference, link table) or Parquet output fails with a
ConfigError naming the table, before any run."""

from __future__ import annotations

import re

import pytest

from synthohive_lib.errors import ConfigError
from synthohive_pipelines.assets import SYNTHETIC, asset_key
from synthohive_pipelines.definitions import build_definitions

from .conftest import ProjectFactory

DELTA = {"root": "out", "format": "delta"}


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ("Track", "foreign keys to 3 parents"),
        ("Employee", "self-reference"),
        ("PlaylistTrack", "junction"),
    ],
)
def test_a_table_the_spark_path_refuses_fails_at_load_time(
    make_project: ProjectFactory, table: str, reason: str
) -> None:
    path = make_project(output=DELTA, tables={table: {"engine": "spark"}})
    with pytest.raises(ConfigError, match=reason) as info:
        build_definitions(path)
    assert table in str(info.value) and "engine: pandas" in str(info.value)


def test_engine_spark_needs_delta_output(make_project: ProjectFactory) -> None:
    path = make_project(tables={"Invoice": {"engine": "spark"}})
    with pytest.raises(ConfigError, match=re.escape("output.format: delta")) as info:
        build_definitions(path)
    assert "Invoice" in str(info.value)


def test_a_spark_table_gets_the_spark_resource(make_project: ProjectFactory) -> None:
    path = make_project(output=DELTA, tables={"Invoice": {"engine": "spark"},
                                              "Album": {"engine": "spark"}})
    defs = build_definitions(path)
    for name, engine in (("Invoice", "spark"), ("Album", "spark"), ("Customer", "pandas")):
        assets = defs.get_assets_def(asset_key(SYNTHETIC.name, name))
        assert assets.tags_by_key[asset_key(SYNTHETIC.name, name)]["synthohive/engine"] == engine
        assert ("spark" in assets.required_resource_keys) == (engine == "spark")
