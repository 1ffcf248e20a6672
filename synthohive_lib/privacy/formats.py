"""Format patterns ("shapes") of code-like values, and new random values in those shapes.

``+1 (403) 262-3443`` has the shape ``+9 (999) 999-9999``; ``SW1A 1AA`` has ``AA9A 9AA``. A
shape keeps separators, lengths and the class of each character and nothing else, so it can be
stored in a :class:`~synthohive_lib.privacy.plan.PiiPlan` beside the model without holding any
real value, and filled with random digits and letters to make new values that look like the
real ones (phones, postal codes, national ids in the source's own national formats).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Shapes kept per column: the most common ones (the rest are rare formats).
MAX_SHAPES = 20

_DIGITS = np.array(list("0123456789"))
_UPPER = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
_LOWER = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def shape_of(values: pd.Series) -> pd.Series:
    """Digits → ``9``, upper-case letters → ``A``, lower-case letters → ``a``; rest kept."""
    s = values.astype(str)
    s = s.str.replace(r"\d", "9", regex=True)
    s = s.str.replace(r"[^\W\d_a-z]", "A", regex=True)  # letters that are not lower-case ASCII
    return s.str.replace(r"[a-z]", "a", regex=True)


def top_shapes(values: pd.Series, limit: int = MAX_SHAPES) -> dict[str, int]:
    """The ``limit`` most common shapes of the non-null values with their counts."""
    present = values.dropna()
    if present.empty:
        return {}
    counts = shape_of(present).value_counts().head(limit)
    return {str(k): int(v) for k, v in counts.items()}


def from_shapes(shapes: Mapping[str, int], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random strings, each in a shape drawn with the shapes' weights (vectorised)."""
    if n == 0 or not shapes:
        return np.array([], dtype=object)
    names = list(shapes)
    weights = np.array([shapes[k] for k in names], dtype=float)
    choice = rng.choice(len(names), size=n, p=weights / weights.sum())
    out = np.empty(n, dtype=object)
    for i, shape in enumerate(names):  # loop over shapes (<= MAX_SHAPES), not rows
        rows = np.flatnonzero(choice == i)
        if rows.size == 0:
            continue
        chars = np.array(list(shape), dtype="<U1")
        mat = np.tile(chars, (rows.size, 1))
        for symbol, pool in (("9", _DIGITS), ("A", _UPPER), ("a", _LOWER)):
            cols = np.flatnonzero(chars == symbol)
            if cols.size:
                mat[:, cols] = pool[rng.integers(0, len(pool), size=(rows.size, cols.size))]
        joined = np.ascontiguousarray(mat).view(f"<U{len(shape)}").ravel()
        out[rows] = joined.astype(object)
    return out
