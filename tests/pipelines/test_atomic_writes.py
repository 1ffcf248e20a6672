"""A run killed while it writes a table leaves the previous version whole.

The table store (what every asset writes through) is driven from a separate process that is
SIGKILLed in the middle of writing a big frame — no cleanup code runs, exactly like a run worker
killed by the OOM killer or a cancelled pod. The previous version must still read back complete,
with its fingerprint (or, for Delta when the kill lands after the commit, the new version whole).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.io.store import open_store

WRITER = """
import sys
import numpy as np
import pandas as pd
from synthohive_lib.io.store import open_store

root, fmt, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(1)
frame = pd.DataFrame({f"c{i}": rng.random(rows) for i in range(6)})
print("writing", flush=True)
open_store(root, fmt).write("synthetic", "Big", frame)
print("done", flush=True)
"""


NEW_ROWS = 3_000_000


def new_version() -> pd.DataFrame:
    """The frame the killed writer was writing (same seed and shape as WRITER's)."""
    rng = np.random.default_rng(1)
    return pd.DataFrame({f"c{i}": rng.random(NEW_ROWS) for i in range(6)})


def previous_version() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({f"c{i}": rng.random(1000) for i in range(6)})


def files_in(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def started_writing(fmt: str, target: Path, before: set[Path]) -> bool:
    """True once the writer has put bytes of the new version on disk."""
    folder = target.parent if fmt == "parquet" else target
    new = [p for p in files_in(folder) - before if p.suffix in (".tmp", ".parquet")]
    return any(p.exists() and p.stat().st_size > 0 for p in new)


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_kill_mid_write_keeps_the_previous_version(tmp_path: Path, fmt: str) -> None:
    store = open_store(tmp_path / "out", fmt)
    old = previous_version()
    stored = store.write("synthetic", "Big", old)
    target = store.location("synthetic", "Big")
    before = files_in(target.parent if fmt == "parquet" else target)

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path / "out"), fmt, str(NEW_ROWS)],
        stdout=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not started_writing(fmt, target, before):
            assert proc.poll() is None, "the writer finished before it could be killed"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert proc.stdout is not None and b"done" not in proc.stdout.read()

    again = open_store(tmp_path / "out", fmt)
    back = again.read("synthetic", "Big")
    info = again.info("synthetic", "Big")
    if fmt == "delta" and len(back) == NEW_ROWS:
        # delta-rs writes its data files and commits right after: a kill that lands in that
        # instant finds the new version committed. Atomic means whole: then it must be the
        # new frame exactly, never a part of it.
        pd.testing.assert_frame_equal(back, new_version())
        assert info.rows == NEW_ROWS
        return
    pd.testing.assert_frame_equal(back, old)
    assert (info.rows, info.fingerprint) == (1000, stored.fingerprint)
