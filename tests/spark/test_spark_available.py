"""Reports, as a skip with its reason, that the Spark tests could not run (or fails in CI)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import unavailable

pytestmark = pytest.mark.spark


def test_pyspark_is_installed() -> None:
    if importlib.util.find_spec("pyspark") is None:
        unavailable("pyspark is not installed: the Spark tests were not collected")
