"""Schemas made of keys only need no generative model at all."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from synthohive_lib.relational.generate import RelationalSynthesizer
from synthohive_lib.schema import Schema
from synthohive_lib.schema.validate import validate_data


def _key_table(name: str) -> dict:
    return {"name": name, "primary_key": [f"{name}Id"],
            "columns": [{"name": f"{name}Id", "type": "id", "storage": "integer",
                         "nullable": False}]}


SCHEMA = Schema.model_validate({"name": "keys", "tables": [
    _key_table("A"), _key_table("B"), _key_table("C"),
    {"name": "Triple", "primary_key": ["AId", "BId", "CId"],
     "columns": [{"name": c, "type": "id", "storage": "integer", "nullable": False}
                 for c in ("AId", "BId", "CId")],
     "foreign_keys": [{"columns": [c], "references": c[0], "referenced_columns": [c]}
                      for c in ("AId", "BId", "CId")]},
]})


def test_a_key_made_of_three_references_stays_unique_without_any_model() -> None:
    rng = np.random.default_rng(0)
    combos = np.array(list(itertools.product(range(1, 4), range(1, 4), range(1, 3))))
    triple = pd.DataFrame(combos[rng.permutation(len(combos))[:15]], columns=["AId", "BId", "CId"])
    tables = {"A": pd.DataFrame({"AId": [1, 2, 3]}), "B": pd.DataFrame({"BId": [1, 2, 3]}),
              "C": pd.DataFrame({"CId": [1, 2]}), "Triple": triple}
    synth = RelationalSynthesizer(SCHEMA).fit(tables)
    sizes = []
    for seed in range(5):
        out = synth.generate(seed=seed)
        assert validate_data(SCHEMA, out, raise_on_error=False).issues == []
        sizes.append(len(out["Triple"]))
    assert 0 < min(sizes) < 15  # repeated combinations were dropped, never written
