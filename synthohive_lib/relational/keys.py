"""Primary keys in the real format, and foreign keys that point at synthetic parents.

Primary keys
    A synthetic table must look like the real one down to its identifiers — an application
    that parses ``INV-000123`` or expects UUIDs has to accept the synthetic copy — and keys
    must stay unique across partitions and scales. :func:`detect_key_format` reads the real
    values and returns one of four formats, each generating row ``i`` of a run from the
    *global* index ``offset + i`` so that two partitions given disjoint offsets can never
    collide:

    * :class:`IntegerSequenceKey` — ``start + step * index``;
    * :class:`PatternKey` — prefix + (zero-padded) number + suffix, e.g. ``INV-000123``;
    * :class:`UuidKey` — UUID-4 text whose 64 index-derived bits are a bijection of the index
      (unique by construction, not by luck) and whose other bits come from the seed;
    * :class:`GenericStringKey` — fixed-length strings over the real alphabet: the index
      written in base ``len(alphabet)`` through a seeded per-position permutation of the
      alphabet (again a bijection, so unique).

    :class:`PrimaryKeyPlan` handles a whole table, composite keys included: key columns that
    are foreign keys come from the parents, a column numbering rows inside each parent
    (``LineNumber`` 1..k per order) is regenerated per group, the rest use their format.

Foreign keys
    :func:`expand_parent_keys` turns children-per-parent counts into child FK values
    (``np.repeat``). :func:`assign_by_slots` places child rows under *secondary* parents so
    that each parent's number of children follows the real distribution: every parent gets a
    target count from its :class:`~synthohive_lib.relational.cardinality.CardinalityModel`
    (summing to the number of children), the targets become "slots" and a random permutation
    deals the slots to the child rows. NULL references keep their real rate.
"""

from __future__ import annotations

import math
import re
import string
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import structlog

from synthohive_lib.errors import ConfigError, SynthoHiveError
from synthohive_lib.relational.affinity import ParentAffinity, deal_slots
from synthohive_lib.relational.cardinality import CardinalityModel
from synthohive_lib.schema.graph import Relation
from synthohive_lib.schema.keys import key_codes
from synthohive_lib.schema.model import Table

log = structlog.get_logger(__name__)

_UUID_RE = re.compile(
    r"^\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$"
)
_PATTERN_RE = r"^(?P<prefix>.*?)(?P<number>\d+)(?P<suffix>\D*)$"


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 step: a bijection of uint64, so distinct indexes stay distinct."""
    x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _strings(codes: np.ndarray, keep: np.ndarray | None = None) -> pd.Series:
    """Rows of UTF-8 bytes (n, k) as n strings, built in Arrow buffers (no per-row Python).

    ``keep`` (same shape, optional) marks the bytes each row actually uses, so rows of
    different lengths (numbers without padding, multi-byte letters) share one matrix. The
    result is an ordinary object column, like the real one.
    """
    n, k = codes.shape
    if keep is None:
        buffer = np.ascontiguousarray(codes, dtype=np.uint8).ravel()
        offsets = np.arange(0, k * (n + 1), k, dtype=np.int64)
    else:
        buffer = np.ascontiguousarray(codes[keep], dtype=np.uint8)
        offsets = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int64)
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buffer))
    return pd.Series(array.to_numpy(zero_copy_only=False), dtype=object)


def _text_codes(text: str, n: int) -> np.ndarray:
    """A constant string (prefix, suffix) as an (n, bytes) matrix of its UTF-8 bytes."""
    raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    return np.broadcast_to(raw, (n, len(raw)))


def _digit_codes(numbers: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """ASCII digits of non-negative ``numbers``, right-aligned, and each one's printed length.

    Lengths are at least ``width`` (zero padding), otherwise the number's own digit count.
    """
    powers = 10 ** np.arange(19, dtype=np.int64)
    ndigits = np.maximum(np.searchsorted(powers, numbers, side="right"), 1)
    lengths = np.maximum(ndigits, width)
    k = int(lengths.max()) if len(numbers) else max(width, 1)
    codes = np.empty((len(numbers), k), dtype=np.uint8)
    rest = numbers.astype(np.int64).copy()
    for pos in range(k - 1, -1, -1):  # one vectorised step per digit position
        rest, digit = np.divmod(rest, 10)
        codes[:, pos] = digit + ord("0")
    return codes, lengths


class KeyFormat(ABC):
    """A way of writing unique keys; ``generate`` is pure in (n, offset, seed)."""

    kind: ClassVar[str]

    @abstractmethod
    def generate(self, n: int, offset: int = 0, seed: int | None = None) -> pd.Series:
        """Keys for global rows ``offset .. offset + n - 1``."""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}  # type: ignore[call-overload]


@dataclass(frozen=True)
class IntegerSequenceKey(KeyFormat):
    start: int = 1
    step: int = 1
    kind: ClassVar[str] = "integer"

    def generate(self, n: int, offset: int = 0, seed: int | None = None) -> pd.Series:
        return pd.Series(self.start + self.step * (offset + np.arange(n, dtype=np.int64)))


@dataclass(frozen=True)
class PatternKey(KeyFormat):
    prefix: str = ""
    width: int = 0
    start: int = 1
    step: int = 1
    suffix: str = ""
    kind: ClassVar[str] = "pattern"

    def generate(self, n: int, offset: int = 0, seed: int | None = None) -> pd.Series:
        numbers = self.start + self.step * (offset + np.arange(n, dtype=np.int64))
        digits, lengths = _digit_codes(numbers, self.width)
        prefix, suffix = _text_codes(self.prefix, n), _text_codes(self.suffix, n)
        pad = digits.shape[1]
        codes = np.concatenate([prefix, digits, suffix], axis=1)
        keep = np.ones(codes.shape, dtype=bool)
        keep[:, prefix.shape[1] : prefix.shape[1] + pad] = (
            np.arange(pad)[None, :] >= (pad - lengths)[:, None]
        )
        return _strings(codes, keep)


@dataclass(frozen=True)
class UuidKey(KeyFormat):
    uppercase: bool = False
    hyphens: bool = True
    braces: bool = False
    kind: ClassVar[str] = "uuid"

    # byte positions of a UUID that carry the index (the others: seed, version, variant)
    _INDEX_BYTES: ClassVar[list[int]] = [0, 1, 2, 3, 4, 5, 7, 9]

    def generate(self, n: int, offset: int = 0, seed: int | None = None) -> pd.Series:
        rng = np.random.default_rng(seed)
        raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
        index = _mix64(offset + np.arange(n, dtype=np.uint64))
        raw[:, self._INDEX_BYTES] = index.view(np.uint8).reshape(n, 8)
        raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
        raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
        alphabet = b"0123456789ABCDEF" if self.uppercase else b"0123456789abcdef"
        hexdigits = np.frombuffer(alphabet, dtype=np.uint8)
        nibbles = np.empty((n, 32), dtype=np.uint8)
        nibbles[:, 0::2], nibbles[:, 1::2] = raw >> 4, raw & 0x0F
        codes = hexdigits[nibbles]
        if self.hyphens:
            codes = np.insert(codes, [8, 12, 16, 20], ord("-"), axis=1)
        if self.braces:
            codes = np.concatenate([_text_codes("{", n), codes, _text_codes("}", n)], axis=1)
        return _strings(codes)


@dataclass(frozen=True)
class GenericStringKey(KeyFormat):
    length: int = 8
    alphabet: str = string.ascii_uppercase + string.digits
    kind: ClassVar[str] = "string"

    def generate(self, n: int, offset: int = 0, seed: int | None = None) -> pd.Series:
        base = len(self.alphabet)
        needed = offset + n
        length = max(self.length, math.ceil(math.log(max(needed, 2), base)) + 1)
        # the per-position permutations depend on the seed only, not on offset or n, so
        # partitions of one run with disjoint offsets stay disjoint
        rng = np.random.default_rng(seed)
        perms = np.stack([rng.permutation(base) for _ in range(length)])
        # each letter as its UTF-8 bytes, padded to the widest: multi-byte alphabets work too
        encoded = [ch.encode("utf-8") for ch in self.alphabet]
        width = max(len(b) for b in encoded)
        letters = np.zeros((base, width), dtype=np.uint8)
        sizes = np.array([len(b) for b in encoded])
        for i, b in enumerate(encoded):  # once per letter of the alphabet, not per row
            letters[i, width - len(b) :] = np.frombuffer(b, dtype=np.uint8)
        rest = offset + np.arange(n, dtype=np.int64)
        codes = np.empty((n, length, width), dtype=np.uint8)
        keep = np.empty((n, length, width), dtype=bool)
        for pos in range(length - 1, -1, -1):  # one vectorised step per key position
            rest, digit = np.divmod(rest, base)
            letter = perms[pos][digit]
            codes[:, pos] = letters[letter]
            keep[:, pos] = np.arange(width)[None, :] >= (width - sizes[letter])[:, None]
        return _strings(codes.reshape(n, length * width), keep.reshape(n, length * width))


_FORMATS: dict[str, type[KeyFormat]] = {
    cls.kind: cls for cls in (IntegerSequenceKey, PatternKey, UuidKey, GenericStringKey)
}


def key_format_from_dict(data: dict[str, Any]) -> KeyFormat:
    params = dict(data)
    kind = params.pop("kind")
    if kind not in _FORMATS:
        raise ConfigError(f"unknown key format {kind!r}", fix=f"use one of {sorted(_FORMATS)}")
    return _FORMATS[kind](**params)


def _start_step(numbers: np.ndarray) -> tuple[int, int]:
    uniq = np.unique(numbers)
    step = int(np.gcd.reduce(np.diff(uniq))) if len(uniq) > 1 else 1
    return int(uniq[0]), max(step, 1)


def detect_key_format(values: pd.Series) -> KeyFormat:
    """The format of real key values: integer sequence, UUID, pattern, or generic string."""
    present = values.dropna()
    if len(present) == 0:
        return IntegerSequenceKey()
    if pd.api.types.is_bool_dtype(present):
        raise ConfigError(
            "a boolean column cannot be a key",
            table=None,
            column=str(values.name),
            fix="declare the real primary key in the schema",
        )
    if pd.api.types.is_numeric_dtype(present):
        numbers = present.to_numpy(dtype=float)
        if np.all(np.mod(numbers, 1) == 0):
            return IntegerSequenceKey(*_start_step(numbers.astype(np.int64)))
        raise ConfigError(
            "a key column holds non-integer numbers",
            column=str(values.name),
            fix="use an integer, text or UUID key",
        )
    text = present.astype(str)
    if text.str.match(_UUID_RE.pattern).all():
        sample = text.iloc[0]
        return UuidKey(
            uppercase=bool(
                text.str.contains("[A-F]").any() and not text.str.contains("[a-f]").any()
            ),
            hyphens="-" in sample,
            braces=sample.startswith("{"),
        )
    parts = text.str.extract(_PATTERN_RE)
    lengths = parts["number"].str.len()
    if (
        parts["number"].notna().all()
        and parts["prefix"].nunique() == 1
        and parts["suffix"].nunique() == 1
        and lengths.max() <= 18
    ):
        # one width for all: zero-padded (or at least fixed-width) numbers; else unpadded
        width = int(lengths.iloc[0]) if lengths.nunique() == 1 else 0
        start, step = _start_step(parts["number"].astype(np.int64).to_numpy())
        return PatternKey(
            str(parts["prefix"].iloc[0]), width, start, step, str(parts["suffix"].iloc[0])
        )
    alphabet = "".join(sorted(set("".join(text.unique()))))
    return GenericStringKey(int(text.str.len().mode().iloc[0]), alphabet)


# ---------------------------------------------------------------------- table-level plan
#: A column of a composite key with at most this share of distinct values per row carries
#: meaning (a year, a stint, a date part): it is modelled, not renumbered.
MEANINGFUL_MAX_SHARE = 0.5
#: A modelled key column with at most this many distinct values is modelled as a category
#: (its real values exactly); with more, by its storage (numbers, datetimes).
KEY_CATEGORY_MAX = 64
#: The real combinations of a key's modelled columns are kept (to draw unique ones from) up
#: to this many; beyond, repeated combinations are dropped instead.
KEY_POOL_MAX = 200_000


def meaningful_key_columns(table: Table, df: pd.DataFrame) -> dict[str, str]:
    """Own columns of a composite primary key that carry meaning, with their model kind.

    In ``weather(origin, year, month, day, hour)`` or ``batting(player, year, stint)`` the
    year, the date parts and a stint are *values*: renumbering them as 1, 2, 3 … (a
    3,000-"year" sequence, hours running to thousands) destroys the table and every foreign
    key built on them. A column of a key of two or more columns is such a value when it is
    not a foreign key, does not number rows 1..k inside the key's foreign keys (a line
    number: a per-group sequence) and has few distinct values for its rows (at most
    ``MEANINGFUL_MAX_SHARE``), or is a datetime. It is then learnt by the table's model
    (kind ``categorical`` for up to ``KEY_CATEGORY_MAX`` values, else by storage) and only
    the remaining surrogate columns get new values.
    """
    pk = list(table.primary_key)
    if len(pk) < 2 or len(df) == 0:
        return {}
    fk_cols = table.foreign_key_columns
    groups = tuple(c for c in pk if c in fk_cols)
    out: dict[str, str] = {}
    for col in pk:
        if col in fk_cols or col not in df.columns:
            continue
        if _group_sequence_start(df, col, groups) is not None:
            continue  # numbers rows 1..k inside the foreign keys (a line number)
        values = df[col]
        distinct = int(values.nunique(dropna=True))
        is_time = pd.api.types.is_datetime64_any_dtype(values)
        if not (is_time or distinct <= MEANINGFUL_MAX_SHARE * len(df)):
            continue
        if distinct <= KEY_CATEGORY_MAX:
            out[col] = "categorical"
        elif is_time:
            out[col] = "datetime"
        elif pd.api.types.is_integer_dtype(values):
            out[col] = "integer"
        elif pd.api.types.is_float_dtype(values):
            out[col] = "continuous"
        else:
            out[col] = "categorical"
    return out


@dataclass(frozen=True)
class PrimaryKeyPlan:
    """How each primary-key column of a table is produced.

    ``formats`` maps a column to its global format; ``per_group`` maps a column to
    ``(group columns, start)`` for numbering inside each parent; foreign-key columns of the
    key appear in neither: they are assigned from the parents. ``modelled`` maps the
    meaningful columns of a composite key (:func:`meaningful_key_columns`) to their model
    kind: the table's model makes them, and :meth:`generate` only makes the key unique,
    moving repeated combinations to the nearest unused real one of ``pool`` (the real
    combinations, sorted; None when there were more than ``KEY_POOL_MAX``).
    """

    table: str
    columns: tuple[str, ...]
    formats: dict[str, KeyFormat]
    per_group: dict[str, tuple[tuple[str, ...], int]]
    modelled: dict[str, str] = field(default_factory=dict)
    pool: dict[str, list[Any]] | None = None

    @classmethod
    def fit(cls, table: Table, df: pd.DataFrame) -> PrimaryKeyPlan:
        pk = tuple(table.primary_key)
        fk_cols = table.foreign_key_columns
        modelled = meaningful_key_columns(table, df)
        own = [c for c in pk if c not in fk_cols and c not in modelled]
        groups = tuple(c for c in pk if c in fk_cols)
        formats: dict[str, KeyFormat] = {}
        per_group: dict[str, tuple[tuple[str, ...], int]] = {}
        for col in own:
            start = _group_sequence_start(df, col, groups)
            if start is not None:
                per_group[col] = (groups, start)
            else:
                formats[col] = detect_key_format(df[col])
        varying = [c for c in pk if c in modelled and df[c].nunique(dropna=True) > 1]
        pool = _key_pool(df, varying) if varying else None
        return cls(table.name, pk, formats, per_group, modelled, pool)

    def generate(self, frame: pd.DataFrame, offset: int = 0, seed: int | None = None) -> None:
        """Fill the key columns of ``frame`` in place (its FK columns already assigned)."""
        for col, fmt in self.formats.items():
            frame[col] = fmt.generate(len(frame), offset, seed).to_numpy()
        if self.modelled and not self.formats:
            self._unique_modelled(frame)
        for col, (groups, start) in self.per_group.items():
            missing = [g for g in groups if g not in frame.columns]
            if missing:
                raise SynthoHiveError(
                    f"key column {col!r} numbers rows within {list(groups)}, "
                    f"but {missing} are not assigned yet",
                    table=self.table,
                    column=col,
                    fix="assign the foreign keys before generating the primary key",
                )
            frame[col] = frame.groupby(list(groups), sort=False).cumcount().to_numpy() + start

    def _unique_modelled(self, frame: pd.DataFrame) -> None:
        """Make the key unique when only modelled columns (and foreign keys) form it.

        With a per-group sequence the numbering does it; otherwise each group of rows with
        the same foreign keys gets distinct real combinations of the modelled columns, each
        row the nearest unused one (in key order, e.g. the nearest free hour) to what the
        model made — invalid combinations (a 30th of February) are moved onto real ones too.
        Rows of a group larger than the pool keep their values and are dropped by
        :func:`drop_repeated_keys`.
        """
        if self.per_group or self.pool is None or len(frame) == 0:
            return
        cols = [c for c in self.columns if c in self.pool]  # constant columns are not pooled
        if not cols or any(c not in frame.columns for c in cols):
            return
        snap_to_pool(frame, cols, self.pool, [c for c in self.columns if c not in self.modelled])

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "columns": list(self.columns),
            "formats": {c: f.to_dict() for c, f in self.formats.items()},
            "per_group": {
                c: {"groups": list(g), "start": s} for c, (g, s) in self.per_group.items()
            },
            "modelled": self.modelled,
            "pool": None
            if self.pool is None
            else {c: [_json_scalar(v) for v in vals] for c, vals in self.pool.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PrimaryKeyPlan:
        pool = data.get("pool")
        return cls(
            data["table"],
            tuple(data["columns"]),
            {c: key_format_from_dict(f) for c, f in data["formats"].items()},
            {c: (tuple(v["groups"]), int(v["start"])) for c, v in data["per_group"].items()},
            # plans saved before meaningful key columns renumber every own key column
            dict(data.get("modelled", {})),
            None if pool is None else {c: list(v) for c, v in pool.items()},
        )


def _json_scalar(value: Any) -> Any:
    """A pool value as JSON: NumPy scalars as Python ones, timestamps as ISO text."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def _key_pool(df: pd.DataFrame, cols: list[str]) -> dict[str, list[Any]] | None:
    """The distinct real combinations of ``cols``, sorted in key order (None when too many)."""
    combos = df[cols].dropna().drop_duplicates()
    if len(combos) > KEY_POOL_MAX or len(combos) == 0:
        return None
    combos = combos.sort_values(cols, kind="stable")
    return {c: combos[c].tolist() for c in cols}


def snap_to_pool(
    frame: pd.DataFrame, cols: list[str], pool: dict[str, list[Any]], group_cols: list[str]
) -> None:
    """Give every row of each ``group_cols`` group a distinct combination from ``pool``.

    Combinations are ranked in the pool's (lexicographic) order; each row's target is the
    rank of its own combination, or where it would be inserted. Within a group, sorted
    targets ``t`` get ranks ``s_i = i + cummax(t_i - i)`` capped at ``m - n + i`` (``m``
    combinations, ``n`` rows): strictly increasing, so distinct, and each as close to its
    target as the rows before and after it allow. Vectorised over all groups at once.
    """
    m = len(next(iter(pool.values())))
    reference = pd.DataFrame({c: _like(pd.Series(pool[c]), frame[c]) for c in cols})
    codes = _rank_codes(frame[cols], reference)
    if group_cols:
        group = frame.groupby(group_cols, sort=False, dropna=False).ngroup().to_numpy()
    else:
        group = np.zeros(len(frame), dtype=np.int64)
    order = np.lexsort((codes, group))
    g, t = group[order], codes[order]
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    sizes = np.diff(np.r_[starts, len(g)])
    i = np.arange(len(g)) - np.repeat(starts, sizes)
    n = np.repeat(sizes, sizes)
    lifted = pd.Series(t - i).groupby(g).cummax().to_numpy()
    ranks = np.minimum(i + lifted, m - n + i)
    fits = n <= m  # a group larger than the pool keeps what the model made
    rows = order[fits]
    for c in cols:
        values = frame[c].to_numpy(copy=True).astype(object)
        values[rows] = reference[c].to_numpy(dtype=object)[ranks[fits]]
        snapped = pd.Series(values, index=frame.index)
        try:
            frame[c] = snapped.astype(reference[c].dtype)
        except (TypeError, ValueError):
            frame[c] = snapped.infer_objects()


def _like(values: pd.Series, target: pd.Series) -> pd.Series:
    """Pool values (from JSON) in the dtype of the generated column they replace."""
    if pd.api.types.is_datetime64_any_dtype(target):
        return pd.to_datetime(values)
    try:
        return values.astype(target.dtype)
    except (TypeError, ValueError):
        return values


def _rank_codes(values: pd.DataFrame, reference: pd.DataFrame) -> np.ndarray:
    """Each row's insertion rank among the sorted ``reference`` rows (lexicographic)."""
    both = pd.concat([reference, values], ignore_index=True)
    m = len(reference)
    key = np.zeros(len(both), dtype=np.int64)
    for c in reference.columns:
        col = both[c]
        try:  # the column's ordering codes: numbers and datetimes by value, else as text
            codes = pd.factorize(col, sort=True)[0]
        except TypeError:
            codes = pd.factorize(col.astype(str), sort=True)[0]
        # mixed radix, re-factorised (order kept) each step so the numbers never overflow
        key = pd.factorize(key * (int(codes.max()) + 2) + codes + 1, sort=True)[0]
    ref_key, row_key = key[:m], key[m:]
    return np.minimum(np.searchsorted(ref_key, row_key, side="left"), m - 1)


def drop_repeated_keys(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The last guard of a composite key: a repeated key is dropped and reported.

    Keys made only of foreign keys to three or more parents, or a group of rows larger than
    the real combinations of its modelled key columns, can repeat; generated and link-table
    keys are unique by construction and never reach the drop.
    """
    pk = [c for c in table.primary_key if c in frame.columns]  # constants come later
    if len(table.primary_key) < 2 or not pk or len(frame) == 0:
        return frame
    repeated = frame.duplicated(subset=pk).to_numpy()
    if not repeated.any():
        return frame
    log.warning("relational.duplicate_keys_dropped", table=table.name, rows=int(repeated.sum()))
    return frame.loc[~repeated].reset_index(drop=True)


def _group_sequence_start(df: pd.DataFrame, col: str, groups: tuple[str, ...]) -> int | None:
    """The common first value when ``col`` counts 1..k (or 0..k-1) inside each group."""
    if not groups or len(df) == 0 or not pd.api.types.is_integer_dtype(df[col]):
        return None
    ordered = df.sort_values([*groups, col])
    rank = ordered.groupby(list(groups), sort=False).cumcount().to_numpy()
    offset = ordered[col].to_numpy() - rank
    if np.all(offset == offset[0]) and df.groupby(list(groups))[col].nunique().max() > 1:
        return int(offset[0])
    return None


# ---------------------------------------------------------------------- foreign keys
def expand_parent_keys(
    parent_keys: pd.DataFrame,
    counts: np.ndarray,
    child_columns: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Child FK values and parent row positions from children-per-parent ``counts``.

    Row ``j`` of the result belongs to parent ``positions[j]``; children of one parent are
    contiguous, in parent order. ``child_columns`` renames the key columns (``InvoiceId`` of
    the parent becomes the child's FK column name).
    """
    counts = np.asarray(counts, dtype=np.int64)
    if len(counts) != len(parent_keys):
        raise ValueError(f"{len(counts)} counts for {len(parent_keys)} parents")
    if (counts < 0).any():
        raise ValueError("children-per-parent counts must be non-negative")
    positions = np.repeat(np.arange(len(parent_keys)), counts)
    keys = parent_keys.iloc[positions].reset_index(drop=True)
    if child_columns is not None:
        keys.columns = list(child_columns)
    return keys, positions


def null_parent_count(null_rate: float, linked: int, rng: np.random.Generator) -> int:
    """How many NULL-parent children go with ``linked`` children that have a parent.

    The real share of NULL foreign keys is ``null_rate`` of all children, so the NULL ones
    are drawn as ``Binomial(linked, rate / (1 - rate))``. One rule for every engine (the
    whole-table pandas path and each Spark or chunked child block), so they cannot drift.
    """
    if 0 < null_rate < 1 and linked:
        return int(rng.binomial(linked, null_rate / (1 - null_rate)))
    return 0


def with_null_parents(
    keys: pd.DataFrame, positions: np.ndarray, n_null: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """``keys`` plus ``n_null`` all-NULL rows at the end (parent position -1).

    Integer key columns become nullable ``Int64`` so the NULLs stay NULL and the linked
    values keep their type; an all-NULL row has no context parent (position -1).
    """
    if n_null <= 0:
        return keys, positions
    nulls = pd.DataFrame(
        {
            c: pd.Series(pd.NA, index=range(n_null), dtype=_nullable_dtype(keys[c]))
            for c in keys.columns
        }
    )
    keys = pd.concat(
        [keys.astype({c: nulls[c].dtype for c in keys.columns}), nulls], ignore_index=True
    )
    return keys, np.concatenate([positions, np.full(n_null, -1, dtype=np.int64)])


def _nullable_dtype(values: pd.Series) -> Any:
    return "Int64" if pd.api.types.is_integer_dtype(values) else values.dtype


def assign_by_slots(
    n_children: int,
    parent_df: pd.DataFrame,
    relation: Relation,
    cardinality: CardinalityModel,
    seed: int | np.random.Generator | None = None,
    *,
    null_rate: float | None = None,
    affinity: ParentAffinity | None = None,
    child_df: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """FK columns of ``relation`` for ``n_children`` child rows, pointing at ``parent_df``.

    The children of each synthetic parent follow the learnt children-per-parent
    distribution (not the near-constant counts a uniform draw would give): target counts are
    sampled from ``cardinality`` conditioned on each parent and rescaled to the number of
    non-NULL children, expanded to slots and dealt by a random permutation. A share
    ``null_rate`` (default: the real one) of the children gets NULL.

    With an ``affinity`` and the children's attributes (``child_df``, row-aligned), the slots
    are dealt by :func:`~synthohive_lib.relational.affinity.deal_slots` instead of at random:
    each child tends to the kind of parent its real look-alikes had, with every parent's
    number of children unchanged.
    """
    rng = np.random.default_rng(seed)
    rate = cardinality.null_rate_ if null_rate is None else null_rate
    is_null = np.zeros(n_children, dtype=bool)
    n_null = int(rng.binomial(n_children, rate)) if rate > 0 else 0
    if n_null:
        is_null[rng.choice(n_children, size=n_null, replace=False)] = True
    n_linked = n_children - n_null
    counts = cardinality.sample_counts(parent_df, rng, total=n_linked)
    if affinity is not None and child_df is not None:
        probs = affinity.probabilities(child_df.iloc[np.flatnonzero(~is_null)])
        slots = deal_slots(counts, affinity.group_of(parent_df), probs, rng)
    else:
        slots = rng.permutation(np.repeat(np.arange(len(parent_df)), counts))
    parent_keys = parent_df[list(relation.parent_columns)].reset_index(drop=True)
    out = pd.DataFrame(index=range(n_children))
    for child_col, parent_col in zip(relation.child_columns, relation.parent_columns, strict=True):
        values = parent_keys[parent_col]
        col = pd.Series(pd.NA, index=range(n_children), dtype=_nullable(values.dtype))
        col.iloc[np.flatnonzero(~is_null)] = values.to_numpy()[slots]
        out[child_col] = col
    return out


def assign_within(
    frame: pd.DataFrame,
    parent_df: pd.DataFrame,
    relation: Relation,
    cardinality: CardinalityModel,
    shared: Sequence[str],
    seed: int | np.random.Generator | None = None,
    *,
    affinity: ParentAffinity | None = None,
) -> pd.DataFrame:
    """Like :func:`assign_by_slots`, for a foreign key sharing ``shared`` columns with keys
    already assigned in ``frame`` (``(series, baker) -> bakers`` after ``(series, episode)
    -> episodes``): each child is dealt among the parents with its values of the shared
    columns, so the key it already has stays valid and the new one resolves. A child whose
    shared values no synthetic parent has gets NULL; a group whose parents cannot hold its
    children within the real range is dealt uniformly among them.
    """
    rng = np.random.default_rng(seed)
    pmap = dict(zip(relation.child_columns, relation.parent_columns, strict=True))
    parents = parent_df.reset_index(drop=True)
    child_codes, parent_codes = key_codes(
        frame.reset_index(drop=True), list(shared), parents, [pmap[c] for c in shared]
    )
    n = len(frame)
    parent_keys = parents[list(relation.parent_columns)]
    out = pd.DataFrame(
        {
            c: pd.Series(pd.NA, index=range(n), dtype=_nullable(parent_keys[p].dtype))
            for c, p in pmap.items()
        }
    )
    for g in np.unique(child_codes[child_codes >= 0]):
        rows = np.flatnonzero(child_codes == g)
        members = np.flatnonzero(parent_codes == g)
        if len(members) == 0:
            continue
        sub = parents.iloc[members].reset_index(drop=True)
        try:
            fks = assign_by_slots(
                len(rows),
                sub,
                relation,
                cardinality,
                rng,
                affinity=affinity,
                child_df=frame.iloc[rows].reset_index(drop=True),
            )
        except ConfigError:
            picks = sub.iloc[rng.integers(len(sub), size=len(rows))].reset_index(drop=True)
            fks = pd.DataFrame({c: picks[p] for c, p in pmap.items()})
        for c in pmap:
            out.loc[rows, c] = fks[c].to_numpy()
    return out


def _nullable(dtype: Any) -> Any:
    """A dtype that can hold NULL without turning integer keys into floats."""
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    return dtype if pd.api.types.is_float_dtype(dtype) else object
