"""Non-key identifiers: the leak scan finds copied ones, the identifier gate blocks them, and
the model's output passes both."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthohive_lib.models import CTGAN
from synthohive_lib.privacy import scan_for_leaks
from synthohive_lib.privacy.identifiers import (
    identifier_columns,
    identifier_copies,
    identifier_gate,
)
from synthohive_lib.relational.specs import column_specs
from synthohive_lib.schema.model import Column, Schema, Table

FAST = {"batch_size": 100, "embedding_dim": 8, "generator_dim": (16,),
        "discriminator_dim": (16,), "num_threads": 1, "verbose": False}  # fmt: skip

TABLE = Table(
    name="players",
    primary_key=["player_id"],
    columns=[
        Column(name="player_id", type="id", storage="integer"),
        Column(name="bbref_code", type="id"),  # external code from a real person's name
        Column(name="retro_number", type="id", storage="integer"),
        Column(name="ticket", type="categorical"),  # near-unique in the data
        Column(name="team", type="categorical"),
        Column(name="salary", type="float", storage="float"),
    ],
)
SCHEMA = Schema(name="baseball", tables=[TABLE])


def players(n: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    surnames = np.array(["aaron", "ruth", "bonds", "mays", "cobb", "gehrig", "jeter"])
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return pd.DataFrame(
        {
            "player_id": np.arange(1, n + 1),
            "bbref_code": [
                f"{rng.choice(surnames)}{''.join(rng.choice(letters, 2))}{i % 100:02d}"
                for i in range(n)
            ],
            "retro_number": rng.permutation(np.arange(500_000, 500_000 + n)),
            "ticket": [f"TK-{v:05d}" for v in rng.choice(99_999, n, replace=False)],
            "team": rng.choice(["NYA", "BOS", "SFN"], n),
            "salary": rng.lognormal(13, 1, n).round(-3),
        }
    )


def test_identifier_columns_are_the_non_key_ids_and_near_unique_codes() -> None:
    assert identifier_columns(TABLE, players()) == ["bbref_code", "retro_number", "ticket"]


def test_copied_identifiers_fail_the_gate_and_the_leak_scan() -> None:
    real = players()
    copied = real.sample(frac=1.0, random_state=1).reset_index(drop=True)
    copies = identifier_copies(real, copied, identifier_columns(TABLE, real))
    gate = identifier_gate("players", copies)
    assert not gate.passed
    assert set(gate.columns) == {"bbref_code", "retro_number", "ticket"}
    assert "players.bbref_code: 500 of 500" in gate.detail
    report = scan_for_leaks({"players": real}, {"players": copied}, SCHEMA)
    leaking = {leak.column for leak in report.leaks}
    assert {"bbref_code", "ticket"} <= leaking


def test_one_copy_in_a_thousand_is_tolerated_two_are_not() -> None:
    real = players()
    synthetic = pd.DataFrame({"bbref_code": [f"new{i:05d}" for i in range(2000)]})
    synthetic.loc[:1, "bbref_code"] = real["bbref_code"].iloc[:2].to_numpy()
    assert identifier_gate("players", identifier_copies(real, synthetic, ["bbref_code"])).passed
    synthetic.loc[:2, "bbref_code"] = real["bbref_code"].iloc[:3].to_numpy()
    assert not identifier_gate("players", identifier_copies(real, synthetic, ["bbref_code"])).passed


def test_the_model_output_passes_the_gate_and_the_leak_scan() -> None:
    real = players()
    attributes = [c for c in TABLE.column_names if c != "player_id"]
    model = CTGAN(epochs=1, seed=0, specs=column_specs(TABLE, attributes), **FAST)
    synthetic = model.fit(real[attributes]).sample(1000, seed=1)
    synthetic.insert(0, "player_id", np.arange(1, 1001))
    copies = identifier_copies(real, synthetic, identifier_columns(TABLE, real))
    assert identifier_gate("players", copies).passed, copies
    assert scan_for_leaks({"players": real}, {"players": synthetic}, SCHEMA).ok
