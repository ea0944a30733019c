"""How an erased case is said to a reader (tryout 3, F31): when and why its personal data were
erased — at the person's request (``mno case erase``, rule ``erasure``) or at the end of the
retention period (rule ``retention``) — as a title in place of the name and a one-line banner, in
the reader's language, the day through :mod:`mno_workflow.i18n.dates` (never the stored ISO text,
never the rule's key). Used by the case page and list, ``mno case show``, the API case read and
the person-data document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..i18n import N_, dates, gettext
from ..store.models import AuditEvent, Case

#: The rule of a purge in words (the ``rule`` of the ``purge`` event and of each tombstone).
RULES = {
    "erasure": N_("à la demande de la personne"),
    "retention": N_("à la fin de la durée de conservation"),
}


@dataclass(frozen=True)
class Erasure:
    """When (``at``, UTC) and by which rule (``erasure`` / ``retention``) a case was erased."""

    at: datetime
    rule: str
    reason: str | None = None


def erasure_of(session: Any, case: Case) -> Erasure | None:
    """The newest erasure of ``case`` (None when its data were never erased)."""
    if case.purged_at is None:
        return None
    ev = session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "purge")
                        .order_by(AuditEvent.seq.desc()).limit(1))
    data = (ev.data or {}) if ev is not None else {}
    reason = data.get("reason")
    return Erasure(case.purged_at, str(data.get("rule") or ""), reason if isinstance(reason, str) else None)


def rule_words(rule: str, lang: str) -> str:
    """« à la demande de la personne » / « à la fin de la durée de conservation »; "" otherwise."""
    return gettext(RULES[rule], lang) if rule in RULES else ""


def title(lang: str) -> str:
    """What stands in place of the person's name: « Données personnelles effacées »."""
    return gettext("Données personnelles effacées", lang)


def banner(erasure: Erasure, lang: str, timezone: str | None = None) -> str:
    """« Les données personnelles de cette personne ont été effacées le 04/12/2026, à la demande de
    la personne. »"""
    day = dates.day_text(erasure.at, lang, timezone)
    why = rule_words(erasure.rule, lang)
    if why:
        return gettext("Les données personnelles de cette personne ont été effacées le {day}, {why}.",
                       lang, day=day, why=why)
    return gettext("Les données personnelles de cette personne ont été effacées le {day}.", lang, day=day)


def timeline_words(rule: str, lang: str) -> str:
    """The timeline's line of a ``purge`` event: « Données personnelles effacées à la demande de
    la personne »."""
    why = rule_words(rule, lang)
    return gettext("Données personnelles effacées {why}", lang, why=why) if why else title(lang)


def tombstone_text(value: dict, lang: str) -> str:
    """An erased value: « [effacé le 04/12/2026] » (the day in ``lang``'s format)."""
    from ..store.audit import TOMBSTONE_KEY

    day = dates.day_text(str(value.get(TOMBSTONE_KEY, ""))[:10], lang)
    return gettext("[effacé le {day}]", lang, day=day)


def as_dict(erasure: Erasure | None, lang: str, timezone: str | None = None) -> dict[str, Any] | None:
    """The API's ``erasure`` of a case: ``{"at": ISO instant, "rule": "erasure" | "retention",
    "text": the banner in lang}``; None for a case never erased."""
    if erasure is None:
        return None
    return {"at": erasure.at.isoformat(), "rule": erasure.rule, "text": banner(erasure, lang, timezone)}
