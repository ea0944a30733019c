"""Reading CSV files as spreadsheets save them: encoding (UTF-8 with or without BOM, Windows-1252) and
separator (``,``, ``;`` or tab) are detected, so a file saved by French Excel (``;`` + BOM) imports.

:func:`read_text` returns the decoded text or raises :class:`UndecidableEncoding` (French message)
when the bytes are neither UTF-8 nor Windows-1252; :func:`delimiter` picks the separator from the
header line (the character among ``,;\\t`` found most often outside quotes; ``,`` when none).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

DELIMITERS = (",", ";", "\t")


class UndecidableEncoding(ValueError):
    """The file is neither UTF-8 nor Windows-1252 text."""


def read_text(path: Path) -> tuple[str, str]:
    """(text, encoding name) of ``path``: UTF-8 (BOM removed) first, else Windows-1252.

    Raises UndecidableEncoding when neither decodes, naming the first offending byte offset.
    """
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            from ..sop.diagnostics import said_fr
            raise UndecidableEncoding(said_fr(
                "marque UTF-8 (BOM) mais octet invalide à la position {position} : "
                "réenregistrer en « CSV UTF-8 »", position=exc.start + 3)) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            from ..sop.diagnostics import said_fr
            raise UndecidableEncoding(said_fr(
                "encodage indécidable : ni UTF-8 (octet invalide à la position {position}) "
                "ni Windows-1252 ; réenregistrer en « CSV UTF-8 »", position=utf8_error.start)) from None


def delimiter(text: str) -> str:
    """The separator of the CSV ``text``: the most frequent of ``, ; \\t`` in the header, outside quotes."""
    header = text.split("\n", 1)[0]
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def reader(path: Path | str, *, text: str | None = None) -> csv.reader:
    """A ``csv.reader`` over ``path`` with its detected encoding and separator (``text``: the file
    already decoded by :func:`read_text`, so that it is read and decoded once)."""
    if text is None:
        text, _ = read_text(path)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))



def swallowed_rows(path: Path | str, *, text: str | None = None) -> int | None:
    """The line where a cell starts that swallows whole rows (a quote opened and not closed where
    it should be: the next lines are read as part of one cell, silently; tryout 3, F8), or None.
    A cell over several lines is kept when none of its lines looks like a row of the file (as
    many separators as the header). ``text``: as for :func:`reader`."""
    if text is None:
        text, _ = read_text(path)
    sep = delimiter(text)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header = next(rows, None)
    if not header or len(header) < 2:
        return None
    start = rows.line_num + 1
    try:
        for cells in rows:
            for cell in cells:
                if "\n" in cell and any(line.count(sep) >= len(header) - 1 for line in cell.split("\n")):
                    return start
            start = rows.line_num + 1
    except csv.Error:
        return None  # said by the reader itself, at its line
    return None
