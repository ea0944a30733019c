"""Small server-rendered SVG bar charts (no script, no inline style: CSP-friendly).

Labels are escaped and wrapped on up to two lines so that they fit left of the bars (a long
« Étape · État » label is not cut); values use the locale's decimal separator (« 0,7 j »).
The SVG is embedded in the page as markup.
"""

from __future__ import annotations

import textwrap
from html import escape

from babel.numbers import format_decimal
from markupsafe import Markup

from ..i18n import babel_locale

BAR_H, GAP, LABEL_W, WIDTH = 22, 6, 300, 760
LINE_H = 15
LABEL_CHARS = 36  # about 7 px per character at 13 px: 36 characters fit in LABEL_W - 8


def _lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARS, break_long_words=True) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARS, placeholder=" …")]
    return lines


def fmt_number(value: float, lang: str = "fr") -> str:
    """``0,7`` (fr) or ``0.7`` (en), at most one decimal."""
    return format_decimal(round(value, 1), format="#,##0.#", locale=babel_locale(lang))


def bar_chart(items: list[tuple], *, title: str, unit: str = "", lang: str = "fr") -> Markup:
    """A horizontal bar chart of ``(label, value)`` or ``(label, value, text)`` (``text`` printed
    instead of the value, e.g. « < 5 » for a hidden cell); an accessible ``<title>``."""
    if not items:
        return Markup("")
    top = max(it[1] for it in items) or 1
    texts = [it[2] if len(it) > 2 else None for it in items]
    rows = [(_lines(it[0]), it[1]) for it in items]
    heights = [BAR_H + (len(lines) - 1) * LINE_H for lines, _ in rows]
    h = sum(heights) + GAP * (len(rows) + 1)
    bar_w = WIDTH - LABEL_W - 80
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    y = GAP
    for (lines, value), row_h, text in zip(rows, heights, texts, strict=True):
        w = max(1, int(bar_w * value / top)) if value else 0
        shown = text if text is not None else f"{fmt_number(value, lang)}{unit}"
        bar_y = y + (row_h - BAR_H) // 2
        first = y + BAR_H - 6 - (0 if len(lines) == 1 else (BAR_H - LINE_H) // 2)
        spans = "".join(
            f'<tspan x="{LABEL_W - 8}" y="{first + n * LINE_H}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(
            f'<text text-anchor="end" font-size="13" fill="#222">{spans}</text>'
            f'<rect x="{LABEL_W}" y="{bar_y}" width="{w}" height="{BAR_H}" fill="#1f5f8b" rx="2"/>'
            f'<text x="{LABEL_W + w + 6}" y="{bar_y + BAR_H - 6}" font-size="13" fill="#222">'
            f"{escape(shown)}</text>"
        )
        y += row_h + GAP
    parts.append("</svg>")
    return Markup("".join(parts))
