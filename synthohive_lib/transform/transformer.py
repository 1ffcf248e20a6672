"""DataTransformer: a whole table <-> the float matrix the GAN trains on.

It owns one encoder per column (chosen by the column's :class:`ColumnSpec` kind), concatenates
their blocks, and records the spans (slices with one activation each) that the generator's
output layer and the conditional sampler need. Free-text columns are not part of the matrix:
each has its own :class:`MarkovText` model and is generated independently on the way back.
The fitted state is plain JSON plus NumPy arrays, so it can be saved without pickle.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthohive_lib.errors import EmptyTableError, ModelError
from synthohive_lib.transform.encoders import (
    BooleanEncoder,
    CategoricalEncoder,
    ColumnEncoder,
    NumericEncoder,
    Span,
)
from synthohive_lib.transform.modes import ModeNormalizer
from synthohive_lib.transform.specs import NUMERIC_KINDS, ColumnKind, ColumnSpec, infer_column_specs
from synthohive_lib.transform.text import MarkovText


class DataTransformer:
    """Reversible, vectorised encoding of a table (see module docstring).

    Hyper-parameters: ``max_modes`` (GMM components per number), ``gmm_sample_rows`` (rows the
    mixture is fitted on), ``gmm_max_iter``, ``max_categories`` (beyond it rare categories are
    pooled), ``text_order`` (Markov order for free text).
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
        table: str | None = None,
    ) -> None:
        self.specs = specs
        self.max_modes = max_modes
        self.gmm_sample_rows = gmm_sample_rows
        self.gmm_max_iter = gmm_max_iter
        self.max_categories = max_categories
        self.text_order = text_order
        self.table = table

    # -- construction ---------------------------------------------------------------------
    def _make_encoder(self, spec: ColumnSpec) -> ColumnEncoder | MarkovText:
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
            encoder = self._make_encoder(spec)
            if isinstance(encoder, MarkovText):
                self.text_models_[spec.name] = encoder.fit(df[spec.name], rng)
            else:
                self.encoders_[spec.name] = encoder.fit(df[spec.name], rng)
        self._build_spans()
        return self

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
        blocks = [enc.transform(df[name], rng) for name, enc in self.encoders_.items()]
        if not blocks:
            return np.zeros((len(df), 0), dtype=np.float32)
        return np.concatenate(blocks, axis=1)

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
        for name, model in self.text_models_.items():
            columns[name] = pd.Series(model.sample(n, rng, column=name), name=name, dtype=object)
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
        for name, model in self.text_models_.items():
            columns[name] = pd.Series(model.sample(n, rng, column=name), name=name, dtype=object)
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
                "table": self.table,
            },
            "specs": [s.to_dict() for s in self.specs],
            "source_columns": self.source_columns_,
            "encoders": {},
            "text": {},
        }
        arrays: dict[str, np.ndarray] = {}
        for name, enc in self.encoders_.items():
            meta["encoders"][name], _ = enc.state()
        for i, (name, model) in enumerate(self.text_models_.items()):
            text_meta, text_arrays = model.state()
            meta["text"][name] = {**text_meta, "key": f"text{i}"}
            for key, value in text_arrays.items():
                arrays[f"text{i}_{key}"] = value
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
        for spec in specs:
            if spec.kind is ColumnKind.TEXT:
                text_meta = meta["text"][spec.name]
                key = text_meta["key"]
                names = ("vocab", "contexts", "cumulative", "next", "real_hashes")
                self.text_models_[spec.name] = MarkovText.from_state(
                    text_meta, {n: arrays[f"{key}_{n}"] for n in names}
                )
            else:
                encoder = self._make_encoder(spec)
                assert isinstance(encoder, ColumnEncoder)
                encoder.load_state(meta["encoders"][spec.name], {})
                self.encoders_[spec.name] = encoder
        self._build_spans()
        return self
