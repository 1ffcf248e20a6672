"""Train on synthetic, test on real: a faithful copy keeps the model's usefulness."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthohive_lib.validation import tstr

KINDS = {"x": "numerical", "c": "categorical", "y": "categorical"}


def _data(n: int, seed: int, broken: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    c = rng.choice(list("ab"), n)
    y = np.where(x > 0, "pos", "neg")
    if broken:  # the label no longer depends on x
        y = rng.permutation(y)
    return pd.DataFrame({"x": x, "c": c, "y": y})


def test_faithful_synthetic_data_keeps_utility_and_broken_data_loses_it() -> None:
    real, holdout = _data(400, 1), _data(400, 2)
    good = tstr(real, _data(400, 3), "y", KINDS, holdout=holdout, max_iter=15)
    bad = tstr(real, _data(400, 4, broken=True), "y", KINDS, holdout=holdout, max_iter=15)
    assert good.task == "classification" and good.metric == "macro_f1" and good.tested_on_holdout
    assert good.real_score > 0.9 and good.ratio > 0.9
    assert bad.ratio < 0.8


def test_regression_target() -> None:
    real = _data(300, 1).assign(y=lambda d: 3 * d["x"] + 1)
    result = tstr(real, real, "y", {**KINDS, "y": "numerical"}, max_iter=15)
    assert result.task == "regression" and result.synthetic_score > 0.9
