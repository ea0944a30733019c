"""HTML documents to PDF with WeasyPrint, and PDF pages to PNG for checking (tests, artifacts/).

WeasyPrint needs the Pango library of the system (``libpango-1.0``); when it cannot load,
:class:`PdfUnavailable` says so in French and English instead of a traceback. Rendering a
page to PNG uses pypdfium2 (a test dependency), imported only when asked.
"""

from __future__ import annotations

import logging
from pathlib import Path

__all__ = ["PdfUnavailable", "html_to_pdf", "pdf_page_count", "pdf_to_pngs"]


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or its system library Pango) cannot be loaded."""


def html_to_pdf(html: str, out_path: str | Path | None = None, base_url: str | None = None) -> bytes:
    """The PDF bytes of one HTML document (its own ``@page`` CSS decides A4 or 16:9).

    Writes them to ``out_path`` too when given. ``base_url`` resolves relative links and images.
    Raises :class:`PdfUnavailable` when WeasyPrint cannot load.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # OSError: libpango missing
        from ..i18n import gettext
        raise PdfUnavailable(gettext("PDF impossible : WeasyPrint ne se charge pas ({error}). Installez "
                                     "libpango-1.0-0.", error=e)) from None
    # WeasyPrint logs every CSS property it ignores and every SVG id met twice (inline diagrams
    # repeat Graphviz's ids) as warnings: noise for a user of ``mno publish``, not a problem.
    quiet = logging.getLogger("weasyprint")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        data = weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    finally:
        quiet.setLevel(level)
    if out_path is not None:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        Path(out_path).write_bytes(data)
    return data


def pdf_page_count(data: bytes) -> int:
    """Number of pages of a PDF (needs pypdfium2)."""
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(data))


def pdf_to_pngs(data: bytes, out_prefix: str | Path, pages: int = 1, scale: float = 1.0) -> list[Path]:
    """Render the first ``pages`` pages of a PDF to ``<out_prefix>-<n>.png`` (n from 1); return the paths.

    ``scale`` 1.0 is 72 dpi. Needs pypdfium2.
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    out = []
    for i in range(min(pages, len(doc))):
        image = doc[i].render(scale=scale).to_pil()
        path = Path(f"{out_prefix}-{i + 1}.png")
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)
        out.append(path)
    return out
