"""W127, W128: where the SOP narrative comes from.

The chapters, glossary and text blocks of the SOP document belong to the SOP: inline under
``narrative:``, in files the SOP lists (``narrative: [narrative.yaml]``, paths relative to the SOP
file, read and stored with the SOP), or in a file it ``imports``. Older SOPs relied on a companion
``narrative.yaml`` found next to the SOP file by its name; documents still use it (deprecated
fallback, :func:`mno_workflow.render.narrative_text.find_narrative`) and W127 asks to declare it
(reported at the ``sop:`` key). W128: a listed narrative file that does not exist beside the SOP
file (or that an old stored version was registered without), at its entry (file:line:col); the
files that exist are read and stored with the SOP (:mod:`mno_workflow.sop.listed_narrative`).
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP

__all__ = ["COMPANION", "check_narrative_files", "undeclared_companion"]

COMPANION = "narrative.yaml"


def undeclared_companion(sop_path: str | Path | None, has_narrative: bool) -> Path | None:
    """The companion ``narrative.yaml`` beside ``sop_path`` when the SOP declares no narrative of
    its own (inline, listed or imported), else None."""
    if has_narrative or sop_path is None:
        return None
    companion = Path(sop_path).resolve().parent / COMPANION
    return companion if companion.exists() else None


def check_narrative_files(loaded: LoadedSOP) -> list[Diagnostic]:
    """W127 for an undeclared companion file, W128 for each listed narrative file that is missing."""
    narrative = loaded.model.narrative
    companion = undeclared_companion(loaded.path, narrative is not None)
    out = []
    if companion is not None:
        out.append(loaded.diag(("sop",), "W127",
                               said("the narrative comes from {name} beside the SOP, found by its name "
                                    "(deprecated): declare it under narrative:", name=companion.name),
                               said("add 'narrative: [{name}]' to the SOP", name=companion.name),
                               severity="warning", key=True))
    if isinstance(narrative, list):
        from ..imports import ImportPathError, normalize
        for i, name in enumerate(narrative):
            try:
                rel = normalize(name)
            except ImportPathError:  # pragma: no cover - the loader refuses it (E037)
                continue
            if rel not in loaded.files:  # read with the SOP (sop/listed_narrative.py), or missing
                out.append(loaded.diag(("narrative", i), "W128",
                                       said("narrative file {name!r} does not exist (beside {sop})",
                                            name=name, sop=Path(loaded.path).name),
                                       said("give a path relative to the SOP file"), severity="warning"))
    return out
