"""The outbox's stored codes in words of the reader's language — a message's status, channel and
kind — and its recipient by name (a person) or by the SOP's label (a role), for ``mno outbox
list`` and the coordinator's page /messages-annules. Every word is a catalogue message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..i18n import N_, gettext
from ..store.models import User

STATUSES: dict[str, str] = {"pending": N_("en attente"), "sent": N_("remis"), "failed": N_("en échec"),
                            "dead": N_("abandonné"), "cancelled": N_("annulé"), "stale": N_("périmé")}
CHANNELS: dict[str, str] = {"inapp": N_("application"), "email": N_("courriel"), "sms": N_("SMS")}
KINDS: dict[str, str] = {"task": N_("tâche"), "reminder": N_("rappel"), "escalation": N_("escalade"),
                         "notify": N_("information"), "note": N_("note"), "digest": N_("résumé"),
                         "alert_status": N_("suivi de signalement")}


def word(table: dict[str, str], code: str | None, lang: str) -> str:
    """``code`` of ``table`` in ``lang``; an unknown code as it is ("—" for none)."""
    if not code:
        return "—"
    msgid = table.get(code)
    return gettext(msgid, lang) if msgid is not None else code


def user_names(s: Any, ids: set[str]) -> dict[str, str]:
    """Display names of the user ids ``ids`` (one query; an unknown id is absent)."""
    if not ids:
        return {}
    return dict(s.execute(select(User.id, User.display_name).where(User.id.in_(sorted(ids)))).all())


def recipient(m: Any, names: dict[str, str], sop: Any, lang: str) -> str:
    """Who message ``m`` is for: the person's name, else the role's label in the SOP (``sop``
    may be None), else "—"."""
    if m.recipient_user:
        return names.get(m.recipient_user, m.recipient_user)
    if m.recipient_role:
        role = sop.roles.get(m.recipient_role) if sop is not None else None
        return sop.label(role.label, lang) if role is not None else m.recipient_role
    return "—"
