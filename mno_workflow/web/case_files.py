"""The checks an attachment or referral-note request goes through before anything is read or
written, shared by the pages (:mod:`.routes.attachments`) and the API (:mod:`.api_files`) so that
both answer the same way: the case, step and file a request names, under the rules of
:mod:`.access` (404 :class:`.access.NotVisible` for what the user may not see, 403
:class:`.access.Forbidden` for what they may see but not do)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import attachments
from ..engine.errors import CaseErased, Message
from ..store import repository
from ..store.models import Attachment, Case, ReferralNote, StepInstance, User
from . import access, queries


def find_instance(case: Case | None, key: str) -> StepInstance | None:
    """:func:`.routes.common.find_instance` (imported late: the routes package imports this module)."""
    from .routes.common import find_instance as find

    return find(case, key)


def case_of(s: Session, reference: str) -> Case:
    """The case ``reference`` (cut to 40 characters, upper case). Raises NotVisible when unknown."""
    case = repository.get_case(s, reference[:40].upper())
    if case is None:
        raise access.NotVisible()
    return case


def upload_place(s: Session, user: User, reference: str, instance: str) -> tuple[Case, StepInstance]:
    """(case, step instance) a file may be attached to by ``user``: a case role who may open the
    case (404 otherwise), the instance one of the case's (404), the case open (403) and its
    person's data not erased (409 ``case_erased``, tryout 9, L12)."""
    case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
    inst = find_instance(case, instance[:130])
    if inst is None:
        raise access.NotVisible()
    if user.role in access.CASE_ROLES and case.purged_at is not None:  # the real reason (L12)
        raise CaseErased(Message.t("Les données de cette personne ont été effacées : aucune pièce jointe "
                                   "ne peut plus être ajoutée à ce dossier."))
    if not access.can_add_attachment(user, case):
        raise access.Forbidden("attachment")
    return case, inst


def read_attachment(s: Session, sop_of, user: User, reference: str, attachment_id: int,
                    now: datetime) -> tuple[Case, StepInstance, Attachment, bytes]:
    """(case, instance, row, bytes) of attachment ``attachment_id`` of case ``reference`` when
    ``user`` may see the files of its step (``sop_of(case)``: the case's compiled SOP); the read is
    logged like a page view. Raises NotVisible for an unknown, foreign, hidden or lost file."""
    case = case_of(s, reference)
    row = s.get(Attachment, attachment_id)
    if row is None or row.case_id != case.id:
        raise access.NotVisible()
    inst = next((i for i in case.instances if i.id == row.instance_id), None)
    if inst is None or not access.can_see_attachments(s, user, sop_of(case), case, inst, now):
        raise access.NotVisible()
    try:
        data = attachments.read(row)
    except FileNotFoundError:
        raise access.NotVisible() from None
    queries.log_view(s, user, case, "attachment", now, inst.label_key)
    return case, inst, row, data


def notes_place(s: Session, sop_of, user: User, reference: str, instance: str, now: datetime):
    """(case, instance, SOP) of the referral whose notes ``user`` may read and write (the case side
    who may open the case; the provider it is addressed to while the consent covers it). Raises
    NotVisible otherwise."""
    from .routes.common import case_and_instance

    case, inst = case_and_instance(s, reference, instance)
    sop = sop_of(case)
    if not access.can_use_notes(s, user, sop, case, inst, now):
        raise access.NotVisible()
    return case, inst, sop


def notes_of(s: Session, inst: StepInstance) -> list[ReferralNote]:
    """The notes of a referral instance, oldest first (the caller checked access.can_use_notes)."""
    return list(s.scalars(select(ReferralNote).where(ReferralNote.instance_id == inst.id)
                          .order_by(ReferralNote.at, ReferralNote.id)))
