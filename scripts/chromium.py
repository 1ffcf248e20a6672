"""Headless Chromium driven over the DevTools protocol (a websocket; no Selenium, no driver).

Used by the Dagster UI browser test (tests/pipelines/test_ui_browser.py) to open pages of a
running webserver, wait for what a person would see, read the page's text and take
screenshots. Chromium runs in its own process group and is stopped with it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


def chromium_path() -> str | None:
    """``$CHROMIUM`` or the first installed Chromium, None when there is none."""
    for path in (os.environ.get("CHROMIUM", ""), *CANDIDATES):
        if path and os.access(path, os.X_OK):
            return path
    return None


class Tab:
    """One browser tab (a flattened DevTools session on the browser's websocket)."""

    def __init__(self, ws: Any, width: int, height: int) -> None:
        self.ws = ws
        self._next = 0
        #: console errors and uncaught exceptions of the page, in the order they came
        self.errors: list[str] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session = attached["sessionId"]
        for domain in ("Runtime", "Page"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def call(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv(timeout=120))
            self._note_error(reply)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _note_error(self, event: dict) -> None:
        """Keep console errors and uncaught exceptions (events arrive between replies)."""
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            self.errors.append(f"uncaught: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = params.get("args", [])
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
            self.errors.append(f"console.{params['type']}: {text}")

    def console_errors(self) -> list[str]:
        """Errors the page reported so far (a round trip first, so none is still in flight)."""
        self.evaluate("1")
        return list(self.errors)

    def open(self, url: str) -> None:
        self.call("Page.navigate", {"url": url}, session=True)

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        return result["result"].get("value")

    def text(self) -> str:
        return str(self.evaluate("document.body ? document.body.innerText : ''") or "")

    def wait_for_text(self, *needles: str, timeout: float = 120) -> str:
        """Wait until the page's visible text holds every needle; the text then."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(n in text for n in needles):
                return text
            time.sleep(0.5)
        missing = [n for n in needles if n not in text]
        raise TimeoutError(f"page never showed {missing}; it shows: {text[:1500]!r}")

    def wait_for(self, expression: str, timeout: float = 120) -> Any:
        """Wait until the JavaScript ``expression`` is truthy; its value then."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.5)
        raise TimeoutError(f"never true: {expression}")

    def screenshot(self, out: Path) -> Path:
        """The viewport as a PNG at ``out``."""
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data))
        return out


@contextlib.contextmanager
def running_chromium(width: int = 1600, height: int = 1000) -> Iterator[Tab]:
    """A headless Chromium with one tab; stopped (its whole process group) on exit."""
    from websockets.sync.client import connect

    from scripts.ui_server import stop_group

    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("headless Chromium not installed (apt-get install -y chromium)")
    profile = tempfile.mkdtemp(prefix="synthohive-chromium-")
    proc = subprocess.Popen(
        [exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    found: list[str] = []

    def drain() -> None:  # keep reading so Chromium never blocks on a full pipe
        assert proc.stderr is not None
        for line in proc.stderr:
            if "DevTools listening on" in line and not found:
                found.append(line.split("listening on", 1)[1].strip())

    threading.Thread(target=drain, daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        while not found and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        if not found:
            raise RuntimeError(f"Chromium did not start (exit code {proc.poll()})")
        with connect(found[0], max_size=None, open_timeout=30) as ws:
            yield Tab(ws, width, height)
    finally:
        stop_group(proc, grace=5)
        shutil.rmtree(profile, ignore_errors=True)
