"""Real public databases, each taken down the path a new user takes, at default settings.

``schema infer`` → ``schema validate --source`` (applying only the settings its messages
name) → a project config with defaults only (tests: 2 epochs and the matching smoke gate) →
``synthesize_all`` → checks made here, not by the project: every synthetic foreign key
(composite ones included) resolves, every primary key is unique, the report names every table.
A database that still breaks on a failure class of issue 12 is an ``xfail(strict=True)``
naming the exact failure, so the test turns red (XPASS) the day it is fixed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import gauntlet_flow

Synthesize = Callable[[str], gauntlet_flow.FlowResult]

pytestmark = pytest.mark.slow


def test_tpch_synthesizes_end_to_end_with_its_composite_keys(synthesize: Synthesize) -> None:
    result = synthesize("tpch")
    gauntlet_flow.assert_end_to_end(result)
    frames = gauntlet_flow.synthetic_frames(result)
    # the composite FK lineitem(l_partkey, l_suppkey) -> partsupp is checked as a pair
    pairs = frames["lineitem"][["l_partkey", "l_suppkey"]].drop_duplicates()
    assert len(pairs) > 1


def test_nycflights13_synthesizes_end_to_end_with_its_real_orphans(
    synthesize: Synthesize,
) -> None:
    result = synthesize("nycflights13")
    gauntlet_flow.assert_end_to_end(result)


def test_bakeoff_synthesizes_end_to_end_with_meaningful_composite_keys(
    synthesize: Synthesize,
) -> None:
    result = synthesize("bakeoff")
    gauntlet_flow.assert_end_to_end(result)


def test_ratdat_synthesizes_end_to_end_with_a_nullable_foreign_key(
    synthesize: Synthesize,
) -> None:
    result = synthesize("ratdat")
    gauntlet_flow.assert_end_to_end(result)
    surveys = gauntlet_flow.synthetic_frames(result)["surveys"]
    assert surveys["species_id"].isna().any(), "the real surveys have unidentified species"


def test_pbc_synthesizes_end_to_end_with_repeated_visits(synthesize: Synthesize) -> None:
    result = synthesize("pbc")
    gauntlet_flow.assert_end_to_end(result)


def test_loans_single_table_synthesizes_end_to_end(synthesize: Synthesize) -> None:
    result = synthesize("loans")
    gauntlet_flow.assert_end_to_end(result)
    assert len(gauntlet_flow.synthetic_frames(result)["loans"]) == 2000
