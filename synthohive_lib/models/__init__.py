"""Generative models behind one contract (:class:`GenerativeModel`); CTGAN is the default,
the autoregressive model (:class:`AutoregressiveModel`) the alternative."""

from __future__ import annotations

from pathlib import Path

from synthohive_lib.errors import ArtifactError
from synthohive_lib.models.autoregressive import AutoregressiveConfig, AutoregressiveModel
from synthohive_lib.models.base import GenerativeModel
from synthohive_lib.models.config import CTGANConfig
from synthohive_lib.models.ctgan import CTGAN
from synthohive_lib.models.persistence import Artifact
from synthohive_lib.models.privacy import spent_privacy
from synthohive_lib.models.small_table import SmallTableModel
from synthohive_lib.models.text_only import TextOnlyModel

#: Model classes by the name recorded in an artifact's manifest.
MODELS: dict[str, type[GenerativeModel]] = {
    "ctgan": CTGAN,
    "autoregressive": AutoregressiveModel,
    "text": TextOnlyModel,
    "small_table": SmallTableModel,
}


def load_model(path: str | Path) -> GenerativeModel:
    """Load any saved model, choosing the class from the artifact's manifest."""
    name = Artifact(path).manifest.get("model")
    if name not in MODELS:
        raise ArtifactError(
            f"artifact holds an unknown model type {name!r}", fix=f"known: {sorted(MODELS)}"
        )
    return MODELS[name].load(path)


__all__ = [
    "CTGAN",
    "MODELS",
    "AutoregressiveConfig",
    "AutoregressiveModel",
    "CTGANConfig",
    "GenerativeModel",
    "SmallTableModel",
    "TextOnlyModel",
    "load_model",
    "spent_privacy",
]
