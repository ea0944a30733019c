"""The SOP language's building blocks: the strict base model, identifiers, labels, durations (the
one parser of typed durations, English or French) and the shape discriminator the unions use.

Part of :mod:`mno_workflow.sop.schema` (which re-exports every name here).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, model_serializer, model_validator

from .diagnostics import said

IDENT_RE = r"^[a-z][a-z0-9_]*$"
Ident = Annotated[str, Field(pattern=IDENT_RE, max_length=64)]

# A label in every language the SOP lists: {fr: "...", en: "..."}. Languages are checked by lint.
Label = dict[str, str]


class Strict(BaseModel):
    """Base for every model of the language: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Unit(StrEnum):
    minutes = "minutes"
    hours = "hours"
    days = "days"
    working_days = "working_days"
    weeks = "weeks"
    months = "months"


_UNIT_WORDS = {
    "minute": Unit.minutes, "minutes": Unit.minutes, "min": Unit.minutes,
    "hour": Unit.hours, "hours": Unit.hours, "h": Unit.hours,
    "day": Unit.days, "days": Unit.days,
    "working day": Unit.working_days, "working days": Unit.working_days,
    "business day": Unit.working_days, "business days": Unit.working_days,
    "week": Unit.weeks, "weeks": Unit.weeks,
    "month": Unit.months, "months": Unit.months,
    # French, as caseworkers type them ("jours ouvrables" and "jours ouvrés" both mean the
    # working days of the SOP calendar: its work week minus its public holidays).
    "heure": Unit.hours, "heures": Unit.hours,
    "jour": Unit.days, "jours": Unit.days,
    "jour ouvré": Unit.working_days, "jours ouvrés": Unit.working_days,
    "jour ouvrable": Unit.working_days, "jours ouvrables": Unit.working_days,
    "semaine": Unit.weeks, "semaines": Unit.weeks,
    "mois": Unit.months,
}
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([^\d]+?)\s*$")


class Duration(Strict):
    """An amount of a unit, e.g. ``10 working days``. ``amount`` is a whole number ≥ 0.

    The one parser of typed durations (SOP YAML, CLI ``--by``, API, web forms, scenarios):
    English or French words, singular or plural, any case (``5 working days``, ``3 jours
    ouvrés``, ``3 jours ouvrables``, ``48 heures``, ``2 semaines``, ``1 mois``). Written back in
    English (``str()``). ValueError otherwise."""

    amount: int = Field(ge=0)
    unit: Unit

    @model_validator(mode="before")
    @classmethod
    def _parse_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            m = _DURATION_RE.match(unicodedata.normalize("NFC", value).lower())
            words = " ".join(m.group(2).replace("_", " ").split()) if m else ""
            if not m or words not in _UNIT_WORDS:
                raise ValueError(said(
                    "invalid duration {value!r}: write '<number> <unit>' with unit minutes, hours, "
                    "days, working days, weeks or months, in English or French (e.g. '10 working "
                    "days', '3 jours ouvrés', '48 heures', '2 semaines', '1 mois')", value=value))
            return {"amount": int(m.group(1)), "unit": _UNIT_WORDS[words]}
        return value

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"

    @model_serializer
    def _as_text(self) -> str:
        """Dumped as authors write it: ``"10 working days"``."""
        return str(self)


class ByField(Strict):
    """A duration chosen by the value of a choice field, e.g. referral deadline by priority.

    ``by`` is a field path ``form.field``; ``cases`` maps each option code to a duration.
    """

    by: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    cases: dict[str, Duration]


def _shape(text_tag: str, mapping_tag: str, list_tag: str | None = None,
           text_keys: frozenset[str] = frozenset()):
    """A discriminator choosing a union branch by the YAML shape (text, mapping or list), so an
    author's typo is reported against the shape they wrote, not against every alternative.
    A mapping with one of ``text_keys`` is the text form written out (e.g. amount/unit)."""
    def choose(value: Any) -> str:
        if isinstance(value, dict):
            return text_tag if text_keys & set(value) else mapping_tag
        if isinstance(value, BaseModel):
            return text_tag if text_keys & set(type(value).model_fields) else mapping_tag
        if list_tag and isinstance(value, list):
            return list_tag
        return text_tag
    return Discriminator(choose)
