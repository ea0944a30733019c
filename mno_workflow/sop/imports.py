"""``imports:``: an SOP split into several files, resolved from the disk or from a stored version.

An SOP may take its option lists, forms and narrative from other YAML files
(``imports: [commun/formulaires.yaml]``, paths relative to the importing file); an imported file
may import others in turn. Every path must stay inside the folder of the SOP's main file (no
absolute path, no ``..`` leading out of it, no symbolic link pointing out of it), so the set of
files is self-contained: it is stored with the published version (``sop_versions.files``:
``{path relative to the main file: exact text}``) and ``mno sop export`` writes it back
byte for byte. A stored version resolves its imports from those stored texts only, never from
the disk, so a case running on version N reads version N's imported content for ever.

What a file defines itself wins over what it imports (a regional template adapted per country);
among a file's imports, a later one wins. Diagnostics of imported content name the imported file
and its line (positions keep the file per merged entry). A missing or unreadable file, a path
leaving the SOP folder and an import cycle are errors E037 at the ``imports`` entry
(``file:line:col``).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, SOPError, said

if TYPE_CHECKING:  # pragma: no cover
    from .loader import Positions

IMPORTABLE = ("options", "forms", "narrative")
_DRIVE = re.compile(r"^[A-Za-z]:")


class ImportPathError(ValueError):
    """An ``imports`` entry that is not a path inside the SOP folder (the reason in English)."""


def normalize(entry: Any, importer: str = "") -> str:
    """The path of import ``entry`` relative to the SOP's folder, written in the file
    ``importer`` (itself relative to that folder; ``""`` for the main file): POSIX, normalised
    (``forms/../a.yaml`` → ``a.yaml``). Raises :class:`ImportPathError` for an empty, absolute or
    Windows path, or one that leads out of the SOP folder (``../x.yaml``)."""
    text = str(entry) if isinstance(entry, str) else ""
    if not text.strip():
        raise ImportPathError(said("an import must be a file path"))
    if text.startswith(("/", "~")) or "\\" in text or _DRIVE.match(text):
        raise ImportPathError(said("an absolute path is not allowed: give a path relative to the SOP file"))
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(importer), text))
    if joined == ".." or joined.startswith("../") or joined == ".":
        raise ImportPathError(said("the path leads out of the SOP's folder: keep imported files in that "
                                   "folder or below it"))
    return joined


def content_sha256(source: str, files: Mapping[str, str] | None = None) -> str:
    """SHA-256 (hex) of an SOP: of its text alone when it has no imported file (as before
    imports were stored), else of the text and every ``{path: text}`` in path order, each part
    length-prefixed so that no two sets of files give the same digest."""
    if not files:
        return hashlib.sha256(source.encode("utf-8")).hexdigest()
    digest = hashlib.sha256()
    for part in (source, *(x for k in sorted(files) for x in (k, files[k]))):
        data = part.encode("utf-8")
        digest.update(f"{len(data)}:".encode() + data)
    return digest.hexdigest()


def read_failure(exc: BaseException) -> Any:
    """Why a file could not be read, as a catalogue message (never the operating system's English
    text such as ``[Errno 13] Permission denied: '/…'``): permission denied, a folder, not UTF-8
    text at byte N (1-based, as lines and columns), else the errno name (``EIO``)."""
    import errno
    if isinstance(exc, UnicodeDecodeError):
        return said("not UTF-8 text (byte {n})", n=exc.start + 1)
    if isinstance(exc, PermissionError):
        return said("permission denied")
    if isinstance(exc, IsADirectoryError):
        return said("it is a folder, not a file")
    code = getattr(exc, "errno", None)
    if code in errno.errorcode:
        return said("system error {name}", name=errno.errorcode[code])
    return said("system error")


class _Reader:
    """Reads imported files by their path relative to the SOP folder: from ``files`` when given
    (a stored version or a draft: the disk is never read), else from the folder ``root``."""

    def __init__(self, root: Path, files: Mapping[str, str] | None):
        self.root, self.files = root, files

    def read(self, rel: str) -> str:
        if self.files is not None:
            if rel not in self.files:
                raise FileNotFoundError(said("{rel!r} is not among the files of this SOP version", rel=rel))
            return self.files[rel]
        target = self.root / rel
        real, top = target.resolve(), self.root.resolve()
        if real != top and top not in real.parents:
            raise ImportPathError(said("the file is a link that leads out of the SOP's folder"))
        # bytes, not read_text: CRLF line ends are kept (the stored file is the author's file)
        return target.read_bytes().decode("utf-8")


def display(main_path: str, rel: str) -> str:
    """How a diagnostic names imported file ``rel`` of the SOP read from ``main_path``."""
    parent = Path(main_path).parent
    return rel if str(parent) in ("", ".") else str(parent / rel)


def resolve(data: dict, pos: Positions, path: str, files: Mapping[str, str] | None
            ) -> tuple[dict, dict[str, str]]:
    """Merge into ``data`` (the main file's, with positions ``pos``, read from ``path``) the
    ``options``, ``forms`` and ``narrative`` of its imports, recursively. ``files``: the stored
    texts to read (None: the disk beside ``path``). Returns ``(merged data without imports,
    {relative path: exact text} of every file read)``. Raises :class:`SOPError` (E037, and the
    syntax errors of an imported file at their own position) listing every problem."""
    reader = _Reader(Path(path).parent, files)
    read: dict[str, str] = {}
    problems: list[Diagnostic] = []
    main = Path(path).name
    out = _merge(data, pos, main, path, path, reader, read, problems, (main,))
    if problems:
        raise SOPError(problems)
    return out, read


def _merge(data: dict, pos: Positions, rel: str, here: str, path: str, reader: _Reader,
           read: dict[str, str], problems: list[Diagnostic], chain: tuple[str, ...]) -> dict:
    """``data`` of file ``rel`` (relative to the SOP folder; diagnostics name it ``here``) with
    its imports merged (positions and files of merged entries recorded in ``pos``); ``chain``:
    the files importing it, main file first. Problems are appended to ``problems``."""
    from .loader import Positions, parse_yaml

    entries = data.get("imports")
    if not isinstance(entries, list):
        return data  # absent, or the schema reports the wrong type
    # a ``narrative:`` list names files read by the documents: imports then add no narrative to it
    importable = [k for k in IMPORTABLE if k != "narrative" or not isinstance(data.get(k), list)]
    merged = {k: dict(data.get(k) or {}) for k in importable}
    for i, entry in enumerate(entries):
        where = pos.values.get(("imports", i), pos.of(("imports",)))

        def problem(message: str, hint: str, where=where) -> None:
            problems.append(Diagnostic(here, *where, "error", "E037", message, hint))

        inside = said("give a path relative to this file, inside the SOP's folder")

        try:
            target = normalize(entry, rel)
        except ImportPathError as e:
            problem(said("cannot import {entry!r}: {reason}", entry=entry, reason=e.args[0]), inside)
            continue
        if target in chain:
            cycle = " → ".join([*chain, target])
            problem(said("import cycle: {cycle}", cycle=cycle),
                    said("remove one of these imports: a file cannot import itself, even through others"))
            continue
        try:
            text = reader.read(target)
        except ImportPathError as e:
            problem(said("cannot import {entry!r}: {reason}", entry=entry, reason=e.args[0]), inside)
            continue
        except FileNotFoundError as e:
            reason = e.args[0] if reader.files is not None else said("file not found")
            problem(said("cannot import {entry!r}: {reason}", entry=entry, reason=reason), inside)
            continue
        except (OSError, UnicodeDecodeError) as e:
            problem(said("cannot import {entry!r}: {reason}", entry=entry, reason=read_failure(e)),
                    said("the file must be readable UTF-8 text"))
            continue
        read[target] = text
        sub = Positions()
        try:
            imported, sub = parse_yaml(text, display(path, target))
        except SOPError as e:
            problems.extend(e.diagnostics)
            continue
        extra = sorted(set(imported) - {*IMPORTABLE, "imports"})
        if extra:
            problem(said("{entry!r} holds {keys}: only options and forms (and the narrative) can be imported",
                         entry=entry, keys=", ".join(extra)),
                    said("keep steps, roles and flow in the SOP itself"))
            continue
        shapeless = [k for k in importable
                     if imported.get(k) is not None and not isinstance(imported[k], dict)]
        if shapeless:
            line, col = sub.of((shapeless[0],))
            problems.append(Diagnostic(display(path, target), line, col, "error", "E037",
                                       said("{key!r} of an imported file must be a mapping "
                                            "(name: definition)", key=shapeless[0]),
                                       said("see docs/sop-language.md, imports")))
            continue
        imported = _merge(imported, sub, target, display(path, target), path, reader, read, problems,
                          (*chain, target))
        for key in importable:
            for name, value in (imported.get(key) or {}).items():
                if name in (data.get(key) or {}):
                    continue  # what the importing file defines itself wins
                merged[key][name] = value
                _copy_positions(sub, pos, (key, name), display(path, target))
    out = {k: v for k, v in data.items() if k != "imports"}
    out.update({k: v for k, v in merged.items() if v})
    return out


def _copy_positions(src: Positions, dst: Positions, prefix: tuple, file: str) -> None:
    """Positions under ``prefix`` of an imported file's document into the importer's, with the
    file they are in (a nested import keeps its own file)."""
    n = len(prefix)
    for table in ("keys", "values"):
        mine, theirs = getattr(dst, table), getattr(src, table)
        for p in [p for p in mine if p[:n] == prefix]:
            del mine[p]  # an earlier import of the same name lost
        for p, at in theirs.items():
            if p[:n] == prefix:
                mine[p] = at
    for p in [p for p in dst.files if p[:n] == prefix]:
        del dst.files[p]
    dst.files[prefix] = file
    for p, f in src.files.items():
        if p[:n] == prefix:
            dst.files[p] = f


def closure(main: Path) -> dict[Path, Path]:
    """``{imported file (resolved): the file importing it}`` of SOP file ``main`` and its nested
    imports, from the disk and without validating anything (``mno validate`` of a folder does
    not check imported files as SOPs). Unreadable files and bad entries are left out (the SOP's
    own validation reports them)."""
    from .loader import parse_yaml
    out: dict[Path, Path] = {}
    todo: list[tuple[Path, str]] = [(main, "")]
    while todo:
        f, rel = todo.pop()
        try:
            data, _ = parse_yaml(f.read_bytes().decode("utf-8"), str(f))
        except (OSError, UnicodeDecodeError, SOPError):
            continue
        entries = data.get("imports") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            try:
                target = normalize(entry, rel)
            except ImportPathError:
                continue
            p = (main.parent / target).resolve()
            if p not in out and p != main.resolve():
                out[p] = f
                todo.append((main.parent / target, target))
    return out
