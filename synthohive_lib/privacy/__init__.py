"""Privacy: PII detection, per-column actions, PII kept out of models, leakage proofs.

* detection — :func:`detect_table_pii` (name and value patterns, with confidences, built on
  :mod:`synthohive_lib.schema.sniff`) and :func:`detection_scores` (precision / recall);
* actions — ``drop | mask | hash | fake | keep`` per column in ``schema.yaml``
  (:class:`~synthohive_lib.schema.model.PiiAction`), checked by :func:`pii_settings`;
* separation — :func:`strip_pii` before the model, :class:`PiiPlan` (JSON, no values) and
  :func:`fill_pii` after it, :func:`check_context_columns` for parent context;
* de-identification of real data — :func:`anonymise`;
* leakage — :func:`scan_for_leaks` and the blocking :func:`assert_no_leaks`.
"""

from synthohive_lib.privacy.anonymise import anonymise
from synthohive_lib.privacy.detect import DetectionScores, detect_table_pii, detection_scores
from synthohive_lib.privacy.fill import (
    apply_pii,
    check_context_columns,
    fill_pii,
    model_columns,
    pii_filler,
    real_pii_forms,
    split_pii,
    strip_pii,
)
from synthohive_lib.privacy.hashing import hash_key, hash_values
from synthohive_lib.privacy.leaks import ColumnLeak, LeakReport, assert_no_leaks, scan_for_leaks
from synthohive_lib.privacy.locales import locale_for_country, locales_for_values
from synthohive_lib.privacy.mask import mask_values
from synthohive_lib.privacy.plan import ColumnPlan, PiiPlan
from synthohive_lib.privacy.settings import (
    DEFAULT_HASH_KEY_ENV,
    PiiSetting,
    parse_action,
    pii_settings,
)

__all__ = [
    "DEFAULT_HASH_KEY_ENV",
    "ColumnLeak",
    "ColumnPlan",
    "DetectionScores",
    "LeakReport",
    "PiiPlan",
    "PiiSetting",
    "anonymise",
    "apply_pii",
    "assert_no_leaks",
    "check_context_columns",
    "detect_table_pii",
    "detection_scores",
    "fill_pii",
    "hash_key",
    "hash_values",
    "locale_for_country",
    "locales_for_values",
    "mask_values",
    "model_columns",
    "parse_action",
    "pii_filler",
    "pii_settings",
    "real_pii_forms",
    "scan_for_leaks",
    "split_pii",
    "strip_pii",
]
