"""Which rows are null: co-nullity rules found in the real table and enforced on generated rows.

Real tables leave columns empty *together*. Lending Club's ``annual_income_joint``,
``debt_to_income_joint`` and ``verification_income_joint`` are null exactly when
``application_type`` is ``individual``; ``months_since_90d_late`` is null whenever
``months_since_last_delinq`` is (never late at all). A model that learns each column's null
rate on its own (a null mode per column) produces joint incomes for individual applications.

:class:`NullStructure` learns, for every column with nulls, at most one *governor*: either a
category (the column's null rate per category value) or another column's null-ness (its null
rate when that column is null, and when it is not). A governor is kept when it explains at
least half of the column's null/non-null uncertainty (entropy), measured on at most
``sample_rows`` rows; a category value seen on fewer than ``min_state_rows`` rows shares the
column's overall rate, so a small table does not show rules that are chance.

After any model has generated rows, :meth:`NullStructure.apply` redraws which rows of each
governed column are null from its governor's state in that row (governors first). A row that
must hold a value where the model produced a null gets one from another *generated* row in the
same state (a donor), so no real value is ever involved; a row that must be null is cleared.

How a model uses it: :class:`~synthohive_lib.transform.transformer.DataTransformer` fits one
at ``fit`` and applies it at the end of every decode, so CTGAN and any model that decodes
through the transformer get it for free. A model with its own decoding calls
``NullStructure.fit(real_frame, categories=[...])`` when fitting, keeps ``to_dict()`` in its
artifact and calls ``apply(generated_frame, rng)`` on every sample.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Key of the state "the governing category is null" (never a str() of a real value).
NULL_STATE = "\x00null"


def _entropy(p: np.ndarray) -> np.ndarray:
    """Binary entropy in bits, elementwise (0 at p = 0 or 1)."""
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


@dataclass(frozen=True)
class NullRule:
    """``column`` is null with probability ``rates[state]``, the state being the governor's
    value in the row (``by_nulls=False``: ``by`` is a category, states are its values as
    text, :data:`NULL_STATE` for a null) or whether ``by`` is null (``by_nulls=True``: states
    ``"null"`` and ``"value"``). States not listed (unseen or rare values) use ``default``.
    ``gain`` is the share of the column's null/non-null entropy the governor explained."""

    column: str
    by: str
    by_nulls: bool
    rates: dict[str, float]
    default: float
    gain: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NullRule:
        return cls(**data)

    def states(self, governor: pd.Series) -> pd.Series:
        """The state of every row, from the governor column."""
        nulls = governor.isna().to_numpy()
        if self.by_nulls:
            return pd.Series(np.where(nulls, "null", "value"), index=governor.index)
        text = governor.astype(object).astype(str).to_numpy(dtype=object)
        text[nulls] = NULL_STATE
        return pd.Series(text, index=governor.index)

    def null_probability(self, governor: pd.Series) -> np.ndarray:
        """Probability that ``column`` is null in each row."""
        states = self.states(governor)
        return states.map(self.rates).fillna(self.default).to_numpy(dtype=np.float64)

    def holds_share(self, frame: pd.DataFrame, *, certain: float = 0.95) -> float:
        """Share of rows of ``frame`` where the rule holds: a row breaks it when its state was
        (almost) always null in the real data (rate >= ``certain``) and the column has a value,
        or (almost) never null (rate <= 1 - ``certain``) and the column is null. Rows in other
        states keep the rule whatever they hold. Comparable between real and synthetic rows,
        and independent of how often each state occurs."""
        p = self.null_probability(frame[self.by])
        nulls = frame[self.column].isna().to_numpy()
        broken = ((p >= certain) & ~nulls) | ((p <= 1 - certain) & nulls)
        return float(1.0 - broken.mean())


def _fill_and_clear(
    series: pd.Series, must_null: np.ndarray, states: np.ndarray, rng: np.random.Generator
) -> pd.Series:
    """``series`` with nulls exactly at ``must_null`` (where it can): values for the other
    rows that are null come from generated rows with a value, in the same state if any."""
    present = series.notna().to_numpy()
    need = ~must_null & ~present
    out = series
    if need.any() and present.any():
        take = np.flatnonzero(need)
        donors_of = np.empty(len(take), dtype=np.int64)
        need_states = states[take]
        for state in np.unique(need_states):
            rows = need_states == state
            pool = np.flatnonzero(present & (states == state))
            if len(pool) == 0:
                pool = np.flatnonzero(present)
            donors_of[rows] = pool[rng.integers(len(pool), size=int(rows.sum()))]
        values = series.to_numpy(copy=True)
        values[take] = values[donors_of]
        out = pd.Series(values, index=series.index, name=series.name, dtype=series.dtype)
    clear = must_null & out.notna().to_numpy()
    if clear.any():
        dtype = out.dtype
        if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.BooleanDtype):
            out = out.astype("boolean")
        elif pd.api.types.is_integer_dtype(dtype) and not isinstance(
            dtype, pd.api.extensions.ExtensionDtype
        ):
            out = out.astype("Int64")
        elif pd.api.types.is_object_dtype(dtype):
            out = out.copy()
            out[clear] = None
            return out
        out = out.mask(clear)
    return out


@dataclass
class NullStructure:
    """The co-nullity rules of a table (see the module docstring), in application order."""

    rules: list[NullRule] = field(default_factory=list)

    @classmethod
    def fit(
        cls,
        frame: pd.DataFrame,
        *,
        categories: Iterable[str] = (),
        min_gain: float = 0.5,
        max_categories: int = 100,
        min_state_rows: int = 10,
        min_rows: int = 10,
        sample_rows: int = 20_000,
        columns: Iterable[str] | None = None,
        rng: np.random.Generator | None = None,
    ) -> NullStructure:
        """Find each nullable column's best governor among ``categories`` (category columns
        of ``frame``) and the other columns' null-ness. ``columns`` limits the governed columns
        (default: every column); a column needs ``min_rows`` null and non-null rows."""
        rng = rng if rng is not None else np.random.default_rng(2)
        if len(frame) > sample_rows:
            frame = frame.iloc[np.sort(rng.choice(len(frame), sample_rows, replace=False))]
        frame = frame.reset_index(drop=True)
        names = list(frame.columns)
        governed = [c for c in (columns if columns is not None else names) if c in frame]
        nulls = frame.isna()
        counts = nulls.sum()
        nullable = [c for c in names if 0 < counts[c] < len(frame)]
        targets = [c for c in governed if min_rows <= counts[c] <= len(frame) - min_rows]
        if not targets:
            return cls()
        m = nulls[targets].to_numpy(dtype=np.float64)  # (n, t)
        base = _entropy(m.mean(axis=0))
        best: dict[str, tuple[float, NullRule]] = {}
        governors: list[tuple[str, bool]] = [
            (c, False) for c in categories if c in frame and frame[c].nunique() >= 2
        ] + [(c, True) for c in nullable]
        for by, by_nulls in governors:
            states, codes = cls._states(frame[by], by_nulls, max_categories)
            if states is None:
                continue
            k = len(states)
            rows = np.bincount(codes, minlength=k).astype(np.float64)  # (k,)
            null_rows = np.zeros((k, m.shape[1]))
            np.add.at(null_rows, codes, m)
            rare = rows < min_state_rows
            overall = m.mean(axis=0)
            rates = np.where(rows[:, None] > 0, null_rows / np.maximum(rows[:, None], 1), 0.0)
            rates[rare] = overall
            weights = rows / rows.sum()
            cond = (weights[:, None] * _entropy(rates)).sum(axis=0)
            gain = np.where(base > 0, (base - cond) / np.maximum(base, 1e-12), 0.0)
            for j, column in enumerate(targets):
                if column == by or gain[j] < min_gain:
                    continue
                if column in best and best[column][0] >= gain[j]:
                    continue
                kept = {s: float(rates[i, j]) for i, s in enumerate(states) if not rare[i]}
                rule = NullRule(column, by, by_nulls, kept, float(overall[j]), float(gain[j]))
                best[column] = (float(gain[j]), rule)
        return cls(cls._acyclic([best[c][1] for c in targets if c in best]))

    @staticmethod
    def _states(
        series: pd.Series, by_nulls: bool, max_categories: int
    ) -> tuple[list[str] | None, np.ndarray]:
        """(state names, state code per row) of a governor; None when it has too many."""
        nulls = series.isna().to_numpy()
        if by_nulls:
            return ["value", "null"], nulls.astype(np.int64)
        text = series.astype(object).astype(str).to_numpy(dtype=object)
        text[nulls] = NULL_STATE
        codes, uniques = pd.factorize(text)
        if len(uniques) > max_categories + 1:
            return None, codes
        return [str(u) for u in uniques], codes.astype(np.int64)

    @staticmethod
    def _acyclic(rules: list[NullRule]) -> list[NullRule]:
        """The rules with governors before the columns they govern; a rule that would close
        a cycle (``a`` by ``b`` and ``b`` by ``a``) is dropped, weaker first."""
        by_column: dict[str, NullRule] = {}
        for rule in sorted(rules, key=lambda r: -r.gain):
            seen, at = {rule.column}, rule.by
            while at in by_column and at not in seen:
                seen.add(at)
                at = by_column[at].by
            if at in seen:
                continue
            by_column[rule.column] = rule
        ordered: list[NullRule] = []
        placed: set[str] = set()

        def place(column: str) -> None:
            rule = by_column[column]
            if column in placed:
                return
            if rule.by in by_column:
                place(rule.by)
            placed.add(column)
            ordered.append(rule)

        for rule in rules:
            if rule.column in by_column:
                place(rule.column)
        return ordered

    def apply(
        self, columns: MutableMapping[str, pd.Series] | pd.DataFrame, rng: np.random.Generator
    ) -> None:
        """Redraw each governed column's nulls from its governor, in place (no-op without
        rules, and no random draw then)."""
        for rule in self.rules:
            if rule.column not in columns or rule.by not in columns:
                continue
            governor = columns[rule.by]
            p = rule.null_probability(governor)
            must_null = rng.random(len(p)) < p
            states = rule.states(governor).to_numpy(dtype=object)
            columns[rule.column] = _fill_and_clear(columns[rule.column], must_null, states, rng)

    def to_dict(self) -> dict[str, Any]:
        return {"rules": [r.to_dict() for r in self.rules]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> NullStructure:
        return cls([NullRule.from_dict(r) for r in (data or {}).get("rules", [])])
