"""Start the Dagster webserver on the project's workspace, talk to it, stop it cleanly.

Used by the webserver test (tests/pipelines/test_webserver.py) and by
``scripts/screenshot_ui.py``. The server runs in its own process group (a new session), so
stopping it signals the webserver *and* the code-server process it spawns, and the stop is
verified: nothing of the group may be left behind.

Run it by hand to get a server on a free port until Ctrl-C::

    .venv/bin/python scripts/ui_server.py            # prints the URL
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WEBSERVER = Path(sys.executable).parent / "dagster-webserver"

LOCATION_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries { name
    locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def graphql(url: str, query: str, timeout: float = 30) -> dict:
    """POST ``query`` to the webserver's GraphQL endpoint; the ``data`` of the answer."""
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.loads(response.read())
    if answer.get("errors"):
        raise RuntimeError(f"GraphQL errors: {answer['errors']}")
    return answer["data"]


def group_alive(pgid: int) -> bool:
    """True while any process of the process group ``pgid`` exists."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(proc: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM the server's process group, SIGKILL it after ``grace`` seconds, reap it."""
    pgid = proc.pid  # the leader of its own session: pgid == pid
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while group_alive(pgid) and time.monotonic() < deadline:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.2)
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)


@contextlib.contextmanager
def running_webserver(
    env: Mapping[str, str] | None = None,
    *,
    port: int | None = None,
    timeout: float = 180,
    log: Path | None = None,
    command: list[str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """``dagster-webserver -w workspace.yaml`` on 127.0.0.1, ready (code location loaded).

    ``env`` is added to the environment; without ``DAGSTER_HOME`` a temporary instance with
    the committed dagster.yaml is used. ``command`` replaces the webserver with another
    server of the same UI (e.g. ``["dg", "dev"]``); ``-h 127.0.0.1 -p <port>`` are appended.
    Yields the base URL and the process; on exit the whole process group is stopped.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        full_env = {**os.environ, **(env or {})}
        if "DAGSTER_HOME" not in (env or {}):
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dagster_home_")))
            shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
            full_env["DAGSTER_HOME"] = str(home)
        out = stack.enter_context(open(log, "wb")) if log else subprocess.DEVNULL
        proc = subprocess.Popen(
            [
                *(command or [str(WEBSERVER), "-w", "workspace.yaml"]),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=REPO,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_ready(url, proc, timeout)
            yield url, proc
        finally:
            stop_group(proc)


def wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Wait until the webserver answers and its code location has loaded (or failed)."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Dagster server exited with {proc.returncode}")
        try:
            data = graphql(url, LOCATION_QUERY, timeout=10)
        except (urllib.error.URLError, ConnectionError, TimeoutError, RuntimeError) as exc:
            last = str(exc)
            time.sleep(0.5)
            continue
        entries = data["workspaceOrError"].get("locationEntries") or []
        kinds = [e["locationOrLoadError"] for e in entries if e["locationOrLoadError"]]
        if entries and len(kinds) == len(entries):
            errors = [k["message"] for k in kinds if k["__typename"] == "PythonError"]
            if errors:
                raise RuntimeError(f"code location failed to load: {errors[0][:2000]}")
            return
        last = "code location still loading"
        time.sleep(0.5)
    raise TimeoutError(f"dagster-webserver not ready at {url} after {timeout}s: {last}")


def main() -> None:
    with running_webserver() as (url, proc):
        print(f"Dagster UI at {url} (pid {proc.pid}); Ctrl-C stops it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            proc.wait()


if __name__ == "__main__":
    main()
