"""Pydantic models of the SOP's ``indicators:`` section: which figures M&E computes from the audit
events, how they are broken down (disaggregations) and the small-cell suppression threshold.

Shapes only; references to steps, states, triggers, forms and fields are checked by
:mod:`mno_workflow.indicators.lint` with file:line:col. See docs/sop-language.md, "Indicators".
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..sop.schema_base import Ident, Label, Strict

CODE_RE = r"^[A-Z][A-Z0-9_]*$"


class Match(Strict):
    """Which audit events count: transitions of ``step`` (by ``triggers``, or entering one of the
    ``to`` states, or leaving one of the ``from`` states; empty lists match anything)."""

    step: Ident
    triggers: list[Ident] = []
    to: list[Ident] = []
    from_: list[Ident] = Field([], alias="from")


class FieldStart(Strict):
    """A duration that starts on a date field (``form.field``) of the case, e.g. the return date."""

    field: str


class AgeSource(Strict):
    """An age group from a birth date field, else an estimated age field (years), at the event's
    date. ``bands`` are the lower bounds of each group after the first (``[15, 18, 25, 60]`` gives
    ``0-14``, ``15-17``, ``18-24``, ``25-59``, ``60+``); no value gives ``unknown``."""

    birth_date: str
    estimated: str | None = None
    bands: list[int] = Field(default=[15, 18, 25, 60], min_length=1)

    @model_validator(mode="after")
    def _ordered(self):
        if sorted(set(self.bands)) != self.bands or self.bands[0] <= 0:
            raise ValueError("bands are increasing ages above 0, e.g. [15, 18, 25, 60]")
        return self

    def groups(self) -> list[str]:
        """The group codes, youngest first, then ``unknown``."""
        lows = [0, *self.bands]
        out = [f"{lo}-{hi - 1}" for lo, hi in zip(lows, self.bands, strict=False)]
        return [*out, f"{self.bands[-1]}+", "unknown"]


class Dimension(Strict):
    """A disaggregation. Exactly one source: ``field`` (``form.field``: the event's own data first,
    then the latest data of its step instance, then of the case), ``item`` (a key of the referral
    instance's item or of the counted item, e.g. ``need``), ``age`` (age groups), ``directory``
    (``organization_type`` of the directory organisation named by ``field``). ``or_fields``: other
    fields holding the same value for other transitions (the decline reason of a decline recorded
    on the provider's behalf, ``decline_on_behalf.reason``, beside ``decline.reason``): the event's
    own data of any of them comes first, then the latest of any of them."""

    label: Label
    field: str | None = None
    or_fields: list[str] = []
    item: Ident | None = None
    age: AgeSource | None = None
    directory: Literal["organization_type"] | None = None
    options: Ident | None = None  # option list giving the value labels (default: the field's)

    @model_validator(mode="after")
    def _one_source(self):
        sources = [self.item is not None, self.age is not None, self.field is not None and not self.directory]
        if self.directory and self.field is None:
            raise ValueError("'directory' needs the 'field' naming the organisation")
        if self.or_fields and self.field is None:
            raise ValueError("'or_fields' go with 'field'")
        if sum(sources) + (1 if self.directory else 0) != 1:
            raise ValueError("a dimension has exactly one of: field, item, age (or field + directory)")
        return self

    def fields(self) -> list[str]:
        """``field`` then ``or_fields`` (``[]`` without ``field``)."""
        return [self.field, *self.or_fields] if self.field else []


Count = Literal["cases", "events", "items", "within_deadline", "duration", "directory_verified"]


class Indicator(Strict):
    """One indicator. ``count``:

    - ``cases``: distinct cases with an event matching ``events`` in the period;
    - ``events``: events matching ``events`` (every referral event, declines re-referred included);
    - ``items``: items of the repeat field ``items`` (its latest value in the case) for each event
      matching ``events`` (e.g. needs of approved plans);
    - ``within_deadline``: entries into ``events.to`` states with a deadline that were left by the
      due time, over entries left or overdue (a percentage with numerator/denominator);
    - ``duration``: median days from ``start`` (an event, or a date field) to ``end`` per ``per``
      (the first ``end`` after the first ``start``), counted in the period of ``end``;
    - ``directory_verified``: services of the directory whose ``assured_date`` is at most
      ``within_months`` old at the end of the period, over active services.
    """

    code: str = Field(pattern=CODE_RE, max_length=40)
    label: Label
    description: Label | None = None
    count: Count
    events: Match | None = None
    items: str | None = None
    start: Match | FieldStart | None = None
    end: Match | None = None
    per: Literal["case", "instance"] = "instance"
    within_months: int = Field(default=6, ge=1, le=120)
    by: list[Ident | list[Ident]] = []

    @model_validator(mode="after")
    def _needs(self):
        need = {
            "cases": ["events"],
            "events": ["events"],
            "items": ["events", "items"],
            "within_deadline": ["events"],
            "duration": ["start", "end"],
            "directory_verified": [],
        }[self.count]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"count {self.count!r} needs {', '.join(missing)}")
        return self

    def breakdowns(self) -> list[tuple[str, ...]]:
        """Each ``by`` entry as a tuple of dimension names (a list is a cross-tabulation)."""
        return [tuple(b) if isinstance(b, list) else (b,) for b in self.by]


class Indicators(Strict):
    """The ``indicators:`` section: suppression threshold, dimensions and the indicator list."""

    suppression_threshold: int = Field(default=5, ge=1, le=100)
    dimensions: dict[Ident, Dimension] = {}
    list_: list[Indicator] = Field(default=[], alias="list")
