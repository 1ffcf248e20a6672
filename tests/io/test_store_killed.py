"""A chunked write killed with SIGKILL leaves a hidden staging file; the next write of that
table removes it (and only its own table's)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.io.store import leftovers, open_store

REPO = Path(__file__).resolve().parents[2]

#: Writes two chunks of `synthetic/big`, then hangs inside the chunk iterator until killed.
WRITER = """
import sys, time
import pandas as pd
from synthohive_lib.io.store import open_store
def chunks():
    for i in range(2):
        yield pd.DataFrame({"id": range(i * 1000, (i + 1) * 1000)})
    print("staged", flush=True)
    time.sleep(600)
open_store(sys.argv[1], sys.argv[2]).write_chunks("synthetic", "big", chunks())
"""


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_a_killed_chunked_write_leaves_a_staging_file_the_next_write_removes(
    tmp_path: Path, fmt: str
) -> None:
    root = tmp_path / "out"
    store = open_store(root, fmt)
    store.write("synthetic", "big", pd.DataFrame({"id": [1, 2]}))
    store.write("synthetic", "other", pd.DataFrame({"id": [1]}))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), fmt], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "staged"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    target = store.location("synthetic", "big")
    left = leftovers(target)
    assert len(left) == 1 and left[0].name.startswith(".big.")  # what the kill left behind
    assert store.read("synthetic", "big")["id"].tolist() == [1, 2]  # the old table, intact
    other_staging = target.parent / f".{store.location('synthetic', 'other').name}.x.tmp"
    other_staging.write_bytes(b"")  # another table's file: not this write's business

    store.write_chunks("synthetic", "big", iter([pd.DataFrame({"id": [7, 8, 9]})]))
    assert leftovers(target) == []
    assert other_staging.exists()
    assert store.read("synthetic", "big")["id"].tolist() == [7, 8, 9]
