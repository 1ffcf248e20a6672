"""The holdout: real rows no model ever trains on, kept to measure what "as good as real" is.

A synthetic table is compared with the rows its model learnt from (*training* rows). Real rows
set aside before training (*holdout* rows) give the yardstick for both sides of the report:

* fidelity: the holdout scored against the training rows is the achievable maximum of every
  figure (two samples of the same real data differ too);
* privacy: a synthetic row should be no closer to the training rows than a holdout row is
  (DCR share about 0.5), and should copy them no more often.

The split is a pure function of the rows: a row is in the holdout when a hash of its primary
key (of the whole row without one) falls in the first ``fraction`` of the hash range. The
model stage, the gates and the report therefore agree on the split in any process, without
storing it. Tables under :data:`MIN_HOLDOUT_ROWS` rows keep every row for training: a
holdout of a handful of rows measures nothing and costs the model a tenth of its data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: tables with fewer rows have no holdout
MIN_HOLDOUT_ROWS = 50
#: the default share of rows held out (``validation.holdout`` in the project config)
DEFAULT_HOLDOUT = 0.1

_SALT = "synthohiveholdv1"  # pandas' hash key: exactly 16 characters


def holdout_mask(
    frame: pd.DataFrame, primary_key: list[str] | tuple[str, ...] = (), fraction: float = 0.1
) -> np.ndarray:
    """Boolean array, True for the rows of ``frame`` in the holdout (see the module doc)."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"holdout fraction must be in [0, 1), got {fraction!r}")
    if fraction == 0.0 or len(frame) < MIN_HOLDOUT_ROWS:
        return np.zeros(len(frame), dtype=bool)
    columns = [c for c in primary_key if c in frame.columns] or list(frame.columns)
    hashes = pd.util.hash_pandas_object(frame[columns], index=False, hash_key=_SALT)
    # the top 53 bits as a uniform number in [0, 1): the low bits of numbers' hashes are
    # less evenly spread
    unit = (hashes.to_numpy() >> np.uint64(11)).astype(np.float64) / float(2**53)
    return unit < fraction


def split_holdout(
    frame: pd.DataFrame, primary_key: list[str] | tuple[str, ...] = (), fraction: float = 0.1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(training rows, holdout rows)`` of ``frame`` by :func:`holdout_mask`."""
    mask = holdout_mask(frame, primary_key, fraction)
    return frame[~mask], frame[mask]
