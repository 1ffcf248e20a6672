"""Privacy: PII detection, per-column actions, PII kept out of models, leakage proofs.

* detection — :func:`detect_table_pii` (name and value patterns, with confidences, built on
  :mod:`synthohive_lib.schema.sniff`) and :func:`detection_scores` (precision / recall);
* actions — ``drop | mask | hash | fake | keep`` per column in ``schema.yaml``
  (:class:`~synthohive_lib.schema.model.PiiAction`), checked by :func:`pii_settings`;
* separation — :func:`strip_pii` before the model, :class:`PiiPlan` (JSON, no values) and
  :func:`fill_pii` after it, :func:`check_context_columns` for parent context;
* de-identification of real data — :func:`anonymise`;
* leakage — :func:`scan_for_leaks` and the blocking :func:`assert_no_leaks`.

Exports are lazy (PEP 562): ``from synthohive_lib.privacy import hash_key`` loads only the
hashing module, not Faker, scikit-learn or the validation layer.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "anonymise": "deidentify",
    "DetectionScores": "detect",
    "detect_table_pii": "detect",
    "detection_scores": "detect",
    "check_context_columns": "fill",
    "fill_pii": "fill",
    "model_columns": "fill",
    "pii_filler": "fill",
    "real_pii_forms": "fill",
    "split_pii": "fill",
    "strip_pii": "fill",
    "hash_key": "hashing",
    "hash_values": "hashing",
    "ColumnLeak": "leaks",
    "LeakReport": "leaks",
    "PiiAllowList": "leaks",
    "assert_no_leaks": "leaks",
    "leak_scope": "leaks",
    "scan_for_leaks": "leaks",
    "scan_schema_for_leaks": "leaks",
    "scan_table_for_leaks": "leaks",
    "locale_for_country": "locales",
    "locales_for_values": "locales",
    "mask_values": "mask",
    "ColumnPlan": "plan",
    "PiiPlan": "plan",
    "DEFAULT_HASH_KEY_ENV": "settings",
    "PiiSetting": "settings",
    "parse_action": "settings",
    "pii_settings": "settings",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
