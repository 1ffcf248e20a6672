"""Safe, verifiable model artifacts: a directory with a manifest, JSON, NumPy and torch weights.

Nothing in an artifact is executable: JSON is parsed, arrays are read with
``allow_pickle=False`` and weights with ``torch.load(weights_only=True)``. The manifest records
the format version and the SHA-256 of every file, ``manifest.sha256`` the SHA-256 of the
manifest itself, and loading checks all of them *before* reading anything else, so a missing,
truncated or altered file is reported as an :class:`ArtifactError` naming the file instead of
surfacing as a confusing failure later. A file whose checksum was recomputed after forging
passes that check, so decoding is guarded too: undecodable JSON, arrays or weights, and
content that does not rebuild a model (wrong keys, types, shapes), are an
:class:`ArtifactError` as well (:meth:`Artifact.reading`), never a raw ``UnicodeDecodeError``,
``KeyError`` or ``ValueError``. File names in a manifest must be plain names inside the
artifact directory (no path can point outside it).
Writes go to a temporary sibling directory that is renamed into place, so a failed save never
leaves a half-written artifact where a good one was.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthohive_lib.errors import ArtifactError

FORMAT_NAME = "synthohive-model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_CHECKSUM = "manifest.sha256"
_FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def library_versions() -> dict[str, str]:
    """Versions that produced an artifact (recorded for support, not enforced)."""
    import pandas
    import sklearn

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "pandas": pandas.__version__,
        "scikit-learn": sklearn.__version__,
    }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_json(obj: Any) -> bytes:
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False).encode("utf-8")


def encode_arrays(arrays: Mapping[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{k: np.asarray(v) for k, v in arrays.items()})
    return buffer.getvalue()


def encode_weights(state_dict: Mapping[str, torch.Tensor]) -> bytes:
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in state_dict.items()}, buffer)
    return buffer.getvalue()


def write_artifact(
    path: str | Path, model: str, manifest: dict[str, Any], files: dict[str, bytes]
) -> Path:
    """Atomically write ``files`` plus a manifest (with checksums) into directory ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        full = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "model": model,
            "library_versions": library_versions(),
            **manifest,
            "files": {name: _sha256(data) for name, data in files.items()},
        }
        manifest_bytes = encode_json(full)
        (staging / MANIFEST).write_bytes(manifest_bytes)
        (staging / MANIFEST_CHECKSUM).write_text(_sha256(manifest_bytes) + "\n")
        if target.exists():
            backup = target.with_name(f".{target.name}.old")
            if backup.exists():
                shutil.rmtree(backup)
            os.replace(target, backup)
            os.replace(staging, target)
            shutil.rmtree(backup)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


class Artifact:
    """A verified artifact directory: manifest plus checked accessors for its files."""

    def __init__(self, path: str | Path, expected_model: str | None = None) -> None:
        self.path = Path(path)
        manifest_path = self.path / MANIFEST
        if not manifest_path.is_file():
            raise ArtifactError(
                f"no {MANIFEST} in {self.path}",
                fix="pass the directory written by model.save()",
            )
        raw = manifest_path.read_bytes()
        checksum_path = self.path / MANIFEST_CHECKSUM
        if not checksum_path.is_file():
            raise ArtifactError(
                f"no {MANIFEST_CHECKSUM} in {self.path} (damaged, or written by an older version)",
                fix="save the model again",
            )
        recorded = checksum_path.read_bytes().strip()
        if recorded != _sha256(raw).encode("ascii"):
            raise ArtifactError(
                f"{MANIFEST} in {self.path} does not match {MANIFEST_CHECKSUM} (altered or "
                "truncated)",
                fix="do not edit artifacts; save the model again",
            )
        try:
            self.manifest = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ArtifactError(
                f"{MANIFEST} in {self.path} is not valid JSON ({exc})",
                fix="the artifact is corrupted; save the model again",
            ) from exc
        self._check_format(expected_model)
        self._blobs: dict[str, bytes] = {}
        for name, digest in self.manifest["files"].items():
            if not isinstance(name, str) or not _FILE_NAME.match(name) or name == MANIFEST:
                raise ArtifactError(
                    f"manifest lists a file {name!r} that is not a plain file name",
                    fix="the artifact is corrupted; save the model again",
                )
            file = self.path / name
            if not file.is_file():
                raise ArtifactError(
                    f"artifact file {name!r} is missing from {self.path}",
                    fix="the artifact is incomplete; save the model again",
                )
            data = file.read_bytes()
            if _sha256(data) != digest:
                raise ArtifactError(
                    f"artifact file {name!r} does not match its checksum (altered or truncated)",
                    fix="do not edit artifacts; save the model again",
                )
            self._blobs[name] = data

    def _check_format(self, expected_model: str | None) -> None:
        manifest = self.manifest
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
            raise ArtifactError(f"{self.path} is not a {FORMAT_NAME} artifact")
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise ArtifactError(
                f"artifact format version {version!r} is not supported (expected {FORMAT_VERSION})",
                fix="load it with the SynthoHive version that wrote it, or refit the model",
            )
        if expected_model is not None and manifest.get("model") != expected_model:
            raise ArtifactError(
                f"artifact holds a {manifest.get('model')!r} model, not {expected_model!r}",
                fix="load it with the matching model class or synthohive_lib.models.load_model",
            )
        if not isinstance(manifest.get("files"), dict):
            raise ArtifactError("manifest lists no files", fix="save the model again")

    def json(self, name: str) -> Any:
        try:
            return json.loads(self._blob(name))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ArtifactError(
                f"artifact file {name!r} is not valid JSON ({exc})",
                fix="the artifact is corrupted; save the model again",
            ) from exc

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        try:
            with np.load(io.BytesIO(self._blob(name)), allow_pickle=False) as data:
                return {key: data[key] for key in data.files}
        except ArtifactError:
            raise
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
            # allow_pickle=False: an object array is refused here (ValueError), never loaded
            raise ArtifactError(
                f"array file {name!r} cannot be read safely ({type(exc).__name__}: {exc})",
                fix="the artifact is corrupted; save the model again",
            ) from exc

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Rebuild a model from this artifact's content inside: any error that content causes
        (a key missing from a forged JSON file, a wrong type, a bad shape, an invalid
        hyper-parameter) becomes an :class:`ArtifactError` naming the artifact."""
        try:
            yield
        except ArtifactError:
            raise
        except Exception as exc:  # content passed its checksum but does not describe a model
            raise ArtifactError(
                f"artifact {self.path} holds content that does not rebuild the model "
                f"({type(exc).__name__}: {exc})",
                fix="the artifact is inconsistent or forged; save the model again",
            ) from exc

    def weights(self, name: str) -> dict[str, torch.Tensor]:
        try:
            return torch.load(io.BytesIO(self._blob(name)), map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises several types for bad weight files
            raise ArtifactError(f"weights file {name!r} cannot be read safely: {exc}") from exc

    def _blob(self, name: str) -> bytes:
        if name not in self._blobs:
            raise ArtifactError(
                f"artifact has no file {name!r}", fix="the artifact is incomplete; save again"
            )
        return self._blobs[name]
