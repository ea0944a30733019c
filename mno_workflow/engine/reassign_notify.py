"""Telling the new case manager of a reassignment (tryout 2 #11): « MNR-BF-000054 vous a été
réattribué par Idrissa Sanou — motif : Charge de travail ».

One ``reassigned`` notification (kind ``notify``: an information) through the outbox, in the
reassignment's transaction, to the case's new assignee — in-app, plus e-mail and SMS by their
settings like every other notification (:func:`mno_workflow.store.outbox.enqueue`). The message is
stored as a template name and parameters (the reference, the name of who reassigned, the reason
they typed), rendered in the reader's language when shown or sent, with the case page's link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..store.models import User
from ..store.outbox import enqueue


def tell_new_assignee(s: Session, case: Any, sop: Any, actor: Any, reason: str,
                      now: datetime) -> dict[str, Any]:
    """Enqueue the ``reassigned`` message for ``case``'s (new) assignee; returns the audit effect
    ``{"notified": "assignee", "messages": n}``."""
    who = s.get(User, actor.user) if actor.user else None
    context = {"reference": case.reference, "by_name": (who.display_name if who else None) or actor.user,
               "motive": reason}
    role = next((r for r, x in sop.roles.items() if x.scope == "assigned"), "caseworker")
    msgs = enqueue(s, case=case, inst=None, role=role, scope="assigned", kind="notify",
                   template="reassigned", context=context, now=now, fallback=False)
    return {"notified": "assignee", "messages": len(msgs)}
