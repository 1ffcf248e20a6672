"""Identifiers that are not keys: new values in the real format, never a real value.

An external code (``aaronha01``, a player code built from a real person's name), a ticket
number or any ``id``-typed column outside every primary and foreign key carries no
distribution a model should learn: one-hot encoding it and drawing pooled categories back
copies real identifiers into most synthetic rows. :class:`IdentifierModel` learns only the
*format*: the character shapes of the values (``a`` lower-case letter, ``A`` upper-case, ``9``
digit, anything else literal, e.g. ``aaaaaaa99`` or ``SKU-9999``), the share of each shape
(the 20 commonest with at least 5 values each), and per position of a shape the characters
seen there, so that a fixed prefix stays fixed while a name's letters are redrawn one position
at a time. Its null rate and repeat share (a unique column stays unique) are kept too.

Generated values are checked against 64-bit hashes of the real values (the text model's
check) and redrawn when equal to one (or to another generated value of a unique column);
after 8 rounds each position draws from its whole character class, after 16 a character is
added per round, beyond every real value's length: a column whose format space is used up by
the real values still gets new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import structlog

log = structlog.get_logger(__name__)

MAX_SHAPES = 20
MIN_SHAPE_VALUES = 5
FIT_ROWS = 100_000
_WIDEN_ROUND = 8
_EXTEND_ROUND = 16
_MAX_ROUNDS = 64
_CLASSES = {
    "9": "0123456789",
    "a": "abcdefghijklmnopqrstuvwxyz",
    "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
}


def _hash_strings(values: np.ndarray) -> np.ndarray:
    """Stable 64-bit hashes (pandas' SipHash with its fixed key: equal across processes)."""
    return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)


def shapes_of(text: pd.Series) -> pd.Series:
    """The shape of every string: digits as ``9``, ASCII letters as ``a``/``A``, others kept."""
    return (
        text.str.replace(r"[0-9]", "9", regex=True)
        .str.replace(r"[a-z]", "a", regex=True)
        .str.replace(r"[A-Z]", "A", regex=True)
    )


def _number_text(values: pd.Series) -> pd.Series:
    """Integral numbers as integer text (``1001.0`` -> ``1001``), other numbers as text."""
    numbers = pd.to_numeric(values)
    if (numbers == numbers.round()).all():
        return numbers.astype(np.int64).astype(str)
    return numbers.astype(str)


def identifier_text(series: pd.Series) -> pd.Series:
    """The non-null values of an identifier column as the text compared for copies."""
    present = series.dropna()
    if pd.api.types.is_numeric_dtype(present.dtype) and not pd.api.types.is_bool_dtype(
        present.dtype
    ):
        return _number_text(present)
    return present.astype(str)


def _widened(position: int, cls: str, alphabet: str) -> str:
    """A position's whole character class; a leading digit that was never ``0`` stays
    non-zero (a number keeps its number of digits)."""
    if cls not in _CLASSES:
        return alphabet
    if cls == "9" and position == 0 and "0" not in alphabet:
        return _CLASSES["9"][1:]
    return _CLASSES[cls]


@dataclass
class IdentifierModel:
    """Format model of one identifier column (see the module docstring)."""

    shapes_: list[str] = field(default_factory=list)
    weights_: list[float] = field(default_factory=list)
    alphabets_: list[list[str]] = field(default_factory=list)
    dtype_: str = "object"
    numeric_: bool = False  # integral numbers: compared as integer text
    number_: bool = False  # restored as numbers
    null_rate_: float = 0.0
    unique_: bool = True
    distinct_share_: float = 1.0
    real_hashes_: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))

    def fit(self, series: pd.Series, rng: np.random.Generator) -> IdentifierModel:
        """Learn shapes, per-position characters, null rate and repeat share of ``series``."""
        self.dtype_ = str(series.dtype)
        present = series.dropna()
        self.numeric_ = bool(
            pd.api.types.is_numeric_dtype(present.dtype)
            and not pd.api.types.is_bool_dtype(present.dtype)
        )
        text = identifier_text(series)
        if self.numeric_ and not text.str.fullmatch(r"-?[0-9]+").all():
            self.numeric_ = False  # decimals: compared and drawn as text, restored as numbers
        self.number_ = bool(
            pd.api.types.is_numeric_dtype(present.dtype)
            and not pd.api.types.is_bool_dtype(present.dtype)
        )
        self.null_rate_ = float(series.isna().mean())
        distinct = pd.Series(text.unique())
        self.unique_ = len(distinct) == len(text)
        self.distinct_share_ = len(distinct) / max(len(text), 1)
        self.real_hashes_ = np.unique(_hash_strings(distinct.to_numpy(dtype=object)))
        sample = distinct
        if len(sample) > FIT_ROWS:
            sample = sample.iloc[np.sort(rng.choice(len(sample), FIT_ROWS, replace=False))]
        shapes = shapes_of(sample)
        counts = shapes.value_counts()
        counts = counts[counts.index != ""]
        if counts.empty:  # only empty strings: one character of the commonest class
            counts = pd.Series({"a": 1})
        kept = counts[counts >= MIN_SHAPE_VALUES].iloc[:MAX_SHAPES]
        widen_all = kept.empty  # too few values per shape: use character classes only
        if widen_all:
            kept = counts.iloc[:1]
        self.shapes_, self.weights_, self.alphabets_ = [], [], []
        for shape, count in kept.items():
            values = sample[(shapes == shape).to_numpy()].to_numpy(dtype=f"U{len(shape)}")
            chars = values.view("U1").reshape(len(values), len(shape))
            alphabets = []
            for pos, cls in enumerate(shape):
                if cls in _CLASSES:
                    seen = "".join(np.unique(chars[:, pos]).tolist())
                    alphabets.append(_CLASSES[cls] if widen_all else seen)
                else:
                    alphabets.append(cls)
            self.shapes_.append(str(shape))
            self.weights_.append(float(count))
            self.alphabets_.append(alphabets)
        total = sum(self.weights_)
        self.weights_ = [w / total for w in self.weights_]
        return self

    # -- generation ---------------------------------------------------------------------
    def _draw(self, k: int, rng: np.random.Generator, round_: int) -> np.ndarray:
        """``k`` candidate strings (wider alphabets and longer strings in later rounds)."""
        out = np.empty(k, dtype=object)
        picks = rng.choice(len(self.shapes_), size=k, p=self.weights_)
        for s in np.unique(picks):
            rows = np.flatnonzero(picks == s)
            shape = self.shapes_[s]
            alphabets = self.alphabets_[s]
            if round_ >= _WIDEN_ROUND:
                alphabets = [
                    _widened(pos, cls, a)
                    for pos, (cls, a) in enumerate(zip(shape, alphabets, strict=True))
                ]
            if round_ >= _EXTEND_ROUND:  # beyond every real length
                extra = round_ - _EXTEND_ROUND + 1
                if self.numeric_:  # stay within int64
                    extra = min(extra, max(0, 18 - len(alphabets)))
                alphabets += [_CLASSES["9" if self.numeric_ else "a"]] * extra
            chars = np.empty((len(rows), len(alphabets)), dtype="U1")
            for pos, alphabet in enumerate(alphabets):
                letters = np.array(list(alphabet), dtype="U1")
                chars[:, pos] = letters[rng.integers(len(letters), size=len(rows))]
            width = len(alphabets)
            strings = np.ascontiguousarray(chars).view(f"U{width}").ravel() if width else chars
            out[rows] = strings.astype(object) if width else ""
        if self.numeric_:  # the text compared is the number's: '0123' is 123
            numbers = pd.to_numeric(pd.Series(out), errors="coerce")
            out = np.where(
                numbers.notna(), numbers.fillna(0).astype(np.int64).astype(str), out
            ).astype(object)
        return out

    def _fresh(self, m: int, rng: np.random.Generator, column: str | None) -> np.ndarray:
        """``m`` distinct strings, none of them a real value."""
        out = np.empty(m, dtype=object)
        taken = np.zeros(0, np.uint64)
        todo = np.arange(m)
        for round_ in range(_MAX_ROUNDS):
            if len(todo) == 0:
                break
            candidates = self._draw(len(todo), rng, round_)
            hashes = _hash_strings(candidates)
            _, first = np.unique(hashes, return_index=True)
            ok = np.zeros(len(candidates), bool)
            ok[first] = True
            ok &= ~np.isin(hashes, self.real_hashes_) & ~np.isin(hashes, taken)
            out[todo[ok]] = candidates[ok]
            taken = np.concatenate([taken, hashes[ok]])
            todo = todo[~ok]
            if round_ == _WIDEN_ROUND and len(todo):
                log.info("identifier.widened", column=column, rows=len(todo))
        if len(todo):  # 64 rounds and still short: cannot happen for a sane format
            out[todo] = [f"id{i}x{rng.integers(1 << 62):x}" for i in range(len(todo))]
        return out

    def sample(self, n: int, rng: np.random.Generator, *, column: str | None = None) -> pd.Series:
        """``n`` values in the real format, nulls at the real rate, never a real value."""
        nulls = rng.random(n) < self.null_rate_ if self.null_rate_ > 0 else np.zeros(n, bool)
        m = int((~nulls).sum())
        if self.unique_:
            values = self._fresh(m, rng, column)
        else:
            pool = self._fresh(max(1, round(m * self.distinct_share_)), rng, column)
            values = pool[rng.integers(len(pool), size=m)] if m else pool[:0]
        out = np.empty(n, dtype=object)
        out[~nulls] = values
        out[nulls] = None
        return self._restore(pd.Series(out, name=column), nulls)

    def _restore(self, out: pd.Series, nulls: np.ndarray) -> pd.Series:
        if not self.number_:
            dtype = self.dtype_
            return out if dtype in ("object", "category") else out.astype(dtype)
        numbers = pd.to_numeric(out, errors="coerce")
        dtype = self.dtype_
        if nulls.any() and dtype.startswith(("int", "uint")):
            dtype = "Int64"
        try:
            return numbers.astype(dtype)
        except (TypeError, ValueError, OverflowError):
            return numbers

    # -- persistence --------------------------------------------------------------------
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "shapes": self.shapes_,
            "weights": self.weights_,
            "alphabets": self.alphabets_,
            "dtype": self.dtype_,
            "numeric": self.numeric_,
            "number": self.number_,
            "null_rate": self.null_rate_,
            "unique": self.unique_,
            "distinct_share": self.distinct_share_,
        }
        return meta, {"real_hashes": self.real_hashes_}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> IdentifierModel:
        return cls(
            shapes_=list(meta["shapes"]),
            weights_=[float(w) for w in meta["weights"]],
            alphabets_=[list(a) for a in meta["alphabets"]],
            dtype_=str(meta["dtype"]),
            numeric_=bool(meta["numeric"]),
            number_=bool(meta["number"]),
            null_rate_=float(meta["null_rate"]),
            unique_=bool(meta["unique"]),
            distinct_share_=float(meta["distinct_share"]),
            real_hashes_=np.asarray(arrays["real_hashes"], dtype=np.uint64),
        )


def is_near_unique(series: pd.Series, *, min_distinct: int, min_share: float = 0.9) -> bool:
    """True when ``series`` has more than ``min_distinct`` distinct non-null values making up
    at least ``min_share`` of its non-null rows (an identifier in all but name)."""
    present = series.dropna()
    if len(present) == 0:
        return False
    distinct = present.astype(str).nunique() if present.dtype == object else present.nunique()
    return distinct > min_distinct and distinct >= min_share * len(present)
