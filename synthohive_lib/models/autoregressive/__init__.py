"""The autoregressive table model: one head per column, trained on random column orders."""

from __future__ import annotations

from synthohive_lib.models.autoregressive.config import AutoregressiveConfig
from synthohive_lib.models.autoregressive.model import AutoregressiveModel

__all__ = ["AutoregressiveConfig", "AutoregressiveModel"]
