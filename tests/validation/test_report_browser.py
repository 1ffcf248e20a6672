"""The HTML report in real headless Chromium: it renders, logs no errors, needs no network.

Chromium is driven through the DevTools protocol over a websocket (no Selenium, no driver
binary): we attach to a fresh tab, listen for console/runtime errors and network requests,
load the report from disk, and screenshot the first plot. The PNG is decoded here with zlib so
the test can check actual pixels: a plot that rendered shows both the real and the synthetic
bar colours; a blank or broken page does not.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.project.report import build_report_from_frames
from synthohive_lib.validation import Relation, schema_report
from synthohive_lib.validation.html import render_html
from synthohive_lib.validation.svg import REAL_COLOR, SYNTHETIC_COLOR
from tests.conftest import unavailable

pytestmark = pytest.mark.browser

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",
    "--window-size=1280,1000",
)


def _chromium() -> str:
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    unavailable("headless Chromium not installed (apt-get install -y chromium)")
    raise AssertionError("unreachable")


class DevTools:
    """A minimal DevTools-protocol client for one tab (flattened session on the browser socket)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._next = 0
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.call(f"{domain}.enable", session=True)

    def call(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e["method"] == method for e in self.events):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(method)
            reply = json.loads(self.ws.recv(timeout=left))
            if "method" in reply:
                self.events.append(reply)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        return result["result"].get("value")

    def errors(self) -> list[str]:
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                out.append(str(p.get("exceptionDetails", {}).get("text")))
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value")) for a in p.get("args", [])))
            elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(p["entry"].get("text", ""))
        return out

    def external_requests(self) -> list[str]:
        urls = [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]
        return [u for u in urls if not u.startswith(("file:", "data:", "about:"))]

    def screenshot(self, clip: dict[str, float] | None = None) -> bytes:
        params: dict[str, Any] = {"format": "png"}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        return base64.b64decode(self.call("Page.captureScreenshot", params, session=True)["data"])


@pytest.fixture(scope="module")
def browser() -> Iterator[DevTools]:
    exe = _chromium()
    try:
        from websockets.sync.client import connect
    except ImportError:
        unavailable("the websockets package is needed to drive Chromium (pip install websockets)")
    profile = tempfile.mkdtemp(prefix="synthohive-chromium-")
    proc = subprocess.Popen(
        [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found: list[str] = []

    def read_stderr() -> None:  # keep draining so Chromium never blocks on a full pipe
        assert proc.stderr is not None
        for line in proc.stderr:
            if "DevTools listening on" in line and not found:
                found.append(line.split("listening on", 1)[1].strip())

    threading.Thread(target=read_stderr, daemon=True).start()
    deadline = time.monotonic() + 60
    while not found and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    try:
        if not found:
            pytest.fail(f"Chromium did not start (exit code {proc.poll()})")
        with connect(found[0], max_size=None, open_timeout=30) as ws:
            yield DevTools(ws)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def decode_png(data: bytes) -> np.ndarray:
    """RGB(A) pixels of an 8-bit, non-interlaced PNG (what Chromium's screenshots are)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if color == 6 else 3
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        ftype, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if ftype == 0:
            cur = line
        elif ftype == 2:
            cur = (line + prev) % 256
        else:  # Sub, Average and Paeth depend on the pixel to the left: byte by byte
            cur = line.copy()
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = prev[x]
                if ftype == 1:
                    cur[x] = (line[x] + a) % 256
                elif ftype == 3:
                    cur[x] = (line[x] + (a + b) // 2) % 256
                else:
                    c = prev[x - bpp] if x >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                    cur[x] = (line[x] + pred) % 256
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)[:, :, :3].astype(np.uint8)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _has_color(pixels: np.ndarray, hex_color: str) -> bool:
    return bool((np.abs(pixels.astype(int) - _rgb(hex_color)).sum(axis=2) <= 6).any())


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(3)
    parent = pd.DataFrame(
        {
            "pid": np.arange(60),
            "segment": rng.choice(["a", "b", "c"], 60),
            "score": rng.normal(size=60),
        }
    )
    child = pd.DataFrame(
        {
            "cid": np.arange(400),
            "pid": rng.integers(0, 60, 400),
            "amount": rng.gamma(2.0, 10.0, 400),
            "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, 400), "D"),
            "channel": rng.choice(["web", "shop", "phone"], 400, p=[0.6, 0.3, 0.1]),
        }
    )
    synthetic_child = child.assign(amount=child["amount"] * 1.3, pid=rng.integers(0, 70, 400))
    report = schema_report(
        {"parent": parent, "child": child},
        {"parent": parent.sample(frac=1.0, replace=True, random_state=1), "child": synthetic_child},
        [Relation("parent", "child", ("pid",), ("pid",))],
        primary_keys={"parent": ["pid"], "child": ["cid"]},
        title="Browser test <report>",
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def test_report_renders_without_console_errors_or_network(
    browser: DevTools, report_file: Path
) -> None:
    browser.open(report_file.as_uri())
    assert browser.errors() == []
    assert browser.external_requests() == []
    assert browser.evaluate("document.title") == "Browser test <report>"
    n_plots = browser.evaluate(
        "[...document.querySelectorAll('svg.plot')]"
        ".filter(s => s.getBoundingClientRect().width > 100).length"
    )
    assert n_plots >= 6  # 7 column histograms/bars, 3 heatmaps, 1 children-per-parent chart


def test_first_plot_screenshot_shows_real_and_synthetic_bars(
    browser: DevTools, report_file: Path
) -> None:
    browser.open(report_file.as_uri())
    box = browser.evaluate(
        "(() => { const s = document.querySelector('svg.plot'); s.scrollIntoView();"
        " const r = s.getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; })()"
    )
    pixels = decode_png(browser.screenshot(box))
    assert pixels.shape[0] >= 100 and pixels.shape[1] >= 200
    assert pixels.std() > 10  # not a blank image
    assert _has_color(pixels, REAL_COLOR)
    assert _has_color(pixels, SYNTHETIC_COLOR)


def test_harness_does_catch_console_errors(browser: DevTools, tmp_path: Path) -> None:
    """Negative control: the error capture above is live, so an empty list means something."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<html><body><script>console.error('boom'); undefinedFn();</script></body></html>"
    )
    browser.open(page.as_uri())
    errors = browser.errors()
    assert any("boom" in e for e in errors)
    assert any("undefinedFn" in e or "Uncaught" in e for e in errors)


FAILED_BANNER = "#fbe4e4"  # .verdict.failed background in validation/html.py


@pytest.fixture(scope="module")
def chinook_failed_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled Chinook music tables against a copy whose track lengths are stretched
    threefold: Track fails its fidelity gate, the page must say so at the very top."""
    import sqlite3

    from synthohive_lib.schema import load_schema
    from synthohive_lib.validation import GateThresholds

    repo = Path(__file__).resolve().parents[2]
    names = ["Artist", "Album", "Genre", "MediaType", "Track"]
    with sqlite3.connect(repo / "examples" / "chinook" / "chinook.sqlite") as conn:
        real = {n: pd.read_sql(f'SELECT * FROM "{n}"', conn) for n in names}
    full = load_schema(repo / "examples" / "chinook" / "schema.yaml")
    schema = full.model_copy(update={"tables": [full.table(n) for n in names]}, deep=True)
    synthetic = {n: f.sample(frac=1.0, replace=True, random_state=2) for n, f in real.items()}
    for name, frame in synthetic.items():
        key = schema.table(name).primary_key[0]
        frame[key] = np.arange(1, len(frame) + 1)
    synthetic["Track"]["Milliseconds"] *= 3
    report = build_report_from_frames(
        real,
        synthetic,
        schema,
        title="SynthoHive validation report: chinook (browser test)",
        holdout=0.1,
        gates=GateThresholds(),
        run_id="browser-test-run",
    )
    path = tmp_path_factory.mktemp("chinook") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def _screenshot_dir(tmp_path: Path) -> Path:
    """Where the report screenshots go: ``SYNTHOHIVE_SCREENSHOT_DIR`` (``docs/img`` to refresh
    the committed ones), else the test's temporary folder."""
    return Path(os.environ.get("SYNTHOHIVE_SCREENSHOT_DIR") or tmp_path)


def test_chinook_report_opens_with_the_failed_verdict_and_readable_plots(
    browser: DevTools, chinook_failed_report: Path, tmp_path: Path
) -> None:
    browser.open(chinook_failed_report.as_uri())
    assert browser.errors() == []
    assert browser.external_requests() == []
    banner = browser.evaluate(
        "(() => { const v = document.getElementById('verdict');"
        " const r = v.getBoundingClientRect();"
        " return {top: r.top, height: r.height, text: v.innerText,"
        " css: getComputedStyle(v).backgroundColor}; })()"
    )
    assert banner["top"] < 1 and banner["height"] > 40  # the first thing on the page
    assert banner["text"].startswith("FAILED")
    assert "fidelity_gate on Track" in banner["text"] and "Milliseconds" in banner["text"]
    assert "must be >= 0.8" in banner["text"] and "browser-test-run" in banner["text"]
    assert banner["css"] == "rgb(251, 228, 228)"
    assert "worst column-shape score" in banner["text"]
    definition = browser.evaluate("document.getElementById('score-definition').innerText")
    assert "children per parent is left out" in definition
    worst = browser.evaluate("document.getElementById('worst-table').innerText").split()
    scored = browser.evaluate(
        "[...document.querySelector('main section table').rows].slice(1)"
        ".map(r => [r.cells[0].innerText, parseFloat(r.cells[1].innerText)])"
        ".filter(r => !isNaN(r[1]))"
    )
    assert worst[0] == min(scored, key=lambda r: r[1])[0]  # the lowest scored table
    assert float(worst[1]) == pytest.approx(min(r[1] for r in scored), abs=1e-3)
    bars = browser.evaluate(
        "[...document.querySelectorAll('svg.plot')].filter(s => !s.querySelector('g.scale'))"
        ".map(s => s.getBoundingClientRect().width)"
    )
    assert len(bars) >= 8 and min(bars) >= 400  # large enough to read
    maps = browser.evaluate(
        "[...document.querySelectorAll('svg.plot')].filter(s => s.querySelector('g.scale'))"
        ".map(s => s.getBoundingClientRect().width)"
    )
    assert len(maps) >= 3 and min(maps) >= 250
    assert browser.evaluate("document.querySelectorAll('svg.plot text.x').length") >= 8
    assert browser.evaluate("document.querySelectorAll('svg.plot g.scale').length") >= 3
    # every shortened label keeps its full text as a tooltip
    cut = browser.evaluate(  # [tooltip, visible text] of every label shortened with "…"
        "[...document.querySelectorAll('svg.plot text')].map(t => {"
        " const tip = t.querySelector('title'); const full = tip ? tip.textContent : null;"
        " return [full, full === null ? t.textContent : t.textContent.slice(full.length)]; })"
        ".filter(([full, shown]) => shown.endsWith('…'))"
    )
    assert cut, "the Chinook report has long labels (track and album names)"
    assert all(
        full and full.startswith(shown[:-1]) and len(full) >= len(shown) for full, shown in cut
    )
    out = _screenshot_dir(tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    top = browser.screenshot({"x": 0, "y": 0, "width": 1280, "height": 760})
    (out / "report_verdict.png").write_bytes(top)
    pixels = decode_png(top)
    assert _has_color(pixels, FAILED_BANNER)
    box = browser.evaluate(
        "(() => { const s = document.querySelector('#t-Track svg.plot'); s.scrollIntoView();"
        " const r = s.parentElement.getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: 620}; })()"
    )
    plots_png = browser.screenshot(box)
    (out / "report_plots.png").write_bytes(plots_png)
    pixels = decode_png(plots_png)
    assert _has_color(pixels, REAL_COLOR) and _has_color(pixels, SYNTHETIC_COLOR)
