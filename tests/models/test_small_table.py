"""The smoothed-bootstrap model for tiny root tables (Chinook Genre, Employee)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ModelError
from synthohive_lib.models import SmallTableModel, load_model
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec

SPECS = [
    ColumnSpec("Title", ColumnKind.CATEGORICAL),
    ColumnSpec("HireDate", ColumnKind.DATETIME, datetime_format="%Y-%m-%d %H:%M:%S"),
    ColumnSpec("Grade", ColumnKind.INTEGER),
    ColumnSpec("Motto", ColumnKind.TEXT, nullable=True),
]
EMPLOYEES = pd.DataFrame({
    "Title": ["GM", "Agent", "Agent", "Agent", "IT", "IT", "Manager", "Manager"],
    "HireDate": ["2002-08-14 00:00:00", "2002-05-01 00:00:00", "2002-04-01 00:00:00",
                 "2003-05-03 00:00:00", "2003-10-17 00:00:00", "2003-10-17 00:00:00",
                 "2004-01-02 00:00:00", "2004-03-04 00:00:00"],
    "Grade": [9, 3, 3, 4, 5, 5, 7, 6],
    "Motto": ["carpe diem", "go on", "never stop", None, "think", "build it", "lead", "ok"],
})


def test_categories_keep_their_exact_frequencies_and_rows_are_never_copied() -> None:
    model = SmallTableModel(specs=SPECS, table="Employee", seed=0).fit(EMPLOYEES)
    out = model.sample(8, seed=1)
    assert sorted(out["Title"]) == sorted(EMPLOYEES["Title"])
    assert out["Grade"].between(3, 9).all() and str(out["Grade"].dtype) == "int64"
    dates = pd.to_datetime(out["HireDate"], format="%Y-%m-%d %H:%M:%S")
    assert dates.between("2002-04-01", "2004-03-04").all()
    assert (dates == dates.dt.normalize()).all()  # whole days, as the real ones
    real = EMPLOYEES[["Title", "HireDate", "Grade"]].astype(str)
    merged = out[["Title", "HireDate", "Grade"]].astype(str).merge(real, how="inner")
    assert merged.empty
    assert not set(out["Motto"].dropna()) & set(EMPLOYEES["Motto"].dropna())


def test_it_round_trips_and_refuses_context(tmp_path) -> None:
    model = SmallTableModel(specs=SPECS, seed=0).fit(EMPLOYEES)
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, SmallTableModel)
    pd.testing.assert_frame_equal(loaded.sample(20, seed=2), model.sample(20, seed=2))
    with pytest.raises(ModelError, match="context"):
        SmallTableModel().fit(EMPLOYEES, context=EMPLOYEES[["Grade"]])


def test_larger_samples_cycle_through_every_real_row() -> None:
    model = SmallTableModel(specs=SPECS[:1], seed=0).fit(EMPLOYEES[["Title"]])
    out = model.sample(80, seed=0)
    counts = out["Title"].value_counts()
    assert counts.to_dict() == (EMPLOYEES["Title"].value_counts() * 10).to_dict()
    assert len(model.sample(0, seed=0)) == 0
    assert np.all(model.sample(3, seed=5)["Title"].isin(EMPLOYEES["Title"]))
