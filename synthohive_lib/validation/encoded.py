"""Encode a table's columns once, for every metric that reads them.

Converting strings to codes and dates to numbers is the expensive part of every metric on a
big table (pandas' ``factorize`` and ``isna`` on object arrays dominate a profile). Doing it
once per column for the real, synthetic and holdout frames together, and handing the arrays to
shapes, pairs, binned accuracy and the plots, makes ``table_quality`` several times faster than
letting each metric convert the same column again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthohive_lib.validation.encoding import Codes, category_codes
from synthohive_lib.validation.kinds import DISCRETE_KINDS, ORDERED_KINDS, to_float


@dataclass(frozen=True)
class EncodedColumn:
    """One column in several frames (real first): floats for ordered kinds, codes for discrete."""

    name: str
    kind: str
    floats: tuple[np.ndarray, ...] | None = None  # ordered kinds: float64, NaN for null
    codes: Codes | None = None  # discrete kinds: shared codes, null is the last level

    @property
    def null_level(self) -> int:
        """Code of null for discrete columns."""
        assert self.codes is not None
        return self.codes.n_levels - 1


def encode_column(name: str, columns: Sequence[pd.Series], kind: str) -> EncodedColumn | None:
    """Encode one column of several frames; None for kinds that are not scored (id, text)."""
    if kind in ORDERED_KINDS:
        return EncodedColumn(name, kind, floats=tuple(to_float(c, kind) for c in columns))
    if kind in DISCRETE_KINDS:
        return EncodedColumn(name, kind, codes=category_codes(*columns))
    return None


def encode_frames(
    frames: Sequence[pd.DataFrame], kinds: Mapping[str, str]
) -> dict[str, EncodedColumn]:
    """Encode every scored column of ``frames[0]`` in all frames, in column order."""
    out: dict[str, EncodedColumn] = {}
    for name in frames[0].columns:
        enc = encode_column(str(name), [f[name] for f in frames], kinds.get(name, ""))
        if enc is not None:
            out[name] = enc
    return out


def top_k_from_codes(codes: Codes, k: int = 10) -> Codes:
    """Re-code shared category codes to the real frame's top ``k`` levels, ``other``, null.

    The same binning as :func:`encoding.top_k_codes`, computed from integer codes with one
    lookup table instead of re-reading the strings.
    """
    null = codes.n_levels - 1
    real = codes.codes[0]
    counts = np.bincount(real, minlength=codes.n_levels)
    counts[null] = 0
    order = np.argsort(-counts, kind="stable")
    top = order[: min(k, int((counts > 0).sum()))]
    n_top = len(top)
    lookup = np.full(codes.n_levels, n_top, dtype=np.int64)  # everything else -> "other"
    lookup[top] = np.arange(n_top)
    lookup[null] = n_top + 1
    labels = (*(codes.labels[i] for i in top), "(other)", "(null)")
    return Codes(tuple(lookup[c] for c in codes.codes), n_top + 2, labels)
