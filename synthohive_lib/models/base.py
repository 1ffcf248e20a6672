"""The generative-model contract used by the relational layer and the pipelines.

Everything above the model layer talks to this interface only, so another model (TVAE, a
copula, a language model for text tables) can replace CTGAN without touching callers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Self

import pandas as pd

from synthohive_lib.errors import EmptyTableError, ModelError
from synthohive_lib.models.progress import ProgressCallback


class GenerativeModel(ABC):
    """Learns one table (optionally conditioned on parent rows) and generates new rows.

    ``context`` is a frame of parent attributes aligned row-wise with ``data``: row *i* of the
    context describes the parent of row *i* of the data. At sampling time one row is generated
    per context row, so child rows follow the given (synthetic) parents.

    The context contract every model honours (CTGAN, and any model the relational layer is
    given):

    * its columns are the parent's, named as in the parent (``context_table``), and any of
      them may be NULL: a child without a parent gets an all-NULL row, and a synthetic
      parent may lack a value. The relational layer fits the model with NULLs in every
      context column that can hold one (``relational.modelling.training_frames``), so a
      model that encodes NULL as a value of each context column it saw NULL in accepts
      them when sampling;
    * categories are those the model saw (the relational layer maps a synthetic parent's
      unseen category onto a seen one before sampling);
    * an error about a context column names it ``<context_table>.<column>``, never as a
      column of the child.
    """

    #: The table the model learns, named in every error it raises.
    table: str | None = None
    #: The parent table the context columns come from (None: no context, or unknown).
    context_table: str | None = None

    #: Called once per training epoch with an
    #: :class:`~synthohive_lib.models.progress.EpochProgress` by models that train in epochs
    #: (set it before :meth:`fit`; models fitted in one pass never call it).
    progress: ProgressCallback | None = None

    def _error(
        self, message: str, *, column: str | None = None, fix: str | None = None
    ) -> ModelError:
        return ModelError(message, table=self.table, column=column, fix=fix)

    def _check_fit_input(self, data: pd.DataFrame, context: pd.DataFrame | None) -> None:
        """Typed errors for what no model can learn from: an empty frame, a context that is
        not aligned row-wise with the data."""
        if data.shape[0] == 0 or data.shape[1] == 0:
            raise EmptyTableError(
                f"cannot fit on a frame of shape {data.shape}",
                table=self.table,
                fix="pass at least one row and one column",
            )
        if context is not None and len(context) != len(data):
            raise self._error(
                f"context has {len(context)} rows but data has {len(data)}",
                fix="align the parent context row-wise with the data",
            )

    @abstractmethod
    def fit(self, data: pd.DataFrame, context: pd.DataFrame | None = None) -> Self:
        """Learn the distribution of ``data`` (given ``context`` when provided)."""

    @abstractmethod
    def sample(
        self,
        n: int | None = None,
        context: pd.DataFrame | None = None,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """Generate ``n`` rows, or one row per ``context`` row; ``seed`` makes it repeatable."""

    @abstractmethod
    def save(self, path: str | Path) -> Path:
        """Write the fitted model as a self-describing directory; returns the directory."""

    @classmethod
    @abstractmethod
    def load(cls, path: str | Path) -> Self:
        """Read a model written by :meth:`save`, verifying it before use."""
