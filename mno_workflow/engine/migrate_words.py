"""A migration plan in words for the people who run it (``mno sop migrate``, the workbench's
publish preview): states moved, deadlines with their due instants as dates in the target SOP's
time zone (``07/12/2026 23:59``, never ISO) and the deadline rule applied, in the reader's
language (catalogue messages, :mod:`mno_workflow.i18n`).

Step and state ids stay as ids: they are what the person types after ``--map``.
"""

from __future__ import annotations

from typing import Any

from ..i18n import colon, gettext
from ..i18n.dates import instant_text


def rule_words(rule: str, lang: str | None = None) -> str:
    """What happened to a deadline (``same``, ``keep``, ``recompute``, ``restart``, ``removed``
    — :mod:`.migrate_deadlines`) in words; an unknown rule is shown as is."""
    words = {
        "same": gettext("même règle : échéance gardée", lang),
        "keep": gettext("échéance gardée", lang),
        "recompute": gettext("recalculée depuis le début d'origine", lang),
        "restart": gettext("recalculée à partir de maintenant", lang),
        "removed": gettext("plus de délai dans cet état", lang),
    }
    return words.get(rule, rule)


def deadline_line(d: dict[str, Any], lang: str | None = None, timezone: str = "UTC") -> str:
    """One deadline of a plan (dict: instance, state, old_due, new_due, rule, note) as
    « délai consent:1 (pending) : 07/12/2026 23:59 → 07/12/2026 23:59 — même règle : échéance gardée »."""
    line = gettext("délai {instance} ({state}) : {old} → {new} — {rule}", lang, instance=d["instance"],
                   state=d["state"], old=instant_text(d.get("old_due"), lang, timezone) or "—",
                   new=instant_text(d.get("new_due"), lang, timezone) or "—",
                   rule=rule_words(d["rule"], lang))
    if d.get("note") == "no due date to keep: recomputed":  # the audit event keeps the code
        line += gettext(" (aucune échéance à garder : recalculée)", lang)
    elif d.get("note"):
        line += f" ({d['note']})"
    return line


def states_line(states: list[tuple[str, str, str]], lang: str | None = None) -> str:
    """The states a case's step instances move between (``(instance, old, new)``) as
    « états : referral:cash sent → transmitted », or « états : inchangés »."""
    moved = [f"{k}{colon(lang)}{a} → {b}" for k, a, b in states if a != b]
    if not moved:
        return gettext("états : inchangés", lang)
    return gettext("états : {moves}", lang, moves="; ".join(moved))
