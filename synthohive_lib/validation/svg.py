"""Tiny inline-SVG chart primitives for the HTML report.

Hand-written instead of matplotlib or a JS library so the report stays one self-contained file
that opens offline, renders identically everywhere and pulls in no plotting dependency. Every
text is escaped; every number is formatted with a fixed precision to keep the files small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

REAL_COLOR = "#3b6fb6"
SYNTHETIC_COLOR = "#e8833a"


def _f(x: float) -> str:
    return f"{x:.1f}"


def _truncate(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def grouped_bars(
    labels: Sequence[str],
    real: Sequence[float],
    synthetic: Sequence[float],
    *,
    title: str,
    width: int = 480,
    height: int = 280,
    histogram: bool = False,
    x_title: str = "",
    y_title: str = "share of rows",
) -> str:
    """Real vs synthetic frequencies side by side per label (histogram: only some x labels).

    Axis titles on both axes; tick labels are shortened to fit, and every label, bar and the
    title carry their full text as a tooltip (``<title>``), so nothing is lost to the cut.
    """
    n = max(1, len(labels))
    left, right, top, bottom = 72, 10, 30, 78
    pw, ph = width - left - right, height - top - bottom
    vmax = max([*real, *synthetic, 1e-9])
    slot = pw / n
    bar = max(0.5, slot * 0.42)
    parts = [_svg_open(width, height, title)]
    parts.append(
        f'<text x="{left}" y="16" class="t"><title>{escape(title)}</title>'
        f"{escape(_truncate(title, 64))}</text>"
    )
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + ph * (1 - frac)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_f(y)}" y2="{_f(y)}" '
            f'class="g"/><text x="{left - 4}" y="{_f(y + 3)}" class="a" '
            f'text-anchor="end">{vmax * frac:.2f}</text>'
        )
    every = max(1, math.ceil(n / 8)) if histogram else max(1, math.ceil(n / 14))
    for i, label in enumerate(labels):
        x0 = left + i * slot + (slot - 2 * bar) / 2
        for j, (vals, color, who) in enumerate(
            ((real, REAL_COLOR, "real"), (synthetic, SYNTHETIC_COLOR, "synthetic"))
        ):
            v = vals[i] if i < len(vals) else 0.0
            h = ph * v / vmax
            parts.append(
                f'<rect x="{_f(x0 + j * bar)}" y="{_f(top + ph - h)}" width="{_f(bar)}" '
                f'height="{_f(max(h, 0.0))}" fill="{color}"><title>{escape(label)} {who}: '
                f"{v:.3f}</title></rect>"
            )
        if i % every == 0:
            cx, cy = left + (i + 0.5) * slot, top + ph + 10
            parts.append(
                f'<text x="{_f(cx)}" y="{_f(cy)}" class="a" text-anchor="end" '
                f'transform="rotate(-35 {_f(cx)} {_f(cy)})"><title>{escape(label)}</title>'
                f"{escape(_truncate(label, 18))}</text>"
            )
    if x_title:
        parts.append(
            f'<text x="{_f(left + pw / 2)}" y="{height - 6}" class="x" text-anchor="middle">'
            f"<title>{escape(x_title)}</title>{escape(_truncate(x_title, 60))}</text>"
        )
    parts.append(
        f'<text x="14" y="{_f(top + ph / 2)}" class="x" text-anchor="middle" '
        f'transform="rotate(-90 14 {_f(top + ph / 2)})">{escape(y_title)}</text>'
    )
    parts.append(_legend(width - right - 120, 20))
    parts.append("</svg>")
    return "".join(parts)


def heatmap(
    columns: Sequence[str],
    matrix: Sequence[Sequence[float | None]],
    *,
    title: str,
    vmin: float = -1.0,
    vmax: float = 1.0,
    cell: int = 0,
    sequential: bool = False,
) -> str:
    """Square heatmap with its colour scale: blue (vmin) - white - red (vmax), or white - red
    (``sequential``, for magnitudes such as an absolute difference); missing values grey.
    Labels are shortened to fit; each cell and label carries the full text as a tooltip."""
    n = len(columns)
    cell = cell or max(10, min(36, 520 // max(n, 1)))
    label_w = 110
    scale_w = 56
    size = label_w + n * cell + 8
    parts = [_svg_open(size + scale_w, size + 20, title)]
    parts.append(
        f'<text x="4" y="14" class="t"><title>{escape(title)}</title>'
        f"{escape(_truncate(title, 60))}</text>"
    )
    y0 = 20 + label_w
    color = _sequential if sequential else _diverging
    for i, name in enumerate(columns):
        y = y0 + i * cell + cell * 0.7
        parts.append(
            f'<text x="{label_w - 3}" y="{_f(y)}" class="a" text-anchor="end">'
            f"<title>{escape(name)}</title>{escape(_truncate(name, 18))}</text>"
        )
        x = label_w + i * cell + cell * 0.7
        parts.append(
            f'<text x="{_f(x)}" y="{y0 - 3}" class="a" '
            f'transform="rotate(-60 {_f(x)} {y0 - 3})"><title>{escape(name)}</title>'
            f"{escape(_truncate(name, 18))}</text>"
        )
        for j in range(n):
            v = matrix[i][j]
            missing = v is None or (isinstance(v, float) and math.isnan(v))
            fill = "#cccccc" if missing else color(float(v), vmin, vmax)
            shown = "n/a" if missing else f"{v:.2f}"
            parts.append(
                f'<rect x="{label_w + j * cell}" y="{y0 + i * cell}" width="{cell}" '
                f'height="{cell}" fill="{fill}"><title>{escape(name)} × '
                f"{escape(columns[j])}: {shown}</title></rect>"
            )
    parts.append(_colour_scale(size + 6, y0, max(n * cell, 80), vmin, vmax, color))
    parts.append("</svg>")
    return "".join(parts)


def _colour_scale(x: float, y: float, height: float, vmin: float, vmax: float, color) -> str:
    """A vertical colour bar from vmax (top) to vmin (bottom) with three tick labels."""
    steps = 20
    step_h = height / steps
    parts = ['<g class="scale">']
    for k in range(steps):
        v = vmax - (vmax - vmin) * (k + 0.5) / steps
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(y + k * step_h)}" width="12" height="{_f(step_h + 0.5)}" '
            f'fill="{color(v, vmin, vmax)}"/>'
        )
    for frac in (0.0, 0.5, 1.0):
        v = vmax - (vmax - vmin) * frac
        parts.append(
            f'<text x="{_f(x + 16)}" y="{_f(y + height * frac + 3)}" class="a">{v:.1f}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def score_bar(score: float, width: int = 120) -> str:
    """Horizontal bar for a score in [0, 1], coloured red / amber / green."""
    if math.isnan(score):
        return '<span class="na">n/a</span>'
    color = "#2e9e5b" if score >= 0.9 else "#d9a21b" if score >= 0.75 else "#c94040"
    w = max(0.0, min(1.0, score)) * width
    return (
        f'<svg width="{width}" height="10" role="img" aria-label="{score:.3f}">'
        f'<rect width="{width}" height="10" fill="#eee"/>'
        f'<rect width="{_f(w)}" height="10" fill="{color}"/></svg>'
    )


def _diverging(v: float, vmin: float, vmax: float) -> str:
    t = (min(max(v, vmin), vmax) - vmin) / (vmax - vmin) * 2 - 1  # -1 .. 1
    if t >= 0:  # white -> red
        r, g, b = 255, int(255 - 180 * t), int(255 - 190 * t)
    else:  # white -> blue
        r, g, b = int(255 + 190 * t), int(255 + 120 * t), 255
    return f"#{r:02x}{g:02x}{b:02x}"


def _sequential(v: float, vmin: float, vmax: float) -> str:
    t = (min(max(v, vmin), vmax) - vmin) / ((vmax - vmin) or 1.0)  # 0 .. 1, white -> red
    r, g, b = 255, int(255 - 180 * t), int(255 - 190 * t)
    return f"#{r:02x}{g:02x}{b:02x}"


def _legend(x: float, y: float) -> str:
    return (
        f'<rect x="{_f(x)}" y="{_f(y)}" width="9" height="9" fill="{REAL_COLOR}"/>'
        f'<text x="{_f(x + 12)}" y="{_f(y + 8)}" class="a">real</text>'
        f'<rect x="{_f(x + 44)}" y="{_f(y)}" width="9" height="9" fill="{SYNTHETIC_COLOR}"/>'
        f'<text x="{_f(x + 56)}" y="{_f(y + 8)}" class="a">synthetic</text>'
    )


def _svg_open(width: float, height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">'
    )
