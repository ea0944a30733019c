"""Graphviz SVG with its ``<title>`` elements in words: ``dot`` names each group by its DOT id
(« alert.new », « alert.new->alert.received », « mnr_bf.alert »), which a browser shows as the
tooltip of a state or an arrow and a screen reader reads as its name. Each title becomes the
words drawn in its group (« Received · awaiting Case manager · ◷ 1 working day »); an arrow
without words of its own is named by its two ends (« Being filed → Received »); a group with no
words at all loses its title (the black start dot). Only the text ``dot`` itself wrote is read:
the labels are the SOP's, already in the diagram's language."""

from __future__ import annotations

import html
import re

_GROUP = re.compile(r'(<g id="[^"]*" class="(?P<cls>[^"]*)"[^>]*>\s*)<title>(?P<title>[^<]*)</title>'
                    r'(?P<body>.*?)(?=<g id=|</svg>)', re.S)
_TEXT = re.compile(r"<text\b(?P<attrs>[^>]*)>(?P<t>[^<]*)</text>")
_PLACE = re.compile(r'\s(?:x|y|text-anchor)="[^"]*"')
_ARROW = re.compile(r"^(?P<a>.*?)(?:->|--)(?P<b>.*)$")
SEP = " · "


def _words(body: str) -> str:
    """The group's texts in order: lines of one label part (same font) joined by a space, the
    parts (name, owner, deadline…) by :data:`SEP`."""
    out, style = "", None
    for m in _TEXT.finditer(body):
        text = html.unescape(m["t"]).strip()
        if not text:
            continue
        this = _PLACE.sub("", m["attrs"])
        out += (" " if this == style else SEP) + text if out else text
        style = this
    return out


def titles_in_words(svg: str) -> str:
    """``svg`` (``dot -Tsvg`` output) with every group's ``<title>`` replaced as the module says.
    Nodes are read first, so an edge can be named by its ends."""
    groups = list(_GROUP.finditer(svg))
    names = {html.unescape(m["title"]): _words(m["body"]).split(SEP)[0]  # a state by its name
             for m in groups if "node" in m["cls"].split()}

    def title(m: re.Match) -> str:
        words = _words(m["body"])
        if "graph" in m["cls"].split():  # the diagram's own heading: its first text
            first = _TEXT.search(m["body"])
            words = html.unescape(first["t"]).strip() if first else ""
        elif not words and "edge" in m["cls"].split():
            ends = _ARROW.match(html.unescape(m["title"]))
            if ends:
                named = [names.get(ends["a"], ""), names.get(ends["b"], "")]
                words = " → ".join(named) if all(named) else "".join(named)
        return m.group(1) + (f"<title>{html.escape(words, quote=False)}</title>" if words else "") + m["body"]

    return _GROUP.sub(title, svg)
