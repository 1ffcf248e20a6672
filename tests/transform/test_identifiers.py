"""Identifiers that are not keys: regenerated in the real format, never copied."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthohive_lib.models import CTGAN, SmallTableModel
from synthohive_lib.relational.specs import column_spec
from synthohive_lib.schema.model import Column, ColumnType, StorageType
from synthohive_lib.transform import ColumnKind, ColumnSpec, infer_column_specs

FAST = {"batch_size": 100, "embedding_dim": 8, "generator_dim": (16,),
        "discriminator_dim": (16,), "num_threads": 1, "verbose": False}  # fmt: skip

SURNAMES = ["aaron", "ruth", "bonds", "mays", "cobb", "gehrig", "mantle", "jeter", "ortiz"]


def players(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A person-name code (``aaronha01``: surname, two letters of the first name, a number),
    an external integer id, a near-unique ticket code and ordinary attributes."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    code = [
        f"{rng.choice(SURNAMES)}{''.join(rng.choice(letters, 2))}{i % 100:02d}" for i in range(n)
    ]
    return pd.DataFrame(
        {
            "player_code": code,
            "external_id": rng.permutation(np.arange(100_000, 100_000 + n)),
            "ticket": [f"TK-{v:05d}" for v in rng.choice(99_999, n, replace=False)],
            "team": rng.choice(["NYA", "BOS", "SFN"], n),
            "salary": rng.lognormal(13, 1, n).round(-3),
        }
    )


def _specs(frame: pd.DataFrame) -> list[ColumnSpec]:
    """Specs as the relational layer makes them from schema.yaml: two ``id`` columns outside
    every key and a ticket code that a schema calls categorical."""
    ids = {
        name: column_spec(Column(name=name, type=ColumnType.ID, storage=storage))
        for name, storage in (("player_code", StorageType.STRING),
                              ("external_id", StorageType.INTEGER))
    }  # fmt: skip
    return [
        ids["player_code"],
        ids["external_id"],
        ColumnSpec("ticket", ColumnKind.CATEGORICAL),
        ColumnSpec("team", ColumnKind.CATEGORICAL),
        ColumnSpec("salary", ColumnKind.CONTINUOUS, decimals=0),
    ]


def _copied(real: pd.Series, synthetic: pd.Series) -> float:
    return float(synthetic.astype(str).isin(set(real.astype(str))).mean())


def test_ctgan_never_copies_non_key_identifiers_and_keeps_their_format() -> None:
    real = players()
    synthetic = CTGAN(epochs=1, seed=0, specs=_specs(real), **FAST).fit(real).sample(1000, seed=1)
    for column in ("player_code", "external_id", "ticket"):
        assert _copied(real[column], synthetic[column]) <= 0.001, column
    assert synthetic["player_code"].str.fullmatch(r"[a-z]{4,6}[a-z]{2}[0-9]{2}").all()
    assert synthetic["ticket"].str.fullmatch(r"TK-[0-9]{5}").all()
    assert synthetic["external_id"].dtype == real["external_id"].dtype
    assert synthetic["external_id"].between(100_000, 999_999).all()
    assert synthetic["player_code"].is_unique and synthetic["external_id"].is_unique


def test_near_unique_codes_are_inferred_as_identifiers() -> None:
    kinds = {s.name: s.kind for s in infer_column_specs(players())}
    assert kinds["player_code"] is ColumnKind.IDENTIFIER
    assert kinds["ticket"] is ColumnKind.IDENTIFIER
    assert kinds["team"] is ColumnKind.CATEGORICAL


def test_identifier_nulls_and_repeats_follow_the_real_column() -> None:
    real = players()
    real["player_code"] = real["player_code"].where(np.arange(len(real)) % 5 != 0)
    synthetic = CTGAN(epochs=1, seed=0, specs=_specs(real), **FAST).fit(real).sample(2000, seed=2)
    assert abs(synthetic["player_code"].isna().mean() - 0.2) < 0.04
    assert _copied(real["player_code"].dropna(), synthetic["player_code"].dropna()) == 0.0


def test_small_table_model_regenerates_identifiers_too(tmp_path) -> None:
    real = players(40)
    model = SmallTableModel(specs=_specs(real), seed=0).fit(real)
    loaded = SmallTableModel.load(model.save(tmp_path / "m"))
    for out in (model.sample(40, seed=3), loaded.sample(40, seed=3)):
        assert _copied(real["player_code"], out["player_code"]) == 0.0
        assert _copied(real["external_id"], out["external_id"]) == 0.0
