"""Declared constraints hold in every synthetic row: a vectorised repair after sampling.

A model learns distributions, not rules: CTGAN or the autoregressive model can put an
``end_date`` before its ``start_date`` in a few rows, or repeat a value of a column declared
``unique``. The schema declares such rules (``constraints:`` of a table, ``unique: true`` of a
column) and :func:`~synthohive_lib.schema.validate.validate_data` checks them on the real
data; this module makes them true of the synthetic rows, as the last step of every generated
block (:func:`~synthohive_lib.relational.blocks.finish_block`, which the pandas, chunked and
Spark paths all call), so no engine can skip it:

* **inequality** ``low < high`` (``<=`` when not strict): a row whose values are the wrong
  way round gets them swapped (both values stay real-looking: they are the model's own pair);
  a strict inequality met with equality moves ``high`` up by one step of the column's grain
  (1 for integers, ``10**-decimals`` or the values' own decimal grain for floats, the
  timestamps' own grain — day, minute or second — for datetimes). A key column is never
  changed: when one side is a primary- or foreign-key column, only the other side moves;
  when both are, nothing can be repaired and the synthetic ``matches_schema`` check reports
  the rows.
* **unique** (a ``unique`` constraint or a ``unique: true`` column): one number or datetime
  column that repeats values is spread, keeping every row: its values in sorted order become
  strictly increasing by the smallest moves of one grain (``v'_i = max(v_i, v'_{i-1} +
  grain)``, vectorised as a running maximum), so the column's distribution barely moves. Any
  other unique set (several columns, text, categories) drops a row that repeats an earlier
  row's combination (nulls never collide, as in SQL), as a repeated composite key is
  (:func:`~synthohive_lib.relational.keys.drop_repeated_keys`); the children of the table are
  made afterwards under the rows that remain. Uniqueness is made within one generated
  block: the pandas path generates a table as one block; a table made in several blocks
  (chunked, Spark) gets unique values per block, and its synthetic ``matches_schema`` check
  sees the whole table.
* **min/max** of a column are kept by the transformer's decoder (values clipped to the
  declared range widened to the fitted data's, see :mod:`synthohive_lib.transform.encoders`).

Every repair is counted in a log line naming the table and the constraint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import structlog

from synthohive_lib.schema.model import (
    ColumnType,
    InequalityConstraint,
    Table,
    UniqueConstraint,
)

log = structlog.get_logger(__name__)

_MAX_DECIMALS = 6


def enforce_constraints(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """``frame`` with ``table``'s inequalities repaired and repeated unique values dropped.

    Constraints naming a column the frame does not hold (yet) are skipped: the caller runs
    this once every modelled and key column is in place.
    """
    if len(frame) == 0:
        return frame
    keys = _key_columns(table)
    for constraint in table.constraints:
        if isinstance(constraint, InequalityConstraint):
            _order_pair(frame, table, constraint, keys)
    for columns in _unique_sets(table):
        if not set(columns) <= set(frame.columns):
            continue
        if len(columns) == 1 and columns[0] not in keys and _spread_repeats(frame, table, *columns):
            continue
        frame = _drop_repeats(frame, table, columns)
    return frame


def _key_columns(table: Table) -> set[str]:
    """Columns whose values are keys (primary or foreign): never moved by a repair."""
    keys = set(table.primary_key)
    for fk in table.foreign_keys:
        keys |= set(fk.columns)
    return keys


def _unique_sets(table: Table) -> list[list[str]]:
    """Every column set declared unique, besides the primary key (keys are unique by
    construction, or dropped when repeated by the key layer)."""
    sets = [[c.name] for c in table.columns if c.unique]
    sets += [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    primary = set(table.primary_key)
    return [s for s in sets if set(s) != primary]


def _spread_repeats(frame: pd.DataFrame, table: Table, name: str) -> bool:
    """Make one ordered column unique by moving repeats up by its grain; False when the
    column is not a number or datetime with a grain (the caller drops repeats instead)."""
    column = table.column(name)
    if column.type not in (ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.DATETIME):
        return False
    values = _comparable(table, frame, name)
    present = values.notna().to_numpy()
    if not values[present].duplicated().any():
        return True
    step = _step(table, name, values)
    if step is None:
        return False
    order = np.argsort(values[present].to_numpy(), kind="stable")
    sorted_values = values[present].iloc[order].reset_index(drop=True)
    rank = pd.Series(np.arange(len(sorted_values)), dtype=np.int64)
    spread = _on_grain((sorted_values - rank * step).cummax() + rank * step, step)
    new = values.copy()
    positions = np.flatnonzero(present)[order]
    new.iloc[positions] = spread.to_numpy()
    changed = _write_back(frame, table, name, values, new)
    log.warning(
        "relational.constraint_repaired",
        table=table.name,
        constraint=f"unique({name})",
        rows_moved=int(changed.sum()),
    )
    return True


def _drop_repeats(frame: pd.DataFrame, table: Table, columns: list[str]) -> pd.DataFrame:
    complete = frame[columns].notna().all(axis=1)
    repeated = (frame[columns].duplicated() & complete).to_numpy()
    if not repeated.any():
        return frame
    log.warning(
        "relational.constraint_repaired",
        table=table.name,
        constraint=f"unique({', '.join(columns)})",
        rows_dropped=int(repeated.sum()),
    )
    return frame.loc[~repeated].reset_index(drop=True)


def _order_pair(
    frame: pd.DataFrame, table: Table, constraint: InequalityConstraint, keys: set[str]
) -> None:
    low_name, high_name = constraint.low, constraint.high
    if not {low_name, high_name} <= set(frame.columns):
        return
    if not (table.has_column(low_name) and table.has_column(high_name)):
        return
    low, high = _comparable(table, frame, low_name), _comparable(table, frame, high_name)
    both = (low.notna() & high.notna()).to_numpy()
    wrong_way = both & (low > high).fillna(False).to_numpy(dtype=bool)
    if not constraint.strict:
        tied = np.zeros(len(frame), dtype=bool)
    else:
        tied = both & (low == high).fillna(False).to_numpy(dtype=bool)
    if not (wrong_way.any() or tied.any()):
        return
    free_low, free_high = low_name not in keys, high_name not in keys
    new_low, new_high = low.copy(), high.copy()
    if free_low and free_high:
        new_low[wrong_way], new_high[wrong_way] = high[wrong_way], low[wrong_way]
        new_high[tied] = _step_up(high[tied], table, high_name, high)
    elif free_high:
        bad = wrong_way | tied
        new_high[bad] = _step_up(low[bad], table, high_name, high)
    elif free_low:
        bad = wrong_way | tied
        new_low[bad] = _step_down(high[bad], table, low_name, low)
    else:
        return
    changed_low = _write_back(frame, table, low_name, low, new_low)
    changed_high = _write_back(frame, table, high_name, high, new_high)
    op = "<" if constraint.strict else "<="
    log.warning(
        "relational.constraint_repaired",
        table=table.name,
        constraint=f"{low_name} {op} {high_name}",
        rows_repaired=int((changed_low | changed_high).sum()),
    )


def _comparable(table: Table, frame: pd.DataFrame, name: str) -> pd.Series:
    """The column as numbers or timestamps (text datetimes parsed by their format)."""
    column = table.column(name)
    values = frame[name]
    if column.type is ColumnType.DATETIME:
        if column.datetime_format and not pd.api.types.is_datetime64_any_dtype(values):
            return pd.to_datetime(values, format=column.datetime_format, errors="coerce")
        return pd.to_datetime(values, errors="coerce")
    return pd.to_numeric(values, errors="coerce")


def _step(table: Table, name: str, values: pd.Series) -> object:
    """The smallest move that keeps the column's look: one unit of its grain."""
    column = table.column(name)
    if pd.api.types.is_datetime64_any_dtype(values):
        seen = values.dropna()
        for grain in ("D", "min", "s"):
            if (seen == seen.dt.floor(grain)).all():
                return pd.Timedelta(1, unit=grain)
        return pd.Timedelta(1, unit="ms")
    if column.type is ColumnType.INTEGER or pd.api.types.is_integer_dtype(values):
        return 1
    if column.decimals is not None:
        return 10.0**-column.decimals
    seen = values.dropna().to_numpy(dtype=np.float64)
    for decimals in range(_MAX_DECIMALS + 1):
        scaled = seen * 10.0**decimals
        if np.allclose(scaled, np.round(scaled), rtol=0.0, atol=1e-6):
            return 10.0**-decimals
    return None  # no grain: the next float up


def _step_up(values: pd.Series, table: Table, name: str, column: pd.Series) -> pd.Series:
    step = _step(table, name, column)
    if step is None:
        return pd.Series(np.nextafter(values.to_numpy(np.float64), np.inf), index=values.index)
    return _on_grain(values + step, step)


def _step_down(values: pd.Series, table: Table, name: str, column: pd.Series) -> pd.Series:
    step = _step(table, name, column)
    if step is None:
        return pd.Series(np.nextafter(values.to_numpy(np.float64), -np.inf), index=values.index)
    return _on_grain(values - step, step)


def _on_grain(values: pd.Series, step: object) -> pd.Series:
    """Float sums rounded back onto a decimal grain (1.5 + 0.1 is 1.6, not 1.5999...)."""
    if isinstance(step, float):
        return values.round(max(0, round(-np.log10(step))))
    return values


def _write_back(
    frame: pd.DataFrame, table: Table, name: str, old: pd.Series, new: pd.Series
) -> np.ndarray:
    """Store the repaired rows of ``name`` in the frame's own form; the rows changed."""
    changed = (old.notna() & (old != new)).to_numpy(dtype=bool)
    if not changed.any():
        return changed
    column = table.column(name)
    target = frame[name]
    if (
        column.type is ColumnType.DATETIME
        and column.datetime_format
        and not pd.api.types.is_datetime64_any_dtype(target)
    ):
        replacement = new[changed].dt.strftime(column.datetime_format).to_numpy(dtype=object)
    elif pd.api.types.is_integer_dtype(target):
        replacement = np.round(new[changed].to_numpy(dtype=np.float64)).astype(np.int64)
    else:
        replacement = new[changed].to_numpy()
    values = target.copy()
    values[changed] = replacement
    frame[name] = values
    return changed
