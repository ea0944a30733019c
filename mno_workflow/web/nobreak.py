"""Dates, case references and codes that must not break across lines on a narrow screen (issue
18: « 08/01/202/5 » in « Mon travail », « 2025-04-01..2025-06-30 » on the dashboard at 390 px):
the ``nobreak`` Jinja filter wraps each such token of a text in ``<span class="when">``
(``white-space: nowrap`` in ``app.css``), and each case reference in ``<span class="nowrap">``;
the rest of the text still wraps at its spaces."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: a token with a digit and a date or range separator inside: 2025-04-01, 08/01/2025, 2025-04-01..2025-06-30
TOKEN = re.compile(r"\b\d[\w]*(?:[-/.:]+\w+)+")
#: a case reference, MNR-BF-000046: kept whole too (``nowrap``, without the dates' smaller grey)
REFERENCE = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]{2,})*-\d+\b")


def nobreak(text: object) -> Markup:
    """``text`` escaped, each date-like token and case reference kept on one line (``Markup``)."""
    escaped = REFERENCE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', str(escape(text)))
    return Markup(TOKEN.sub(lambda m: f'<span class="when">{m.group(0)}</span>', escaped))
