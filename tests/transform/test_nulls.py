"""Columns null together in the real data stay null together in the generated rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthohive_lib.models import CTGAN
from synthohive_lib.transform import DataTransformer

FAST = {"batch_size": 100, "embedding_dim": 8, "generator_dim": (16,),
        "discriminator_dim": (16,), "num_threads": 1, "verbose": False}  # fmt: skip


def loans(n: int = 800, seed: int = 0) -> pd.DataFrame:
    """Lending Club's shape: joint-income columns null exactly when the application is
    individual; ``late_90d`` null whenever ``last_delinq`` is (and sometimes otherwise)."""
    rng = np.random.default_rng(seed)
    joint = rng.random(n) < 0.2
    income = rng.lognormal(11, 0.4, n).round(-2)
    last_delinq = np.where(rng.random(n) < 0.55, np.nan, rng.integers(1, 120, n))
    late = np.where(np.isnan(last_delinq) | (rng.random(n) < 0.4), np.nan, rng.integers(1, 80, n))
    verification = rng.choice(["Verified", "Not Verified", "Source Verified"], n).astype(object)
    verification[~joint | (rng.random(n) < 0.03)] = None
    return pd.DataFrame(
        {
            "application_type": np.where(joint, "joint", "individual"),
            "annual_income": income,
            "annual_income_joint": np.where(joint, income + rng.lognormal(10, 0.5, n).round(-2),
                                            np.nan),
            "verification_income_joint": verification,
            "last_delinq": last_delinq,
            "late_90d": late,
            "term": rng.choice([36, 60], n),
        }
    )  # fmt: skip


def test_rules_are_found_for_category_and_null_together_columns() -> None:
    from synthohive_lib.transform.nulls import NullStructure

    structure = NullStructure.fit(loans(), categories=["application_type"])
    governors = {r.column: r.by for r in structure.rules}
    assert governors["annual_income_joint"] == "application_type"
    assert governors["verification_income_joint"] in ("application_type", "annual_income_joint")
    assert governors["late_90d"] == "last_delinq"
    assert "annual_income" not in governors and "last_delinq" not in governors


def test_independent_nulls_get_no_rule() -> None:
    from synthohive_lib.transform.nulls import NullStructure

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "kind": rng.choice(["a", "b", "c"], 2000),
            "x": np.where(rng.random(2000) < 0.3, np.nan, 1.0 + rng.random(2000)),
            "y": np.where(rng.random(2000) < 0.3, np.nan, rng.random(2000)),
        }
    )
    assert NullStructure.fit(frame, categories=["kind"]).rules == []


#: The real co-nullity rules of :func:`loans`, each as "holds in this row" (written out here so
#: the measure does not depend on what the library detected).
RULES = {
    "joint income null exactly when individual": lambda f: (
        f["annual_income_joint"].isna() == (f["application_type"] == "individual")
    ),
    "joint verification null when individual": lambda f: (
        f["verification_income_joint"].isna() | (f["application_type"] != "individual")
    ),
    "90-day late null when never delinquent": lambda f: (
        f["late_90d"].isna() | f["last_delinq"].notna()
    ),
}


def test_ctgan_output_keeps_the_real_co_nullity_rules() -> None:
    real = loans()
    synthetic = CTGAN(epochs=1, seed=0, **FAST).fit(real).sample(2000, seed=1)
    for name, holds in RULES.items():
        real_share, synthetic_share = holds(real).mean(), holds(synthetic).mean()
        assert synthetic_share >= 0.95 * real_share, (name, real_share, synthetic_share)


def test_rules_survive_the_saved_state() -> None:
    real = loans(400)
    transformer = DataTransformer().fit(real, np.random.default_rng(0))
    restored = DataTransformer.from_state(*transformer.state())
    assert restored.null_structure == transformer.null_structure
    matrix = transformer.transform(real, np.random.default_rng(1))
    pd.testing.assert_frame_equal(
        transformer.inverse_transform(matrix, np.random.default_rng(4)),
        restored.inverse_transform(matrix, np.random.default_rng(4)),
    )
