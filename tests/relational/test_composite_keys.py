"""Composite keys whose parts carry meaning: real values, unique keys, resolving foreign keys.

Regressions for the gauntlet: a year column of a two-column key came out as a 3,000-value
sequence (one row per "year", thousands of years past today), and the ``year, month, day,
hour`` columns of ``weather``'s key (nycflights13) were regenerated as ids, so the composite
foreign key ``flights -> weather`` pointed at hours 0 … 26,000 of nonsense days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.relational import RelationalSynthesizer, TablePlan, ctgan_factory
from synthohive_lib.relational.keys import meaningful_key_columns, snap_to_pool
from synthohive_lib.schema import Schema
from synthohive_lib.schema.keys import orphan_mask

FACTORY = ctgan_factory(epochs=1, batch_size=100, seed=0, device="cpu", num_threads=1)
WEATHER_KEY = ["origin", "year", "month", "day", "hour"]


def _col(name, type_, storage="string", nullable=True):
    return {"name": name, "type": type_, "storage": storage, "nullable": nullable}


def _fk(columns, references, referenced=None):
    return {
        "columns": columns,
        "references": references,
        "referenced_columns": referenced or columns,
    }


def _key(name, storage="integer"):
    return _col(name, "id", storage, False)


FLIGHTS = Schema.model_validate(
    {
        "name": "flights",
        "tables": [
            {
                "name": "airports",
                "primary_key": ["faa"],
                "columns": [_key("faa", "string"), _col("alt", "integer", "integer")],
            },
            {
                "name": "weather",
                "primary_key": WEATHER_KEY,
                "columns": [
                    _key("origin", "string"),
                    *(_key(c) for c in WEATHER_KEY[1:]),
                    _col("temp", "float", "float"),
                ],
                "foreign_keys": [_fk(["origin"], "airports", ["faa"])],
            },
            {
                "name": "flights",
                "primary_key": ["id"],
                "columns": [
                    _key("id"),
                    *(_col(c, "integer", "integer") for c in WEATHER_KEY[1:]),
                    _col("origin", "id"),
                    _col("dest", "id"),
                    _col("delay", "float", "float"),
                ],
                "foreign_keys": [
                    _fk(["origin"], "airports", ["faa"]),
                    _fk(["dest"], "airports", ["faa"]),
                    _fk(WEATHER_KEY, "weather"),
                ],
            },
        ],
    }
)


def _flights_db() -> dict[str, pd.DataFrame]:
    """2 origins with hourly weather over January 2013 (1,488 rows), 1,200 flights."""
    rng = np.random.default_rng(0)
    faa = [f"A{i:02d}" for i in range(20)]
    airports = pd.DataFrame({"faa": faa, "alt": rng.integers(0, 2000, 20)})
    hours = pd.date_range("2013-01-01", "2013-01-31 23:00", freq="h")
    weather = pd.concat(
        [
            pd.DataFrame(
                {
                    "origin": origin,
                    "year": hours.year,
                    "month": hours.month,
                    "day": hours.day,
                    "hour": hours.hour,
                    "temp": 30 + 10 * np.sin(hours.hour / 24 * 6.28) + rng.normal(0, 2, len(hours)),
                }
            )
            for origin in faa[:2]
        ],
        ignore_index=True,
    )
    flights = weather.sample(1200, replace=True, random_state=0)[WEATHER_KEY[::-1]]
    flights = flights.reset_index(drop=True)
    flights.insert(0, "id", np.arange(1, len(flights) + 1))
    flights["dest"] = rng.choice(faa[2:], len(flights))
    flights["delay"] = rng.gamma(2, 10, len(flights))
    return {"airports": airports, "weather": weather, "flights": flights}


@pytest.fixture(scope="module")
def flights_out() -> dict[str, pd.DataFrame]:
    synth = RelationalSynthesizer(FLIGHTS, FACTORY).fit(_flights_db())
    return synth.generate(seed=0)


def test_date_parts_of_a_composite_key_keep_real_values_and_the_key_stays_unique(
    flights_out,
) -> None:
    weather = flights_out["weather"]
    assert len(weather) > 0
    assert not weather.duplicated(WEATHER_KEY).any()
    assert set(weather["year"]) == {2013} and set(weather["month"]) == {1}
    assert weather["day"].between(1, 31).all() and weather["hour"].between(0, 23).all()
    stamps = pd.to_datetime(weather[["year", "month", "day", "hour"]], errors="coerce")
    assert stamps.notna().all()  # every combination is a real hour


def test_a_composite_foreign_key_resolves_against_the_synthetic_parent(flights_out) -> None:
    flights, weather, airports = (flights_out[t] for t in ("flights", "weather", "airports"))
    assert len(flights) > 0
    assert not orphan_mask(flights, WEATHER_KEY, weather, WEATHER_KEY).any()
    # origin is also a key of its own to airports: dealt once, with the wider key
    for column in ("origin", "dest"):
        assert not orphan_mask(flights, [column], airports, ["faa"]).any()


SEASONS = Schema.model_validate(
    {
        "name": "league",
        "tables": [
            {
                "name": "Player",
                "primary_key": ["PlayerId"],
                "columns": [_key("PlayerId"), _col("Hand", "categorical")],
            },
            {
                "name": "Stint",
                "primary_key": ["PlayerId", "Year", "Stint"],
                "columns": [
                    _key("PlayerId"),
                    _key("Year"),
                    _key("Stint"),
                    _col("Games", "integer", "integer"),
                ],
                "foreign_keys": [_fk(["PlayerId"], "Player")],
            },
        ],
    }
)


def _seasons() -> dict[str, pd.DataFrame]:
    """120 players with careers of consecutive years in 1990-2019, 1-3 stints a year."""
    rng = np.random.default_rng(1)
    players = pd.DataFrame({"PlayerId": np.arange(1, 121), "Hand": rng.choice(["L", "R"], 120)})
    rows = []
    for pid in players["PlayerId"]:
        first = int(rng.integers(1990, 2015))
        for year in range(first, min(2020, first + int(rng.integers(1, 8)))):
            for stint in range(1, int(rng.choice([1, 1, 1, 2, 3])) + 1):
                rows.append((pid, year, stint, int(rng.integers(1, 160))))
    stints = pd.DataFrame(rows, columns=["PlayerId", "Year", "Stint", "Games"])
    return {"Player": players, "Stint": stints}


def test_a_year_and_a_stint_in_a_composite_key_keep_their_real_distribution() -> None:
    real = _seasons()
    plan = TablePlan.fit(SEASONS, "Stint", real)
    assert set(plan.keys.modelled) == {"Year", "Stint"}
    assert not plan.keys.formats  # nothing in this key is a surrogate to renumber
    out = RelationalSynthesizer(SEASONS, FACTORY).fit(real).generate(seed=2)["Stint"]
    assert len(out) > 0
    assert not out.duplicated(["PlayerId", "Year", "Stint"]).any()
    assert out["Year"].between(1990, 2019).all()  # before: 1, 2, 3 … one row per "year"
    assert set(out["Stint"]) <= {1, 2, 3}
    assert out["PlayerId"].isin(out["PlayerId"]).all()


def test_a_line_number_and_a_surrogate_are_still_generated() -> None:
    table = SEASONS.table("Stint").model_copy(
        update={
            "primary_key": ["PlayerId", "Line"],
            "columns": [_col_obj("PlayerId"), _col_obj("Line")],
        }
    )
    frame = pd.DataFrame({"PlayerId": [1, 1, 1, 2, 2], "Line": [1, 2, 3, 1, 2]})
    assert meaningful_key_columns(table, frame) == {}  # 1..k per player: renumbered per group
    surrogate = pd.DataFrame({"PlayerId": [1, 1, 2, 2, 3, 3], "Line": [10, 11, 12, 13, 14, 15]})
    assert meaningful_key_columns(table, surrogate) == {}  # near-unique: a surrogate


def _col_obj(name):
    return SEASONS.table("Stint").column("PlayerId").model_copy(update={"name": name})


def test_repeated_combinations_move_to_the_nearest_free_real_one_per_group() -> None:
    pool = {"month": [1, 1, 1, 2, 2, 2], "day": [1, 2, 3, 1, 2, 3]}
    frame = pd.DataFrame(
        {
            "origin": ["a", "a", "a", "b", "b"],
            "month": [1, 1, 2, 1, 1],
            "day": [2, 2, 30, 2, 2],  # a repeat and an invalid day in group a
        }
    )
    snap_to_pool(frame, ["month", "day"], pool, ["origin"])
    combos = list(zip(frame["origin"], frame["month"], frame["day"], strict=True))
    assert len(set(combos)) == len(combos)
    assert combos[:3] == [("a", 1, 2), ("a", 1, 3), ("a", 2, 3)]  # 30 → the last real day
    assert sorted(combos[3:]) == [("b", 1, 2), ("b", 1, 3)]
