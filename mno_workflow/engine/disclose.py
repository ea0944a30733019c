"""The engine's data-protection check when a transition addresses a step to a recipient organisation.

Called by :meth:`WorkflowEngine._fire` for every transition whose form sets the step's
``recipient`` (BF SOP: ``send`` and ``re_refer`` of ``referral``), on every path (page, API, CLI,
scenario): the consent in force must cover the organisation's directory type for the SOP's
referral purpose (:func:`mno_workflow.protection.may_disclose`), and, when the SOP sets
``require_sharing_agreement``, the organisation must have a data-sharing agreement in force
(otherwise a warning is recorded in the audit event's effects).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..sop.schema import SOP
from .errors import GuardNotMet, Message


def check_referral_disclosure(s: Session, sop: SOP, case: Any, inst: Any, form_id: str | None,
                              data: dict, now: datetime,
                              recipient_type: Callable[[Session, str], str | None] | None,
                              recipient_agreement: Callable[[Session, str, Any], Any] | None = None,
                              ) -> list[dict]:
    """Raise :class:`GuardNotMet` (catalogue message naming the organisation type) when the disclosure
    is refused; return warnings (``[{"code", "fr", "en"}]``) otherwise. Does nothing when the SOP
    has no ``data_protection`` section, the form does not set the recipient, or there is no
    directory to ask (``recipient_type`` missing or answering None)."""
    from ..protection import consent_in_force, may_disclose
    from ..protection.disclosure import type_value

    dp = sop.data_protection
    recipient = sop.steps[inst.step].recipient
    if dp is None or recipient_type is None or not (recipient and form_id
                                                    and recipient.startswith(form_id + ".")):
        return []
    org = data.get(recipient.split(".", 1)[1])
    if not org:
        return []
    org_type = recipient_type(s, org)
    if org_type is None:
        return []
    consent = consent_in_force(sop, case, now)
    decision = may_disclose(consent, org_type, None, dp.referral_purpose)
    if not decision.allowed:
        raise GuardNotMet(decision.message, condition=f"data_protection: {decision.reason}")
    status = recipient_agreement(s, org, consent.today or now.date()) if recipient_agreement else None
    if status is None or status.in_force:
        return []
    why = {"agreement.none": Message.t("n'a signé aucun accord de partage de données"),
           "agreement.expired": Message.t("a un accord de partage de données expiré (version {version})",
                                          version=status.version),
           "agreement.not_yet_signed": Message.t("a un accord de partage de données pas encore en vigueur"),
           }[status.reason]
    said = Message.t("« {organisation} » ({org_type}) {why}.", organisation=_name(s, org),
                     org_type=type_value(org_type), why=why)
    if dp.require_sharing_agreement:
        raise GuardNotMet(Message.t("{problem} Référencement impossible.", problem=said),
                          condition=f"data_protection: {status.reason}")
    return [{"code": status.reason, "organisation": org, "fr": said.fr, "en": said.en}]


def _name(s: Session, org: str) -> str:
    """The organisation's name as the directory writes it (a user reads names, never ``org-…``
    keys); the key itself only when the directory has no such row."""
    from sqlalchemy import select

    from ..directory.tables import TABLES
    t = TABLES["organization"]
    return s.scalar(select(t.c.name).where(t.c.id == org)) or org
