"""Strongly dependent numeric pairs: one column encoded as the residual of a fit on the other.

Why: a GAN learns every number through its own mode-specific normalization and has to
rediscover, from the critic's signal alone, that ``Bytes`` is ``Milliseconds`` times a bit
rate. With few training steps it does not: the marginals come out right and the correlation
near zero. When two numbers are almost functionally related in the real data, the dependent
one is therefore encoded as what is *left* once its partner is known: the residual of a robust
linear fit, in log space when both columns are strictly positive (a ratio, e.g. a bit rate),
in plain space otherwise (a lag, e.g. a ship date after an order date). The generator then
only learns the residual's (usually narrow, possibly multi-modal) distribution, and decoding
``partner -> fit -> + residual`` restores the dependence by construction.

A column with only a few distinct values (a price of 0.99 or 1.99) is not a quantity a line
can predict, but it can follow a quantity: a *level pair* cuts the partner's range into
quantile bins, predicts each bin's most frequent level, and encodes the column as the offset of
its level from the predicted one (nearly always 0). The generator then learns "same level as the
partner suggests" instead of having to discover the rare level's link to the partner (video
tracks: long, large, priced 1.99) on its own.

Detection runs on a bounded subsample: ``max(|Pearson|, |Spearman|) >= threshold`` on the rows
where both are present. Each column takes part in at most one pair (greedily, strongest pair
first); in a pair the column that comes first in the table is the partner. Decoding is exact up
to float rounding, and the dependent column's rounding, bounds, dtype and nulls are restored
afterwards by its own output encoder, exactly as without the pair.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

#: Largest ``|log residual|`` decoded (``exp(50)`` is already far beyond any float column).
_LOG_CLIP = 50.0


@dataclass(frozen=True)
class DependentPair:
    """``column`` is encoded as ``residual = f(column) - (intercept + slope * f(partner))``.

    ``f`` is ``log`` when ``log`` is true (both columns were strictly positive), the identity
    otherwise. ``partner_floor`` is the smallest positive partner value seen (a generated
    partner below it is raised to it before ``log``); ``fill`` stands in for a null partner
    on both ways, so a null partner still gives an exact round trip. ``score`` is the measured
    dependence, kept for reporting.

    A *level pair* has ``levels`` (the column's sorted distinct values): the partner's range is
    cut at ``cuts``, bin ``i`` predicts level ``bin_level[i]``, and the residual is the index
    offset of the row's level from the predicted one (``log``, ``intercept`` and ``slope`` are
    unused).
    """

    column: str
    partner: str
    log: bool
    intercept: float
    slope: float
    fill: float
    partner_floor: float
    score: float
    levels: tuple[float, ...] = ()
    cuts: tuple[float, ...] = ()
    bin_level: tuple[int, ...] = ()
    bin_offset: tuple[float, ...] = ()

    def _bin(self, x: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.asarray(self.cuts, dtype=np.float64), x, side="right")

    def _offset(self, x: np.ndarray) -> np.ndarray | float:
        """The line's correction in the partner's quantile bin (0 without bins)."""
        if not self.bin_offset:
            return 0.0
        return np.asarray(self.bin_offset, dtype=np.float64)[self._bin(x)]

    @property
    def is_level(self) -> bool:
        return bool(self.levels)

    def _predicted_level(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.bin_level, dtype=np.int64)[self._bin(x)]

    def _level_index(self, y: np.ndarray) -> np.ndarray:
        levels = np.asarray(self.levels, dtype=np.float64)
        return np.abs(y[:, None] - levels[None, :]).argmin(axis=1)

    def _f_partner(self, x: np.ndarray) -> np.ndarray:
        if self.log:
            return np.log(np.maximum(x, self.partner_floor))
        return x

    def residual(self, y: np.ndarray, x: np.ndarray, x_null: np.ndarray) -> np.ndarray:
        """Residual of ``y`` given partner ``x`` (float arrays; null partners use ``fill``)."""
        x = np.where(x_null, self.fill, x)
        if self.is_level:
            return (self._level_index(y) - self._predicted_level(x)).astype(np.float64)
        fy = np.log(np.maximum(y, np.finfo(np.float64).tiny)) if self.log else y
        return fy - (self.intercept + self.slope * self._f_partner(x) + self._offset(x))

    def restore(self, residual: np.ndarray, x: np.ndarray, x_null: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`residual`: the dependent column's float values."""
        x = np.where(x_null, self.fill, x)
        if self.is_level:
            index = np.rint(residual).astype(np.int64) + self._predicted_level(x)
            return np.asarray(self.levels, dtype=np.float64)[
                np.clip(index, 0, len(self.levels) - 1)
            ]
        fy = self.intercept + self.slope * self._f_partner(x) + self._offset(x) + residual
        return np.exp(np.clip(fy, -_LOG_CLIP, _LOG_CLIP)) if self.log else fy

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DependentPair:
        keys = ("levels", "cuts", "bin_level", "bin_offset")
        tuples = {k: tuple(data[k]) for k in keys if k in data}
        return cls(**{**data, **tuples})


def _huber_line(x: np.ndarray, y: np.ndarray, iterations: int = 20) -> tuple[float, float]:
    """Intercept and slope of a Huber regression (IRLS): a few outlying rows (or a small
    second cluster) do not tilt the line the bulk of the rows follows."""
    weights = np.ones_like(x)
    intercept, slope = 0.0, 0.0
    for _ in range(iterations):
        w_sum = weights.sum()
        mx, my = (weights * x).sum() / w_sum, (weights * y).sum() / w_sum
        var = (weights * (x - mx) ** 2).sum()
        slope = float((weights * (x - mx) * (y - my)).sum() / var) if var > 0 else 0.0
        intercept = float(my - slope * mx)
        resid = y - intercept - slope * x
        scale = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
        if scale <= 0:
            break
        k = 1.345 * scale
        new = np.minimum(1.0, k / np.maximum(np.abs(resid), 1e-300))
        if np.allclose(new, weights, atol=1e-6):
            break
        weights = new
    return intercept, slope


def _dependence(
    x: np.ndarray,
    y: np.ndarray,
    rx: np.ndarray | None = None,
    ry: np.ndarray | None = None,
) -> float:
    """``max(|Pearson|, |Spearman|)``; 0 when either side is constant. ``rx``/``ry`` are the
    ranks of ``x``/``y`` when the caller already has them (ranking is the costly part)."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    pearson = float(np.corrcoef(x, y)[0, 1])
    rx = pd.Series(x).rank().to_numpy() if rx is None else rx
    ry = pd.Series(y).rank().to_numpy() if ry is None else ry
    spearman = float(np.corrcoef(rx, ry)[0, 1])
    return max(abs(pearson), abs(spearman))


def detect_dependent_pairs(
    values: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    threshold: float,
    sample_rows: int,
    min_unique: int,
    rng: np.random.Generator,
    level_max_values: int = 0,
) -> list[DependentPair]:
    """Pairs among ``values`` (column -> (float values, null mask), in table order) whose
    dependence reaches ``threshold``. Columns with at least ``min_unique`` distinct values are
    quantities and pair by a line; columns with 2 to ``level_max_values`` distinct values are
    levels and may follow one quantity that is not itself dependent (a level pair); columns in
    between are left alone."""
    names = list(values)
    n = len(next(iter(values.values()))[0]) if values else 0
    rows = rng.choice(n, sample_rows, replace=False) if n > sample_rows else np.arange(n)
    usable = [
        name
        for name in names
        if len(np.unique(values[name][0][rows][~values[name][1][rows]])) >= min_unique
    ]
    # Ranks of every column without nulls, once: a pair of such columns reuses them (the
    # pair's rows are all the sampled rows, so they are the ranks it would compute).
    complete = {name for name in usable if not values[name][1][rows].any()}
    ranks = {name: pd.Series(values[name][0][rows]).rank().to_numpy() for name in complete}
    candidates: list[tuple[float, int, int]] = []
    for i, a in enumerate(usable):
        for b in usable[i + 1 :]:
            both = ~values[a][1][rows] & ~values[b][1][rows]
            if both.sum() < max(min_unique, 3):
                continue
            shared = a in complete and b in complete
            score = _dependence(
                values[a][0][rows][both],
                values[b][0][rows][both],
                ranks.get(a) if shared else None,
                ranks.get(b) if shared else None,
            )
            if score >= threshold:
                candidates.append((score, names.index(a), names.index(b)))
    pairs: list[DependentPair] = []
    taken: set[str] = set()
    for score, ia, ib in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        partner, column = names[ia], names[ib]
        if partner in taken or column in taken:
            continue
        pair = _fit_pair(partner, column, values, rows, score)
        if pair is not None:
            pairs.append(pair)
            taken.update((partner, column))
    dependent = {p.column for p in pairs}
    for name in names:
        observed = values[name][0][rows][~values[name][1][rows]]
        if not 2 <= len(np.unique(observed)) <= level_max_values:
            continue
        best: tuple[float, str] | None = None
        name_ranks = None
        if not values[name][1][rows].any():
            name_ranks = pd.Series(values[name][0][rows]).rank().to_numpy()
        for partner in usable:
            if partner in dependent:
                continue
            both = ~values[partner][1][rows] & ~values[name][1][rows]
            shared = partner in complete and name_ranks is not None
            score = _dependence(
                values[partner][0][rows][both],
                values[name][0][rows][both],
                ranks[partner] if shared else None,
                name_ranks if shared else None,
            )
            if score >= threshold and (best is None or score > best[0]):
                best = (score, partner)
        if best is not None:
            pairs.append(_fit_level_pair(best[1], name, values, rows, best[0]))
    return pairs


def _quantile_cuts(x: np.ndarray, max_bins: int = 64, min_rows_per_bin: int = 20) -> np.ndarray:
    """Inner edges of up to ``max_bins`` equal-count bins of ``x`` (at least
    ``min_rows_per_bin`` rows each, so a bin's median or majority is not noise)."""
    n_bins = int(max(1, min(max_bins, len(x) // min_rows_per_bin)))
    return np.unique(np.quantile(x, np.arange(1, n_bins) / n_bins))


def _fit_level_pair(
    partner: str,
    column: str,
    values: dict[str, tuple[np.ndarray, np.ndarray]],
    rows: np.ndarray,
    score: float,
    max_bins: int = 64,
    min_rows_per_bin: int = 20,
) -> DependentPair:
    """Quantile bins of the partner, each predicting its most frequent level."""
    x_all, x_null = values[partner]
    y_all, y_null = values[column]
    both = ~x_null[rows] & ~y_null[rows]
    x, y = x_all[rows][both], y_all[rows][both]
    levels = np.unique(y_all[~y_null])
    cuts = _quantile_cuts(x, max_bins, min_rows_per_bin)
    bins = np.searchsorted(cuts, x, side="right")
    index = np.abs(y[:, None] - levels[None, :]).argmin(axis=1)
    counts = np.bincount(bins * len(levels) + index, minlength=(len(cuts) + 1) * len(levels))
    counts = counts.reshape(len(cuts) + 1, len(levels))
    overall = int(np.bincount(index, minlength=len(levels)).argmax())
    bin_level = np.where(counts.sum(axis=1) > 0, counts.argmax(axis=1), overall)
    x_real = x_all[~x_null]
    return DependentPair(
        column=column,
        partner=partner,
        log=False,
        intercept=0.0,
        slope=0.0,
        fill=float(np.median(x_real)),
        partner_floor=float(x_real.min()),
        score=round(score, 4),
        levels=tuple(float(v) for v in levels),
        cuts=tuple(float(c) for c in cuts),
        bin_level=tuple(int(b) for b in bin_level),
    )


def _fit_pair(
    partner: str,
    column: str,
    values: dict[str, tuple[np.ndarray, np.ndarray]],
    rows: np.ndarray,
    score: float,
) -> DependentPair | None:
    x_all, x_null = values[partner]
    y_all, y_null = values[column]
    both = ~x_null[rows] & ~y_null[rows]
    x, y = x_all[rows][both], y_all[rows][both]
    x_real = x_all[~x_null]
    y_real = y_all[~y_null]
    log = bool((x_real > 0).all() and (y_real > 0).all())
    fx, fy = (np.log(x), np.log(y)) if log else (x, y)
    intercept, slope = _huber_line(fx, fy)
    fill = float(np.median(x_real))
    floor = float(x_real[x_real > 0].min()) if (x_real > 0).any() else 1.0
    line = DependentPair(column, partner, log, intercept, slope, fill, floor, round(score, 4))
    # Where the partner's range holds sub-populations off the line (video files: 6x the bit
    # rate of audio at 6x the duration), the median residual of each quantile bin of the
    # partner corrects the line there, so the residual left to learn is the same everywhere.
    cuts = _quantile_cuts(x)
    bins = np.searchsorted(cuts, x, side="right")
    line_residual = line.residual(y, x, np.zeros(len(x), bool))
    offsets = np.zeros(len(cuts) + 1)
    for b in np.unique(bins):
        offsets[b] = float(np.median(line_residual[bins == b]))
    pair = replace(
        line, cuts=tuple(float(c) for c in cuts), bin_offset=tuple(float(o) for o in offsets)
    )
    residual = pair.residual(y_all[~y_null], x_all[~y_null], x_null[~y_null])
    if np.ptp(residual) <= 1e-12 * max(1.0, float(np.abs(residual).max())):
        return None  # an exact function of its partner: nothing left to learn, keep as is
    return pair
