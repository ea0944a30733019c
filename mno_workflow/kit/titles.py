"""Scenario titles per language: the warning for a scenario whose title lacks a language its SOP
declares (its documents in that language would show the French title), for ``mno test`` and
``mno validate``.

A title is written ``scenario: Titre`` (French only) or, like the SOP's labels,
``scenario: {fr: Titre, en: Title}``; :meth:`~mno_workflow.kit.model.Scenario.title` gives it in a
language, falling back to French.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..sop.diagnostics import Diagnostic, SOPError, said_fr, text_in
from ..sop.schema import SOP
from .model import Scenario, load_scenario

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
        try:
            scn = load_scenario(path)
        except SOPError:
            continue
        if scn.sop_path == sop_file.resolve():
            out += missing_titles(scn, sop)
    if lang:
        out = [replace(d, message=text_in(d.message, lang), hint=text_in(d.hint, lang)) for d in out]
    return out
