"""Fixtures of the gauntlet: real public databases, each materialised as a fresh SQLite file.

The loaders live in ``benchmarks/gauntlet_sources.py`` (shared with ``benchmarks/gauntlet.py``);
``benchmarks/`` is put on the import path here because another installed package owns the
top-level name ``benchmarks``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from synthohive_lib.config import ENVIRONMENT_ENV_VAR, OUTPUT_ROOT_ENV_VAR

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import gauntlet_flow  # noqa: E402
from gauntlet_sources import materialise  # noqa: E402

#: what tests change from the defaults: fewer epochs (CPU time), and the smoke-level fidelity
#: gate that goes with them (as synthohive.ci.yaml); device cpu keeps runs comparable
TEST_DEFAULTS = {"epochs": 2, "device": "cpu", "fidelity_threshold": 0.2}


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow writes its own output root; the caller's environment must not redirect it."""
    monkeypatch.delenv(OUTPUT_ROOT_ENV_VAR, raising=False)
    monkeypatch.delenv(ENVIRONMENT_ENV_VAR, raising=False)


@pytest.fixture
def synthesize(tmp_path: Path) -> Callable[[str], gauntlet_flow.FlowResult]:
    """Run the new user's path on database ``name`` at its small size; return the result."""

    def run(name: str) -> gauntlet_flow.FlowResult:
        db = materialise(name, tmp_path, "small")
        return gauntlet_flow.run_database(f"sqlite:///{db}", tmp_path / name, TEST_DEFAULTS)

    return run
