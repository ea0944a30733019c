"""Dates and codes that must not break across lines on a narrow screen (issue 18: « 08/01/202/5 »
in « Mon travail », « 2025-04-01..2025-06-30 » on the dashboard at 390 px): the ``nobreak`` Jinja
filter wraps each such token of a text in ``<span class="when">`` (``white-space: nowrap`` in
``app.css``); the rest of the text still wraps at its spaces."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: a token with a digit and a date or range separator inside: 2025-04-01, 08/01/2025, 2025-04-01..2025-06-30
TOKEN = re.compile(r"\b\d[\w]*(?:[-/.:]+\w+)+")


def nobreak(text: object) -> Markup:
    """``text`` escaped, each date-like token kept on one line (``Markup``)."""
    escaped = str(escape(text))
    return Markup(TOKEN.sub(lambda m: f'<span class="when">{m.group(0)}</span>', escaped))
