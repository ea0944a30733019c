"""Running Graphviz ``dot`` on DOT text (SVG, PNG, PDF, fitted to a page), and reading a generated
DOT text back into the transitions it draws, for the parity test (split from :mod:`.diagrams`,
which re-exports it)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote as _unpct

from mno_workflow.render.diagram_words import EdgeFact


class DiagramError(Exception):
    """Base of the errors of this module."""


class DotNotFound(DiagramError):
    """The Graphviz ``dot`` binary is not on PATH (DOT and Mermaid text still work)."""

    def __init__(self) -> None:
        from ..sop.diagnostics import said_fr
        super().__init__(said_fr(
            "le programme « dot » de Graphviz n'est pas installé (ou pas dans le PATH) : pas de SVG, "
            "PNG ni PDF (le texte DOT et Mermaid, si). Installez-le : sudo apt-get install -y "
            "graphviz (Debian/Ubuntu), ou voir https://graphviz.org/download/"))


class RenderError(DiagramError):
    """``dot`` ran but failed (invalid DOT, unknown format...). The message holds its stderr."""



# --------------------------------------------------------------------------------------------
# Rendering with the dot binary

# Page sizes in inches (width, height). "a4" takes the orientation in which the drawing is largest.
PAGES = {"a4": (8.27, 11.69), "a4-portrait": (8.27, 11.69), "a4-landscape": (11.69, 8.27),
         "16:9": (13.333, 7.5)}
PAGE_MARGIN = 0.4  # inches on every side
FORMATS = ("svg", "png", "pdf")


def dot_available() -> bool:
    """True when the Graphviz ``dot`` binary is on PATH."""
    return shutil.which("dot") is not None


def _run_dot(args: list[str], dot_source: str) -> bytes:
    try:
        proc = subprocess.run(args, input=dot_source.encode("utf-8"), capture_output=True, timeout=120,
                              check=False)
    except FileNotFoundError:
        raise DotNotFound() from None
    if proc.returncode != 0:
        raise RenderError(f"dot failed ({proc.returncode}): {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def _page_args(exe: str, dot_source: str, page: str) -> list[str]:
    """``dot`` options that scale the drawing to fit ``page`` and pad it to exactly the page size.

    A first ``-Tplain`` run gives the drawing's natural size; padding is in unscaled inches, so the
    padded drawing has the page's aspect ratio and ``size=W,H!`` scales it to the page exactly.
    """
    head = _run_dot([exe, "-Tplain", "-Gpad=0", "-Gmargin=0"], dot_source).decode("utf-8").split()
    w, h = max(float(head[2]), 0.01), max(float(head[3]), 0.01)
    candidates = [PAGES[page]]
    if page == "a4":
        candidates.append(PAGES["a4-landscape"])

    def scale(size: tuple[float, float]) -> float:
        return min((size[0] - 2 * PAGE_MARGIN) / w, (size[1] - 2 * PAGE_MARGIN) / h)

    pw, ph = max(candidates, key=scale)
    k = scale((pw, ph))
    return [f"-Gsize={pw:.3f},{ph:.3f}!", f"-Gpad={(pw / k - w) / 2:.4f},{(ph / k - h) / 2:.4f}",
            "-Gmargin=0"]


def render_bytes(dot_source: str, fmt: str, page: str | None = None) -> bytes:
    """Run ``dot`` on ``dot_source`` and return the ``fmt`` output (svg, png or pdf).

    ``page`` ("a4" in the better orientation, "a4-portrait", "a4-landscape" or "16:9") scales the
    drawing (up or down) to fill that page, centred, with a 0.4 inch margin; PDF pages then have
    exactly that size. SVG groups are titled in words (:mod:`.svg_titles`).
    Raises :class:`DotNotFound`, :class:`RenderError`, ``ValueError`` for a bad fmt/page.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if page is not None and page not in PAGES:
        raise ValueError(f"unknown page {page!r}; use one of {', '.join(PAGES)}")
    exe = shutil.which("dot")
    if exe is None:
        raise DotNotFound()
    args = [exe, f"-T{fmt}"]
    if fmt == "png":
        args.append("-Gdpi=150")
    if page:
        args += _page_args(exe, dot_source, page)
    out = _run_dot(args, dot_source)
    if fmt == "svg":  # tooltips and accessible names in words, never DOT ids (svg_titles.py)
        from .svg_titles import titles_in_words
        out = titles_in_words(out.decode("utf-8")).encode("utf-8")
    return out


def render(dot_source: str, fmt: str, out_path: str | Path, page: str | None = None) -> Path:
    """Render ``dot_source`` to ``out_path`` as svg, png or pdf (see :func:`render_bytes`).

    Creates parent folders; returns the path written. Raises :class:`DotNotFound` when the
    ``dot`` binary is missing, :class:`RenderError` when it fails.
    """
    data = render_bytes(dot_source, fmt, page)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out



# --------------------------------------------------------------------------------------------
# Reading edges back (parity with the model)

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/|^\#[^\n]*)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<html><)
  | (?P<arrow>->|--)
  | (?P<punct>[\[\]{};,=:])
  | (?P<id>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))
""", re.X | re.S | re.M)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, i, n = [], 0, len(text)
    while i < n:
        m = _TOKEN_RE.match(text, i)
        if not m:
            raise DiagramError(f"cannot read DOT at offset {i}: {text[i:i + 20]!r}")
        kind = m.lastgroup
        if kind == "html":  # balanced <...>
            depth, j = 0, i
            while j < n:
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            out.append(("id", text[i:j]))
            i = j
            continue
        if kind == "str":
            out.append(("id", re.sub(r'\\(["\n])', lambda m_: "" if m_.group(1) == "\n" else '"',
                                     m.group()[1:-1])))
        elif kind != "ws":
            out.append((kind, m.group()))
        i = m.end()
    return out


def dot_edges(dot_text: str) -> list[tuple[str, str, dict[str, str]]]:
    """Every edge statement ``a -> b [attrs]`` of DOT text as (tail, head, attributes).

    Edge chains ``a -> b -> c`` give one tuple per pair. Subgraph endpoints are not supported.
    """
    toks = _tokens(dot_text)
    out: list[tuple[str, str, dict[str, str]]] = []
    i = 0
    while i < len(toks):
        if i + 2 < len(toks) and toks[i][0] == "id" and toks[i + 1][0] == "arrow":
            chain = [toks[i][1]]
            j = i + 1
            while j + 1 < len(toks) and toks[j][0] == "arrow" and toks[j + 1][0] == "id":
                chain.append(toks[j + 1][1])
                j += 2
            attrs: dict[str, str] = {}
            while j < len(toks) and toks[j] == ("punct", "["):
                j += 1
                while j < len(toks) and toks[j] != ("punct", "]"):
                    if toks[j][0] == "id" and j + 2 < len(toks) and toks[j + 1] == ("punct", "="):
                        attrs[toks[j][1]] = toks[j + 2][1]
                        j += 3
                    else:
                        j += 1
                j += 1
            out += [(a, b, attrs) for a, b in zip(chain, chain[1:], strict=False)]
            i = j
        else:
            i += 1
    return out


def edges_of_dot(dot_text: str) -> set[EdgeFact]:
    """The transitions a generated DOT text draws, read back from its ``mno_*`` edge attributes.

    Wildcard edges are expanded to the sources they stand for. Flow, initial and path edges (no
    ``mno_trigger``) are skipped. Compare with :func:`transition_facts` of the same SOP and language.
    """
    facts: set[EdgeFact] = set()
    for _tail, _head, attrs in dot_edges(dot_text):
        if "mno_trigger" not in attrs:
            continue
        step, trig, dest = (_unpct(attrs.get(k, "")) for k in ("mno_step", "mno_trigger", "mno_dest"))
        guard = _unpct(attrs.get("mno_guard", ""))
        for src in _unpct(attrs.get("mno_sources", "")).split(","):
            facts.add(EdgeFact(step, src, trig, dest, guard))
    return facts

