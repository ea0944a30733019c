"""A migration plan in words for the people who run it (``mno sop migrate``, the workbench's
publish preview): states moved, deadlines with their due instants as dates in the target SOP's
time zone (``07/12/2026 23:59``, never ISO) and the deadline rule applied, in the reader's
language (catalogue messages, :mod:`mno_workflow.i18n`).

Steps and states by the SOPs' labels (« Référencement — Logement : À envoyer → Envoyé »; the source
version's for the state left, the target's for the state reached, tryout 5, G15); ``keys=True``
(``mno sop migrate``) adds the instance key and the state ids in brackets, as ``mno case fire``
prints a key, since the ids are what the person types after ``--map``. Without the SOPs, the ids
(a caller that has none).
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


def instance_words(sop: Any, instance: str, lang: str | None = None, keys: bool = False) -> str:
    """« Référencement — Logement » for ``referral:housing`` (the step's label and its need's),
    « Consentement éclairé » for ``consent:1``; `` [referral:housing]`` after it with ``keys``;
    ``instance`` itself when ``sop`` is None or lacks the step."""
    step_id, _, key = instance.partition(":")
    step = sop.steps.get(step_id) if sop is not None else None
    if step is None:
        return instance
    need = sop.options.get("need", {}).get(key)
    words = sop.label(step.label, lang) + (f" — {sop.label(need, lang)}" if need else "")
    return f"{words} [{instance}]" if keys else words


def state_words(sop: Any, step_id: str, state: str, lang: str | None = None, keys: bool = False) -> str:
    """The label of ``state`` of step ``step_id`` in ``sop`` (the id when it has none); `` [id]``
    after it with ``keys`` (the id ``--map`` takes)."""
    step = sop.steps.get(step_id) if sop is not None else None
    found = step.states.get(state) if step is not None else None
    words = sop.label(found.label, lang) or state if found is not None else state
    return f"{words} [{state}]" if keys and words != state else words


def deadline_line(d: dict[str, Any], lang: str | None = None, timezone: str = "UTC", sop: Any = None,
                  keys: bool = False) -> str:
    """One deadline of a plan (dict: instance, state, old_due, new_due, rule, note) as « délai
    Consentement éclairé (Consentement à recueillir) : 07/12/2026 23:59 → 07/12/2026 23:59 — même
    règle : échéance gardée » (``sop``: the target version, whose state the deadline runs in)."""
    step_id = d["instance"].partition(":")[0]
    line = gettext("délai {instance} ({state}) : {old} → {new} — {rule}", lang,
                   instance=instance_words(sop, d["instance"], lang, keys),
                   state=state_words(sop, step_id, d["state"], lang, keys),
                   old=instant_text(d.get("old_due"), lang, timezone) or "—",
                   new=instant_text(d.get("new_due"), lang, timezone) or "—",
                   rule=rule_words(d["rule"], lang))
    if d.get("note") == "no due date to keep: recomputed":  # the audit event keeps the code
        line += gettext(" (aucune échéance à garder : recalculée)", lang)
    elif d.get("note"):
        line += f" ({d['note']})"
    return line


def states_line(states: list[tuple[str, str, str]], lang: str | None = None, source: Any = None,
                target: Any = None, keys: bool = False) -> str:
    """The states a case's step instances move between (``(instance, old, new)``) as « états :
    Référencement — Aide en espèces : Envoyé → Transmis » (the old state by ``source``'s label,
    the new one by ``target``'s), or « états : inchangés »."""
    moved = [f"{instance_words(target or source, k, lang, keys)}{colon(lang)}"
             f"{state_words(source, k.partition(':')[0], a, lang, keys)} → "
             f"{state_words(target, k.partition(':')[0], b, lang, keys)}" for k, a, b in states if a != b]
    if not moved:
        return gettext("états : inchangés", lang)
    return gettext("états : {moves}", lang, moves="; ".join(moved))
