"""DataTransformer: a whole table <-> the float matrix the GAN trains on.

It owns one encoder per column (chosen by the column's :class:`ColumnSpec` kind), concatenates
their blocks, and records the spans (slices with one activation each) that the generator's
output layer and the conditional sampler need. Free-text columns are not part of the matrix:
each has its own :class:`MarkovText` model and is generated independently on the way back.
The fitted state is plain JSON plus NumPy arrays, so it can be saved without pickle.

Columns that are (almost) a function of a categorical column (``education-num`` of
``education``) are left out of the matrix and rebuilt from the decoded category through the real
mapping (:mod:`.determined`).

A number that holds one value apart from nulls (``0`` or null) is not a distribution: it is
rebuilt as that constant at the real null rate (:mod:`.constants`).

Identifiers that are not keys (``ColumnKind.IDENTIFIER``, and any categorical column with more
than ``max_categories`` values, 90 % of them distinct) are not in the matrix either: they are
regenerated in their real format and never equal a real value (:mod:`.identifiers`).

Columns that are null together in the real data (a joint income null exactly when the
application is individual) are kept null together: the co-nullity rules are learned at fit
time and enforced at the end of every decode (:mod:`.nulls`).

Strongly dependent numeric pairs (``Bytes`` ~ ``Milliseconds``) are detected at fit time and the
dependent column is encoded as the residual of a fit on its partner (:mod:`.pairs`); the
generator then learns the residual, and decoding rebuilds the column from its decoded partner.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import EmptyTableError, ModelError
from synthohive_lib.transform.constants import ConstantColumn, detect_constant
from synthohive_lib.transform.determined import (
    DeterminedColumn,
    detect_determined_columns,
    fit_mapping,
)
from synthohive_lib.transform.encoders import (
    BooleanEncoder,
    CategoricalEncoder,
    ColumnEncoder,
    DiscreteNumericEncoder,
    NumericEncoder,
    Span,
    is_discrete_number,
)
from synthohive_lib.transform.identifiers import IdentifierModel, is_near_unique
from synthohive_lib.transform.modes import ModeNormalizer
from synthohive_lib.transform.nulls import NullStructure
from synthohive_lib.transform.pairs import DependentPair, detect_dependent_pairs
from synthohive_lib.transform.specs import NUMERIC_KINDS, ColumnKind, ColumnSpec, infer_column_specs
from synthohive_lib.transform.text import MarkovText


class DataTransformer:
    """Reversible, vectorised encoding of a table (see module docstring).

    Hyper-parameters: ``max_modes`` (GMM components per number), ``gmm_sample_rows`` (rows the
    mixture is fitted on), ``gmm_max_iter``, ``max_categories`` (beyond it rare categories are
    pooled), ``text_order`` (Markov order for free text), ``pair_threshold`` (dependence,
    ``max(|Pearson|, |Spearman|)``, from which a numeric pair is encoded as partner + residual;
    ``None`` turns it off) and ``pair_min_unique`` (distinct values a column needs to take part
    in a pair as a quantity), ``level_max_values`` (a column with 2 to this many distinct values
    may follow a dependent quantity as a level pair), ``discrete_max_values`` (an integer or
    continuous column with at most this many distinct values, and no level pair, is one-hot
    encoded as levels so the conditional vector covers it; 0, the default, turns it off),
    ``determined_threshold`` (share of real rows a categorical key must predict a column's value
    on for that column to be derived from the key; ``None`` turns it off) and
    ``determined_min_rows_per_key`` (real rows per key value needed before a key is trusted)
    and ``null_min_gain`` (share of a column's null/non-null uncertainty a category or another
    column's null-ness must explain to govern its nulls in the output; ``None`` turns co-nullity
    rules off).
    """

    def __init__(
        self,
        specs: list[ColumnSpec] | None = None,
        *,
        max_modes: int = 10,
        gmm_sample_rows: int = 20_000,
        gmm_max_iter: int = 30,
        max_categories: int = 100,
        text_order: int = 3,
        pair_threshold: float | None = 0.9,
        pair_min_unique: int = 20,
        level_max_values: int = 5,
        discrete_max_values: int = 0,
        determined_threshold: float | None = 0.995,
        determined_min_rows_per_key: int = 10,
        null_min_gain: float | None = 0.5,
        table: str | None = None,
    ) -> None:
        self.specs = specs
        self.max_modes = max_modes
        self.gmm_sample_rows = gmm_sample_rows
        self.gmm_max_iter = gmm_max_iter
        self.max_categories = max_categories
        self.text_order = text_order
        self.pair_threshold = pair_threshold
        self.pair_min_unique = pair_min_unique
        self.level_max_values = level_max_values
        self.discrete_max_values = discrete_max_values
        self.determined_threshold = determined_threshold
        self.determined_min_rows_per_key = determined_min_rows_per_key
        self.null_min_gain = null_min_gain
        self.table = table

    # -- construction ---------------------------------------------------------------------
    def _make_encoder(self, spec: ColumnSpec, discrete: bool = False) -> ColumnEncoder | MarkovText:
        if discrete:
            return DiscreteNumericEncoder(
                spec, max_categories=self.max_categories, table=self.table
            )
        if spec.kind in NUMERIC_KINDS:
            normalizer = ModeNormalizer(
                max_modes=self.max_modes,
                sample_rows=self.gmm_sample_rows,
                max_iter=self.gmm_max_iter,
            )
            return NumericEncoder(spec, normalizer, table=self.table)
        if spec.kind is ColumnKind.BOOLEAN:
            return BooleanEncoder(spec, table=self.table)
        if spec.kind is ColumnKind.CATEGORICAL:
            return CategoricalEncoder(spec, max_categories=self.max_categories, table=self.table)
        return MarkovText(order=self.text_order)

    def _build_spans(self) -> None:
        spans: list[Span] = []
        start = 0
        for name, encoder in self.encoders_.items():
            for width, activation, discrete in encoder.spans():
                spans.append(Span(start, width, activation, name, discrete))
                start += width
        self.spans_ = spans
        self.output_dim_ = start

    def _check_frame(self, df: pd.DataFrame, *, fitting: bool) -> None:
        if len(df) == 0:
            raise EmptyTableError(
                "the frame has no rows", table=self.table, fix="pass at least one row"
            )
        if not fitting:
            expected = [s.name for s in self.specs]
            missing = [c for c in expected if c not in df.columns]
            extra = [c for c in df.columns if c not in expected]
            if missing or extra:
                raise ModelError(
                    f"columns do not match the fitted ones (missing {missing}, unexpected {extra})",
                    table=self.table,
                    column=(missing or extra)[0],
                    fix="pass exactly the columns the transformer was fitted on",
                )

    # -- public API -----------------------------------------------------------------------
    def fit(self, df: pd.DataFrame, rng: np.random.Generator | None = None) -> DataTransformer:
        """Learn every column's encoding from ``df`` (specs are inferred when not given)."""
        rng = rng if rng is not None else np.random.default_rng(0)
        if df.shape[0] == 0 or df.shape[1] == 0:
            raise EmptyTableError(
                f"cannot fit a transformer on a frame of shape {df.shape}",
                table=self.table,
                fix="pass a frame with at least one row and one column",
            )
        if self.specs is None:
            self.specs = infer_column_specs(df, table=self.table)
        self._check_frame(df, fitting=False)
        self.columns_ = [s.name for s in self.specs]
        self.source_columns_ = list(df.columns)
        self.encoders_: dict[str, ColumnEncoder] = {}
        self.text_models_: dict[str, MarkovText] = {}
        for spec in self.specs:
            if df[spec.name].isna().all():
                raise ModelError(
                    "column has only nulls, so its distribution cannot be learned",
                    table=self.table,
                    column=spec.name,
                    fix="drop the column or fill it before fitting",
                )
        self.constants_: dict[str, ConstantColumn] = {}
        for spec in self.specs:
            constant = detect_constant(spec, df[spec.name])
            if constant is not None:
                self.constants_[spec.name] = constant
        self.identifiers_: dict[str, IdentifierModel] = {}
        for spec in self.specs:
            if spec.kind is ColumnKind.IDENTIFIER or (
                spec.kind is ColumnKind.CATEGORICAL
                and is_near_unique(df[spec.name], min_distinct=self.max_categories)
            ):
                self.identifiers_[spec.name] = IdentifierModel().fit(df[spec.name], rng)
        self._fit_nulls(df)
        self._fit_determined(df, rng)
        self._fit_pairs(df)
        self.discrete_numbers_ = [
            s.name
            for s in self.specs
            if s.kind in (ColumnKind.INTEGER, ColumnKind.CONTINUOUS)
            and s.name not in self.pair_outputs_
            and s.name not in self.determined_outputs_
            and s.name not in self.constants_
            and is_discrete_number(df[s.name], self.discrete_max_values)
        ]
        encoded = self._encoded_input(df)
        for spec in self.specs:
            if self._outside_matrix(spec.name):
                continue
            encoder = self._make_encoder(
                self._encoded_spec(spec), discrete=spec.name in self.discrete_numbers_
            )
            if isinstance(encoder, MarkovText):
                self.text_models_[spec.name] = encoder.fit(df[spec.name], rng)
            else:
                self.encoders_[spec.name] = encoder.fit(encoded[spec.name], rng)
        self._build_spans()
        return self

    def _outside_matrix(self, name: str) -> bool:
        """Columns rebuilt without an encoder: derived from a key, constants, identifiers."""
        return (
            name in self.determined_outputs_ or name in self.constants_ or name in self.identifiers_
        )

    # -- co-nullity -----------------------------------------------------------------------
    def _fit_nulls(self, df: pd.DataFrame) -> None:
        """Learn which columns are null together (no random draw from the caller's stream)."""
        if self.null_min_gain is None:
            self.nulls_ = NullStructure()
            return
        categories = [
            s.name
            for s in self.specs
            if s.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
            and s.name not in self.identifiers_
        ]
        self.nulls_ = NullStructure.fit(
            df[self.columns_],
            categories=categories,
            min_gain=self.null_min_gain,
            max_categories=self.max_categories,
            sample_rows=self.gmm_sample_rows,
        )

    @property
    def null_structure(self) -> NullStructure:
        """The co-nullity rules found at fit time (enforced by every decode)."""
        return self.nulls_

    # -- determined columns ---------------------------------------------------------------
    _DETERMINABLE = (
        ColumnKind.CONTINUOUS,
        ColumnKind.INTEGER,
        ColumnKind.CATEGORICAL,
        ColumnKind.BOOLEAN,
    )

    def _fit_determined(self, df: pd.DataFrame, rng: np.random.Generator) -> None:
        """Find columns determined by a categorical key; fit an output encoder for each."""
        self.determined_: list[DeterminedColumn] = []
        self.determined_outputs_: dict[str, ColumnEncoder] = {}
        if self.determined_threshold is None:
            return
        keys = [
            s.name
            for s in self.specs
            if s.kind is ColumnKind.CATEGORICAL and s.name not in self.identifiers_
        ]
        candidates = [
            s.name
            for s in self.specs
            if s.kind in self._DETERMINABLE
            and s.name not in self.constants_
            and s.name not in self.identifiers_
        ]
        if not keys or len(candidates) < 2:
            return
        found = detect_determined_columns(
            df,
            keys,
            candidates,
            threshold=self.determined_threshold,
            max_categories=self.max_categories,
            min_rows_per_key=self.determined_min_rows_per_key,
            sample_rows=self.gmm_sample_rows,
            # Its own fixed stream, like pair detection: the caller's stream stays as it was.
            rng=np.random.default_rng(1),
        )
        for column, key, score in found:
            spec = next(s for s in self.specs if s.name == column)
            encoder = self._determined_output(spec)
            if isinstance(encoder, NumericEncoder):
                encoder.fit_output(df[column])
                values, nulls = encoder.to_float(df[column])
                targets = np.where(nulls, None, values.astype(object))
            else:
                encoder.fit(df[column], rng)
                if encoder.pooled_:  # too many values to map one by one: leave it to the GAN
                    continue
                targets = encoder.codes(df[column]).astype(object)
            self.determined_.append(fit_mapping(df[key], targets, column, score))
            self.determined_outputs_[column] = encoder

    def _determined_output(self, spec: ColumnSpec) -> ColumnEncoder:
        if spec.kind in NUMERIC_KINDS:
            return self._numeric_output(spec)
        if spec.kind is ColumnKind.BOOLEAN:
            return BooleanEncoder(spec, table=self.table)
        return CategoricalEncoder(spec, max_categories=self.max_categories, table=self.table)

    def _restore_determined(self, columns: dict[str, pd.Series], rng: np.random.Generator) -> None:
        """Rebuild each determined column from its decoded key."""
        for determined in self.determined_:
            targets = determined.lookup(columns[determined.key])
            encoder = self.determined_outputs_[determined.column]
            if isinstance(encoder, NumericEncoder):
                nulls = pd.isna(targets)  # vectorised: a null number's target is None
                values = np.where(nulls, 0.0, targets).astype(np.float64)
                restored = encoder.from_float(values, nulls)
            else:
                assert isinstance(encoder, CategoricalEncoder)
                restored = encoder.inverse_codes(targets.astype(np.int64), rng)
            columns[determined.column] = restored.reset_index(drop=True)

    @property
    def determined_columns(self) -> list[DeterminedColumn]:
        """The columns derived from a categorical key (found at fit time)."""
        return list(self.determined_)

    # -- dependent pairs ------------------------------------------------------------------
    def _fit_pairs(self, df: pd.DataFrame) -> None:
        """Detect dependent numeric pairs; fit an output encoder for each dependent column."""
        self.pairs_: list[DependentPair] = []
        self.pair_outputs_: dict[str, NumericEncoder] = {}
        if self.pair_threshold is None:
            return
        numeric = [
            s
            for s in self.specs
            if s.kind in NUMERIC_KINDS
            and s.name not in self.determined_outputs_
            and s.name not in self.constants_
        ]
        if len(numeric) < 2:
            return
        outputs = {s.name: self._numeric_output(s) for s in numeric}
        values = {name: enc.to_float(df[name]) for name, enc in outputs.items()}
        pairs = detect_dependent_pairs(
            values,
            threshold=self.pair_threshold,
            sample_rows=self.gmm_sample_rows,
            min_unique=self.pair_min_unique,
            level_max_values=self.level_max_values,
            # A fixed stream: detection only picks the rows it measures on, and the caller's
            # stream (hence every model fitted before pairs existed) stays as it was.
            rng=np.random.default_rng(0),
        )
        for pair in pairs:
            encoder = outputs[pair.column]
            encoder.fit_output(df[pair.column])
            self.pair_outputs_[pair.column] = encoder
        self.pairs_ = pairs

    def _numeric_output(self, spec: ColumnSpec) -> NumericEncoder:
        return NumericEncoder(spec, ModeNormalizer(), table=self.table)

    def _encoded_spec(self, spec: ColumnSpec) -> ColumnSpec:
        """The spec of what is encoded: a dependent column's residual is an unbounded float."""
        if spec.name in self.pair_outputs_:
            return ColumnSpec(spec.name, ColumnKind.CONTINUOUS, nullable=spec.nullable)
        return spec

    def _encoded_input(self, df: pd.DataFrame) -> dict[str, pd.Series]:
        """The columns as encoded: each dependent column replaced by its residual (null where
        the column is null)."""
        columns = {name: df[name] for name in df.columns}
        for pair in self.pairs_:
            y, y_null = self.pair_outputs_[pair.column].to_float(df[pair.column])
            x, x_null = self._partner_floats(pair, df[pair.partner])
            residual = pair.residual(y, x, x_null)
            columns[pair.column] = pd.Series(
                np.where(y_null, np.nan, residual), index=df.index, name=pair.column
            )
        return columns

    def _partner_floats(
        self, pair: DependentPair, series: pd.Series
    ) -> tuple[np.ndarray, np.ndarray]:
        encoder = self.encoders_.get(pair.partner)
        if not isinstance(encoder, NumericEncoder):  # while fitting, before the encoders
            spec = next(s for s in self.specs if s.name == pair.partner)
            encoder = self._numeric_output(spec)
        return encoder.to_float(series)

    def _restore_pairs(self, columns: dict[str, pd.Series]) -> None:
        """Rebuild each dependent column from its decoded residual and decoded partner."""
        for pair in self.pairs_:
            residual = columns[pair.column].to_numpy(dtype=np.float64, na_value=np.nan)
            nulls = np.isnan(residual)
            x, x_null = self._partner_floats(pair, columns[pair.partner])
            values = pair.restore(np.where(nulls, 0.0, residual), x, x_null)
            restored = self.pair_outputs_[pair.column].from_float(values, nulls)
            columns[pair.column] = restored.reset_index(drop=True)

    @property
    def dependent_pairs(self) -> list[DependentPair]:
        """The (dependent column, partner) pairs found at fit time."""
        return list(self.pairs_)

    @property
    def spans(self) -> list[Span]:
        """Spans of the encoded matrix in order (used for activations and conditioning)."""
        return self.spans_

    @property
    def output_dim(self) -> int:
        return self.output_dim_

    @property
    def discrete_spans(self) -> list[Span]:
        """Category one-hot spans: the columns the conditional vector can select."""
        return [s for s in self.spans_ if s.discrete]

    def transform(self, df: pd.DataFrame, rng: np.random.Generator | None = None) -> np.ndarray:
        """Encode ``df`` as a float32 matrix of shape ``(len(df), output_dim)``.

        With ``rng`` each number's mode is drawn from its posterior (training); without, the
        most likely mode is used (deterministic, for conditioning context).
        """
        self._check_frame(df, fitting=False)
        encoded = self._encoded_input(df) if self.pairs_ else df
        # Each column's block goes straight into its slice of one preallocated matrix: the
        # peak is the matrix plus one block, not every block plus their concatenation (on a
        # 300,000 x 40 table that is ~1 GB less).
        matrix = np.empty((len(df), self.output_dim_), dtype=np.float32)
        offset = 0
        for name, enc in self.encoders_.items():
            block = enc.transform(encoded[name], rng)
            matrix[:, offset : offset + block.shape[1]] = block
            offset += block.shape[1]
        return matrix

    def inverse_transform(self, matrix: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
        """Decode a matrix back into the original columns, order and dtypes."""
        matrix = np.asarray(matrix)
        n = matrix.shape[0]
        columns: dict[str, pd.Series] = {}
        offset = 0
        for name, enc in self.encoders_.items():
            width = enc.width
            columns[name] = enc.inverse(matrix[:, offset : offset + width], rng).reset_index(
                drop=True
            )
            offset += width
        self._restore_determined(columns, rng)
        self._restore_pairs(columns)
        for name, model in self.text_models_.items():
            columns[name] = pd.Series(model.sample(n, rng, column=name), name=name, dtype=object)
        for name, constant in self.constants_.items():
            columns[name] = constant.sample(n, rng)
        for name, identifier in self.identifiers_.items():
            columns[name] = identifier.sample(n, rng, column=name)
        self.nulls_.apply(columns, rng)
        return pd.DataFrame({name: columns[name] for name in self.source_columns_})

    def inverse_from_codes(
        self, alphas: np.ndarray, codes: np.ndarray, rng: np.random.Generator
    ) -> pd.DataFrame:
        """Decode from the parts that decoding uses, already separated (the fast path).

        ``alphas`` holds the value of every ``tanh`` span and ``codes`` the chosen slot (argmax)
        of every ``softmax`` span, both in span order: the same result as
        :meth:`inverse_transform` of a matrix whose spans have those values and argmaxes.
        """
        n = codes.shape[0]
        columns: dict[str, pd.Series] = {}
        tanh_i = 0
        for soft_i, (name, enc) in enumerate(self.encoders_.items()):
            if isinstance(enc, NumericEncoder):
                columns[name] = enc.inverse_parts(alphas[:, tanh_i], codes[:, soft_i])
                tanh_i += 1
            else:
                assert isinstance(enc, CategoricalEncoder)
                columns[name] = enc.inverse_codes(codes[:, soft_i], rng)
        self._restore_determined(columns, rng)
        self._restore_pairs(columns)
        for name, model in self.text_models_.items():
            columns[name] = pd.Series(model.sample(n, rng, column=name), name=name, dtype=object)
        for name, constant in self.constants_.items():
            columns[name] = constant.sample(n, rng)
        for name, identifier in self.identifiers_.items():
            columns[name] = identifier.sample(n, rng, column=name)
        self.nulls_.apply(columns, rng)
        return pd.DataFrame({name: columns[name] for name in self.source_columns_}, copy=False)

    # -- persistence ----------------------------------------------------------------------
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able metadata, named NumPy arrays) that fully describe the fitted transformer."""
        meta: dict[str, Any] = {
            "params": {
                "max_modes": self.max_modes,
                "gmm_sample_rows": self.gmm_sample_rows,
                "gmm_max_iter": self.gmm_max_iter,
                "max_categories": self.max_categories,
                "text_order": self.text_order,
                "pair_threshold": self.pair_threshold,
                "pair_min_unique": self.pair_min_unique,
                "level_max_values": self.level_max_values,
                "discrete_max_values": self.discrete_max_values,
                "determined_threshold": self.determined_threshold,
                "determined_min_rows_per_key": self.determined_min_rows_per_key,
                "null_min_gain": self.null_min_gain,
                "table": self.table,
            },
            "specs": [s.to_dict() for s in self.specs],
            "source_columns": self.source_columns_,
            "encoders": {},
            "text": {},
            "pairs": [p.to_dict() for p in self.pairs_],
            "discrete_numbers": list(self.discrete_numbers_),
            "pair_outputs": {n: e.output_state() for n, e in self.pair_outputs_.items()},
            "determined": [d.to_dict() for d in self.determined_],
            "constants": [c.to_dict() for c in self.constants_.values()],
            "nulls": self.nulls_.to_dict(),
            "determined_outputs": {
                n: e.output_state() if isinstance(e, NumericEncoder) else e.state()[0]
                for n, e in self.determined_outputs_.items()
            },
        }
        arrays: dict[str, np.ndarray] = {}
        for name, enc in self.encoders_.items():
            meta["encoders"][name], _ = enc.state()
        for i, (name, model) in enumerate(self.text_models_.items()):
            text_meta, text_arrays = model.state()
            meta["text"][name] = {**text_meta, "key": f"text{i}"}
            for key, value in text_arrays.items():
                arrays[f"text{i}_{key}"] = value
        for i, (name, identifier) in enumerate(self.identifiers_.items()):
            ident_meta, ident_arrays = identifier.state()
            meta["identifiers"][name] = {**ident_meta, "key": f"ident{i}"}
            for key, value in ident_arrays.items():
                arrays[f"ident{i}_{key}"] = value
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> DataTransformer:
        """Rebuild a fitted transformer from :meth:`state` output (no code is executed)."""
        specs = [ColumnSpec.from_dict(d) for d in meta["specs"]]
        self = cls(specs, **meta["params"])
        self.columns_ = [s.name for s in specs]
        self.source_columns_ = list(meta["source_columns"])
        self.encoders_ = {}
        self.text_models_ = {}
        # Artifacts written before dependent pairs existed have no "pairs": none were used.
        self.pairs_ = [DependentPair.from_dict(d) for d in meta.get("pairs", [])]
        self.discrete_numbers_ = list(meta.get("discrete_numbers", []))
        self.pair_outputs_ = {}
        for name, output in meta.get("pair_outputs", {}).items():
            spec = next(s for s in specs if s.name == name)
            self.pair_outputs_[name] = self._numeric_output(spec).load_output_state(output)
        # Artifacts written before determined columns existed have none.
        self.determined_ = [DeterminedColumn.from_dict(d) for d in meta.get("determined", [])]
        self.determined_outputs_ = {}
        for name, output in meta.get("determined_outputs", {}).items():
            spec = next(s for s in specs if s.name == name)
            encoder = self._determined_output(spec)
            if isinstance(encoder, NumericEncoder):
                encoder.load_output_state(output)
            else:
                encoder.load_state(output, {})
            self.determined_outputs_[name] = encoder
        # Artifacts written before co-nullity rules existed have none.
        self.nulls_ = NullStructure.from_dict(meta.get("nulls"))
        # Artifacts written before constants were handled have none (such a fit failed).
        self.constants_ = {
            c["column"]: ConstantColumn.from_dict(c) for c in meta.get("constants", [])
        }
        # Artifacts written before identifiers were regenerated have none.
        self.identifiers_ = {
            name: IdentifierModel.from_state(
                ident, {"real_hashes": arrays[f"{ident['key']}_real_hashes"]}
            )
            for name, ident in meta.get("identifiers", {}).items()
        }
        for spec in specs:
            if self._outside_matrix(spec.name):
                continue
            if spec.kind is ColumnKind.TEXT:
                text_meta = meta["text"][spec.name]
                key = text_meta["key"]
                names = ("vocab", "contexts", "cumulative", "next", "real_hashes")
                self.text_models_[spec.name] = MarkovText.from_state(
                    text_meta, {n: arrays[f"{key}_{n}"] for n in names}
                )
            else:
                encoder = self._make_encoder(
                    self._encoded_spec(spec), discrete=spec.name in self.discrete_numbers_
                )
                assert isinstance(encoder, ColumnEncoder)
                encoder.load_state(meta["encoders"][spec.name], {})
                self.encoders_[spec.name] = encoder
        self._build_spans()
        return self
