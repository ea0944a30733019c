"""Pictograms of the leaflets and the pocket guide, from a bundled open icon set (Tabler Icons, MIT).

Documents for returnees and front-line workers mark each section with a pictogram, drawn from the
SVG files of ``render/icons/tabler/`` (only the icons used; licence beside them). A template writes
``{{ pict("help") }}``: :func:`pictogram` returns the icon inline (self-contained HTML, printable by
WeasyPrint), hidden from screen readers because the heading next to it says the same thing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

__all__ = ["ICONS", "PICTOGRAMS", "UnknownPictogram", "icon_path", "pictogram"]

ICONS = Path(__file__).resolve().parent / "icons" / "tabler"

# pictogram name used by the templates -> Tabler icon file (outline style)
PICTOGRAMS: dict[str, str] = {
    "help": "phone",               # where to find help / whom to call
    "rights": "scale",             # my rights
    "consent": "signature",        # consent and how to withdraw it
    "complain": "message-report",  # how to complain
    "community": "users",          # community members
    "partners": "heart-handshake",  # joining the mechanism
    "times": "clock",              # response times
    "data": "lock",                # data-sharing rules
    "government": "building-community",
    "figures": "chart-bar",        # key figures
    "steps": "list-check",         # the steps of the mechanism
    "signs": "alert-triangle",     # signs of vulnerability
}


class UnknownPictogram(KeyError):
    """A template names a pictogram that :data:`PICTOGRAMS` does not map, or whose file is missing."""


def icon_path(name: str) -> Path:
    """The bundled SVG file of pictogram ``name``. Raises :class:`UnknownPictogram`."""
    if name not in PICTOGRAMS:
        raise UnknownPictogram(f"unknown pictogram {name!r}; known: {', '.join(sorted(PICTOGRAMS))}")
    path = ICONS / f"{PICTOGRAMS[name]}.svg"
    if not path.exists():
        raise UnknownPictogram(f"pictogram {name!r}: {path.name} is not bundled in {ICONS}")
    return path


@lru_cache(maxsize=64)
def pictogram(name: str) -> Markup:
    """Pictogram ``name`` as inline SVG (class ``pict``, 1.3 em, ``aria-hidden``, colour of the
    text). Raises :class:`UnknownPictogram`."""
    svg = icon_path(name).read_text(encoding="utf-8")
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S).strip()
    svg = re.sub(r'\s(width|height)="24"', "", svg, count=2)
    svg = re.sub(r'\sclass="[^"]*"', "", svg, count=1)
    svg = svg.replace(
        "<svg", f'<svg class="pict" data-icon="tabler:{PICTOGRAMS[name]}" aria-hidden="true" '
                'focusable="false" width="1.3em" height="1.3em"', 1)
    return Markup(re.sub(r">\s+<", "><", svg))
