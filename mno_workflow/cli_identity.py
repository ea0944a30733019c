"""Who acts on the command line: ``--as USER:ROLE[@ORGANISATION]`` must name an active user of the
``users`` table with that role (and organisation); ``--as system[:ROLE[@ORGANISATION]]`` is the
explicit choice for scripts and is recorded as the user ``system``. Every audit event the CLI
writes also records ``via: cli`` and the operating-system account that ran the command
(``os_user``), so the trail says who really acted.

Also the checks the CLI shares with the web API: the ``--as`` user may act on the case (the web's
rule: :func:`check_case_scope`), the target of a reassignment is an active case manager of the
case's region.
"""

from __future__ import annotations

import getpass
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from .engine.engine import Actor
from .engine.errors import EngineError, Labels, Message, RoleName
from .store.models import Case, User

SYSTEM_USER = "system"


class UnknownActor(EngineError):
    """``--as`` names no active user with that role and organisation."""

    code, http_status = "unknown_user", 403


class WrongRole(EngineError):
    """``--as USER:ROLE`` names an active user who has another role."""

    code, http_status = "wrong_role", 403


class WrongOrganisation(EngineError):
    """``--as USER:ROLE@ORGANISATION`` names an active user of another organisation."""

    code, http_status = "wrong_organisation", 403


class BadAssignee(EngineError):
    """The reassignment target may not take the case."""

    code, http_status = "bad_assignee", 422


def os_user() -> str:
    """The operating-system account running this process (``unknown`` when it has no name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def resolve_actor(session: Session, text: str) -> Actor:
    """The actor named by ``--as`` text, checked against the users table and stamped ``via: cli``.

    Raises ValueError (malformed text, a usage error), :class:`UnknownActor`, :class:`WrongRole`
    or :class:`WrongOrganisation`."""
    stamp = {"via": "cli", "os_user": os_user()}
    text = text.strip()
    if text == SYSTEM_USER:
        return Actor(SYSTEM_USER, "system", None, **stamp)
    actor = Actor.parse(text)
    if actor.user == SYSTEM_USER:
        return replace(actor, **stamp)
    user = session.get(User, actor.user)
    if user is None or not user.active:
        raise UnknownActor(Message.t(
            "Utilisateur inconnu ou désactivé : « {user} » (créez-le avec « mno user add », ou agissez en "
            "tant que « --as system:ROLE » pour un script).",
            user=actor.user))
    if user.role != actor.role:
        raise WrongRole(Message.t(
            "« {user} » a le rôle « {role} » ({code}), pas « {asked} » ({asked_code}) : « {command} » "
            "refusé ; agissez en tant que « --as {user}:{code} ».",
            user=actor.user, role=RoleName(user.role), code=user.role, asked=RoleName(actor.role),
            asked_code=actor.role, command=_command()))
    if actor.organisation and actor.organisation != user.organisation:
        raise WrongOrganisation(Message.t(
            "« {user} » est de l'organisation « {p2} », pas « {organisation} » : « {command} » refusé.",
            user=actor.user, p2=user.organisation or '-', organisation=actor.organisation,
            command=_command()))
    return replace(actor, organisation=user.organisation, **stamp)


def _command() -> str:
    """The command being run (« mno case create »), or « mno » outside a command."""
    from typer._click.globals import get_current_context  # Typer's own copy of Click
    ctx = get_current_context(silent=True)
    return " ".join(["mno", *(ctx.command_path.split()[1:] if ctx is not None else [])])


def check_assignee(session: Session, assignee: str, cases: list[tuple[Case, Any]], role: str) -> None:
    """Like the web API, in the same order (:mod:`.engine.reassign_rules`, tryout 8, K3): ``role``
    may reassign under the SOP of every case (``cases``: ``(case, its SOP model)``; RoleNotAllowed),
    then ``assignee`` is an active case manager of the case's SOP and of its region when it has
    one — one without region is of none (tryout 8, K2). Raises :class:`BadAssignee` (one line)."""
    from .engine import reassign_rules
    for _case, sop in cases:
        reassign_rules.check_role(sop, role)
    target = session.get(User, assignee.strip()) if assignee.strip() else None
    problem = reassign_rules.assignee_problem(
        target, assignee.strip(), [(c.reference or "", sop.sop, c.region) for c, sop in cases])
    if problem is not None:
        raise BadAssignee(problem)


class OutOfScope(EngineError):
    """The ``--as`` user may not open this case (the web and the API answer 404 for it)."""

    code, http_status = "case_out_of_scope", 404


def _why_out_of_scope(session: Session, user: User, case: Case) -> Message | None:
    """Why ``user`` may not act on ``case`` by the web's rule (None: it may): a case manager on the
    cases assigned to them, a supervisor on their region's, a provider on a case with a referral
    addressed to its organisation, a first responder on the alerts they filed, a coordinator on
    every case; the other roles (M&E, trainer, SOP author) on none."""
    from .web.access.region import case_sop, region_admits, sop_admits
    role = user.role
    if user.sop_id and not sop_admits(user.sop_id, case_sop(case)):  # the SOP rule (tryout 5, H24)
        return Message.t("dossier de la POS « {sop} », vous travaillez sur la POS « {own} »",
                         sop=_sop_title(session, case_sop(case)), own=_sop_title(session, user.sop_id))
    if role == "coordinator":
        return None
    if role == "caseworker":
        if case.assignee == user.id:
            return None
        other = session.get(User, case.assignee) if case.assignee else None
        if other is None:
            return Message.t("ce dossier n'est attribué à personne")
        return Message.t("attribué à {name}, pas à vous", name=other.display_name or other.id)
    if role == "supervisor":
        if region_admits(user.region, case.region):
            return None
        if not user.region:
            return Message.t("vous n'êtes superviseur d'aucune région")
        if not case.region:
            return Message.t("ce dossier n'a pas de région, vous êtes superviseur de « {own} »",
                             own=_region(case, user.region))
        return Message.t("région « {region} », vous êtes superviseur de « {own} »",
                         region=_region(case, case.region), own=_region(case, user.region))
    if role == "provider":
        ok = user.organisation and any(i.recipient == user.organisation for i in case.instances)
        return None if ok else Message.t("aucun référencement adressé à votre organisation")
    if role == "first_responder":
        from .store.models import Alert
        alert = session.get(Alert, case.id)
        return None if alert is not None and alert.reporter == user.id else Message.t(
            "signalement transmis par quelqu'un d'autre")
    return Message.t("le rôle « {role} » n'ouvre pas de dossier", role=RoleName(role))


def _sop_title(session: Session, sop_id: str | None):
    """The title of the SOP ``sop_id`` (its newest version's) in the reader's language; the id when
    it does not load."""
    from sqlalchemy import select

    from .sop.diagnostics import SOPError
    from .sop.loader import load_stored
    from .store.models import SopVersion
    version = session.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id)
                             .order_by(SopVersion.id.desc()).limit(1))
    try:
        return Labels((load_stored(version).model.title,)) if version is not None else sop_id or "—"
    except SOPError:
        return sop_id


def _region(case: Case, code: str):
    """The region ``code`` by the case's SOP's label (« Liptako (Dori) », tryout 4, G8), in the
    reader's language; the code itself when the SOP does not list it."""
    from .sop.diagnostics import SOPError
    from .sop.loader import load_stored  # the content-hash cache (sop/cache.py): parsed once
    try:
        label = (load_stored(case.sop_version).model.options.get("region") or {}).get(code)
    except SOPError:  # a stored version that no longer loads: the refusal still says the code
        label = None
    return Labels((label,)) if label else code


def check_case_scope(session: Session, actor: Actor, references: list[str], reading: bool = False) -> None:
    """The ``--as`` user may act on each case of ``references`` by the same rule as the web and the
    API (:func:`.web.access.can_view_case`, a provider's referrals, a first responder's alerts):
    tryout 3, F30 — a supervisor of another region erased a case's personal data from the CLI.
    ``system`` (scripts) is not checked; an unknown reference is left to the command (« Dossier
    introuvable »). Raises :class:`OutOfScope` naming the reference and why (``reading``: a command
    that only shows the case, ``mno case show --as``, does not add « rien n'a été fait »)."""
    if actor.user == SYSTEM_USER:
        return
    from .store import repository
    user = session.get(User, actor.user)
    if user is None:
        return
    for reference in references:
        case = repository.get_case(session, reference)
        if case is None:
            continue
        why = _why_out_of_scope(session, user, case)
        if why is not None and reading:
            raise OutOfScope(Message.t("{reference} : dossier hors de votre portée ({why}).",
                                       reference=reference, why=why))
        if why is not None:
            raise OutOfScope(Message.t(
                "{reference} : dossier hors de votre portée ({why}) ; rien n'a été fait.",
                reference=reference, why=why))
