"""An audit event's own data in words, the one implementation for every reader of the trail: the
case page's timeline, ``mno case show``, the person-data document (access request) and its print.

The values an event writes besides form data — a reassignment's ``from``/``to``, an extension's
``by``, ``from_due``, ``old_due_at``/``new_due_at``, a reason, a correction's ``before``/``after``,
a purge's ``rule``… — are said with a label from the catalogue, users by their display name (never
a login), instants in the SOP's time zone (i18n/dates.py), durations in words (i18n/durations.py),
booleans as « Oui »/« Non », a reason the program wrote as a stored catalogue message
(reminders/stored_message.py) in the reader's language. ``--format json`` and the API keep the
raw keys for scripts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..i18n import N_, colon, gettext
from ..i18n.dates import day_text, instant_text
from ..store.audit import TOMBSTONE_KEY, is_tombstone

__all__ = ["Said", "data_label", "event_data_words", "event_detail", "reason_text"]

#: The labels of an event's values (French message ids). A reassignment's ``from``/``to`` are case
#: managers; a migration's are SOP versions (:data:`_BY_ACTION`).
_LABELS = {
    "reason": N_("Motif"), "from": N_("Avant"), "to": N_("Après"), "by": N_("Prolongation"),
    "from_due": N_("Depuis l'échéance"), "old_due_at": N_("Ancienne échéance"),
    "new_due_at": N_("Nouvelle échéance"), "due_at": N_("Échéance"), "before": N_("Avant"),
    "after": N_("Après"), "state": N_("État"), "values": N_("Valeurs"), "rule": N_("Règle"),
    "fields": N_("Champs effacés"), "states": N_("États"), "deadline_rules": N_("Règles des délais"),
    "mapping": N_("Correspondance"), "deadlines": N_("Délais"), "next_actions": N_("Actions suivantes"),
    "age_years": N_("Âge (années)"), "assignee": N_("Gestionnaire de cas"), "instance": N_("Étape"),
    "comment": N_("Commentaire"), "similar": N_("Dossiers semblables"), "hidden": N_("Autres dossiers"),
    "notified": N_("Rôles prévenus"), "code": N_("Code d'erreur"), "risk_level": N_("Niveau de risque"),
}
_BY_ACTION = {
    ("reassign", "from"): N_("Ancien gestionnaire"), ("reassign", "to"): N_("Nouveau gestionnaire"),
    ("migrate", "from"): N_("Ancienne version"), ("migrate", "to"): N_("Nouvelle version"),
    ("purge", "notes"): N_("Notes de référencement effacées"),
    ("purge", "attachments"): N_("Pièces jointes effacées"),
}
#: values naming a user (said by display name)
_USERS = {("reassign", "from"), ("reassign", "to"), ("*", "assignee")}
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Said:
    """One value of an event in words: its ``key`` (for a path that composes a sentence), its
    ``label`` and its ``text`` in the reader's language."""

    key: str
    label: str
    text: str


def data_label(key: str, lang: str, action: str = "") -> str:
    """The label of an event's value ``key`` in ``lang``; an unknown one with spaces for ``_``."""
    msgid = _BY_ACTION.get((action, key)) or _LABELS.get(key)
    return gettext(msgid, lang) if msgid else key.replace("_", " ")


def reason_text(value: Any, lang: str) -> str:
    """A stored reason in ``lang``: typed text as written, a message the program wrote (``{"msgid":
    …}``) from the catalogue, an erased one « [effacé le 03/06/2025] »."""
    from ..reminders.stored_message import restored

    if is_tombstone(value):
        day = day_text(str(value[TOMBSTONE_KEY])[:10], lang)
        return "[" + gettext("effacé le {day}", lang, day=day) + "]"
    if isinstance(value, dict):
        shown = restored(value)
        return shown.text(lang) if callable(getattr(shown, "text", None)) else str(value)
    return "" if value is None else str(value)


class _Sayer:
    def __init__(self, action: str, lang: str, timezone: str, user_name: Callable[[str | None], str],
                 sop: Any = None, step: str | None = None) -> None:
        self.action, self.lang, self.tz, self.user_name = action, lang, timezone, user_name
        self.sop, self.step = sop, step

    def label(self, key: str) -> str:
        return data_label(key, self.lang, self.action)

    def value(self, key: str, value: Any) -> str:
        lang = self.lang
        if key == "reason" or is_tombstone(value) or (isinstance(value, dict) and
                                                      ("msgid" in value or "texts" in value)):
            return reason_text(value, lang)
        if (self.action, key) in _USERS or ("*", key) in _USERS:
            return self.user_name(value) if value else "—"
        if isinstance(value, bool):
            return gettext("Oui", lang) if value else gettext("Non", lang)
        if value is None or value == "":
            return "—"
        if key == "by" and isinstance(value, str):
            return _duration(value, lang)
        if key == "rule" and self.action == "purge" and isinstance(value, str):  # never the key (F31)
            from .erasure_words import rule_words
            return rule_words(value, lang) or value
        if key == "state" and isinstance(value, str):
            return self.state(value)
        if key == "notified" and isinstance(value, list):
            return ", ".join(self.role(x) for x in value)
        if isinstance(value, str) and _INSTANT.match(value):
            return instant_text(value, lang, self.tz)
        if isinstance(value, str) and _DAY.match(value):
            return day_text(value, lang)
        if isinstance(value, list):
            return ", ".join(self.value(key, x) for x in value)
        if isinstance(value, dict):
            return ", ".join(f"{self.label(k)}{colon(lang)}{self.value(k, v)}" for k, v in value.items())
        return str(value)

    def state(self, state: str) -> str:
        step = self.sop.steps.get(self.step or "") if self.sop is not None else None
        if step is not None and state in step.states:
            return self.sop.label(step.states[state].label, self.lang)
        return state

    def role(self, role: str) -> str:
        if self.sop is not None and role in self.sop.roles:
            return self.sop.label(self.sop.roles[role].label, self.lang)
        from ..protection.view_words import role_name
        return role_name(role, self.lang)


def _duration(text: str, lang: str) -> str:
    """``"5 working days"`` (how the engine stores a duration) in words: « 5 jours ouvrables »."""
    from ..i18n.durations import duration_text
    from ..sop.schema_base import Duration

    try:
        d = Duration.model_validate(text)
    except ValueError:
        return text
    return duration_text(d.amount, d.unit.value, lang)


def event_data_words(action: str, data: Any, lang: str, *, timezone: str = "UTC",
                     user_name: Callable[[str | None], str] = lambda u: u or "—", sop: Any = None,
                     step: str | None = None, skip: tuple[str, ...] = ()) -> list[Said]:
    """The values of an audit event's ``data`` that are not form data, in words in ``lang`` (see
    the module text), in their stored order; ``skip``: keys left out (a form's, or a value the
    line says otherwise). ``sop`` and ``step``: state and role labels."""
    if not isinstance(data, dict):
        return []
    forms = set(sop.forms) if sop is not None else set()
    say = _Sayer(action, lang, timezone, user_name, sop, step)
    return [Said(k, say.label(k), say.value(k, v)) for k, v in data.items()
            if k not in forms and k not in skip and not k.startswith("_")]  # _before: change_words


def event_detail(action: str, data: Any, lang: str, **kw: Any) -> str:
    """An event's values on one line, for a text trail: a reassignment « Mariam Kaboré → Rasmata
    Compaoré — Motif : Charge de travail », an extension « 5 jours ouvrables (08/12/2026 23:59 →
    16/12/2026 23:59, depuis l'échéance) — Motif : … », other events « Motif : … · Règle : … »."""
    said = {s.key: s for s in event_data_words(action, data, lang, **kw)}
    head = ""
    if action == "reassign" and "to" in said:
        head = f"{said.pop('from').text if 'from' in said else '—'} → {said.pop('to').text}"
    elif action in ("extend_deadline", "resume_deadline") and "new_due_at" in said:
        old = said.pop("old_due_at").text if "old_due_at" in said else "—"
        head = f"{old} → {said.pop('new_due_at').text}"
        if said.pop("from_due", None) is not None and data.get("from_due") is True:
            head += ", " + gettext("depuis l'échéance", lang)
        head = f"{said.pop('by').text} ({head})" if "by" in said else head
    rest = " · ".join(f"{s.label}{colon(lang)}{s.text}" for s in said.values())
    return " — ".join(x for x in (head, rest) if x)
