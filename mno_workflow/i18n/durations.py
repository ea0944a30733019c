"""Durations in words (« 5 jours ouvrables », "5 working days") from the catalogues, with each
language's plural rule: for messages that name an SOP duration (``Duration``: amount and unit).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ngettext


def duration_text(amount: int, unit: str, lang: str | None = None) -> str:
    """``amount`` ``unit`` (a ``Unit`` value: ``minutes``, ``hours``, ``days``, ``working_days``,
    ``weeks``, ``months``) in words in ``lang`` (default: the current language); an unknown unit
    is shown as its code."""
    if unit == "minutes":
        return ngettext("{n} minute", "{n} minutes", amount, lang)
    if unit == "hours":
        return ngettext("{n} heure", "{n} heures", amount, lang)
    if unit == "days":
        return ngettext("{n} jour", "{n} jours", amount, lang)
    if unit == "working_days":
        return ngettext("{n} jour ouvrable", "{n} jours ouvrables", amount, lang)
    if unit == "weeks":
        return ngettext("{n} semaine", "{n} semaines", amount, lang)
    if unit == "months":
        return ngettext("{n} mois", "{n} mois", amount, lang)
    return f"{amount} {unit}"


@dataclass(frozen=True)
class DurationWords:
    """A duration as one value of an engine ``Message`` (shown in the reader's language)."""

    amount: int
    unit: str

    def text(self, lang: str = "fr") -> str:
        return duration_text(self.amount, self.unit, lang)
