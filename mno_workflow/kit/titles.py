"""Scenario titles per language: the warning for a scenario whose title lacks a language its SOP
declares (its documents in that language would show the French title), for ``mno test`` and
``mno validate``.

A title is written ``scenario: Titre`` (French only) or, like the SOP's labels,
``scenario: {fr: Titre, en: Title}``; :meth:`~mno_workflow.kit.model.Scenario.title` gives it in a
language, falling back to French.
"""

from __future__ import annotations

from pathlib import Path

from ..sop.diagnostics import Diagnostic, SOPError
from ..sop.schema import SOP
from .model import Scenario, load_scenario

__all__ = ["missing_titles", "title_warnings_beside"]

CODE = "S040"


def missing_titles(scn: Scenario, sop: SOP, say_in: str = "fr") -> list[Diagnostic]:
    """One warning (``S040`` at the ``scenario:`` key, written in ``say_in``: ``fr`` or ``en``)
    per language of ``sop.languages`` the scenario's title is not written in; [] when every
    language has its title."""
    out = []
    for lang in sop.languages:
        if lang not in scn.titles:
            line, col = scn.positions.of(("scenario",), key=True)
            if say_in == "en":
                message = (f"scenario title without a « {lang} » version: documents in « {lang} » "
                           f"(training pack) show « {scn.name} »")
                hint = f"write scenario: {{fr: …, {lang}: …}}"
            else:
                message = (f"titre du scénario sans version « {lang} » : les documents en « {lang} » "
                           f"(dossier de formation) montrent « {scn.name} »")
                hint = f"écrire scenario: {{fr: …, {lang}: …}}"
            out.append(Diagnostic(scn.path, line, col, "warning", CODE, message, hint))
    return out


def title_warnings_beside(sop_file: Path, sop: SOP, say_in: str = "fr") -> list[Diagnostic]:
    """:func:`missing_titles` of every scenario in ``scenarios/`` beside ``sop_file`` that plays
    this SOP (``sop:`` resolves to it). A scenario that does not load is left to ``mno test``,
    which reports its errors."""
    folder = sop_file.resolve().parent / "scenarios"
    out: list[Diagnostic] = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            scn = load_scenario(path)
        except SOPError:
            continue
        if scn.sop_path == sop_file.resolve():
            out += missing_titles(scn, sop, say_in)
    return out
