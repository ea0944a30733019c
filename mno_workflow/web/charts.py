"""Small server-rendered SVG bar charts (no script, no inline style: CSP-friendly).

Labels are escaped; the SVG is embedded in the page as markup.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR_H, GAP, LABEL_W, WIDTH = 22, 6, 300, 760


def bar_chart(items: list[tuple[str, float]], *, title: str, unit: str = "") -> Markup:
    """A horizontal bar chart of ``(label, value)``; an accessible ``<title>`` and text values."""
    if not items:
        return Markup("")
    top = max(v for _, v in items) or 1
    h = len(items) * (BAR_H + GAP) + GAP
    bar_w = WIDTH - LABEL_W - 80
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for n, (label, value) in enumerate(items):
        y = GAP + n * (BAR_H + GAP)
        w = max(1, int(bar_w * value / top)) if value else 0
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR_H - 6}" text-anchor="end" font-size="13" '
            f'fill="#222">{escape(label[:48])}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{BAR_H}" fill="#1f5f8b" rx="2"/>'
            f'<text x="{LABEL_W + w + 6}" y="{y + BAR_H - 6}" font-size="13" fill="#222">{escape(shown)}'
            f"</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
