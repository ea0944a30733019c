"""Strict YAML loading of SOP files into the pydantic model, with file:line:col for every error.

YAML 1.2 through ruamel.yaml: ``no``/``off``/``NO`` stay strings, duplicate keys and tabs are
errors. Every node's position is kept so that schema errors (pydantic) and reference errors
(:mod:`mno_workflow.sop.lint`) point at the line an author must edit.
"""

from __future__ import annotations

import hashlib
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

Path_ = tuple[Any, ...]


@dataclass
class Positions:
    """1-based (line, col) of every key and value of a loaded document, by path."""

    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)

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
    """An SOP model with its source text, SHA-256 and node positions."""

    model: SOP
    source: str
    path: str
    positions: Positions
    sha256: str

    def diag(self, path: Path_, code: str, message: str, hint: str = "", *,
             severity: str = "error", key: bool = False) -> Diagnostic:
        line, col = self.positions.of(path, key=key)
        return Diagnostic(self.path, line, col, severity, code, message, hint)


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
                                   "remove the invisible control character on this line")]) from None
    except ValueError as e:  # an impossible unquoted date such as 1999-02-30 (YAML timestamp)
        line, col = _find_bad_date(text)
        raise SOPError([Diagnostic(path, line, col, "error", "E001", said("invalid date: {error}", error=e),
                                   "write an existing date as YYYY-MM-DD, or quote the text")]) from None
    except TypeError as e:  # e.g. a mapping or list used as a key ("? {a: 1}: x")
        raise SOPError([Diagnostic(path, 1, 1, "error", "E001",
                                   said("YAML structure not allowed: {error}", error=e),
                                   "mapping keys must be plain text")]) from None
    except RecursionError:
        raise SOPError([Diagnostic(path, 1, 1, "error", "E001", said("YAML nested too deeply"),
                                   "an SOP needs only a few levels of nesting")]) from None
    except DuplicateKeyError as e:
        mark = e.problem_mark
        raise SOPError([Diagnostic(path, mark.line + 1, mark.column + 1, "error", "E002",
                                   said("duplicate key: {problem}", problem=e.problem),
                                   "each key may appear once in a mapping; merge or rename")]) from None
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark is not None and e.problem_mark is not None and (
                e.problem_mark.index >= len(text.rstrip()) or "end of stream" in (e.problem or "")):
            # An unclosed quote or bracket: the author must look where it opens, not at the end.
            mark = e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or e.context or "invalid YAML"
        if "\\t" in problem or "'\\t'" in str(e) or "\t" in problem:
            raise SOPError([Diagnostic(path, line, col, "error", "E003", said("tab character in YAML"),
                                       "indent with spaces, never tabs")]) from None
        raise SOPError([Diagnostic(path, line, col, "error", "E001",
                                   said("YAML syntax error: {problem}", problem=problem),
                                   "check indentation, colons and closing brackets on this line "
                                   "or the one before")]) from None
    pos = Positions()
    if not isinstance(doc, CommentedMap):
        raise SOPError([Diagnostic(path, 1, 1, "error", "E004", said("an SOP file must be a YAML mapping"),
                                   "start with 'sop: <id>' and 'version: \"...\"'")])
    return _plain(doc, (), pos), pos


def _find_bad_date(text: str) -> tuple[int, int]:
    """1-based (line, col) of the first YYYY-MM-DD-looking value that is not a real date."""
    import re
    from datetime import date
    for n, line in enumerate(text.splitlines(), start=1):
        for m in re.finditer(r"(?<![\w\"'])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w\"'])", line):
            try:
                date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return n, m.start() + 1
    return 1, 1


def _schema_messages(kind: str, key: Any) -> tuple[str, Said, Said]:
    """Code, message and hint of an unknown (``extra_forbidden``) or missing key."""
    if kind == "extra_forbidden":
        return "E010", said("unknown key {key!r}", key=key), said(
            "check the spelling; see docs/sop-language.md for the keys allowed here")
    return "E011", said("missing required key {key!r}", key=key), said("add '{key}:' to this mapping",
                                                                        key=key)


def _invalid(e: dict, on_key: bool) -> Said:
    """E012's message: the validator's own message (a ``said`` text) when there is one."""
    error = (e.get("ctx") or {}).get("error")
    inner = error.args[0] if isinstance(error, ValueError) and error.args else None
    detail: Any = said("Value error, {error}", error=inner) if isinstance(inner, Said) else e["msg"]
    if on_key:
        return said("invalid key: {error}", error=detail)
    return said("invalid value: {error}", error=detail)


def _schema_diagnostics(err: ValidationError, path: str, pos: Positions) -> list[Diagnostic]:
    seen: set[tuple] = set()
    out: list[Diagnostic] = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        # Drop pydantic's union-branch tags (e.g. 'Duration', 'list[str]') that are not in the YAML.
        known: list[Any] = []
        on_key = "[key]" in loc  # pydantic's marker for an invalid mapping key
        for part in loc:
            candidate = tuple(known) + (part,)
            if candidate in pos.keys or candidate in pos.values or (
                    e["type"] in ("extra_forbidden", "missing") and part == loc[-1]):
                known.append(part)
        if e["type"] in ("extra_forbidden", "missing") and loc:
            key = loc[-1]
            code, message, hint = _schema_messages(e["type"], key)
            line, col = pos.of(tuple(known), key=True)
        else:
            code, message = "E012", _invalid(e, on_key)
            hint = said("see docs/sop-language.md for the expected shape")
            line, col = pos.of(tuple(known), key=on_key)
        where = ".".join(str(p) for p in known)
        sig = (line, col, code)
        if sig in seen:
            continue
        seen.add(sig)
        out.append(Diagnostic(path, line, col, "error", code,
                              said("{message} at {where}", message=message, where=where) if where
                              else said("{message} at top level", message=message), hint))
    return out


def load_text(text: str, path: str = "<string>") -> LoadedSOP:
    """Parse and validate SOP ``text``; ``path`` is used in diagnostics only.

    Returns a :class:`LoadedSOP`. Raises :class:`SOPError` listing every problem (syntax,
    schema, references) with file:line:col. Reference checks come from
    :func:`mno_workflow.sop.lint.check_references`.
    """
    from . import cache

    cache_key = cache.key(text, path)  # an unchanged SOP is not parsed again (sop/cache.py)
    if cache_key is not None and (hit := cache.get(cache_key)) is not None:
        return hit
    from .lint import check_references  # late import: lint depends on LoadedSOP
    data, pos = parse_yaml(text, path)
    if isinstance(data, dict) and data.get("imports"):
        data, text = _resolve_imports(data, pos, path)
    try:
        model = SOP.model_validate(data)
    except ValidationError as e:
        raise SOPError(_schema_diagnostics(e, path, pos)) from None
    loaded = LoadedSOP(model, text, path, pos, hashlib.sha256(text.encode()).hexdigest())
    errors = [d for d in check_references(loaded) if d.severity == "error"]
    if errors:
        raise SOPError(errors)
    if cache_key is not None:
        cache.put(cache_key, loaded)
    return loaded


IMPORTABLE = ("options", "forms", "narrative")


def _resolve_imports(data: dict, pos: Positions, path: str) -> tuple[dict, str]:
    """Merge the ``options``, ``forms`` and ``narrative`` of each file in ``imports`` (paths relative
    to the SOP file) into ``data``; what the SOP itself defines wins (a regional template adapted per
    country). Anything from an import is reported at its ``imports`` line. Returns the merged
    data and its YAML text without ``imports``: that resolved text is what a stored version keeps
    (and hashes), so a change in an imported file is a change of the SOP.

    Raises :class:`SOPError` (E037) for a missing, invalid or non-importable file."""
    entries = data.get("imports")
    if not isinstance(entries, list):
        return data, ""  # the schema reports the wrong type
    base = Path(path).parent
    # a ``narrative:`` list names files read by the documents: imports then add no narrative to it
    importable = [k for k in IMPORTABLE if k != "narrative" or not isinstance(data.get(k), list)]
    merged = {k: dict(data.get(k) or {}) for k in importable}
    problems = []
    for i, entry in enumerate(entries):
        where = pos.values.get(("imports", i), pos.of(("imports",)))
        target = base / str(entry)
        try:
            text = target.read_text(encoding="utf-8")
            imported, _ = parse_yaml(text, str(target))
        except (OSError, UnicodeDecodeError) as e:
            problems.append(Diagnostic(path, *where, "error", "E037", f"cannot import {entry!r}: {e}",
                                       "give a path relative to this SOP file"))
            continue
        except SOPError as e:
            problems.extend(e.diagnostics)
            continue
        extra = sorted(set(imported) - set(IMPORTABLE))
        if extra:
            problems.append(Diagnostic(path, *where, "error", "E037",
                                       f"{entry!r} holds {', '.join(extra)}: only options and forms (and "
                                       "the narrative) can be imported",
                                       "keep steps, roles and flow in the SOP itself"))
            continue
        for key in importable:
            for name, value in (imported.get(key) or {}).items():
                if name not in (data.get(key) or {}):
                    merged[key][name] = value
                    pos.keys.setdefault((key, name), where)
                    pos.values.setdefault((key, name), where)
    if problems:
        raise SOPError(problems)
    out = {k: v for k, v in data.items() if k != "imports"}
    out.update({k: v for k, v in merged.items() if v})
    import io
    yaml = YAML()
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(out, buf)
    return out, buf.getvalue()


def load_file(path: str | Path) -> LoadedSOP:
    """Read and load an SOP file (UTF-8). Raises :class:`SOPError` (also when unreadable).
    The text is kept byte for byte (CRLF line ends stay CRLF: the stored version and ``mno sop
    export`` give the author's file back)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")  # not read_text: it would turn CRLF into LF
    except (OSError, UnicodeDecodeError) as e:
        raise SOPError([Diagnostic(str(path), 1, 1, "error", "E000", f"cannot read file: {e}",
                                   "check the path and that the file is UTF-8 text")]) from None
    return load_text(text, str(path))
