"""The shapes a directory import speaks in: one problem found (``file:row:column: message``), the
errors that carry them, a row as read, and the report of what an import added, changed or kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem. ``row`` is the CSV line (1 = header; 0 = the file itself)."""

    file: str
    row: int
    column: str
    message: str

    def format(self, lang: str | None = None) -> str:
        """``file:row:column: message``, the message in ``lang`` when it is a catalogue message
        (``said_fr``), else as written (French)."""
        from ..sop.diagnostics import text_in
        return f"{self.file}:{self.row}:{self.column}: {text_in(self.message, lang)}"


class DirectoryValidationError(Exception):
    """Raised when directory data is invalid; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))


class DirectoryImportError(DirectoryValidationError):
    """Raised when an import package is invalid; nothing was written."""


@dataclass(frozen=True)
class RawRow:
    """One row as read: ``hsds`` = from an HSDS 3.1 package (HSDS rules; unknown references kept)."""

    file: str
    row: int
    values: dict[str, Any]
    hsds: bool = False


@dataclass
class TableChanges:
    """Ids of one HSDS object added, changed and unchanged by an import."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do), per HSDS object name."""

    dry_run: bool
    tables: dict[str, TableChanges] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def total(self, kind: str) -> int:
        """Number of ``kind`` (``added``, ``changed`` or ``unchanged``) rows over all objects."""
        return sum(len(getattr(t, kind)) for t in self.tables.values())

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            name: {"added": len(t.added), "changed": len(t.changed), "unchanged": len(t.unchanged)}
            for name, t in self.tables.items()
        }

    @property
    def has_changes(self) -> bool:
        return self.total("added") + self.total("changed") > 0
