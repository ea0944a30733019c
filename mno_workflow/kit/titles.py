"""Scenario titles per language: the warning for a scenario whose title lacks a language its SOP
declares (its documents in that language would show the French title), for ``mno test`` and
``mno validate``.

A title is written ``scenario: Titre`` (French only) or, like the SOP's labels,
``scenario: {fr: Titre, en: Title}``; :meth:`~mno_workflow.kit.model.Scenario.title` gives it in a
language, falling back to French.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..sop.diagnostics import Diagnostic, SOPError, said_fr, text_in
from ..sop.loader import parse_yaml
from ..sop.schema import SOP

if TYPE_CHECKING:
    from .model import Scenario

__all__ = ["missing_titles", "title_warnings_beside"]

CODE = "S040"


def missing_titles(scn: Scenario, sop: SOP) -> list[Diagnostic]:
    """One warning (``S040`` at the ``scenario:`` key) per language of ``sop.languages`` the
    scenario's title is not written in; [] when every language has its title. Message and hint
    are catalogue messages (French source text, :func:`said_fr`): ``Diagnostic.format(lang)`` and
    ``mno test``'s report show them in the reader's language."""
    out = []
    for lang in sop.languages:
        if lang not in scn.titles:
            line, col = scn.positions.of(("scenario",), key=True)
            message = said_fr("titre du scénario sans version « {lang} » : les documents en « {lang} » "
                              "(dossier de formation) montrent « {title} »", lang=lang, title=scn.name)
            hint = said_fr("écrire scenario: {{fr: …, {lang}: …}}", lang=lang)
            out.append(Diagnostic(scn.path, line, col, "warning", CODE, message, hint))
    return out


def title_warnings_beside(sop_file: Path, sop: SOP, lang: str | None = None) -> list[Diagnostic]:
    """:func:`missing_titles` of every scenario in ``scenarios/`` beside ``sop_file`` that plays
    this SOP (``sop:`` resolves to it), their texts rendered in ``lang`` when given (``mno validate
    --format json`` prints them as they are). A scenario that does not load is left to ``mno
    test``, which reports its errors."""
    folder = sop_file.resolve().parent / "scenarios"
    out: list[Diagnostic] = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        head = _header(path)
        if head is not None and (head[0] != sop_file.resolve() or set(sop.languages) <= head[1]):
            continue  # another SOP's, or every title there: what the whole load would conclude
        from .model import load_scenario  # only for a file _header could not settle

        try:
            scn = load_scenario(path)
        except SOPError:
            continue
        if scn.sop_path == sop_file.resolve():
            out += missing_titles(scn, sop)
    if lang:
        out = [replace(d, message=text_in(d.message, lang), hint=text_in(d.hint, lang)) for d in out]
    return out


_TOP_KEY = re.compile(r"^(scenario|sop)[ \t]*:")


def _header(path: Path) -> tuple[Path, set[str]] | None:
    """The SOP a scenario file plays and the languages of its title, read from its top-level
    ``sop:`` and ``scenario:`` entries alone (each parsed by itself: a tenth of the time of the
    whole file, which ``mno validate`` would otherwise parse for every scenario beside the SOP;
    issue 15, « mno validate ≤ 0.4 s »). None when the file is not that plain (a key missing or
    written twice, an anchor, a value that is not a text or a mapping of texts, unreadable): the
    caller then loads the whole scenario. Only used to skip a file that would give no warning."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    chunks: dict[str, list[str]] = {}
    key = None
    for line in lines:
        m = _TOP_KEY.match(line)
        if m:
            if m[1] in chunks:
                return None
            key = m[1]
            chunks[key] = [line]
        elif key and (not line.strip() or line[0] in " \t#"):
            chunks[key].append(line)
        else:
            key = None
    if set(chunks) != {"scenario", "sop"}:
        return None
    try:
        values: dict[str, Any] = {}
        for chunk in chunks.values():
            if any(c in "".join(chunk) for c in "&*!"):
                return None  # anchors, aliases, tags: the whole file says what they mean
            values.update(parse_yaml("\n".join(chunk), str(path))[0] or {})
    except SOPError:
        return None
    title, sop = values.get("scenario"), values.get("sop")
    if not isinstance(sop, str) or not sop:
        return None
    if isinstance(title, str) and title:
        langs = {"fr"}
    elif isinstance(title, dict) and title and all(isinstance(v, str) and v for v in title.values()):
        langs = {str(k) for k in title}
    else:
        return None
    return (path.resolve().parent / sop).resolve(), langs
