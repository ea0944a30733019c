"""``narrative: [narrative.yaml]``: the SOP document's text files, read with the SOP and stored with it.

The files an SOP lists under ``narrative:`` (paths relative to the main file, inside its folder,
as for ``imports``) are read when the SOP is loaded, from the disk for a file or from the stored
texts for a published version or a draft (``sop_versions.files`` / ``sop_drafts.files``:
``{path: exact text}``; the disk is then never read). Their texts join the SOP's files (covered
by its digest, written back by ``mno sop export``) and their merged content
(:class:`~mno_workflow.sop.narrative.Narrative`) is kept on the model, where the document
renderers take it (:func:`mno_workflow.render.narrative_text.find_narrative`).

Errors, at the ``narrative`` entry (``file:line:col``, nothing loaded, so nothing stored): a path
leaving the SOP folder or an unreadable file (E037, as for imports); a file that is not one
``narrative:`` mapping of the narrative schema (E037 too, at the offending line of that file). A
file that does not exist (beside an SOP read from the disk, or among a draft's files) stays the
warning W128 it was (issue 19): the SOP loads without it, its documents cannot be made
(:class:`~mno_workflow.render.narrative_text.NarrativeError`), and a version registered from it
holds no narrative file (as an old version: see below).

Versions registered before narrative files were stored (issue 14) lack them in their files: a
stored version is loaded with ``unstored_ok`` and the model records the missing names
(:func:`unstored`); see ``docs/sop-language.md`` for what documents and export then do.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, SOPError, said
from .narrative import Narrative

if TYPE_CHECKING:  # pragma: no cover
    from .loader import Positions
    from .schema import SOP

__all__ = ["listed", "merge_narratives", "read_listed", "unstored"]


def merge_narratives(parts: list[Narrative]) -> Narrative:
    """Chapters and glossary of ``parts`` in order; blocks merged (the first file naming one wins)."""
    blocks: dict[str, dict[str, str]] = {}
    for part in parts:
        for name, text in part.blocks.items():
            blocks.setdefault(name, text)
    return Narrative(chapters=[c for p in parts for c in p.chapters],
                     glossary=[g for p in parts for g in p.glossary], blocks=blocks)


def listed(sop: SOP) -> Narrative | None:
    """The merged narrative of ``sop``'s listed files as read when it was loaded, or None (inline
    narrative, none, a model not built by the loader, or files not stored with its version)."""
    return getattr(sop, "_listed_narrative", None)


def unstored(sop: SOP) -> tuple[str, ...]:
    """The listed narrative files that the stored version ``sop`` was registered without (a
    version registered before narrative files were stored); ``()`` otherwise."""
    return getattr(sop, "_unstored_narrative", ()) or ()


def read_listed(data: dict, pos: Positions, path: str, files: Mapping[str, str] | None
                ) -> tuple[dict[str, str], Narrative | None, tuple[str, ...]]:
    """Read the files of ``data["narrative"]`` (a list; ``data`` of the main file ``path`` with
    positions ``pos``) from ``files`` (None: the disk beside ``path``). Returns ``({path:
    exact text}, merged narrative or None when a file is missing, missing paths)``. Raises :class:`SOPError`
    (E037 and the syntax errors of a narrative file) listing every problem."""
    from .imports import ImportPathError, _Reader, display, normalize, read_failure

    reader = _Reader(Path(path).parent, files)
    texts: dict[str, str] = {}
    parts: list[Narrative] = []
    missing: list[str] = []
    problems: list[Diagnostic] = []
    main = Path(path).name
    for i, entry in enumerate(data["narrative"]):
        line, col = pos.values.get(("narrative", i), pos.of(("narrative",)))

        def problem(message, hint, line=line, col=col) -> None:
            problems.append(Diagnostic(path, line, col, "error", "E037", message, hint))

        inside = said("give a path relative to the SOP file, inside the SOP's folder")
        try:
            rel = normalize(entry)
        except ImportPathError as e:
            problem(said("cannot read narrative file {entry!r}: {reason}", entry=entry, reason=e.args[0]),
                    inside)
            continue
        if rel == main or rel in texts:
            problem(said("narrative file {entry!r} is listed twice or is the SOP file itself", entry=entry),
                    said("list each narrative file once"))
            continue
        try:
            text = reader.read(rel)
        except ImportPathError as e:
            problem(said("cannot read narrative file {entry!r}: {reason}", entry=entry, reason=e.args[0]),
                    inside)
            continue
        except FileNotFoundError:  # W128 (sop/checks/narrative_files.py)
            missing.append(rel)
            continue
        except (OSError, UnicodeDecodeError) as e:
            problem(said("cannot read narrative file {entry!r}: {reason}", entry=entry,
                         reason=read_failure(e)),
                    said("the file must be readable UTF-8 text"))
            continue
        texts[rel] = text
        try:
            parts.append(_narrative(text, display(path, rel)))
        except SOPError as e:
            problems.extend(e.diagnostics)
    if problems:
        raise SOPError(problems)
    return texts, (None if missing else merge_narratives(parts)), tuple(missing)


def _narrative(text: str, shown: str) -> Narrative:
    """The narrative of one listed file's ``text`` (diagnostics name it ``shown``). Raises
    :class:`SOPError` (syntax errors, E037 for the shape or the narrative schema)."""
    from pydantic import ValidationError

    from ..i18n.pydantic_words import said_error
    from .loader import parse_yaml

    data, sub = parse_yaml(text, shown)
    if set(data) != {"narrative"}:
        extra = sorted(set(data) - {"narrative"})
        line, col = sub.of((extra[0],), key=True) if extra else (1, 1)
        raise SOPError([Diagnostic(shown, line, col, "error", "E037",
                                   said("a narrative file holds one top-level key, 'narrative:'"),
                                   said("move the other keys into the SOP file"))])
    try:
        return Narrative.model_validate(data["narrative"])
    except ValidationError as e:
        out = []
        for err in e.errors(include_url=False):
            loc: tuple[Any, ...] = ("narrative", *err["loc"])
            line, col = sub.of(loc)
            out.append(Diagnostic(shown, line, col, "error", "E037",
                                  said("invalid narrative at {where}: {error}",
                                       where=".".join(str(x) for x in loc),
                                       error=said_error(err) or err["msg"]),  # in words (G20)
                                  said("see docs/sop-language.md, narrative")))
        raise SOPError(out) from None


def narrative_file_diagnostics(path: str | Path) -> list[Diagnostic]:
    """E046 diagnostics of a ``narrative.yaml`` given to ``mno validate`` (empty when it is
    fine): ``file:line:col`` of the problem, the message written with ``said()`` (French by
    default, English with ``--lang en``, like the SOP's own diagnostics)."""
    from dataclasses import replace

    from .imports import read_failure

    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [Diagnostic(shown, 1, 1, "error", "E046",
                           said("cannot read narrative file {entry!r}: {reason}", entry=shown,
                                reason=read_failure(e)),
                           said("the file must be readable UTF-8 text"))]
    try:
        _narrative(text, shown)
    except SOPError as e:
        return [replace(d, code="E046") for d in e.diagnostics]
    return []
