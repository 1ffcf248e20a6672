"""Every-row checks of a table too big for memory, one block at a time with bounded state.

Why: a synthetic table generated block by block (10M rows) cannot be validated by reading it
whole, yet its hard gates must see every row: one duplicated key or one orphan in the last
block is a broken table. The statistical figures (shapes, pairs) are scored on a uniform
sample instead (:mod:`synthohive_lib.io.sampling`); the rules here are exact.

A table arrives as a :data:`BlockSource`: a callable that starts a fresh pass over the
table's blocks each time it is called (a stored table reads them back from disk), so a check
can make several passes. Keys are reduced to one 64-bit hash per row
(:func:`key_hashes`), with the value rules of :mod:`synthohive_lib.schema.keys` (7, 7.0 and
"7" are one key when the other side is text; an integral float is its integer); a row with a
null in any key column references nothing. Key uniqueness and referential integrity
partition the hashes by value (``hash % passes``) and make one pass per partition, so at most
:data:`MAX_KEYS_PER_PASS` hashes are held at once whatever the row count; two distinct keys
share a 64-bit hash with probability about n^2 / 2^65 (3e-6 at 10M keys).

Exact copies (:func:`copy_rate_in_blocks`) hold the real rows' hashes (the real table is in
memory anyway) and look every synthetic block up in them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from synthohive_lib.validation.privacy import CopyRateCheck, natural_copy_rate, row_hashes
from synthohive_lib.validation.structure import KeyUniqueness, ReferentialIntegrity

#: a fresh pass over a table's blocks per call
BlockSource = Callable[[], Iterable[pd.DataFrame]]
#: key hashes held per partition pass: 2M hashes are 16 MB (32 MB while sorting)
MAX_KEYS_PER_PASS = 2_000_000

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_TEXT_SALT = np.uint64(0x9E3779B97F4A7C15)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: spreads structured integers (1, 2, 3 ...) over 64 bits."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _MIX_1
        x = (x ^ (x >> np.uint64(27))) * _MIX_2
        return x ^ (x >> np.uint64(31))


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


def _column_hash(series: pd.Series, as_text: bool) -> tuple[np.ndarray, np.ndarray]:
    """(uint64 hash, null mask) of one key column under the rules of the module docstring."""
    null = series.isna().to_numpy()
    if not as_text and _is_number(series):
        values = series.to_numpy(dtype="float64", na_value=0.0)
        integral = np.isfinite(values) & (values == np.round(values))
        if pd.api.types.is_integer_dtype(series.dtype):  # exact beyond 2**53
            raw = series.to_numpy(dtype="int64", na_value=0).view(np.uint64)
        else:
            raw = np.where(integral, values, 0.0).astype(np.int64).view(np.uint64)
            raw = np.where(integral, raw, values.view(np.uint64) ^ _TEXT_SALT)
        return _splitmix(raw), null
    if pd.api.types.is_integer_dtype(series.dtype):
        text = series.astype(str).reset_index(drop=True)
    elif _is_number(series):  # text comparison: an integral float is its integer's text
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        integral = np.isfinite(values) & (values == np.round(values))
        whole = np.where(integral, values, 0.0).astype(np.int64).astype(str)
        text = pd.Series(np.where(integral, whole, values.astype(str)), dtype=object)
    else:
        text = series.astype(str).reset_index(drop=True)
    hashed = pd.util.hash_pandas_object(text, index=False).to_numpy().astype(np.uint64)
    return hashed ^ _TEXT_SALT, null


def key_hashes(
    frame: pd.DataFrame, columns: Sequence[str], as_text: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """One uint64 per row of ``frame[columns]`` and a mask of rows with a null key column.

    ``as_text`` compares every column as text (use it for both sides when either side of a
    foreign key holds text, as :func:`~synthohive_lib.schema.keys.key_codes` does)."""
    if not columns:
        raise ValueError("a key needs at least one column")
    combined = np.zeros(len(frame), dtype=np.uint64)
    null = np.zeros(len(frame), dtype=bool)
    with np.errstate(over="ignore"):
        for column in columns:
            hashed, missing = _column_hash(frame[column], as_text)
            combined = _splitmix(combined * np.uint64(31) + hashed)
            null |= missing
    return combined, null


def compare_as_text(*frames: tuple[pd.DataFrame, Sequence[str]]) -> bool:
    """Whether keys must be compared as text: some key column of some side is not a number
    (the rule of :func:`~synthohive_lib.schema.keys.key_codes`)."""
    return any(not _is_number(frame[c]) for frame, cols in frames for c in cols)


def _passes(rows: int, max_keys: int) -> int:
    return max(1, -(-rows // max_keys))


def key_uniqueness_in_blocks(
    blocks: BlockSource,
    columns: Sequence[str],
    rows: int,
    *,
    max_keys: int = MAX_KEYS_PER_PASS,
) -> KeyUniqueness:
    """:func:`~synthohive_lib.validation.structure.key_uniqueness` over every row of a table
    given as blocks (``rows`` of them in all), holding at most ``max_keys`` hashes at once."""
    passes = _passes(rows, max_keys)
    seen = nulls = duplicates = 0
    for part in range(passes):
        kept: list[np.ndarray] = []
        for block in blocks():
            hashed, null = key_hashes(block, columns)
            if part == 0:
                seen += len(block)
                nulls += int(null.sum())
            hashed = hashed[~null]
            kept.append(hashed[hashed % np.uint64(passes) == np.uint64(part)])
        present = np.concatenate(kept) if kept else np.empty(0, dtype=np.uint64)
        duplicates += len(present) - len(np.unique(present))
    if seen == 0:
        return KeyUniqueness(1.0, 0, 0)
    return KeyUniqueness(1.0 - (nulls + duplicates) / seen, duplicates, nulls)


def referential_integrity_in_blocks(
    child: BlockSource,
    parent: BlockSource,
    fk_columns: Sequence[str],
    pk_columns: Sequence[str],
    rows: int,
    *,
    as_text: bool = False,
    max_keys: int = MAX_KEYS_PER_PASS,
) -> ReferentialIntegrity:
    """:func:`~synthohive_lib.validation.structure.referential_integrity` over every row of
    child and parent given as blocks; ``rows`` is the larger of their row counts."""
    passes = _passes(rows, max_keys)
    modulus = np.uint64(passes)
    orphans = nulls = checked = 0
    for part in range(passes):
        keys: list[np.ndarray] = []
        for block in parent():
            hashed, null = key_hashes(block, pk_columns, as_text)
            hashed = hashed[~null]
            keys.append(hashed[hashed % modulus == np.uint64(part)])
        known = np.unique(np.concatenate(keys)) if keys else np.empty(0, dtype=np.uint64)
        for block in child():
            hashed, null = key_hashes(block, fk_columns, as_text)
            if part == 0:
                nulls += int(null.sum())
                checked += int((~null).sum())
            hashed = hashed[~null]
            hashed = hashed[hashed % modulus == np.uint64(part)]
            orphans += int((~_contains(known, hashed)).sum())
    score = 1.0 if checked == 0 else 1.0 - orphans / checked
    return ReferentialIntegrity(score, orphans, nulls, checked)


def _contains(sorted_unique: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.isin`` for a sorted unique haystack, without re-sorting it per call."""
    if sorted_unique.size == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_unique, values).clip(max=sorted_unique.size - 1)
    return sorted_unique[at] == values


def copy_rate_in_blocks(
    real: pd.DataFrame,
    synthetic: BlockSource,
    columns: Sequence[str],
    limit: float,
) -> CopyRateCheck:
    """:func:`~synthohive_lib.validation.privacy.check_copy_rate` with the synthetic table
    given as blocks: every synthetic row is looked up among the real rows' hashes."""
    cols = list(columns)
    natural = natural_copy_rate(real, cols)
    known = np.unique(row_hashes(real[cols])) if cols else np.empty(0, dtype=np.uint64)
    copied = total = 0
    for block in synthetic():
        total += len(block)
        if cols and len(block):
            copied += int(_contains(known, row_hashes(block[cols])).sum())
    return CopyRateCheck(rate=copied / total if total else 0.0, natural=natural, limit=limit)


def rows_in_family(
    child: pd.DataFrame,
    fk_columns: Sequence[str],
    parent_keys: np.ndarray,
    as_text: bool,
) -> pd.DataFrame:
    """The rows of ``child`` whose foreign key is among ``parent_keys`` (sorted unique
    :func:`key_hashes` of the sampled parents): a block's share of a family sample."""
    hashed, null = key_hashes(child, fk_columns, as_text)
    return child[~null & _contains(parent_keys, hashed)]
