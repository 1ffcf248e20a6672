"""Atomic file writes: readers see the old file or the new one, never half of either.

Every small file the library writes (schema.yaml, reports, model manifests, PII plans) goes
through here, so "a failed run never leaves a half-written file" holds in one place: the
content is written to a temporary file in the target's directory, flushed to disk, then
renamed over the target (``os.replace`` is atomic on POSIX within one file system).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from synthohive_lib.errors import ArtifactError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> Path:
    """Call ``write(fh)`` on a temporary file, then move it over ``path`` in one step.

    On any failure — including KeyboardInterrupt — the temporary file is removed and the
    previous content of ``path`` (if any) is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600 files; give the result the permissions a normal open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode(encoding))


def write_json(path: str | os.PathLike[str], data: object) -> Path:
    """Write ``data`` as JSON to ``path`` atomically (small model states, plans, manifests)."""
    return atomic_write_text(path, json.dumps(data))


def read_json(path: str | os.PathLike[str], what: str) -> object:
    """Read a JSON state written by :func:`write_json`; an unreadable or corrupt file is an
    :class:`~synthohive_lib.errors.ArtifactError` naming ``what`` it should have held."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactError(
            f"cannot read {what} {path}: {exc}",
            fix=f"check the path, or re-fit and save the {what} again",
        ) from exc
