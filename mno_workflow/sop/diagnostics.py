"""Diagnostics reported on SOP files: position, severity, stable code, message and fix hint."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One problem in an SOP file. ``line`` and ``col`` are 1-based."""

    path: str
    line: int
    col: int
    severity: str  # "error" | "warning"
    code: str
    message: str
    hint: str = ""
    justified: str = ""  # the SOP's reason when it accepts this warning (``lint: {allow, reason}``)

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.severity} {self.code} {self.message}"
        if self.justified:
            return f"{text} (justified: {self.justified})"
        return f"{text} (hint: {self.hint})" if self.hint else text

    def as_dict(self) -> dict:
        return asdict(self)


class SOPError(Exception):
    """Raised when an SOP cannot be loaded; ``diagnostics`` lists every error found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))
