"""Telling the new case manager of a reassignment (tryout 2 #11): « MNR-BF-000054 vous a été
réattribué par Idrissa Sanou » (the reason is on the case page) — and the former one that it was
handed over: « Le dossier MNR-BF-000054 a été confié à Awa Ouédraogo par Idrissa Sanou ».

One ``reassigned`` notification (kind ``notify``: an information) through the outbox, in the
reassignment's transaction, to the case's new assignee — in-app, plus e-mail and SMS by their
settings like every other notification (:func:`mno_workflow.store.outbox.enqueue`). The message is
stored as a template name and parameters (the reference, the name of who reassigned), rendered in
the reader's language when shown or sent, with the case page's link. Like a provider's decline
details, the reason typed is free text that may name the person: it stays on the case page and its
history, never in a notification (in-app, e-mail, SMS).

The former case manager can no longer open the case, so their notice (``reassigned_away``) is
about no case (``case_id`` empty: neither cancelled at send time as a message whose reader lost
access, nor hidden from their notifications page, and without a link): it carries the reference,
the name of the new case manager and of who reassigned — never the typed reason (free text that
may name the person) nor anything of the case's data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..store.models import OutboxMessage, User
from ..store.outbox import enqueue


def tell_new_assignee(s: Session, case: Any, sop: Any, actor: Any,
                      now: datetime) -> dict[str, Any]:
    """Enqueue the ``reassigned`` message for ``case``'s (new) assignee; returns the audit effect
    ``{"notified": "assignee", "messages": n}``."""
    who = s.get(User, actor.user) if actor.user else None
    # never the typed ``reason``: free text stays on the case page (its history), not in messages
    context = {"reference": case.reference, "by_name": (who.display_name if who else None) or actor.user}
    role = next((r for r, x in sop.roles.items() if x.scope == "assigned"), "caseworker")
    msgs = enqueue(s, case=case, inst=None, role=role, scope="assigned", kind="notify",
                   template="reassigned", context=context, now=now, fallback=False)
    return {"notified": "assignee", "messages": len(msgs)}


def tell_former_assignee(s: Session, case: Any, actor: Any, before: str | None,
                         now: datetime) -> dict[str, Any]:
    """Enqueue the ``reassigned_away`` notice for ``before``, the case's former manager (none when
    the case had none, when they reassigned it themselves, or when their account is inactive):
    in-app, plus e-mail and SMS by their settings, in their language; returns the audit effect
    ``{"notified": "former_assignee", "messages": n}``."""
    person = s.get(User, before) if before else None
    if person is None or not person.active or before == actor.user:
        return {"notified": "former_assignee", "messages": 0}
    who = s.get(User, actor.user) if actor.user else None
    new = s.get(User, case.assignee) if case.assignee else None
    context = {"reference": case.reference,  # the reference only: no data of the case, no reason
               "by_name": (who.display_name if who else None) or actor.user,
               "to_name": (new.display_name if new else None) or case.assignee}
    lang = person.language or "fr"
    channels = [("inapp", None)]
    if person.email and person.notify_email is not False:
        channels.append(("email", person.email))
    if person.phone and person.notify_sms:
        channels.append(("sms", person.phone))
    rows = [dict(case_id=None, deadline_id=None, kind="notify", recipient_role=person.role,
                 template="reassigned_away", context=dict(context), status="pending", attempts=0,
                 next_attempt_at=now, created_at=now, late=False, channel=channel,
                 recipient_user=person.id, lang=lang, recipient_address=address)
            for channel, address in channels]
    if hasattr(case, "new_outbox"):  # the engine's Core write path: written with the case
        case.new_outbox.extend(rows)
    else:
        s.add_all([OutboxMessage(**r) for r in rows])
    return {"notified": "former_assignee", "messages": len(rows)}
