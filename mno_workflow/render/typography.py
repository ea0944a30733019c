"""French spacing in generated documents: a no-break space (U+00A0) before « ; » « : » « ? » « ! ».

French typography puts a space before these four signs, and a no-break one so that the sign never
starts a line. The project picks the ordinary no-break space U+00A0 everywhere (every font of the
documents has it, unlike the narrow U+202F). SOP labels, the narrative and the templates are
written with it; as authors type plain spaces (or none), every French document is also passed
through :func:`french_spacing_html` when it is rendered, so the rule holds on every path (``mno
publish``, the web document pages, the forms printed from a case). Only text is changed: tags,
attributes, entities, and the content of ``code``, ``pre``, ``script``, ``style`` and ``svg``
(CEL for authors, CSS, diagrams) are left as they are.
"""

from __future__ import annotations

import re

import jinja2

__all__ = ["NBSP", "SIGNS", "DocumentTemplate", "french_spacing", "french_spacing_html", "spacing_faults"]

NBSP = "\u00a0"
SIGNS = ";:?!"
_SPACES = " \t\u202f"
# a sign that ends a word: followed by a space, the end, a closing mark or punctuation
_END = r"(?=[\s\u00a0»)\]\"'.,]|$)"
_SPACED = re.compile(rf"[{_SPACES}]+([{SIGNS}]){_END}")
_GLUED = re.compile(rf"(?<=[^\s\u00a0{SIGNS}(\[/«])([{SIGNS}]){_END}")
_ENTITY = re.compile(r"&#?\w+;")
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_RAW = ("code", "pre", "script", "style", "svg", "kbd", "samp")
_FAULT = re.compile(rf"(?:[{_SPACES}]|(?<=[^\s\u00a0{SIGNS}(\[/«]))[{SIGNS}]{_END}")


def french_spacing(text: str) -> str:
    """``text`` (plain text, or HTML text without tags) with a no-break space before each sign that
    ends a word: « Nom : » and « Nom: » both become « Nom\u00a0: ». Entities are kept as they are."""
    parts = _ENTITY.split(text)
    entities = _ENTITY.findall(text)
    out = []
    for i, part in enumerate(parts):
        part = _SPACED.sub(NBSP + r"\1", part)
        part = _GLUED.sub(NBSP + r"\1", part)
        out.append(part)
        if i < len(entities):
            out.append(entities[i])
    return "".join(out)


def french_spacing_html(html: str) -> str:
    """:func:`french_spacing` on the text of an HTML document (see the module docstring). A sign at
    the start of a text node after a word (``<b>Nom</b>:``) gets its space too."""
    out: list[str] = []
    raw: list[str] = []  # open raw elements
    last = " "  # last visible character of the text so far
    for piece in _TAG.split(html):
        if not piece:
            continue
        if piece.startswith("<"):
            out.append(piece)
            m = re.match(r"<(/?)([a-zA-Z][\w:-]*)", piece)
            if m:
                name = m.group(2).lower()
                if name in _RAW and not piece.endswith("/>"):
                    if m.group(1):
                        if raw and raw[-1] == name:
                            raw.pop()
                    else:
                        raw.append(name)
            continue
        if raw:
            out.append(piece)
            continue
        if piece[0] in SIGNS and last not in " \t\n\r" + NBSP + "\u202f" + SIGNS + "(«[/" \
                and re.match(_END, piece[1:]):
            piece = NBSP + piece
        fixed = french_spacing(piece)
        out.append(fixed)
        last = fixed[-1]
    return "".join(out)


def visible_text(html: str) -> str:
    """The text of ``html`` outside tags and raw elements (``code``, ``pre``, ``svg``…), entities
    decoded: what :func:`spacing_faults` reads."""
    import html as _html

    out: list[str] = []
    raw: list[str] = []
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            m = re.match(r"<(/?)([a-zA-Z][\w:-]*)", piece)
            if m and m.group(2).lower() in _RAW and not piece.endswith("/>"):
                if m.group(1):
                    if raw:
                        raw.pop()
                else:
                    raw.append(m.group(2).lower())
            elif m and not raw and m.group(2).lower() in ("p", "li", "td", "th", "div", "br", "tr", "h1",
                                                           "h2", "h3", "h4", "section", "dt", "dd"):
                out.append("\n")
            continue
        if not raw:
            out.append(_html.unescape(piece))
    return "".join(out)


def spacing_faults(html: str, context: int = 25) -> list[str]:
    """Every place of a French HTML document where « ; » « : » « ? » « ! » follows a plain space
    or no space at all, with ``context`` characters before it (empty when the document is right)."""
    text = visible_text(html)
    return [text[max(0, m.start() - context):m.end()] for m in _FAULT.finditer(text)]


class DocumentTemplate(jinja2.Template):
    """A Jinja2 template whose French output (``lang="fr"`` among the variables) gets
    :func:`french_spacing_html`. Set as ``template_class`` of the documents' environments."""

    def render(self, *args, **kwargs) -> str:  # type: ignore[override]
        html = super().render(*args, **kwargs)
        ctx = dict(*args, **kwargs)
        return french_spacing_html(html) if ctx.get("lang") == "fr" else html
