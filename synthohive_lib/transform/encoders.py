"""One encoder per column kind: a column <-> a block of the model's numeric matrix.

Each encoder declares the *spans* of its block (width and output activation) so the generator
can apply the right activation to each span, and restores the column on the way back with its
original dtype, rounding, bounds and nulls. All work is vectorised over rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synthohive_lib import booleans
from synthohive_lib.errors import ModelError
from synthohive_lib.transform.modes import ModeNormalizer
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec

Activation = Literal["tanh", "softmax"]

_SECOND_UNITS = np.array([86_400, 3_600, 60, 1], dtype=np.int64)
_NS = 1_000_000_000


@dataclass(frozen=True)
class Span:
    """A slice of the encoded matrix with one activation (``discrete``: a category one-hot)."""

    start: int
    width: int
    activation: Activation
    column: str
    discrete: bool = False


class ColumnEncoder(ABC):
    """Reversible encoding of one column (fit, transform, inverse, JSON/NumPy state)."""

    def __init__(self, spec: ColumnSpec, *, table: str | None = None) -> None:
        self.spec = spec
        self.table = table

    def _error(self, message: str, fix: str | None = None) -> ModelError:
        return ModelError(message, table=self.table, column=self.spec.name, fix=fix)

    @abstractmethod
    def fit(self, series: pd.Series, rng: np.random.Generator) -> ColumnEncoder: ...

    @abstractmethod
    def spans(self) -> list[tuple[int, Activation, bool]]:
        """(width, activation, discrete) of each span, in order."""

    @property
    def width(self) -> int:
        return sum(w for w, _, _ in self.spans())

    @abstractmethod
    def transform(self, series: pd.Series, rng: np.random.Generator | None) -> np.ndarray: ...

    @abstractmethod
    def inverse(self, block: np.ndarray, rng: np.random.Generator) -> pd.Series: ...

    @abstractmethod
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]: ...

    @abstractmethod
    def load_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None: ...

    def _check_nulls(self, series: pd.Series) -> np.ndarray:
        nulls = series.isna().to_numpy()
        if nulls.any() and not self.spec.nullable:
            raise self._error(
                f"{int(nulls.sum())} null value(s) in a column declared non-nullable",
                fix="fill the nulls or declare the column nullable",
            )
        return nulls


class NumericEncoder(ColumnEncoder):
    """Continuous, integer and datetime columns: mode-specific normalization + null mode.

    The block is ``[alpha | one-hot mode (+ a 'null' mode when the column had nulls)]``: a null
    is just one more mode, so the null rate is learned like any other mode frequency.
    Datetimes become seconds since the epoch and are rounded back to the coarsest unit (day,
    hour, minute, second) that represented every real value.
    """

    def __init__(
        self,
        spec: ColumnSpec,
        normalizer: ModeNormalizer,
        *,
        table: str | None = None,
    ) -> None:
        super().__init__(spec, table=table)
        self.normalizer = normalizer

    # -- conversion between the column and float values ---------------------------------
    def _to_float(self, series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        nulls = self._check_nulls(series)
        if self.spec.kind is ColumnKind.DATETIME:
            if self.spec.datetime_format is not None:
                parsed = pd.to_datetime(series, format=self.spec.datetime_format, errors="coerce")
            else:
                parsed = pd.to_datetime(series, errors="coerce")
            if getattr(parsed.dt, "tz", None) is not None:
                parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
            bad = parsed.isna().to_numpy() & ~nulls
            if bad.any():
                example = series[bad].iloc[0]
                raise self._error(
                    f"value {example!r} is not a datetime"
                    + (
                        f" in format {self.spec.datetime_format!r}"
                        if self.spec.datetime_format
                        else ""
                    ),
                    fix="fix the value or declare the column's datetime format",
                )
            ns = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
            values = np.where(nulls, 0, ns // _NS).astype(np.float64)
            return values, nulls
        try:
            values = pd.to_numeric(series, errors="raise").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
        except (ValueError, TypeError) as exc:
            raise self._error(f"column is declared {self.spec.kind.value} but {exc}") from exc
        if np.isinf(values).any():
            raise self._error(
                "column holds infinite values", fix="replace inf/-inf with nulls or finite values"
            )
        return np.where(nulls, 0.0, values), nulls

    def _from_float(self, values: np.ndarray, nulls: np.ndarray) -> pd.Series:
        spec = self.spec
        # Declared bounds never cut into the range the column was fitted on: a schema whose
        # min/max came from a sample (or an old snapshot) is narrower than the data, and
        # clipping to it would pile real-looking values onto the bound.
        low = self.low_ if spec.min is None else min(spec.min, self.low_)
        high = self.high_ if spec.max is None else max(spec.max, self.high_)
        if spec.kind is ColumnKind.DATETIME or spec.min is not None or spec.max is not None:
            values = np.clip(values, low, high)
        name = spec.name
        if spec.kind is ColumnKind.DATETIME:
            unit = self.unit_seconds_
            seconds = np.round(values / unit).astype(np.int64) * unit
            stamps = pd.Series(pd.to_datetime(seconds * _NS), name=name)
            stamps[nulls] = pd.NaT
            if spec.datetime_format is not None:
                text = stamps.dt.strftime(spec.datetime_format).astype(object)
                text[nulls] = None
                return text
            if self.tz_ is not None:
                stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(self.tz_)
            return stamps.astype(self.dtype_)
        if spec.kind is ColumnKind.INTEGER:
            values = np.round(values)
        elif spec.decimals is not None:
            values = np.round(values, spec.decimals)
        if nulls.any():
            values = np.where(nulls, np.nan, values)
        out = pd.Series(values, name=name)
        dtype = self.dtype_
        if spec.kind is ColumnKind.INTEGER and nulls.any() and _is_integer_dtype(dtype):
            dtype = "Int64"
        try:
            return out.astype(dtype)
        except (TypeError, ValueError):
            return out

    # -- encoder protocol ----------------------------------------------------------------
    def fit(self, series: pd.Series, rng: np.random.Generator) -> NumericEncoder:
        real = self.fit_output(series)
        self.normalizer.fit(real, rng)
        return self

    def fit_output(self, series: pd.Series) -> np.ndarray:
        """Learn only what decoding back to the column needs (dtype, time zone, observed
        range, null presence, datetime unit) and return the non-null float values.

        A column encoded through another representation (the residual of a dependent pair)
        keeps an encoder fitted this way, so that its rounding, bounds and dtype are restored
        by the same code as every other number's."""
        self.dtype_ = str(series.dtype) if self.spec.datetime_format is None else "object"
        self.tz_ = str(series.dt.tz) if getattr(getattr(series, "dt", None), "tz", None) else None
        if self.spec.kind is ColumnKind.DATETIME and self.tz_ is not None:
            self.dtype_ = f"datetime64[ns, {self.tz_}]"
        values, nulls = self._to_float(series)
        real = values[~nulls]
        if len(real) == 0:
            raise self._error(
                "column has only nulls", fix="drop the column or fill it before fitting"
            )
        self.low_, self.high_ = float(real.min()), float(real.max())
        if self.low_ == self.high_:
            raise self._error(
                f"column is constant ({self.low_!r}); a constant carries no distribution to learn",
                fix="drop the column before fitting and add the constant back after sampling, "
                "or declare it categorical",
            )
        self.has_nulls_ = bool(nulls.any())
        if self.spec.kind is ColumnKind.DATETIME:
            whole = real.astype(np.int64)
            divides = (whole[:, None] % _SECOND_UNITS[None, :] == 0).all(axis=0)
            self.unit_seconds_ = int(_SECOND_UNITS[np.argmax(divides)])
        return real

    def spans(self) -> list[tuple[int, Activation, bool]]:
        return [
            (1, "tanh", False),
            (self.normalizer.n_modes + int(self.has_nulls_), "softmax", False),
        ]

    def transform(self, series: pd.Series, rng: np.random.Generator | None) -> np.ndarray:
        values, nulls = self._to_float(series)
        alpha, mode = self.normalizer.transform(values, rng)
        n_modes = self.normalizer.n_modes
        if nulls.any():
            if not self.has_nulls_:
                raise self._error(
                    "nulls in a column that had none when the model was fitted",
                    fix="fill the nulls or refit with nulls present",
                )
            alpha = np.where(nulls, 0.0, alpha)
            mode = np.where(nulls, n_modes, mode)
        block = np.zeros((len(values), self.width), dtype=np.float32)
        block[:, 0] = alpha
        block[np.arange(len(values)), 1 + mode] = 1.0
        return block

    def inverse(self, block: np.ndarray, rng: np.random.Generator) -> pd.Series:
        return self.inverse_parts(block[:, 0], block[:, 1:].argmax(axis=1))

    def inverse_parts(self, alpha: np.ndarray, choice: np.ndarray) -> pd.Series:
        """The column from its alpha and its chosen mode slot (the argmax of the one-hot)."""
        n_modes = self.normalizer.n_modes
        nulls = choice >= n_modes
        values = self.normalizer.inverse(alpha.astype(np.float64), np.minimum(choice, n_modes - 1))
        return self._from_float(values, nulls)

    def to_float(self, series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(float values with nulls as 0, null mask): seconds for datetimes."""
        return self._to_float(series)

    def from_float(self, values: np.ndarray, nulls: np.ndarray) -> pd.Series:
        """The column from float values: rounding, bounds, dtype and nulls restored."""
        return self._from_float(values, nulls)

    def output_state(self) -> dict[str, Any]:
        """JSON-able state of :meth:`fit_output` (no modes)."""
        return {
            "dtype": self.dtype_,
            "tz": self.tz_,
            "low": self.low_,
            "high": self.high_,
            "has_nulls": self.has_nulls_,
            "unit_seconds": getattr(self, "unit_seconds_", None),
        }

    def load_output_state(self, meta: dict[str, Any]) -> NumericEncoder:
        self.dtype_, self.tz_ = meta["dtype"], meta["tz"]
        self.low_, self.high_ = meta["low"], meta["high"]
        self.has_nulls_ = meta["has_nulls"]
        if meta["unit_seconds"] is not None:
            self.unit_seconds_ = int(meta["unit_seconds"])
        return self

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {**self.output_state(), "modes": self.normalizer.state()}, {}

    def load_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.load_output_state(meta)
        self.normalizer.load_state(meta["modes"])


_JSON_SCALARS = (str, int, float, bool)


def _is_integer_dtype(dtype: str) -> bool:
    """NumPy (``int64``) and pandas nullable (``Int64``) integer dtypes alike."""
    try:
        return bool(pd.api.types.is_integer_dtype(pd.api.types.pandas_dtype(dtype)))
    except TypeError:
        return False


class CategoricalEncoder(ColumnEncoder):
    """One-hot over categories, a slot for null, rare values pooled into one 'other' slot.

    Columns with more than ``max_categories`` distinct values keep the most frequent ones;
    the rest share one 'other' slot and are drawn back by their real frequencies, so memory
    stays bounded while marginals are preserved.
    """

    def __init__(
        self, spec: ColumnSpec, *, max_categories: int = 100, table: str | None = None
    ) -> None:
        super().__init__(spec, table=table)
        self.max_categories = max_categories

    def _values(self, series: pd.Series) -> pd.Series:
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        return series

    def fit(self, series: pd.Series, rng: np.random.Generator) -> CategoricalEncoder:
        nulls = self._check_nulls(series)
        self.dtype_ = str(series.dtype)
        counts = self._values(series).value_counts(dropna=True)
        if counts.empty:
            raise self._error("column has only nulls", fix="drop the column or fill it")
        values = counts.index.tolist()
        if not all(isinstance(v, _JSON_SCALARS) for v in values):
            raise self._error(
                "categories must be strings, numbers or booleans",
                fix="convert the column to strings before fitting",
            )
        keep = len(values) if len(values) <= self.max_categories else self.max_categories - 1
        self.categories_ = values[:keep]
        self.pooled_ = values[keep:]
        pooled_counts = counts.to_numpy()[keep:].astype(np.float64)
        self.pooled_p_ = (
            pooled_counts / pooled_counts.sum() if len(pooled_counts) else pooled_counts
        )
        self.has_nulls_ = bool(nulls.any())
        return self

    @property
    def _other_slot(self) -> int | None:
        return len(self.categories_) if self.pooled_ else None

    @property
    def _null_slot(self) -> int | None:
        return len(self.categories_) + int(bool(self.pooled_)) if self.has_nulls_ else None

    def spans(self) -> list[tuple[int, Activation, bool]]:
        width = len(self.categories_) + int(bool(self.pooled_)) + int(self.has_nulls_)
        return [(width, "softmax", True)]

    def codes(self, series: pd.Series) -> np.ndarray:
        """Slot index of every value; unknown values are an error naming the column."""
        series = self._values(series)
        nulls = self._check_nulls(series)
        codes = pd.Categorical(series, categories=self.categories_).codes.astype(np.int64)
        unmatched = (codes < 0) & ~nulls
        if unmatched.any() and self.pooled_:
            pooled = unmatched & series.isin(self.pooled_).to_numpy()
            codes[pooled] = self._other_slot
            unmatched &= ~pooled
        if unmatched.any():
            example = series[unmatched].iloc[0]
            raise self._error(
                f"{int(unmatched.sum())} value(s) never seen when fitting, e.g. {example!r}",
                fix="map the values onto known categories or refit on data that contains them",
            )
        if nulls.any():
            if self._null_slot is None:
                raise self._error(
                    "nulls in a column that had none when the model was fitted",
                    fix="fill the nulls or refit with nulls present",
                )
            codes[nulls] = self._null_slot
        return codes

    def transform(self, series: pd.Series, rng: np.random.Generator | None) -> np.ndarray:
        codes = self.codes(series)
        block = np.zeros((len(codes), self.width), dtype=np.float32)
        block[np.arange(len(codes)), codes] = 1.0
        return block

    def inverse(self, block: np.ndarray, rng: np.random.Generator) -> pd.Series:
        return self.inverse_codes(block.argmax(axis=1), rng)

    def inverse_codes(self, codes: np.ndarray, rng: np.random.Generator) -> pd.Series:
        """The column from each row's slot (the argmax of the one-hot)."""
        lookup = np.empty(self.width, dtype=object)
        lookup[: len(self.categories_)] = self.categories_
        values = lookup[codes]
        if self._other_slot is not None:
            other = codes == self._other_slot
            values[other] = np.asarray(self.pooled_, dtype=object)[
                rng.choice(len(self.pooled_), int(other.sum()), p=self.pooled_p_)
            ]
        nulls = (
            codes == self._null_slot if self._null_slot is not None else np.zeros(len(codes), bool)
        )
        values[nulls] = None
        out = pd.Series(values, name=self.spec.name, dtype=object)
        return self._restore_dtype(out, nulls)

    def _restore_dtype(self, out: pd.Series, nulls: np.ndarray) -> pd.Series:
        dtype = self.dtype_
        if dtype in ("object", "category", "string", "str"):
            return out.astype(dtype) if dtype != "object" else out
        kind = np.dtype(dtype).kind if dtype not in ("boolean", "Int64") else "O"
        if nulls.any() and kind == "b":
            return out.astype("boolean")
        if nulls.any() and kind in "iu":
            return out.astype("Int64")
        try:
            return out.astype(dtype)
        except (TypeError, ValueError):
            return out

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "dtype": self.dtype_,
            "categories": self.categories_,
            "pooled": self.pooled_,
            "pooled_p": self.pooled_p_.tolist(),
            "has_nulls": self.has_nulls_,
        }
        return meta, {}

    def load_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.dtype_ = meta["dtype"]
        self.categories_ = list(meta["categories"])
        self.pooled_ = list(meta["pooled"])
        self.pooled_p_ = np.asarray(meta["pooled_p"], dtype=np.float64)
        self.has_nulls_ = bool(meta["has_nulls"])


class BooleanEncoder(CategoricalEncoder):
    """Booleans: a two-category one-hot (plus null) that comes back as the column stored it.

    Native booleans (and 0/1 integers) come back as ``bool`` / ``boolean``. Booleans stored as
    text (``'Y'/'N'``, ``'yes'/'no'``, ``'1'/'0'`` ...) are mapped onto True/False through the
    column's vocabulary (``spec.true_value``/``spec.false_value``, else the spellings found in
    the fitted values) and written back with the same spellings, so synthetic rows hold
    ``'Y'``/``'N'`` again. A value outside the vocabulary is a :class:`ModelError` naming it.
    """

    def _as_bool(self, series: pd.Series) -> pd.Series:
        """The column as True/False/null objects (text mapped through the vocabulary)."""
        if not booleans.is_text(series):
            return series.astype(object)
        true_value, false_value = self.vocabulary_
        bad = booleans.outside_vocabulary(series, true_value, false_value).to_numpy()
        if bad.any():
            raise self._error(
                f"{int(bad.sum())} value(s) outside the boolean vocabulary "
                f"(true_value {true_value!r}, false_value {false_value!r}), "
                f"e.g. {series[bad].iloc[0]!r}",
                fix="map those values onto the two spellings at the source, or declare the "
                "column type: categorical in schema.yaml",
            )
        flags = booleans.to_bool(series, true_value, false_value)
        return flags.astype(object).where(flags.notna(), None)

    def fit(self, series: pd.Series, rng: np.random.Generator) -> BooleanEncoder:
        spec = self.spec
        self.text_ = booleans.is_text(series)
        if self.text_ and spec.true_value is not None and spec.false_value is not None:
            self.vocabulary_ = (spec.true_value, spec.false_value)
        elif self.text_:
            self._check_tokens(series)
            self.vocabulary_ = booleans.learnt_spellings(series)
        else:
            self.vocabulary_ = (None, None)
        super().fit(self._as_bool(series), rng)
        self.dtype_ = str(series.dtype)
        self.categories_, self.pooled_, self.pooled_p_ = [False, True], [], np.zeros(0)
        return self

    def _check_tokens(self, series: pd.Series) -> None:
        bad = booleans.outside_vocabulary(series, None, None).to_numpy()
        if bad.any():
            raise self._error(
                f"{int(bad.sum())} value(s) are not a true/false token, e.g. "
                f"{series[bad].iloc[0]!r}",
                fix="declare the column type: categorical in schema.yaml, or clean the values",
            )

    def codes(self, series: pd.Series) -> np.ndarray:
        if getattr(self, "text_", False):
            return super().codes(self._as_bool(series))
        return super().codes(series.astype(object))

    def _restore_dtype(self, out: pd.Series, nulls: np.ndarray) -> pd.Series:
        if getattr(self, "text_", False):
            true_value, false_value = self.vocabulary_
            text = out.map({True: true_value, False: false_value}).astype(object)
            return text.where(~nulls, None)
        if self.dtype_ == "object":
            return out
        return out.astype("boolean" if nulls.any() or self.dtype_ == "boolean" else bool)

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta, arrays = super().state()
        if getattr(self, "text_", False):
            meta["vocabulary"] = list(self.vocabulary_)
        return meta, arrays

    def load_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        super().load_state(meta, arrays)
        vocabulary = meta.get("vocabulary")  # absent in artifacts saved before text booleans
        self.text_ = vocabulary is not None
        self.vocabulary_ = tuple(vocabulary) if vocabulary is not None else (None, None)


class DiscreteNumericEncoder(CategoricalEncoder):
    """A number with only a few distinct values (prices 0.99/1.99, a 1-5 rating): one-hot.

    Such a column is a set of levels rather than a quantity. As a category its span is
    *discrete*, so CTGAN's conditional vector and training-by-sampling cover it: a rare level
    (the 6 % of tracks priced 1.99) is shown to the generator as often as the common one, and
    the generator learns what the other columns look like at that level (long, large video
    files). Decoding gives back exactly the real values in the original numeric dtype, clipped
    to declared bounds.
    """

    def fit(self, series: pd.Series, rng: np.random.Generator) -> DiscreteNumericEncoder:
        numbers = pd.to_numeric(series, errors="raise")
        super().fit(numbers.astype(object).where(numbers.notna(), None), rng)
        self.dtype_ = str(series.dtype)
        self.categories_ = [float(v) for v in self.categories_]
        self.pooled_ = [float(v) for v in self.pooled_]
        return self

    def codes(self, series: pd.Series) -> np.ndarray:
        numbers = pd.to_numeric(series, errors="raise").astype(np.float64)
        return super().codes(numbers.astype(object).where(numbers.notna(), None))

    def _restore_dtype(self, out: pd.Series, nulls: np.ndarray) -> pd.Series:
        values = out.to_numpy(dtype=np.float64, na_value=np.nan)
        low, high = self.spec.min, self.spec.max
        if low is not None or high is not None:
            # every level is a real value: a declared bound narrower than the data that was
            # fitted never moves one (the bound widens to the levels' range)
            levels = [*self.categories_, *self.pooled_]
            if low is not None:
                low = min(low, *levels) if levels else low
            if high is not None:
                high = max(high, *levels) if levels else high
            values = np.clip(values, low, high)
        number = pd.Series(values, name=self.spec.name)
        dtype = self.dtype_
        if nulls.any() and _is_integer_dtype(dtype):
            dtype = "Int64"
        try:
            return number.astype(dtype)
        except (TypeError, ValueError):
            return number


def is_discrete_number(values: pd.Series, max_values: int) -> bool:
    """True when a numeric column holds at most ``max_values`` distinct non-null values."""
    return 1 < values.dropna().nunique() <= max_values
