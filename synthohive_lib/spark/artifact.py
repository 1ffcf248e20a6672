"""Shipping a saved model to Spark executors, and loading it there once per worker.

Two transports, chosen by the caller:

* ``"bytes"`` (default): the files of the artifact directory are read on the driver and
  broadcast. Works on any cluster, no shared file system needed; artifacts are small
  (transformer state + generator weights, a few MB).
* ``"path"``: only the directory path travels; each executor reads it from shared storage
  (NFS, a mounted bucket). For artifacts too large to broadcast.

Either way the executor loads through :func:`synthohive_lib.models.load_model`, which verifies
every file's checksum and never unpickles code. Python workers are reused between tasks, so
the loaded model is cached per process under the artifact's digest: a partition with many
blocks, or the next task, pays the load once.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from synthohive_lib.errors import ArtifactError
from synthohive_lib.models.base import GenerativeModel

Transport = Literal["bytes", "path"]

_CACHE: dict[str, GenerativeModel] = {}


@dataclass(frozen=True)
class ModelPayload:
    """What executors receive: either the files (name -> bytes) or a path, plus a digest."""

    digest: str
    files: dict[str, bytes] | None
    path: str | None
    threads: int | None

    def load(self) -> GenerativeModel:
        """The model, loaded (and verified) once per Python worker process."""
        model = _CACHE.get(self.digest)
        if model is None:
            model = self._load()
            _CACHE[self.digest] = model
        return model

    def _load(self) -> GenerativeModel:
        from synthohive_lib.models import load_model

        if self.files is None:
            assert self.path is not None
            model = load_model(self.path)
        else:
            tmp = Path(tempfile.mkdtemp(prefix="synthohive-model-"))
            try:
                for name, data in self.files.items():
                    (tmp / name).write_bytes(data)
                model = load_model(tmp)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        config: Any = getattr(model, "config", None)
        if config is not None and self.threads is not None and hasattr(config, "num_threads"):
            config.num_threads = self.threads  # one task per core: no torch oversubscription
        return model


def model_payload(
    model_dir: str | Path, transport: Transport = "bytes", threads: int | None = 1
) -> ModelPayload:
    """Read (``bytes``) or point at (``path``) a saved model directory for executors.

    ``threads`` sets torch intra-op threads in each task (1: Spark already runs one task per
    core). The digest covers every file, so two different artifacts never share a cache slot.
    """
    directory = Path(model_dir)
    if not directory.is_dir():
        raise ArtifactError(
            f"model directory {directory} does not exist",
            fix="pass the directory written by model.save()",
        )
    files: dict[str, bytes] = {}
    for item in sorted(directory.iterdir()):
        if item.is_dir():
            raise ArtifactError(
                f"model directory {directory} holds a sub-directory {item.name!r}",
                fix="pass the directory written by model.save()",
            )
        files[item.name] = item.read_bytes()
    h = hashlib.sha256()
    for name, data in files.items():
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    digest = h.hexdigest()
    if transport == "bytes":
        return ModelPayload(digest, files, None, threads)
    if transport == "path":
        return ModelPayload(digest, None, str(directory.resolve()), threads)
    raise ArtifactError(f"unknown model transport {transport!r}", fix="use 'bytes' or 'path'")


def clear_cache() -> None:
    """Forget models loaded in this process (tests; long-lived drivers after a refit)."""
    _CACHE.clear()
