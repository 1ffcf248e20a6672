"""Shared fixtures of the Dagster-layer tests: a throw-away Chinook project per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from synthohive_lib.config import ENVIRONMENT_ENV_VAR, OUTPUT_ROOT_ENV_VAR

REPO = Path(__file__).resolve().parents[2]
CHINOOK = REPO / "examples" / "chinook"

ProjectFactory = Callable[..., Path]


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests set their own output root and environment; the caller's must not leak in."""
    monkeypatch.delenv(OUTPUT_ROOT_ENV_VAR, raising=False)
    monkeypatch.delenv(ENVIRONMENT_ENV_VAR, raising=False)


@pytest.fixture
def make_project(tmp_path_factory: pytest.TempPathFactory) -> ProjectFactory:
    """Write a project (Chinook copy + schema + config) in a fresh folder; return the config."""

    def make(**over: object) -> Path:
        folder = tmp_path_factory.mktemp("project")
        shutil.copy(CHINOOK / "chinook.sqlite", folder / "chinook.sqlite")
        shutil.copy(CHINOOK / "schema.yaml", folder / "schema.yaml")
        doc: dict[str, object] = {
            "project": "chinook_test",
            "source": {"url": "sqlite:///chinook.sqlite"},
            "schema": "schema.yaml",
            "output": {"root": "out"},
            "execution": {"executor": "in_process"},
        }
        doc.update(over)
        path = folder / "synthohive.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return path

    return make
