"""The real webserver: start ``dagster-webserver -w workspace.yaml``, read the asset graph and
the asset checks over GraphQL, compare them with the schema graph, stop it with nothing left.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.ui_server import graphql, group_alive, running_webserver
from synthohive_lib.config import load_project_config
from synthohive_pipelines.assets import STAGES

from .conftest import REPO

ASSET_GRAPH = """
{ assetNodes { assetKey { path } groupName description kinds
    dependencyKeys { path }
    assetChecksOrError { __typename ... on AssetChecks { checks { name blocking } } } } }
"""


def session_members(sid: int) -> list[int]:
    """PIDs of live processes whose session is ``sid`` (zombies excluded)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:
            members.append(int(stat.parent.name))
    return members


@pytest.mark.slow
def test_webserver_serves_the_schema_graph_and_stops_cleanly() -> None:
    config = load_project_config(REPO / "synthohive.yaml")
    env = {"SYNTHOHIVE_CONFIG": str(REPO / "synthohive.yaml")}
    with running_webserver(env) as (url, proc):
        nodes = graphql(url, ASSET_GRAPH)["assetNodes"]
        assert len(session_members(proc.pid)) >= 2  # the webserver and its code server
    assert not group_alive(proc.pid)
    assert session_members(proc.pid) == []

    by_key = {tuple(n["assetKey"]["path"]): n for n in nodes}
    tables = config.graph.generation_order()
    expected = {(stage.name, t) for stage in STAGES for t in tables} | {("validation", "report")}
    assert set(by_key) == expected
    for node in nodes:
        assert node["description"] and node["kinds"]
        assert node["groupName"] == node["assetKey"]["path"][0]
    synthetic_edges = {
        (dep["path"][1], key[1])
        for key, node in by_key.items()
        if key[0] == "synthetic"
        for dep in node["dependencyKeys"]
        if dep["path"][0] == "synthetic"
    }
    assert synthetic_edges == config.graph.edges()

    def checks(key: tuple[str, str]) -> dict[str, bool]:
        answer = by_key[key]["assetChecksOrError"]
        assert answer["__typename"] == "AssetChecks"
        return {c["name"]: c["blocking"] for c in answer["checks"]}

    assert checks(("real", "Track")) == {"matches_schema": True, "foreign_keys_resolve": True}
    assert checks(("synthetic", "InvoiceLine")) == {
        "referential_integrity": True,
        "key_unique": True,
        "fidelity_gate": True,
        "privacy_gate": True,
        "no_pii_leak": True,
        "identifiers_regenerated": True,
    }
