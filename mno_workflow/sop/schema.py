"""Pydantic models of the SOP language: the format-neutral model every other part reads.

The models live in modules of one job each, all re-exported here (import them from this module):
:mod:`.schema_base` (strict base, identifiers, labels, durations), :mod:`.schema_deadlines`,
:mod:`.schema_steps` (forms, states, transitions, steps), :mod:`.schema_case` (retention, flow,
roles, calendar, case summary), :mod:`.schema_entries`, :mod:`.schema_protection`; the
:class:`SOP` document itself is defined here.

Shapes only; cross-references (a transition naming an unknown state, a form naming an unknown
option list...) are checked by :mod:`mno_workflow.sop.lint`, which knows the YAML positions.

Durations are written as ``"<amount> <unit>"`` where the unit is one of ``minutes``, ``hours``,
``days`` (calendar days), ``working days`` (the SOP calendar's work week and public holidays),
``weeks`` or ``months`` (singular accepted). See DESIGN.md, "The SOP language".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PrivateAttr

from ..indicators.schema import Indicators
from .narrative import Chapter, GlossaryEntry, Narrative  # noqa: F401  (the SOP document's text)
from .schema_base import (  # noqa: F401  (re-exported: the language's public names)
    _UNIT_WORDS,
    IDENT_RE,
    ByField,
    Duration,
    Ident,
    Label,
    Strict,
    Unit,
)
from .schema_case import (  # noqa: F401
    Calendar,
    CaseSummary,
    ExtraHoliday,
    FlowRule,
    Retention,
    Role,
    Weekday,
)
from .schema_deadlines import Cap, Deadline, Expiry, NotifyTarget, RoleFrom  # noqa: F401
from .schema_entries import Entry
from .schema_protection import DataProtection
from .schema_steps import (  # noqa: F401
    Classification,
    FieldType,
    ForEach,
    Form,
    FormField,
    FormRule,
    LintAllow,
    OwnerBy,
    Reopen,
    RowsFrom,
    Spawn,
    State,
    Step,
    Transition,
)


class SOP(Strict):
    """A whole SOP document (one version)."""

    sop: Ident
    version: str = Field(min_length=1, max_length=32)
    imports: list[str] = []
    title: Label
    description: Label | None = None
    languages: list[str] = Field(min_length=1)
    calendar: Calendar = Calendar()
    roles: dict[Ident, Role]
    options: dict[Ident, dict[str, Label]] = {}
    forms: dict[Ident, Form] = {}
    start: Ident
    entries: dict[Ident, Entry] = {}  # other ways in than ``start`` (schema_entries.py)
    steps: dict[Ident, Step]
    flow: list[FlowRule] = []
    case_summary: CaseSummary = CaseSummary()
    reopen: Reopen | None = None
    data_protection: DataProtection | None = None
    retention: Retention | None = None
    # the SOP document's chapters inline, or narrative files (paths relative to the SOP file, each
    # with one top-level ``narrative:`` key) read when documents are made (render/narrative_text.py)
    narrative: Narrative | list[Annotated[str, Field(min_length=1)]] | None = None
    indicators: Indicators | None = None

    # set by the loader (sop/listed_narrative.py): the listed files' merged narrative as read with
    # the SOP (a stored version's stored texts), and the listed files an old version lacks
    _listed_narrative: Narrative | None = PrivateAttr(default=None)
    _unstored_narrative: tuple[str, ...] = PrivateAttr(default=())

    def __eq__(self, other: object) -> bool:
        """Equal content (the fields): where the loader read the narrative from does not count."""
        if not isinstance(other, SOP):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return super().__hash__()

    @property
    def key(self) -> tuple[str, str]:
        return (self.sop, self.version)

    def label(self, label: Label | None, lang: str = "fr") -> str:
        """The text of ``label`` in ``lang``, falling back to French, then to any language."""
        if not label:
            return ""
        return label.get(lang) or label.get("fr") or next(iter(label.values()))


FormField.model_rebuild()
