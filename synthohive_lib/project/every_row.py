"""The hard rules of one synthetic table checked over every row, in blocks.

Why: the gates that must see every row (a duplicated key, an orphan, a copied real row, a
leaked real value, a copied identifier) are the same whether the table is 500 rows in memory
or 10M rows on disk. Each function here takes the tables as :data:`~synthohive_lib.io.sampling.Rows`
(stored, read block by block, or a frame in memory) and returns the figure the matching gate
of :mod:`synthohive_lib.validation.verdict` judges, so the Dagster asset checks, the report
and ``synthohive run`` agree on every table, however large (see
:mod:`synthohive_lib.validation.blockwise` for how memory stays bounded).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from synthohive_lib.io.sampling import Rows
from synthohive_lib.privacy.identifiers import IdentifierCopies, identifier_copies_in_blocks
from synthohive_lib.privacy.leaks import LeakReport, PiiAllowList, scan_table_blocks_for_leaks
from synthohive_lib.schema.model import Schema
from synthohive_lib.validation.blockwise import (
    compare_as_text,
    copy_rate_in_blocks,
    key_uniqueness_in_blocks,
    referential_integrity_in_blocks,
)
from synthohive_lib.validation.privacy import CopyRateCheck
from synthohive_lib.validation.relations import Relation
from synthohive_lib.validation.structure import KeyUniqueness, ReferentialIntegrity


def _typed(rows: Rows, columns: list[str]) -> pd.DataFrame:
    """The columns' dtypes as an empty frame (the first block's, which every block shares)."""
    return next(iter(rows.blocks(columns))).iloc[:0]


def key_uniqueness_of(rows: Rows, key: list[str]) -> KeyUniqueness:
    """Primary-key uniqueness over every row (the ``key_unique`` gate's figure)."""
    return key_uniqueness_in_blocks(lambda: rows.blocks(key), key, rows.rows)


def referential_integrity_of(child: Rows, parent: Rows, relation: Relation) -> ReferentialIntegrity:
    """Referential integrity of one relation over every child row (``referential_integrity``)."""
    fk, pk = list(relation.fk_columns), list(relation.pk_columns)
    as_text = compare_as_text((_typed(child, fk), fk), (_typed(parent, pk), pk))
    return referential_integrity_in_blocks(
        lambda: child.blocks(fk),
        lambda: parent.blocks(pk),
        fk,
        pk,
        max(child.rows, parent.rows),
        as_text=as_text,
    )


def copy_check_of(
    real: pd.DataFrame, synthetic: Rows, columns: list[str], limit: float
) -> CopyRateCheck:
    """Exact copies of real rows over every synthetic row (the privacy gate's figure)."""
    return copy_rate_in_blocks(real, lambda: synthetic.blocks(columns), columns, limit)


def leak_scan_of(
    real_frames: Mapping[str, pd.DataFrame],
    synthetic: Rows,
    schema: Schema,
    table: str,
    allow: PiiAllowList | None = None,
) -> LeakReport:
    """The ``no_pii_leak`` scan of every synthetic row of ``table``."""
    return scan_table_blocks_for_leaks(real_frames, synthetic.blocks(), schema, table, allow=allow)


def identifier_copies_of(
    real: pd.DataFrame, synthetic: Rows, columns: list[str]
) -> list[IdentifierCopies]:
    """Copied real identifiers over every synthetic row (``identifiers_regenerated``)."""
    if not columns:
        return []
    return identifier_copies_in_blocks(real, synthetic.blocks(columns), columns)
