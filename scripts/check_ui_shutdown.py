"""Check that stopping ``make ui`` (``dagster dev``) leaves no process behind.

Runs the UI command in a new session exactly as the Makefile recipe does (``bash -c`` with
``set -m; exec .venv/bin/dagster dev ...``, optionally under ``make`` itself), waits until
the UI answers, sends one signal the way a user or a supervisor would, and lists every process
of the session that is still alive afterwards::

    .venv/bin/python scripts/check_ui_shutdown.py --signal TERM             # systemd, docker stop
    .venv/bin/python scripts/check_ui_shutdown.py --signal INT --group      # Ctrl-C in a terminal
    .venv/bin/python scripts/check_ui_shutdown.py --signal TERM --via-make  # kill <make pid>

Exit status 0 when nothing is left after ``--wait`` seconds; leftovers are then killed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.ui_server import REPO, free_port, wait_ready

RECIPE = "set -m; exec {venv}/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p {port}"


def session_members(sid: int) -> dict[int, str]:
    """Live processes of session ``sid``: pid -> command line."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] == "Z" or int(fields[3]) != sid:
                continue
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended while we looked
            continue
        out[int(stat.parent.name)] = cmd.strip()[:160]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signal", default="TERM", choices=["TERM", "INT"])
    parser.add_argument("--group", action="store_true", help="signal the whole process group")
    parser.add_argument("--via-make", action="store_true", help="run the recipe under make")
    parser.add_argument("--wait", type=float, default=60, help="seconds allowed to shut down")
    args = parser.parse_args()

    port = free_port()
    recipe = RECIPE.format(venv=REPO / ".venv", port=port)
    with tempfile.TemporaryDirectory(prefix="ui_check_") as tmp:
        home = Path(tmp) / "dagster_home"
        home.mkdir()
        shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
        env = {**os.environ, "DAGSTER_HOME": str(home)}
        if args.via_make:
            makefile = Path(tmp) / "Makefile"
            makefile.write_text(f"ui:\n\t{recipe}\n")
            command = ["make", "-C", str(REPO), "-f", str(makefile), "ui"]
        else:
            command = ["bash", "-c", recipe]
        proc = subprocess.Popen(
            command, cwd=REPO, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        sid = proc.pid
        try:
            wait_ready(f"http://127.0.0.1:{port}", proc, timeout=240)
            before = session_members(sid)
            print(f"UI up on port {port}; {len(before)} processes in the session:")
            for pid, cmd in sorted(before.items()):
                print(f"  {pid} {cmd}")
            signum = getattr(signal, f"SIG{args.signal}")
            if args.group:
                os.killpg(sid, signum)
            else:
                os.kill(proc.pid, signum)
            deadline = time.monotonic() + args.wait
            while session_members(sid) and time.monotonic() < deadline:
                time.sleep(0.5)
            left = session_members(sid)
        finally:
            for pid in session_members(sid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
            proc.wait(timeout=30)
    how = f"SIG{args.signal} to {'the group' if args.group else 'pid ' + str(sid)}"
    if left:
        print(f"LEFT BEHIND after {how} + {args.wait}s:")
        for pid, cmd in sorted(left.items()):
            print(f"  {pid} {cmd}")
        return 1
    print(f"clean: nothing left after {how}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
