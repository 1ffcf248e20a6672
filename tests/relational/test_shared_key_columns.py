"""Two composite foreign keys sharing a column both resolve (bakeoff's ``challenges``).

``challenges(series, episode, baker)`` references ``episodes(series, episode)`` and
``bakers(series, baker)``. Regression: the second key was dealt across all series and
overwrote ``series``, so the first key pointed at no episode; the child's parent context
was then an all-NULL row and the model failed with ``nulls in a column that had none``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.relational import RelationalSynthesizer, ctgan_factory
from synthohive_lib.schema import Schema
from synthohive_lib.schema.keys import orphan_mask

FACTORY = ctgan_factory(epochs=1, batch_size=50, seed=0, device="cpu", num_threads=1)


def _col(name, type_, storage="integer", nullable=False):
    return {"name": name, "type": type_, "storage": storage, "nullable": nullable}


def _fk(columns, references):
    return {"columns": columns, "references": references, "referenced_columns": columns}


def _schema(link_key: list[str]) -> Schema:
    link_columns = [_col(c, "id") for c in dict.fromkeys([*link_key, "series", "episode", "baker"])]
    return Schema.model_validate(
        {
            "name": "bakeoff",
            "tables": [
                {
                    "name": "series",
                    "primary_key": ["series"],
                    "columns": [_col("series", "id"), _col("viewers", "float", "float")],
                },
                {
                    "name": "episodes",
                    "primary_key": ["series", "episode"],
                    "columns": [
                        _col("series", "id"),
                        _col("episode", "id"),
                        _col("bakers_appeared", "integer"),
                    ],
                    "foreign_keys": [_fk(["series"], "series")],
                },
                {
                    "name": "bakers",
                    "primary_key": ["series", "baker"],
                    "columns": [
                        _col("series", "id"),
                        _col("baker", "id", "string"),
                        _col("age", "integer"),
                    ],
                    "foreign_keys": [_fk(["series"], "series")],
                },
                {
                    "name": "challenges",
                    "primary_key": link_key,
                    "columns": [*link_columns, _col("result", "categorical", "string", True)],
                    "foreign_keys": [
                        _fk(["series", "episode"], "episodes"),
                        _fk(["series", "baker"], "bakers"),
                    ],
                },
            ],
        }
    )


def _real(with_id: bool) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    series = pd.DataFrame({"series": np.arange(1, 11), "viewers": rng.uniform(2, 10, 10)})
    episodes = pd.DataFrame(
        [(s, e, 12 - e) for s in range(1, 11) for e in range(1, 11)],
        columns=["series", "episode", "bakers_appeared"],
    )
    bakers = pd.DataFrame(
        [(s, f"b{s}_{b}", int(rng.integers(20, 70))) for s in range(1, 11) for b in range(12)],
        columns=["series", "baker", "age"],
    )
    rows = [
        (s, e, f"b{s}_{b}", str(rng.choice(["IN", "OUT", "STAR"])))
        for s in range(1, 11)
        for e in range(1, 11)
        for b in range(12 - e + 1)
    ]
    challenges = pd.DataFrame(rows, columns=["series", "episode", "baker", "result"])
    if with_id:
        challenges.insert(0, "id", np.arange(1, len(challenges) + 1))
    return {"series": series, "episodes": episodes, "bakers": bakers, "challenges": challenges}


@pytest.mark.parametrize(
    "link_key",
    [["series", "episode", "baker"], ["id"]],
    ids=["link-table", "own-key"],
)
def test_two_foreign_keys_sharing_a_column_both_resolve(link_key) -> None:
    schema = _schema(link_key)
    out = RelationalSynthesizer(schema, FACTORY).fit(_real("id" in link_key)).generate(seed=0)
    ch = out["challenges"]
    assert len(ch) > 0
    assert not orphan_mask(ch, ["series", "episode"], out["episodes"], ["series", "episode"]).any()
    assert not orphan_mask(ch, ["series", "baker"], out["bakers"], ["series", "baker"]).any()
    assert ch[["series", "episode", "baker"]].notna().all().all()
    assert not ch.duplicated(link_key).any()
