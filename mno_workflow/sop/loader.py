"""Strict YAML loading of SOP files into the pydantic model, with file:line:col for every error.

YAML 1.2 through ruamel.yaml: ``no``/``off``/``NO`` stay strings, duplicate keys and tabs are
errors. Every node's position is kept so that schema errors (pydantic) and reference errors
(:mod:`mno_workflow.sop.lint`) point at the line an author must edit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from .diagnostics import Diagnostic, Said, SOPError, said
from .schema import SOP
from .yaml_words import find_bad_date, find_complex_key, open_bracket, problem_words

Path_ = tuple[Any, ...]
log = logging.getLogger("mno_workflow.sop")


@dataclass
class Positions:
    """1-based (line, col) of every key and value of a loaded document, by path."""

    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # the imported file an entry came from (``("forms", "note")`` → ``shared.yaml``); the rest
    # is in the main file (sop/imports.py)
    files: dict[Path_, str] = field(default_factory=dict)

    def file_of(self, path: Path_, main: str) -> str:
        """The file holding the node at ``path``: an imported file's name, else ``main``."""
        path = tuple(path)
        while path:
            if path in self.files:
                return self.files[path]
            path = path[:-1]
        return main

    def of(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Position of the deepest known node along ``path`` (the key itself when ``key``)."""
        path = tuple(path)
        while path:
            if key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
            key = False
        return self.values.get((), (1, 1))


@dataclass
class LoadedSOP:
    """An SOP model with its source text (the main file, byte for byte), SHA-256 and node
    positions. ``files``: the files it imports, ``{path relative to the main file: exact
    text}`` (``{}`` without ``imports:``); ``sha256`` covers them
    (:func:`~mno_workflow.sop.imports.content_sha256`). ``resolved``: the merged YAML text (no
    ``imports:``) that versions registered before imported files were stored kept, or ``""``.
    ``files`` also holds the files listed under ``narrative:`` (their paths in ``narrative_paths``;
    :mod:`mno_workflow.sop.listed_narrative`)."""

    model: SOP
    source: str
    path: str
    positions: Positions
    sha256: str
    files: dict[str, str] = field(default_factory=dict)
    resolved: str = ""
    narrative_paths: tuple[str, ...] = ()

    def diag(self, path: Path_, code: str, message: str, hint: str = "", *,
             severity: str = "error", key: bool = False) -> Diagnostic:
        line, col = self.positions.of(path, key=key)
        return Diagnostic(self.positions.file_of(path, self.path), line, col, severity, code, message,
                          hint)

    def text_of(self, file: str) -> str:
        """The text of the main file (``file == path``) or of an imported file named as in a
        diagnostic; ``""`` when unknown."""
        if file == self.path:
            return self.source
        from .imports import display
        return next((t for rel, t in self.files.items() if display(self.path, rel) == file), "")


def _plain(node: Any, path: Path_, pos: Positions) -> Any:
    """Turn ruamel nodes into plain dicts/lists, recording positions."""
    if isinstance(node, CommentedMap):
        out = {}
        here = pos.values.get(path, (1, 1))
        for k, v in node.items():
            key = k if isinstance(k, str) else str(k)  # pydantic reports keys as strings
            try:
                kl, kc = node.lc.key(k)
                vl, vc = node.lc.value(k)
                pos.keys[path + (key,)] = (kl + 1, kc + 1)
                pos.values[path + (key,)] = (vl + 1, vc + 1)
            except (KeyError, TypeError):  # a key merged in with '<<:' has no position of its own
                pos.keys[path + (key,)] = pos.values[path + (key,)] = here
            out[key] = _plain(v, path + (key,), pos)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, v in enumerate(node):
            line, col = node.lc.item(i)
            pos.values[path + (i,)] = (line + 1, col + 1)
            out_list.append(_plain(v, path + (i,), pos))
        return out_list
    if isinstance(node, str):
        return str(node)
    return node


def _duplicate(problem: str | None) -> str:
    """The key of ruamel's ``found duplicate key "sop" with value …`` (quoted), else its text."""
    m = re.search(r'duplicate key (".*?"|\S+)', problem or "")
    return m[1] if m else (problem or "")


#: an unquoted date or instant as YAML reads it (2025-06-31, 2025-06-31T08:00:00Z, 2025-06-31 08:00)
_DATE_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]\d[\d:.]*(?:[Zz]|[+-]\d\d(?::?\d\d)?)?)?")


class BadDateError(SOPError):
    """E001 for an unquoted date that does not exist (YAML refuses the whole file): ``token`` is
    the date as written, at the diagnostic's line and column (the scenario loader quotes it and
    reads on, to say the file's other errors in the same run)."""

    def __init__(self, diagnostics: list[Diagnostic], token: str):
        super().__init__(diagnostics)
        self.token = token


def parse_yaml(text: str, path: str) -> tuple[Any, Positions]:
    """Parse YAML 1.2 text into plain data and positions.

    Raises :class:`SOPError` with codes E001 (syntax), E002 (duplicate key), E003 (tab).
    """
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        doc = yaml.load(text)
    except ReaderError as e:  # a control character: it only knows the offset
        line = text.count("\n", 0, e.position) + 1
        col = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        raise SOPError([Diagnostic(path, line, col, "error", "E001",
                                   said("YAML syntax error: unacceptable character {character!r}",
                                        character=e.character),
                                   said("remove the invisible control character on this line"))]) from None
    except ValueError:  # an impossible unquoted date such as 1999-02-30 (YAML timestamp)
        line, col = find_bad_date(text)
        found = _DATE_TOKEN.match(text.splitlines()[line - 1][col - 1:]) if text.splitlines() else None
        bad = found[0] if found else ""
        raise BadDateError([Diagnostic(path, line, col, "error", "E001",
                                       said("invalid date: {error}", error=bad),
                                       said("write an existing date as YYYY-MM-DD, or quote the text"))],
                           bad) from None
    except TypeError as e:  # e.g. a mapping holding a list used as a key ("? {a: [1]}: x")
        log.info("%s: YAML structure not allowed: %s", path, e)  # the detail: log only
        line, col = find_complex_key(text)
        raise SOPError([Diagnostic(path, line, col, "error", "E001",
                                   said("a key here is a list or a mapping, not a name"),
                                   said("mapping keys must be plain text"))]) from None
    except RecursionError:
        raise SOPError([Diagnostic(path, 1, 1, "error", "E001", said("YAML nested too deeply"),
                                   said("an SOP needs only a few levels of nesting"))]) from None
    except DuplicateKeyError as e:
        mark = e.problem_mark
        raise SOPError([Diagnostic(path, mark.line + 1, mark.column + 1, "error", "E002",
                                   said("the key {key} appears twice in this mapping",
                                        key=_duplicate(e.problem)),
                                   said("each key may appear once in a mapping; merge or rename"))]) from None
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark is not None and e.problem_mark is not None and (
                e.problem_mark.index >= len(text.rstrip()) or "end of stream" in (e.problem or "")):
            # An unclosed quote or bracket: the author must look where it opens, not at the end.
            mark = e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or e.context or "invalid YAML"
        if "<stream end>" in problem:  # a list or mapping left open: where it opens
            line, col = open_bracket(text) or (line, col)
        if "\\t" in problem or "'\\t'" in str(e) or "\t" in problem:
            raise SOPError([Diagnostic(path, line, col, "error", "E003", said("tab character in YAML"),
                                       said("indent with spaces, never tabs"))]) from None
        raise SOPError([Diagnostic(path, line, col, "error", "E001",
                                   said("YAML syntax error: {problem}", problem=problem_words(problem)),
                                   said("check indentation, colons and closing brackets on this line "
                                        "or the one before"))]) from None
    pos = Positions()
    if not isinstance(doc, CommentedMap):
        raise SOPError([Diagnostic(path, 1, 1, "error", "E004", said("an SOP file must be a YAML mapping"),
                                   said("start with 'sop: <id>' and 'version: \"...\"'"))])
    return _plain(doc, (), pos), pos


def _schema_messages(kind: str, key: Any) -> tuple[str, Said, Said]:
    """Code, message and hint of an unknown (``extra_forbidden``) or missing key."""
    if kind == "extra_forbidden":
        near = _closest_key(key)
        if near == str(key):  # a key of the language, at the wrong place (tryout 9, L1: « lint » on a step)
            return "E010", said("key {key!r} is not allowed here", key=key), said(
                "{key!r} belongs under {places} (docs/sop-language.md)", key=key, places=_places_of(str(key)))
        if near is not None:  # a misspelt key (« escalte »): the key of the SOP language it is nearest to
            return "E010", said("unknown key {key!r}", key=key), said(
                "did you mean {near!r}? See docs/sop-language.md for the keys allowed here", near=near)
        return "E010", said("unknown key {key!r}", key=key), said(
            "check the spelling; see docs/sop-language.md for the keys allowed here")
    return "E011", said("missing required key {key!r}", key=key), said("add '{key}:' to this mapping",
                                                                        key=key)


#: where the keys of a model of the SOP language are written (the models an author meets)
_PLACES = {"SOP": "/ (top level)", "State": "steps.<step>.states.<state>",
           "Transition": "steps.<step>.transitions[]", "Step": "steps.<step>", "Form": "forms.<form>",
           "FormField": "forms.<form>.fields[]", "Deadline": "steps.<step>.states.<state>.deadline",
           "Role": "roles.<role>", "Calendar": "calendar", "DataProtection": "data_protection",
           "Retention": "retention", "Reopen": "reopen", "Entry": "entries[]",
           "ForEach": "steps.<step>.instances",
           "FlowRule": "flow[]", "Expiry": "…deadline.on_expiry", "FormRule": "forms.<form>.rules[]"}


def _places_of(key: str) -> str:
    """Where ``key`` is written in the SOP language: the places (:data:`_PLACES`) of the models
    that have it, joined by « , » (class names for a model not listed)."""
    from .schema_base import Strict
    found: list[str] = []
    todo = list(Strict.__subclasses__())
    while todo:
        model = todo.pop()
        todo.extend(model.__subclasses__())
        if any((info.alias or name) == key for name, info in model.model_fields.items()):
            found.append(_PLACES.get(model.__name__, model.__name__))
    return ", ".join(sorted(set(found)))


def _closest_key(key: Any) -> str | None:
    """The key of the SOP language (any field name or YAML alias of the schema's models) closest
    to ``key`` (difflib ratio ≥ 0.8), or None."""
    import difflib

    from .schema_base import Strict
    words: set[str] = set()
    todo = list(Strict.__subclasses__())
    while todo:
        model = todo.pop()
        todo.extend(model.__subclasses__())
        for name, info in model.model_fields.items():
            words.add(info.alias or name)
    found = difflib.get_close_matches(str(key), sorted(words), n=1, cutoff=0.8)
    return found[0] if found else None


def _invalid(e: dict, on_key: bool) -> Said:
    """E012's message: the validator's own message (a ``said`` text) when there is one, else
    pydantic's error in words of the catalogues (:mod:`mno_workflow.i18n.pydantic_words`; its
    English text for an uncommon error type)."""
    from ..i18n.pydantic_words import said_error
    detail: Any = said_error(e)
    if detail is None:
        error = (e.get("ctx") or {}).get("error")
        inner = error.args[0] if isinstance(error, ValueError) and error.args else None
        detail = said("Value error, {error}", error=inner) if isinstance(inner, Said) else e["msg"]
    if on_key:
        return said("invalid key: {error}", error=detail)
    return said("invalid value: {error}", error=detail)


def _schema_diagnostics(err: ValidationError, path: str, pos: Positions) -> list[Diagnostic]:
    from .schema_errors import missing_where, placed_errors
    seen: set[tuple] = set()
    out: list[Diagnostic] = []
    for p in placed_errors(err, pos):
        e, known = p.error, p.path
        if p.kind in ("extra_forbidden", "missing") and e["loc"]:
            code, message, hint = _schema_messages(p.kind, e["loc"][-1])
            line, col = pos.of(known, key=True)
        else:
            code, message = "E012", _invalid(e, p.on_key)
            hint = said("see docs/sop-language.md for the expected shape")
            line, col = pos.of(known, key=p.on_key)
        # a missing key is said where it is missing (its mapping), not at its own name
        where = ".".join(str(x) for x in missing_where(p))
        file = pos.file_of(known, path)
        # several keys missing from one mapping share its position: each is said (tryout 4, G3)
        sig = (file, line, col, code, e["loc"][-1] if p.kind == "missing" and e["loc"] else None)
        if sig in seen:
            continue
        seen.add(sig)
        out.append(Diagnostic(file, line, col, "error", code,
                              said("{message} at {where}", message=message, where=where) if where
                              else said("{message} at top level", message=message), hint))
    return out


def load_text(text: str, path: str = "<string>", files: Mapping[str, str] | None = None, *,
              unstored_ok: bool = False) -> LoadedSOP:
    """Parse and validate SOP ``text``; ``path`` names it in diagnostics, and its folder is where
    ``imports:`` are read from when ``files`` is None. ``files``: ``{path relative to the SOP
    file: text}`` to resolve ``imports:`` from instead of the disk (a stored version's or a
    draft's files; see :mod:`mno_workflow.sop.imports`). The files listed under ``narrative:``
    are read the same way (:mod:`mno_workflow.sop.listed_narrative`; a missing one is W128);
    ``unstored_ok``: ``files`` are a stored version's, whose model then records the listed
    narrative files it lacks (a version registered before they were stored: :func:`load_stored`).

    Returns a :class:`LoadedSOP`. Raises :class:`SOPError` listing every problem (syntax,
    schema, references, imports) with file:line:col. Reference checks come from
    :func:`mno_workflow.sop.lint.check_references`.
    """
    from . import cache

    # an unchanged SOP is not parsed again (sop/cache.py)
    cache_key = cache.key(text, path, files)
    if cache_key is not None and (hit := cache.get(cache_key)) is not None:
        return hit
    from .imports import content_sha256
    from .lint import check_references  # late import: lint depends on LoadedSOP
    data, pos = parse_yaml(text, path)
    read: dict[str, str] = {}
    resolved = ""
    if isinstance(data, dict) and data.get("imports"):
        from .imports import resolve
        data, read = resolve(data, pos, path, files)
        resolved = _dump(data)
    narrative, unstored, listed = None, (), {}
    if isinstance(data, dict) and isinstance(data.get("narrative"), list):
        from .listed_narrative import read_listed
        listed, narrative, unstored = read_listed(data, pos, path, files)
        read.update(listed)
    try:
        model = SOP.model_validate(data)
    except ValidationError as e:
        raise SOPError(_schema_diagnostics(e, path, pos)) from None
    # the files missing from a stored version's texts (an old version); elsewhere: W128 only
    model._listed_narrative, model._unstored_narrative = narrative, (unstored if unstored_ok else ())
    loaded = LoadedSOP(model, text, path, pos, content_sha256(text, read), read, resolved, tuple(listed))
    if unstored and files is not None:
        cache_key = None  # the model differs by unstored_ok: never served from the cache
    errors = [d for d in check_references(loaded) if d.severity == "error"]
    if errors:
        raise SOPError(errors)
    if cache_key is not None:
        cache.put(cache_key, loaded)
    return loaded


def _dump(data: dict) -> str:
    """The YAML text of merged ``data`` (what a version registered before imported files were
    stored kept as its source)."""
    import io
    yaml = YAML()
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def load_stored(row: Any) -> LoadedSOP:
    """Load a stored SOP version (``row``: ``source``, ``source_path``, ``files``, as
    ``store.models.SopVersion``): its ``imports:`` and ``narrative:`` files are read from
    ``row.files`` only, never from the disk, so a version reads the content it was published
    with. A version registered before narrative files were stored loads without them (the model
    records them: :func:`mno_workflow.sop.listed_narrative.unstored`). Raises :class:`SOPError`."""
    return load_text(row.source, row.source_path, files=dict(row.files or {}), unstored_ok=True)


def load_file(path: str | Path) -> LoadedSOP:
    """Read and load an SOP file (UTF-8). Raises :class:`SOPError` (also when unreadable).
    The text is kept byte for byte (CRLF line ends stay CRLF: the stored version and ``mno sop
    export`` give the author's file back)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")  # not read_text: it would turn CRLF into LF
    except (OSError, UnicodeDecodeError) as e:
        from ..i18n.files import file_error
        hint = "" if isinstance(e, FileNotFoundError) \
            else said("check the path and that the file is UTF-8 text")
        raise SOPError([Diagnostic(str(path), 1, 1, "error", "E000", file_error(path, e), hint)]) from None
    return load_text(text, str(path))
