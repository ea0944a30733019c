"""Reminders about a referral to a provider that does not use the platform go to the case manager
who chases it by phone, and say so.

A referral addressed to an organisation the directory does not mark ``uses_platform: yes``
(:func:`mno_workflow.directory.organisations_off_platform`, « suivi par le gestionnaire » on the
case page) is answered by phone, in person or e-mail, and the case manager records its answers
on its behalf. A reminder or an escalation meant for that organisation's accounts (a ``scope:
recipient`` role) would wait in an inbox nobody reads: :func:`redirect` sends it to the case's
assigned case manager instead (the SOP's first ``scope: assigned`` role; the coordinators when
the case has nobody assigned, as for any ``assigned`` message), with ``chase`` (the
organisation's id) and ``chase_role`` (the role it was meant for) in its context. Its words then
say « appeler / relancer <organisation> » with the directory's phone number of the organisation
(:func:`chase_words`, :func:`chase_labels`). Every path goes through
:func:`mno_workflow.store.outbox.enqueue`: the sweeper's reminders and escalations (bulk and one
by one), an automatic trigger's failure, the supervisor's « Relancer » on « Mon travail »; and
the daily digest lists such a referral's due work for the case manager, not for the
organisation's accounts (:mod:`.digest`).

The escalation of such a referral's deadline to anyone else (the supervisor: ``on_expiry:
{escalate: supervisor}``) is not redirected, but says the same thing from the other side:
:func:`mark_escalation` adds ``off_platform`` (the organisation's id) to its context, and its
words (:func:`escalation_words`, the e-mail's ``called_org``/``called_phone``, the « Escalades »
list of « Mon travail », the supervisor's digest) say that the case manager must call the
organisation, with its phone, not that the provider should answer on the platform.

A database whose directory holds no organisation at all (a scenario run, a test bench) has
nothing to judge by: nothing is redirected there (tryout 5, H12).
"""

from __future__ import annotations

from typing import Any

from ..i18n import gettext

#: the kinds of message that chase an answer (``task`` and ``notify`` are not redirected)
CHASED_KINDS = frozenset({"reminder", "escalation"})
#: the role told when the SOP names no ``scope: assigned`` role
DEFAULT_CHASER = "caseworker"


def redirect(session, case: Any, inst: Any, role: str, scope: str, kind: str,
             context: dict[str, Any], memo: dict | None = None) -> tuple[str, str, dict[str, Any]]:
    """``(role, scope, context)`` for a message of ``kind`` to ``role`` under ``scope``: unchanged,
    or the case manager's role, ``assigned`` and the context with ``chase``/``chase_role`` when
    the message is for an off-platform recipient organisation (module doc). ``memo``: a dict
    kept for one batch (the sweeper's), saving the same look-ups."""
    if scope != "recipient" or kind not in CHASED_KINDS or inst is None or not inst.recipient:
        return role, scope, context
    key = ("chase", inst.recipient, case.sop_version_id)
    chaser = memo.get(key) if memo is not None else None
    if chaser is None:
        off = off_platform(session, inst.recipient, sop_id=_sop_id(session, case.sop_version_id))
        chaser = case_manager_role(session, case.sop_version_id) if off else ""
        if memo is not None:
            memo[key] = chaser
    if not chaser:
        return role, scope, context
    return chaser, "assigned", {**context, "chase": inst.recipient, "chase_role": role}


def mark_escalation(session, case: Any, inst: Any, scope: str, kind: str, context: dict[str, Any],
                    memo: dict | None = None) -> dict[str, Any]:
    """``context`` with ``off_platform`` (the organisation's id) for an escalation not redirected
    to the case manager (:func:`redirect`) of the deadline of a state a ``scope: recipient`` role
    owns (``context["owner_role"]``), on a referral to an organisation off the platform; else
    ``context`` unchanged (module doc)."""
    owner = context.get("owner_role")
    if (kind != "escalation" or scope == "recipient" or not owner or context.get("chase")
            or inst is None or not inst.recipient):
        return context
    key = ("off_platform", inst.recipient, case.sop_version_id, owner)
    hit = memo.get(key) if memo is not None else None
    if hit is None:
        hit = (owned_by_recipient(session, case.sop_version_id, owner)
               and off_platform(session, inst.recipient,
                                sop_id=_sop_id(session, case.sop_version_id)))
        if memo is not None:
            memo[key] = hit
    return {**context, "off_platform": inst.recipient} if hit else context


def owned_by_recipient(session, sop_version_id: int | None, role: str) -> bool:
    """Whether ``role`` of the SOP version is a ``scope: recipient`` role (a provider's accounts)."""
    from ..store.models import SopVersion
    from .rendering import sop_model
    row = session.get(SopVersion, sop_version_id) if sop_version_id is not None else None
    spec = sop_model(row).roles.get(role) if row is not None else None
    return spec is not None and spec.scope == "recipient"


def _sop_id(session, sop_version_id: int | None) -> str | None:
    """The SOP id of version row ``sop_version_id``."""
    from sqlalchemy import select

    from ..store.models import SopVersion
    if sop_version_id is None:
        return None
    return session.scalar(select(SopVersion.sop_id).where(SopVersion.id == sop_version_id))


def off_platform(session, organisation: str, *, sop_id: str | None) -> bool:
    """Whether ``organisation`` is off the platform by the directory, which holds at least one
    organisation (module doc), for a referral of SOP ``sop_id`` (its focal points counted among
    the accounts of that SOP only: :mod:`mno_workflow.directory.platform`)."""
    from sqlalchemy import exists, inspect, select

    from ..directory import organisations_off_platform
    from ..directory.tables import TABLES
    org = TABLES["organization"]
    if not inspect(session.connection()).has_table(org.name):
        return False
    if not session.scalar(select(exists().select_from(org))):
        return False
    return organisation in organisations_off_platform(session, [organisation], sop_id=sop_id)


def case_manager_role(session, sop_version_id: int | None) -> str:
    """The SOP's first ``scope: assigned`` role (the case's assigned case manager), else
    :data:`DEFAULT_CHASER`."""
    from ..store.models import SopVersion
    from .rendering import sop_model
    row = session.get(SopVersion, sop_version_id) if sop_version_id is not None else None
    return chaser_of(sop_model(row)) if row is not None else DEFAULT_CHASER


def chaser_of(sop: Any) -> str:
    """The role of ``sop`` that chases an off-platform provider: its first ``scope: assigned``
    role, else :data:`DEFAULT_CHASER`."""
    return next((r for r, spec in sop.roles.items() if spec.scope == "assigned"), DEFAULT_CHASER)


def organisation_phone(session, organisation: str) -> str:
    """The organisation's own first phone number in the directory (not a contact person's), as
    people read it; ``""`` when it has none."""
    from sqlalchemy import select

    from ..directory.tables import TABLES
    from ..i18n.phones import phone_text
    p = TABLES["phone"]
    number = session.scalar(select(p.c.number).where(p.c.organization_id == organisation,
                                                     p.c.contact_id.is_(None)).order_by(p.c.id).limit(1))
    return phone_text(number or "")


def chase_labels(session, context: dict[str, Any], lang: str) -> dict[str, str]:
    """``{chase_org, chase_phone}`` for the e-mail templates of a redirected message (the
    organisation's name in ``lang``, its phone or ``""``); ``{}`` for any other message."""
    org = context.get("chase")
    if not org:
        return {}
    from sqlalchemy import select

    from ..directory.names_lang import names_in
    from ..directory.tables import TABLES
    t = TABLES["organization"]
    name = session.scalar(select(t.c.name).where(t.c.id == org)) or org
    return {"chase_org": names_in({org: name}, lang)[org], "chase_phone": organisation_phone(session, org)}


def chase_words(session, context: dict[str, Any], lang: str) -> str:
    """« appeler / relancer CSPS de Tanghin (tél. +226 25 35 05 05) et enregistrer sa réponse pour
    lui » for a redirected message (the in-app line and the « Relancer » confirmation); ``""``
    for any other message."""
    labels = chase_labels(session, context, lang)
    if not labels:
        return ""
    if labels["chase_phone"]:
        return gettext("appeler / relancer {org} (tél. {phone}) et enregistrer sa réponse pour lui", lang,
                       org=labels["chase_org"], phone=labels["chase_phone"])
    return gettext("appeler / relancer {org} (pas de téléphone dans le répertoire) et enregistrer sa "
                   "réponse pour lui", lang, org=labels["chase_org"])


def escalation_words(session, context: dict[str, Any], lang: str) -> str:
    """« CSPS de Tanghin n'utilise pas la plateforme : le gestionnaire du dossier doit l'appeler
    (tél. +226 25 35 05 05) et enregistrer sa réponse pour lui » for an escalation marked by
    :func:`mark_escalation` (the in-app line, the « Escalades » list, the digest); ``""`` for any
    other message."""
    org = context.get("off_platform")
    if not org:
        return ""
    labels = chase_labels(session, {"chase": org}, lang)
    if labels["chase_phone"]:
        return gettext("{org} n'utilise pas la plateforme : le gestionnaire du dossier doit l'appeler "
                       "(tél. {phone}) et enregistrer sa réponse pour lui", lang,
                       org=labels["chase_org"], phone=labels["chase_phone"])
    return gettext("{org} n'utilise pas la plateforme : le gestionnaire du dossier doit l'appeler (pas "
                   "de téléphone dans le répertoire) et enregistrer sa réponse pour lui", lang,
                   org=labels["chase_org"])
