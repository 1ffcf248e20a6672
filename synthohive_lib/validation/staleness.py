"""Marking a written report stale as soon as the data it judged changes.

A report describes one run's tables. When a later run snapshots a real table again or
regenerates a synthetic one, the report on disk no longer describes what the store holds,
yet it sits at the same path looking as authoritative as before. :func:`mark_report_stale`
puts a banner at the top of ``report.html`` (and a ``stale`` entry in ``report.json``) saying
what changed and in which run, until the next report replaces both files. The banner is
added once per report: later changes in the same run add nothing.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from html import escape
from pathlib import Path

_MARK = '<div class="stale" id="stale">'
_BODY = "<body>"


def mark_report_stale(folder: Path, reason: str, run_id: str | None = None) -> bool:
    """Mark ``folder/report.html`` and ``report.json`` stale; False when there is no report
    or it is already marked. Written atomically (a reader never sees half a file)."""
    html = folder / "report.html"
    if not html.is_file():
        return False
    text = html.read_text(encoding="utf-8")
    if _MARK in text:
        return False
    when = datetime.now(UTC).isoformat(timespec="seconds")
    run = f" by run {run_id}" if run_id else ""
    note = (
        f"{_MARK}STALE: this report no longer describes the stored tables — {escape(reason)}"
        f"{escape(run)} at {when}. A new report is written when validation/report runs."
        "</div>"
    )
    _write(html, text.replace(_BODY, _BODY + note, 1))
    js = folder / "report.json"
    if js.is_file():
        doc = json.loads(js.read_text(encoding="utf-8"))
        doc["stale"] = {"reason": reason, "run_id": run_id, "at": when}
        _write(js, json.dumps(doc, indent=2, allow_nan=False))
    return True


def _write(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
