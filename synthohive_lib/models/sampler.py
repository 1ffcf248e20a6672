"""Training-by-sampling (CTGAN, section 4.3), vectorised over the batch.

For every step CTGAN picks, per row of the batch, a discrete column uniformly, then a category
of it with probability proportional to log(frequency), and then a real row holding that
category. The ``ctgan`` package does the last step with a Python loop over the batch. Here the
rows of every category are precomputed once as one sorted index array with per-category start
and count (a CSR layout), and the category draw uses one ``searchsorted`` over cumulative
probabilities offset by the column index, so a whole batch costs a handful of NumPy calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthohive_lib.transform.encoders import Span


@dataclass(frozen=True)
class CondDraw:
    """One batch of conditions: chosen span, global category id (cond-vector slot), local
    category within the span, and a real row index that satisfies the condition."""

    span: np.ndarray
    slot: np.ndarray
    category: np.ndarray
    rows: np.ndarray


class ConditionalSampler:
    """Draws conditional vectors and matching real rows from an encoded matrix."""

    def __init__(self, matrix: np.ndarray, spans: list[Span], log_frequency: bool = True) -> None:
        discrete = [s for s in spans if s.discrete]
        self.n_rows = matrix.shape[0]
        self.widths = np.array([s.width for s in discrete], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.widths)[:-1]]).astype(np.int64)
        self.cond_dim = int(self.widths.sum())
        self.n_spans = len(discrete)
        if not discrete:
            self.counts = np.zeros(0)
            return
        # Global category id of every (span, row); rows grouped by id (CSR layout).
        slots = (
            np.stack([matrix[:, s.start : s.start + s.width].argmax(axis=1) for s in discrete])
            + self.offsets[:, None]
        )
        flat = slots.ravel()
        self.row_order = np.argsort(flat, kind="stable") % self.n_rows
        self.counts = np.bincount(flat, minlength=self.cond_dim).astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])
        self._train_cum = self._cumulative(np.log1p(self.counts) if log_frequency else self.counts)
        self._data_cum = self._cumulative(self.counts.astype(np.float64))

    def _cumulative(self, weights: np.ndarray) -> np.ndarray:
        """Cumulative probability within each span, offset by the span index (monotone)."""
        span_of_slot = np.repeat(np.arange(self.n_spans), self.widths)
        totals = np.bincount(span_of_slot, weights=weights)
        cumulative = np.cumsum(weights)
        before = np.concatenate([[0.0], cumulative])[self.offsets][span_of_slot]
        return span_of_slot + (cumulative - before) / totals[span_of_slot]

    def _draw(self, batch: int, cumulative: np.ndarray, rng: np.random.Generator) -> CondDraw:
        span = rng.integers(self.n_spans, size=batch)
        slot = np.searchsorted(cumulative, span + rng.random(batch), side="right")
        slot = np.clip(slot, self.offsets[span], self.offsets[span] + self.widths[span] - 1)
        pick = (rng.random(batch) * self.counts[slot]).astype(np.int64)
        rows = self.row_order[self.starts[slot] + np.minimum(pick, self.counts[slot] - 1)]
        return CondDraw(span, slot, slot - self.offsets[span], rows)

    def sample_train(self, batch: int, rng: np.random.Generator) -> CondDraw | None:
        """Conditions for training (log-frequency), or None when there is no discrete column."""
        return self._draw(batch, self._train_cum, rng) if self.n_spans else None

    def sample_original(self, batch: int, rng: np.random.Generator) -> CondDraw | None:
        """Conditions with the data's own category frequencies (used when generating)."""
        return self._draw(batch, self._data_cum, rng) if self.n_spans else None

    def uniform_rows(self, batch: int, rng: np.random.Generator) -> np.ndarray:
        return rng.integers(self.n_rows, size=batch)

    def state(self) -> dict[str, np.ndarray]:
        """Arrays needed to draw conditions after loading (no training rows are stored)."""
        return {"widths": self.widths, "counts": self.counts}

    @classmethod
    def for_generation(cls, widths: np.ndarray, counts: np.ndarray) -> ConditionalSampler:
        """A sampler that can only draw original-frequency conditions (for a loaded model)."""
        self = cls.__new__(cls)
        self.n_rows = 0
        self.widths = widths.astype(np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.widths)[:-1]]).astype(np.int64)
        self.cond_dim = int(self.widths.sum())
        self.n_spans = len(widths)
        self.counts = counts.astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])
        self.row_order = np.zeros(max(int(self.counts.sum()), 1), dtype=np.int64)
        if self.n_spans:
            self._data_cum = self._cumulative(self.counts.astype(np.float64))
            self._train_cum = self._data_cum
        return self

    @classmethod
    def from_counts(
        cls, widths: np.ndarray, counts: np.ndarray, log_frequency: bool = True
    ) -> ConditionalSampler:
        """A sampler drawing conditions from given category ``counts`` (DP-SGD's noisy
        counts): training conditions with log-frequency as configured, generation with the
        counts themselves; it holds no rows, so :meth:`CondDraw.rows` are meaningless."""
        self = cls.for_generation(widths, counts)
        if self.n_spans:
            weights = np.log1p(self.counts) if log_frequency else self.counts.astype(np.float64)
            self._train_cum = self._cumulative(weights)
        return self
