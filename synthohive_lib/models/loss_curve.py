"""A model's training losses as a small self-contained SVG line chart.

For places that show a picture but run no JavaScript: the Dagster UI's Markdown metadata (as
a ``data:`` image) and reports. Hand-written SVG (as in :mod:`synthohive_lib.validation.svg`)
so no plotting dependency is needed; every number is rounded to keep the text short.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from html import escape

#: the two curves: (history key, legend label, colour)
CURVES = (
    ("generator_loss", "generator", "#3b6fb6"),
    ("discriminator_loss", "discriminator", "#e8833a"),
)


def loss_curve_svg(
    history: Sequence[Mapping[str, float]],
    *,
    title: str = "training loss",
    width: int = 480,
    height: int = 240,
) -> str:
    """The generator and discriminator losses per epoch, with axis titles and a legend.

    ``history`` is a model's ``loss_history_`` (one mapping per epoch with ``epoch``,
    ``generator_loss`` and ``discriminator_loss``). An empty history gives a chart that says
    so, never an error: a model without epochs still has a metadata entry.
    """
    left, right, top, bottom = 56, 16, 44, 44
    pw, ph = width - left - right, height - top - bottom
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" font-size="13">'
        f"{escape(title)}</text>",
    ]
    values = [float(h[k]) for h in history for k, _, _ in CURVES if k in h]
    if not history or not values:
        out.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">'
            "no training epochs</text></svg>"
        )
        return "".join(out)
    epochs = [float(h.get("epoch", i + 1)) for i, h in enumerate(history)]
    x0, x1 = min(epochs), max(epochs)
    y0, y1 = min(values), max(values)
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.5, y1 + 0.5
    if x1 - x0 < 1e-9:
        x1 = x0 + 1

    def x(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def y(v: float) -> float:
        return top + (1 - (v - y0) / (y1 - y0)) * ph

    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    for i in range(5):  # y ticks and grid
        v = y0 + (y1 - y0) * i / 4
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'stroke="#eee"/><text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{v:.3g}</text>"
        )
    for v in sorted({round(x0), round((x0 + x1) / 2), round(x1)}):  # whole epochs
        out.append(f'<text x="{x(v):.1f}" y="{top + ph + 14}" text-anchor="middle">{v:.0f}</text>')
    out.append(
        f'<text x="{left + pw / 2:.0f}" y="{height - 6}" text-anchor="middle">epoch</text>'
        f'<text transform="translate(14 {top + ph / 2:.0f}) rotate(-90)" '
        'text-anchor="middle">loss</text>'
    )
    for n, (key, label, colour) in enumerate(CURVES):
        if not all(key in h for h in history):
            continue
        points = " ".join(
            f"{x(e):.1f},{y(float(h[key])):.1f}" for e, h in zip(epochs, history, strict=True)
        )
        if len(history) < 3:  # a line needs points: mark each epoch
            out += [
                f'<circle cx="{x(e):.1f}" cy="{y(float(h[key])):.1f}" r="3" fill="{colour}"/>'
                for e, h in zip(epochs, history, strict=True)
            ]
        lx = left + 8 + n * 110
        out.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>'
            f'<line x1="{lx}" x2="{lx + 16}" y1="{top - 10}" y2="{top - 10}" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<text x="{lx + 20}" y="{top - 6}">{label}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def svg_data_uri(svg: str) -> str:
    """``svg`` as a ``data:image/svg+xml;base64,...`` URI (for a Markdown image)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
