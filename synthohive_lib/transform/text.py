"""A small character-level Markov model for free text and near-unique strings.

Titles, names and comments are mostly distinct values: one-hot encoding them explodes memory and
teaches the GAN to replay real values verbatim. Instead each such column gets its own order-k
character model (contexts -> next-character frequencies). Generation runs for all requested
strings at once, one character position per step, and any string that equals a real value is
rejected and regenerated. Real values are kept only as 64-bit hashes for that check, so the
artifact does not store the column itself.

Everything is vectorised over strings: the transition table is a CSR-like layout whose
cumulative probabilities are offset by the context index, so one ``searchsorted`` draws the
next character of every string at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthohive_lib.errors import ModelError

_BOUNDARY = 0  # vocabulary index of the begin/end-of-string symbol


def _hash_strings(values: np.ndarray) -> np.ndarray:
    """Stable 64-bit hashes (pandas' SipHash with its fixed key: equal across processes)."""
    return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)


def _codepoints(strings: np.ndarray) -> np.ndarray:
    return np.frombuffer("".join(strings.tolist()).encode("utf-32-le"), dtype=np.uint32)


@dataclass
class MarkovText:
    """Order-``order`` character model of one text column; ``max_chars`` truncates long text."""

    order: int = 3
    max_chars: int = 500
    fit_rows: int = 50_000
    max_rounds: int = 30

    def fit(self, series: pd.Series, rng: np.random.Generator) -> MarkovText:
        """Learn character transitions from the non-null values of ``series``."""
        strings = series.dropna().astype(str).to_numpy(dtype=object)
        self.null_rate_ = float(series.isna().mean())
        self.real_hashes_ = np.unique(_hash_strings(strings))
        if len(strings) > self.fit_rows:
            strings = rng.choice(strings, self.fit_rows, replace=False)
        strings = pd.Series(strings, dtype=object).str.slice(0, self.max_chars).to_numpy()
        lengths = pd.Series(strings).str.len().to_numpy(dtype=np.int64)
        self.max_len_ = int(lengths.max()) if len(lengths) else 0

        points = _codepoints(strings)
        vocab, char_idx = np.unique(points, return_inverse=True)
        self.vocab_ = np.concatenate([[0], vocab]).astype(np.uint32)  # index 0: boundary
        k, base = self.order, len(self.vocab_)

        # Layout: for each string, k boundary symbols, its characters, one end symbol.
        per_string = lengths + k + 1
        starts = np.concatenate([[0], np.cumsum(per_string)[:-1]])
        seq = np.zeros(int(per_string.sum()), dtype=np.int64)
        char_pos = np.arange(len(points)) + np.repeat(starts + k - _offsets(lengths), lengths)
        seq[char_pos] = char_idx + 1
        end_pos = starts + k + lengths
        targets = np.concatenate([char_pos, end_pos])
        contexts = self._context_codes(seq[targets[:, None] - np.arange(k, 0, -1)[None, :]])
        pairs = contexts * base + seq[targets]
        unique_pairs, counts = np.unique(pairs, return_counts=True)
        ctx_of_pair, next_of_pair = np.divmod(unique_pairs, base)
        self.contexts_, ctx_index = np.unique(ctx_of_pair, return_inverse=True)
        totals = np.bincount(ctx_index, weights=counts)
        cumulative = np.cumsum(counts).astype(np.float64)
        first = np.searchsorted(ctx_index, np.arange(len(self.contexts_)))
        before = np.concatenate([[0.0], cumulative])[first]
        within = (cumulative - before[ctx_index]) / totals[ctx_index]
        self.cumulative_ = ctx_index + within  # in (c, c + 1] for context c
        self.next_ = next_of_pair.astype(np.int64)
        return self

    def _context_codes(self, windows: np.ndarray) -> np.ndarray:
        base = len(self.vocab_)
        powers = base ** np.arange(windows.shape[1] - 1, -1, -1, dtype=np.int64)
        return windows.astype(np.int64) @ powers

    def _generate(self, m: int, rng: np.random.Generator) -> np.ndarray:
        k = self.order
        window = np.zeros((m, k), dtype=np.int64)
        out = np.zeros((m, max(self.max_len_, 1)), dtype=np.uint32)
        alive = np.ones(m, dtype=bool)
        for step in range(self.max_len_ + 1):
            rows = np.flatnonzero(alive)
            if len(rows) == 0:
                break
            ctx = np.searchsorted(self.contexts_, self._context_codes(window[rows]))
            draw = ctx + rng.random(len(rows))
            pick = np.searchsorted(self.cumulative_, draw, side="right")
            nxt = self.next_[np.minimum(pick, len(self.next_) - 1)]
            if step == self.max_len_:
                alive[rows] = False
                break
            ended = nxt == _BOUNDARY
            alive[rows[ended]] = False
            live = rows[~ended]
            out[live, step] = self.vocab_[nxt[~ended]]
            window[live] = np.concatenate([window[live, 1:], nxt[~ended, None]], axis=1)
        width = out.shape[1]
        return np.ascontiguousarray(out).view(f"<U{width}").ravel().astype(object)

    def sample(self, n: int, rng: np.random.Generator, *, column: str | None = None) -> np.ndarray:
        """``n`` strings (None for nulls at the learned rate), none equal to a real value."""
        values = np.empty(n, dtype=object)
        nulls = rng.random(n) < self.null_rate_
        todo = np.flatnonzero(~nulls)
        for _ in range(self.max_rounds):
            if len(todo) == 0:
                break
            generated = self._generate(len(todo), rng)
            values[todo] = generated
            todo = todo[np.isin(_hash_strings(generated), self.real_hashes_)]
        if len(todo):
            raise ModelError(
                f"could not generate {len(todo)} novel text values: the column's model keeps "
                "reproducing real values",
                column=column,
                fix="declare the column categorical, or fit on more rows",
            )
        values[nulls] = None
        return values

    def state(self) -> tuple[dict[str, object], dict[str, np.ndarray]]:
        meta = {
            "order": self.order,
            "max_chars": self.max_chars,
            "null_rate": self.null_rate_,
            "max_len": self.max_len_,
        }
        arrays = {
            "vocab": self.vocab_,
            "contexts": self.contexts_,
            "cumulative": self.cumulative_,
            "next": self.next_,
            "real_hashes": self.real_hashes_,
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, object], arrays: dict[str, np.ndarray]) -> MarkovText:
        model = cls(order=int(meta["order"]), max_chars=int(meta["max_chars"]))
        model.null_rate_ = float(meta["null_rate"])
        model.max_len_ = int(meta["max_len"])
        model.vocab_ = arrays["vocab"]
        model.contexts_ = arrays["contexts"]
        model.cumulative_ = arrays["cumulative"]
        model.next_ = arrays["next"]
        model.real_hashes_ = arrays["real_hashes"]
        return model


def _offsets(lengths: np.ndarray) -> np.ndarray:
    """Start of each string inside the concatenation of all strings."""
    return np.concatenate([[0], np.cumsum(lengths)[:-1]])
