"""Children-per-parent counts that add up, for any pair of synthetic parent tables.

Regression for the gauntlet's ``ValueError: row degrees sum to 26428, column degrees to
26567``: parents of a kind that has no child in the real data ('closed' courses) were kept
out of a row target's rescaling but could still hold children, so a link table's two sides
counted different numbers of links (and a child table got more rows than asked for).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ModelError
from synthohive_lib.relational import TablePlan, generate_table
from synthohive_lib.relational._frames import children_per_parent
from synthohive_lib.relational.junction import match_degrees
from synthohive_lib.schema import Schema


def _col(name, type_, storage="string", nullable=True):
    return {"name": name, "type": type_, "storage": storage, "nullable": nullable}


SCHEMA = Schema.model_validate(
    {
        "name": "school",
        "tables": [
            {
                "name": "Student",
                "primary_key": ["StudentId"],
                "columns": [
                    _col("StudentId", "id", "integer", False),
                    _col("Status", "categorical"),
                ],
            },
            {
                "name": "Course",
                "primary_key": ["CourseId"],
                "columns": [_col("CourseId", "id", "integer", False), _col("Level", "categorical")],
            },
            {
                "name": "Enrol",
                "primary_key": ["StudentId", "CourseId"],
                "columns": [
                    _col("StudentId", "id", "integer", False),
                    _col("CourseId", "id", "integer", False),
                ],
                "foreign_keys": [
                    {
                        "columns": ["StudentId"],
                        "references": "Student",
                        "referenced_columns": ["StudentId"],
                    },
                    {
                        "columns": ["CourseId"],
                        "references": "Course",
                        "referenced_columns": ["CourseId"],
                    },
                ],
            },
        ],
    }
)


def _real() -> dict[str, pd.DataFrame]:
    """300 students (the first 60 'gone', never enrolled), 80 courses (the first 20
    'closed', never taken), 1-5 courses per active student."""
    rng = np.random.default_rng(0)
    students = pd.DataFrame(
        {
            "StudentId": np.arange(1, 301),
            "Status": np.where(np.arange(300) < 60, "gone", "active"),
        }
    )
    courses = pd.DataFrame(
        {
            "CourseId": np.arange(1, 81),
            "Level": np.where(np.arange(80) < 20, "closed", "open"),
        }
    )
    pairs = [
        (s, 21 + c)
        for s in range(61, 301)
        for c in rng.choice(60, rng.integers(1, 6), replace=False)
    ]
    enrol = pd.DataFrame(pairs, columns=["StudentId", "CourseId"])
    return {"Student": students, "Course": courses, "Enrol": enrol}


def _synthetic(n: int, closed: float, name: str, column: str, kinds: tuple[str, str]):
    return pd.DataFrame(
        {
            f"{name}Id": np.arange(1, n + 1) + 1000,
            column: np.where(np.arange(n) < round(closed * n), kinds[0], kinds[1]),
        }
    )


@pytest.fixture(scope="module")
def plan() -> TablePlan:
    return TablePlan.fit(SCHEMA, "Enrol", _real())


@pytest.mark.parametrize(
    ("n_students", "gone", "n_courses", "closed", "rows"),
    [
        (500, 0.6, 100, 0.3, None),  # more childless kinds than the real zero shares
        (500, 0.6, 100, 0.3, 900),
        (40, 0.1, 300, 0.5, None),  # few left parents, many right ones
        (2000, 0.2, 12, 0.25, None),  # many left parents, few right ones
        (300, 0.0, 80, 0.9, 700),
    ],
)
def test_a_link_table_between_parents_of_any_size_has_consistent_unique_links(
    plan, n_students, gone, n_courses, closed, rows
) -> None:
    students = _synthetic(n_students, gone, "Student", "Status", ("gone", "active"))
    courses = _synthetic(n_courses, closed, "Course", "Level", ("closed", "open"))
    links = generate_table(
        plan,
        None,
        {"Student": students, "Course": courses},
        table=SCHEMA.table("Enrol"),
        rows=rows,
        seed=3,
    )
    if rows is not None:
        assert len(links) == rows
    assert not links.duplicated().any()
    assert links["StudentId"].isin(students["StudentId"]).all()
    assert links["CourseId"].isin(courses["CourseId"]).all()
    per_student = children_per_parent(students, ["StudentId"], links, ["StudentId"])
    assert per_student.max() <= n_courses


def test_a_row_target_is_met_exactly_when_childless_kinds_outnumber_real_zeros(plan) -> None:
    card = plan.junction.right_
    courses = _synthetic(100, 0.3, "Course", "Level", ("closed", "open"))
    for seed in range(5):
        counts = card.sample_counts(courses, seed, total=1234)
        assert counts.sum() == 1234
        assert counts.min() >= card.min_ and counts.max() <= card.max_
        # the 'closed' courses (no real enrolment) get none while the others have room
        assert counts[courses["Level"] == "closed"].sum() == 0


def test_unequal_degree_sums_raise_a_typed_error_naming_the_tables() -> None:
    with pytest.raises(ModelError) as err:
        match_degrees(
            np.array([2, 1]), np.array([1, 1]), 0, table="Enrol", sides=("Student", "Course")
        )
    message = str(err.value)
    assert "Enrol" in message and "Student" in message and "Course" in message
