"""schema_table_quality: one table scored exactly as the schema-wide report scores it."""

from __future__ import annotations

import pandas as pd

from synthohive_lib.project.report import build_report_from_frames
from synthohive_lib.schema import Column, Schema, Table
from synthohive_lib.validation import schema_table_quality


def visits_schema() -> Schema:
    return Schema(
        name="clinic",
        tables=[
            Table(
                name="Visit",
                columns=[
                    Column(name="VisitId", type="id", storage="integer", nullable=False),
                    Column(name="Day", type="datetime", datetime_format="%d/%m/%Y"),
                    Column(name="Ward", type="categorical"),
                    Column(name="Email", type="text", pii="email"),
                ],
                primary_key=["VisitId"],
            )
        ],
    )


def visits(days: list[str], wards: list[str]) -> pd.DataFrame:
    n = len(days)
    return pd.DataFrame({
        "VisitId": range(1, n + 1),
        "Day": days,
        "Ward": wards,
        "Email": [f"person{i}@real.example" for i in range(n)],
    })  # fmt: skip


def test_day_first_text_dates_are_read_with_the_schema_format() -> None:
    # 13-24 January vs 14-25 January: one day apart, so the KS statistic is exactly 1/12.
    # Read month-first, none of these strings is a date at all.
    real = visits([f"{d:02d}/01/2024" for d in range(13, 25)], ["A", "B"] * 6)
    synthetic = visits([f"{d:02d}/01/2024" for d in range(14, 26)], ["B", "A"] * 6)
    quality = schema_table_quality(real, synthetic, visits_schema(), "Visit")
    scores = quality.column_scores()
    assert abs(scores["Day"] - (1 - 1 / 12)) < 1e-9
    assert scores["Ward"] == 1.0


def test_agrees_with_the_whole_report_for_the_same_table() -> None:
    real = visits([f"{d:02d}/01/2024" for d in range(1, 13)], ["A"] * 9 + ["B"] * 3)
    synthetic = visits([f"{d:02d}/02/2024" for d in range(1, 13)], ["A"] * 6 + ["B"] * 6)
    one = schema_table_quality(real, synthetic, visits_schema(), "Visit", privacy=False)
    report = build_report_from_frames(
        {"Visit": real}, {"Visit": synthetic}, visits_schema(), privacy=False
    )
    assert one.score == report.tables["Visit"].score
    assert one.score < 1.0


def test_pii_values_never_appear_in_the_result() -> None:
    real = visits([f"{d:02d}/01/2024" for d in range(1, 13)], ["A", "B"] * 6)
    synthetic = real.assign(Email=[f"fake{i}@synthetic.example" for i in range(12)])
    quality = schema_table_quality(real, synthetic, visits_schema(), "Visit", plots=True)
    assert "real.example" not in str(quality.to_dict())
