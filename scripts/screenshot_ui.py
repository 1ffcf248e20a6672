"""Take a screenshot of the Dagster asset graph with headless Chromium (docs/img/).

Starts ``dagster-webserver -w workspace.yaml`` on a free port with a throw-away instance
(:mod:`scripts.ui_server`), points headless Chromium at the asset-graph page, writes the PNG
and stops everything (process groups, nothing left behind)::

    .venv/bin/python scripts/screenshot_ui.py                       # docs/img/asset_graph.png
    .venv/bin/python scripts/screenshot_ui.py --path /asset-groups --out /tmp/graph.png

Chromium: ``/usr/bin/chromium`` (``apt-get install -y chromium``), or ``$CHROMIUM``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.ui_server import REPO, running_webserver, stop_group


def screenshot(url: str, out: Path, size: str, budget_ms: int) -> None:
    """Render ``url`` in headless Chromium and write a PNG to ``out``."""
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium_") as profile:
        proc = subprocess.Popen(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars",
                f"--user-data-dir={profile}", f"--window-size={size}",
                f"--virtual-time-budget={budget_ms}", f"--screenshot={out}", url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Chromium's helpers go with it when the group is stopped
        )
        try:
            proc.wait(timeout=180)
        finally:
            stop_group(proc, grace=5)
    if not out.is_file() or out.stat().st_size == 0:
        raise SystemExit(f"chromium wrote no screenshot to {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/asset-groups", help="UI page to capture")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img" / "asset_graph.png")
    parser.add_argument("--size", default="1600,1000", help="window size WIDTH,HEIGHT")
    parser.add_argument("--budget-ms", type=int, default=15000, help="virtual time budget")
    args = parser.parse_args()
    env = {"SYNTHOHIVE_CONFIG": os.environ.get("SYNTHOHIVE_CONFIG", str(REPO / "synthohive.yaml"))}
    with running_webserver(env) as (url, _):
        screenshot(url + args.path, args.out, args.size, args.budget_ms)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
