"""Text dates with month names (``Mar-2018`` in Lending Club's loans) are datetimes that
round-trip: inferred with their format, modelled as time, written back in the same form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.profile.infer import infer_from_frames
from synthohive_lib.relational.specs import column_spec
from synthohive_lib.schema.model import ColumnType
from synthohive_lib.schema.sniff import detect_datetime_format
from synthohive_lib.transform import DataTransformer


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["Mar-2018", "Dec-2015", "Jan-2019"], "%b-%Y"),
        (["05 Mar 2018", "31 Dec 2015"], "%d %b %Y"),
        (["March 05, 2018", "December 31, 2015"], "%B %d, %Y"),
        (["Mar 05, 2018", "Dec 31, 2015"], "%b %d, %Y"),
        (["05-Mar-2018", "31-Dec-2015"], "%d-%b-%Y"),
        (["March 2018", "December 2015"], "%B %Y"),
    ],
)
def test_month_name_formats_are_recognised(values: list[str], fmt: str) -> None:
    assert detect_datetime_format(pd.Series(values)) == fmt


def test_a_format_that_would_not_write_the_values_back_is_not_chosen() -> None:
    # the parser forgives upper-case months and unpadded days; strftime writes neither
    assert detect_datetime_format(pd.Series(["MAR-2018", "DEC-2015"])) is None
    assert detect_datetime_format(pd.Series(["2018-3-5", "2015-12-31"])) is None


def loans(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    months = pd.date_range("2016-01-01", "2018-12-01", freq="MS")
    issued = pd.Series(months[rng.integers(0, len(months), n)])
    return pd.DataFrame({"issue_month": issued.dt.strftime("%b-%Y")})


def test_lending_club_issue_months_are_inferred_and_round_trip_through_the_model() -> None:
    frame = loans()
    column = infer_from_frames({"loans": frame}).schema.table("loans").column("issue_month")
    assert column.type is ColumnType.DATETIME
    assert column.datetime_format == "%b-%Y"
    assert (column.min, column.max) == ("2016-01-01 00:00:00", "2018-12-01 00:00:00")
    transformer = DataTransformer([column_spec(column)], table="loans").fit(frame)
    rng = np.random.default_rng(0)
    back = transformer.inverse_transform(transformer.transform(frame), rng)
    assert back["issue_month"].tolist() == frame["issue_month"].tolist()
    # anything the model could produce is written in the stored form
    noise = rng.normal(size=(500, transformer.output_dim)).astype(np.float32)
    generated = transformer.inverse_transform(noise, rng)["issue_month"].dropna()
    parsed = pd.to_datetime(generated, format="%b-%Y")
    assert (parsed.dt.strftime("%b-%Y") == generated).all()
