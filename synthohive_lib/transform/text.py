"""A small character-level Markov model for free text and near-unique strings.

Titles, names and comments are mostly distinct values: one-hot encoding them explodes memory and
teaches the GAN to replay real values verbatim. Instead each such column gets its own order-k
character model (contexts -> next-character frequencies). Generation runs for all requested
strings at once, one character position per step, and any string that equals a real value is
rejected and regenerated. Real values are kept only as 64-bit hashes for that check, so the
artifact does not store the column itself.

A column of few short values (``State``: 'SP', 'CA', ...) leaves the Markov chain almost no
novel string to make. When rejection stops making progress, the remaining rows fall back to
random strings over the column's own characters with the real length distribution, and, if
even that space is exhausted, to ever longer strings: longer than any real value, hence novel
by construction. Sampling therefore never fails and never emits a real value.

Everything is vectorised over strings: the transition table is a CSR-like layout whose
cumulative probabilities are offset by the context index, so one ``searchsorted`` draws the
next character of every string at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import structlog

log = structlog.get_logger(__name__)

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
        full_lengths = pd.Series(strings, dtype=object).str.len().to_numpy(dtype=np.int64)
        self.real_max_len_ = int(full_lengths.max()) if len(full_lengths) else 0
        if len(strings) > self.fit_rows:
            strings = rng.choice(strings, self.fit_rows, replace=False)
        strings = pd.Series(strings, dtype=object).str.slice(0, self.max_chars).to_numpy()
        lengths = pd.Series(strings).str.len().to_numpy(dtype=np.int64)
        self.max_len_ = int(lengths.max()) if len(lengths) else 0
        self.lengths_, self.length_counts_ = np.unique(lengths, return_counts=True)

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
        """``n`` strings (None for nulls at the learned rate), none equal to a real value.

        Markov draws first; rows still equal to a real value after ``max_rounds`` rounds (or
        once a round fixes none of them) fall back to :meth:`_fallback`, which always ends.
        """
        values = np.empty(n, dtype=object)
        nulls = rng.random(n) < self.null_rate_
        todo = np.flatnonzero(~nulls)
        for _ in range(self.max_rounds):
            if len(todo) == 0:
                break
            generated = self._generate(len(todo), rng)
            values[todo] = generated
            before = len(todo)
            todo = todo[self._is_real(generated)]
            if len(todo) == before:
                break  # the chain only replays real values: no point in more rounds
        if len(todo):
            log.info("text.fallback", column=column, rows=len(todo))
            values[todo] = self._fallback(len(todo), rng)
        values[nulls] = None
        return values

    def _is_real(self, strings: np.ndarray) -> np.ndarray:
        return np.isin(_hash_strings(strings), self.real_hashes_)

    def _fallback(self, m: int, rng: np.random.Generator) -> np.ndarray:
        """``m`` novel strings of the column's characters: first with real lengths, then one
        character longer per round beyond the longest real value (novel by construction)."""
        alphabet = self.vocab_[1:] if len(self.vocab_) > 1 else np.array([ord("x")], np.uint32)
        lengths, counts = getattr(self, "lengths_", None), getattr(self, "length_counts_", None)
        if lengths is None or len(lengths) == 0:
            lengths, counts = np.array([max(self.max_len_, 1)]), np.array([1])
        out = np.empty(m, dtype=object)
        todo = np.arange(m)
        longest = max(getattr(self, "real_max_len_", self.max_len_), int(lengths.max()))
        for round_ in range(self.max_rounds + longest + 2):
            if round_ < self.max_rounds:
                size = rng.choice(lengths, len(todo), p=counts / counts.sum())
            else:  # beyond every real length: no collision is possible
                size = np.full(len(todo), longest + 1 + round_ - self.max_rounds)
            size = np.maximum(size, 1)
            width = int(size.max())
            chars = alphabet[rng.integers(len(alphabet), size=(len(todo), width))]
            chars[np.arange(width)[None, :] >= size[:, None]] = 0
            strings = np.ascontiguousarray(chars).view(f"<U{width}").ravel().astype(object)
            out[todo] = strings
            todo = todo[self._is_real(strings)]
            if len(todo) == 0:
                break
        return out

    def state(self) -> tuple[dict[str, object], dict[str, np.ndarray]]:
        meta = {
            "order": self.order,
            "max_chars": self.max_chars,
            "null_rate": self.null_rate_,
            "max_len": self.max_len_,
            "real_max_len": self.real_max_len_,
            "lengths": self.lengths_.tolist(),
            "length_counts": self.length_counts_.tolist(),
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
        # artifacts written before the fallback existed lack the length statistics
        model.real_max_len_ = int(meta.get("real_max_len", model.max_len_))  # type: ignore[arg-type]
        model.lengths_ = np.asarray(meta.get("lengths", [model.max_len_]), dtype=np.int64)
        model.length_counts_ = np.asarray(meta.get("length_counts", [1]), dtype=np.int64)
        model.vocab_ = arrays["vocab"]
        model.contexts_ = arrays["contexts"]
        model.cumulative_ = arrays["cumulative"]
        model.next_ = arrays["next"]
        model.real_hashes_ = arrays["real_hashes"]
        return model


def _offsets(lengths: np.ndarray) -> np.ndarray:
    """Start of each string inside the concatenation of all strings."""
    return np.concatenate([[0], np.cumsum(lengths)[:-1]])


def pack_text_models(
    models: dict[str, MarkovText],
) -> tuple[dict[str, dict[str, object]], dict[str, np.ndarray]]:
    """The states of several columns' text models as one JSON-able dict plus one array dict
    (arrays prefixed ``text<i>_``, so any number of columns share one ``.npz`` file)."""
    meta: dict[str, dict[str, object]] = {}
    arrays: dict[str, np.ndarray] = {}
    for i, (name, model) in enumerate(models.items()):
        column_meta, column_arrays = model.state()
        meta[name] = {**column_meta, "key": f"text{i}"}
        arrays.update({f"text{i}_{k}": v for k, v in column_arrays.items()})
    return meta, arrays


def unpack_text_models(
    meta: dict[str, dict[str, object]], arrays: dict[str, np.ndarray]
) -> dict[str, MarkovText]:
    """The inverse of :func:`pack_text_models`."""
    out = {}
    for name, column_meta in meta.items():
        prefix = f"{column_meta['key']}_"
        own = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
        out[name] = MarkovText.from_state(column_meta, own)
    return out
