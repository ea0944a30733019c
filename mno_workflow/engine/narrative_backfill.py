"""Versions registered before narrative files were stored: the rule that completes them.

Before issue 14 the files an SOP lists under ``narrative:`` were read from the disk when documents
were made, so a version registered then (e.g. Burkina Faso "2026.2") holds its main text (and its
imported files) but not its narrative files, and its digest does not cover them. Loading the same
SOP again from the disk must neither be refused as a conflict nor create a version: the registry
(:meth:`~mno_workflow.engine.registry.Registry.register`) treats the row as the same SOP when it
differs only by narrative files it lacks — as they are beside the SOP file loaded again — and
adds those files to the row (as read at that moment) with the digest recomputed over them —
once: from then on the version is complete and a changed narrative file is a conflict like any
other change. Until then the version's
documents show the SOP folder's narrative under a warning chapter and ``mno sop export`` leaves
those files out with a warning (``docs/sop-language.md``, "SOP narrative").
"""

from __future__ import annotations

from typing import Any

from ..sop.loader import LoadedSOP

__all__ = ["add_narrative", "missing_narrative", "without_new_narrative"]


def missing_narrative(row: Any, loaded: LoadedSOP) -> dict[str, str]:
    """``{path: text}`` of ``loaded``'s narrative files that ``row`` (a ``SopVersion``) lacks and
    that are, byte for byte, the files beside ``loaded``'s SOP file: only the SOP loaded again
    from its folder completes an old version (a workbench draft whose narrative was edited, then
    published under the old version number, is another content: a conflict)."""
    from pathlib import Path
    stored = dict(row.files or {})
    folder = Path(loaded.path).parent
    out: dict[str, str] = {}
    for p in loaded.narrative_paths:
        if p in stored or p not in loaded.files:
            continue
        try:
            on_disk = (folder / p).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if on_disk == loaded.files[p]:
            out[p] = loaded.files[p]
    return out


def without_new_narrative(row: Any, loaded: LoadedSOP) -> dict[str, str]:
    """``loaded.files`` less the narrative files ``row`` lacks (what ``row.files`` must equal for
    the two to be the same SOP)."""
    new = missing_narrative(row, loaded)
    return {p: t for p, t in loaded.files.items() if p not in new}


def add_narrative(row: Any, loaded: LoadedSOP) -> bool:
    """Add to ``row`` the narrative files of ``loaded`` it lacks and recompute its digest over
    its own source and files; False when it lacked none (nothing written)."""
    from ..sop.imports import content_sha256
    new = missing_narrative(row, loaded)
    if not new:
        return False
    files = {**dict(row.files or {}), **new}
    row.files = files
    row.sha256 = content_sha256(row.source, files)
    return True
