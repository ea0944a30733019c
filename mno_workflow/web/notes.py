"""Posting a referral note and telling the other side: a note from the case side (case manager,
supervisor) notifies the focal points of the provider the referral is addressed to; a note from
the provider notifies the case's assigned case manager. One function for every path (page, API).

The notification is a message key and parameters (outbox ``kind="note"``, template ``note``:
reference, step, instance, the author's side and organisation id), never the note's text, so no
notification carries what the consent may not allow; it is worded in the reader's language when
shown (:func:`.presenters.notification`) and in the recipient's language by e-mail
(``reminders/templates/<lang>/note.*``). When the other side cannot be told — the provider may
no longer read the referral's data (consent withdrawn or expired, not covering this recipient),
or nobody holds the role — the note is kept and the caller shows the reason (``warning``).

Source: issue 18 (« a referral note does not notify the other side »).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..engine.errors import CaseErased, FormInvalid, Message
from ..sop.schema import SOP
from ..store.models import Case, ReferralNote, StepInstance, User
from ..store.outbox import enqueue
from . import access

NOTE_MAX = 1000

NOT_TOLD_CONSENT = Message.t(
    "Note enregistrée, mais le prestataire n'est pas prévenu : le consentement en vigueur ne couvre plus "
    "le partage avec lui (il ne peut pas lire la note).")
NOT_TOLD_NOBODY = Message.t(
    "Note enregistrée, mais personne n'est prévenu : aucun utilisateur actif pour l'autre partie (point "
    "focal du prestataire ou gestionnaire de cas attribué).")
EMPTY = Message.t("La note est vide : rien n'a été enregistré.")
EMPTY_AT_FIELD = Message.t("Écrivez une note avant d'envoyer.")  #: the case page's notes box (tryout 2 #19)
#: a case whose person's data were erased takes no note any more, as no attachment (tryout 10, M3)
ERASED = Message.t("Les données de cette personne ont été effacées : aucune note ne peut plus être écrite "
                   "sur ce dossier.")
TOO_LONG = Message.t("La note est trop longue (1000 caractères au plus) : rien n'a été enregistré.")


def closed_words(case: Case, lang: str) -> str | None:
    """Why the notes box of ``case`` has no form (its person's data erased), in ``lang``; None
    when notes may be written."""
    return ERASED.text(lang) if case.purged_at is not None else None


@dataclass
class Posted:
    """The note written, how many people were told (in-app), and a warning when nobody was."""

    note: ReferralNote
    told: int
    warning: Message | None = None


def post_note(s: Session, sop: SOP, user: User, case: Case, inst: StepInstance, text: str,
              now: datetime) -> Posted:
    """Add ``text`` as a note of ``user`` on referral ``inst`` and notify the other side, in the
    caller's transaction. The caller checked :func:`.access.can_use_notes`. Raises CaseErased (409
    ``case_erased``) on a case whose person's data were erased (:func:`closed_words`), FormInvalid
    (``{"text": …}``) for an empty or too long text."""
    if case.purged_at is not None:  # nothing personal flows back in after the erasure (M3)
        raise CaseErased(ERASED)
    text = (text or "").strip()
    if not text or len(text) > NOTE_MAX:
        raise FormInvalid("note", {"text": TOO_LONG if text else EMPTY})
    note = ReferralNote(case_id=case.id, instance_id=inst.id, author=user.id, role=user.role,
                        organisation=user.organisation, text=text, at=now)
    s.add(note)
    from_provider = user.role == "provider"
    context = {"reference": case.reference, "step": inst.step, "instance": inst.key,
               "from_side": "provider" if from_provider else "case",
               "from_org": user.organisation or ""}
    if from_provider:
        targets = [("caseworker", "assigned")]
    else:
        if not access.recipient_may_read(s, sop, case, inst, now):
            return Posted(note, 0, NOT_TOLD_CONSENT)
        targets = [(r, "recipient") for r, role in sop.roles.items() if role.scope == "recipient"]
    told = 0
    for role, scope in targets:
        msgs = enqueue(s, case=case, inst=inst, role=role, scope=scope, kind="note", template="note",
                       context=context, now=now)
        told += sum(1 for m in msgs if m.channel == "inapp")
    return Posted(note, told, None if told else NOT_TOLD_NOBODY)
