"""PII detection over whole tables, and how good it is (precision and recall).

The per-column rules live in :mod:`synthohive_lib.schema.sniff` (one detector for schema
inference and for privacy alike): column-name hints, value patterns with checksums (Luhn for
cards, mod-97 for IBANs), a first/last-name lexicon taken from Faker's person providers, street
words for addresses, national postal formats and an age test for birth dates. This module runs
them over a frame and scores the result against a ground truth, so the figures in
``docs/privacy.md`` are reproducible (``python benchmarks/pii_detection.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from synthohive_lib.schema.model import PiiKind
from synthohive_lib.schema.sniff import PII_SET_THRESHOLD, PiiCandidate, detect_pii


def detect_table_pii(
    frame: pd.DataFrame, table: str = "", *, sample_rows: int = 10_000
) -> dict[str, PiiCandidate]:
    """The PII candidate of every column that has one (any confidence), by column name."""
    sample = frame.head(sample_rows)
    out: dict[str, PiiCandidate] = {}
    for column in sample.columns:
        found = detect_pii(sample[column], str(column), table)
        if found is not None:
            out[str(column)] = found
    return out


@dataclass(frozen=True)
class DetectionScores:
    """Column-level precision and recall: a hit needs the right kind at the set threshold."""

    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int
    missed: tuple[str, ...] = ()
    wrong: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.2f}, recall {self.recall:.2f} "
            f"(TP {self.true_positives}, FP {self.false_positives}, "
            f"FN {self.false_negatives})"
        )


def detection_scores(
    candidates: Mapping[str, PiiCandidate],
    truth: Mapping[str, PiiKind | None],
    *,
    threshold: float = PII_SET_THRESHOLD,
) -> DetectionScores:
    """Score ``candidates`` against ``truth`` (column → kind, None for non-PII columns).

    A column counts as detected when its candidate reaches ``threshold`` (the confidence at
    which inference writes ``pii`` into schema.yaml). Detected with the wrong kind is both a
    false positive and a false negative.
    """
    tp = fp = fn = 0
    missed: list[str] = []
    wrong: list[str] = []
    for column, kind in truth.items():
        cand = candidates.get(column)
        detected = cand is not None and cand.confidence >= threshold
        if detected and kind is not None and cand.kind is kind:
            tp += 1
            continue
        if detected:
            fp += 1
            wrong.append(f"{column}: {cand.kind.value} for {kind.value if kind else 'none'}")
        if kind is not None:
            fn += 1
            missed.append(f"{column} ({kind.value})")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return DetectionScores(precision, recall, tp, fp, fn, tuple(missed), tuple(wrong))
