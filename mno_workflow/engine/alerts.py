"""Alerts (*signalements*) of first responders: a case opened through an SOP ``entries`` entry,
given to a case manager of the region, whose status alone its reporter may see.

:func:`file_alert` opens the case in the entry's step and fires its trigger with the alert form,
in one transaction (optionally idempotent): the case goes to the active user of role
``assign.to`` with the fewest open cases in the alert's region (ties: user id), else to a
``assign.fallback`` user of that region, else to one without region (national) — only users who
work in the alert's SOP or in every SOP (``users.sop_id``, tryout 5, H24) — loads read in
the creating transaction under a per-region lock (:func:`lock_region`). Nobody at all:
a field error on the region, nothing written. The entry step's deadline (BF SOP: 1 working day
to make contact, escalation to the supervisor) and the task message to the assignee come from
the SOP, like any state's. The alert *becomes* the case: the case manager takes it up (the SOP's
flow starts identification, same reference and history) or closes it with a reason.

:func:`alerts_of` is what a reporter sees ("Mes signalements"): reference, date filed, region,
status (the entry step's state: received, taken up, closed) and its date, and for a closed alert
why, when and by which role (:mod:`.alert_outcome`) — nothing else of the case.
:func:`~mno_workflow.engine.prefill.prefill` (engine/prefill.py) gives the values a later form opens
with (the entry's ``prefill``) on every path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from ..sop.schema import SOP
from ..sop.schema_entries import Entry
from ..store.models import Alert, Case, User
from ..store.repository import fold
from .alert_outcome import Closure, closures
from .errors import FormInvalid, Labels, Message, RoleNotAllowed
from .forms import invalid
from .opening import open_case
from .prefill import prefill  # noqa: F401 - moved to prefill.py; kept importable here

if TYPE_CHECKING:
    from .engine import Actor, WorkflowEngine

MAX_LISTED = 200


@dataclass(frozen=True)
class Filed:
    """What :func:`file_alert` returns: the case ``reference`` and ``version``, the user it was
    given to (``assignee``), how (``assignment``: ``least_loaded``, ``fallback_region``,
    ``fallback_national``) and ``replayed`` (an earlier request with the same key made it)."""

    reference: str
    version: int
    assignee: str
    assignment: str
    replayed: bool = False


@dataclass(frozen=True)
class AlertStatus:
    """One line of "Mes signalements": no personal data, no case data beyond the entry step."""

    reference: str
    filed_at: datetime
    region: str | None
    status: str              # the entry step's state: received, taken_up, closed
    status_at: datetime      # when that state was entered
    organisation: str | None
    closure: Closure | None = None  # why it was closed (alert_outcome.py); None while open
    entry: str = ""          # the SOP entry it was filed through
    sop_version: int | None = None  # the case's SOP version: the words of its status and region

    def as_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "filed_at": _iso(self.filed_at), "region": self.region,
                "status": self.status, "status_at": _iso(self.status_at),
                "organisation": self.organisation}


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def entry_for(sop: SOP, role: str, entry_id: str | None = None) -> tuple[str, Entry]:
    """The entry ``role`` may use (``entry_id``, else the first whose ``by`` lists it); raises
    RoleNotAllowed (in French and English) when there is none."""
    for eid, entry in sop.entries.items():
        if (entry_id is None or eid == entry_id) and role in entry.by:
            return eid, entry
    raise RoleNotAllowed(Message.t(
        "Le rôle « {role} » ne peut pas transmettre de signalement selon la POS {sop}.",
        role=role, sop=sop.sop))


def _of_sop(sop_id: str | None) -> Any:
    """The SOP rule on the users (:func:`mno_workflow.web.access.sop_admits`): users without SOP
    and those of ``sop_id`` (None: every user, as before revision 0040)."""
    return true() if sop_id is None else or_(User.sop_id.is_(None), User.sop_id == "", User.sop_id == sop_id)


def choose_assignee(s: Session, entry: Entry, region: str,
                    sop_id: str | None = None) -> tuple[str, str] | None:
    """``(user_id, how)`` of who receives an alert of ``region`` of the SOP ``sop_id`` (see the
    module text; a user who works in another SOP never: tryout 5, H24), or None."""
    load = func.count(Case.id)
    q = (select(User.id).outerjoin(Case, and_(Case.assignee == User.id, Case.status == "open"))
         .where(User.role == entry.assign.to, User.active.is_(True), User.region == region, _of_sop(sop_id))
         .group_by(User.id).order_by(load, User.id).limit(1))
    if (uid := s.scalar(q)) is not None:
        return uid, "least_loaded"
    if entry.assign.fallback:
        base = select(User.id).where(User.role == entry.assign.fallback, User.active.is_(True),
                                     _of_sop(sop_id))
        if (uid := s.scalar(base.where(User.region == region).order_by(User.id).limit(1))) is not None:
            return uid, "fallback_region"
        if (uid := s.scalar(base.where(User.region.is_(None)).order_by(User.id).limit(1))) is not None:
            return uid, "fallback_national"
    return None


def regions_with_staff(s: Session, entry: Entry, sop_id: str | None = None) -> set[str] | None:
    """The regions :func:`choose_assignee` can give an alert of the SOP ``sop_id`` (an active user
    of the entry's role, or of its fallback role, in the region, who works in that SOP); None when
    every region can (an active fallback user with no region: national). The alert form shows the
    others as unable to receive one."""
    roles = [r for r in (entry.assign.to, entry.assign.fallback) if r]
    rows = s.execute(select(User.role, User.region).where(User.role.in_(roles), User.active.is_(True),
                                                          _of_sop(sop_id)).distinct()).all()
    if any(region is None and role == entry.assign.fallback for role, region in rows):
        return None
    return {region for _role, region in rows if region}


def _value(data: dict, path: str) -> Any:
    form, _, field = path.partition(".")
    return (data.get(form) or {}).get(field)


def file_alert(wf: WorkflowEngine, sop_id: str, actor: Actor, payload: dict[str, Any], *,
               entry_id: str | None = None, idempotency_key: str | None = None) -> Filed:
    """Open a case through the entry ``actor.role`` may use and fire its trigger with ``payload``
    (the alert form's fields), all or nothing. Raises SOPNotFound, RoleNotAllowed (no entry for
    this role), FormInvalid (per field, French and English; also ``region`` when nobody can
    receive the alert), IdempotencyKeyInvalid, and what :meth:`WorkflowEngine.fire` raises."""
    payload = dict(payload or {})
    with wf.sessions() as s:
        sop = wf.registry.compiled(wf.registry.latest(s, sop_id)).sop
        eid, entry = entry_for(sop, actor.role, entry_id)
        works_in = s.scalar(select(User.sop_id).where(User.id == actor.user))
    if works_in and works_in != sop_id:  # an account of another SOP (tryout 5, H24)
        raise RoleNotAllowed(Message.t(
            "Votre compte travaille sur une autre POS : il ne peut pas transmettre de signalement "
            "selon la POS « {sop} ».", sop=Labels((sop.title,))))
    form_id, _, region_field = entry.assign.region.partition(".")
    region = payload.get(region_field)
    valid_region = isinstance(region, str) and region in sop.options.get(
        _options_of(sop, entry.assign.region) or "", {})
    nobody = Message.t(
        "Aucun gestionnaire de cas ni superviseur actif pour cette région : le signalement ne peut pas "
        "être attribué. Appelez la coordination du mécanisme.")
    chosen: list[tuple[str, str] | None] = [None]  # set inside the creating transaction

    def choose(s: Session) -> str:
        # The loads are read in the transaction that writes the case, after taking the region's
        # lock: two alerts filed at once never both go to the same least-loaded person.
        if valid_region:
            lock_region(s, region)
            chosen[0] = choose_assignee(s, entry, region, sop_id)
        return chosen[0][0] if chosen[0] else actor.user

    def prepare(s: Session, case: Case) -> None:
        case.region = region if valid_region else None
        s.add(Alert(case_id=case.id, entry=eid, reporter=actor.user, organisation=actor.organisation,
                    filed_at=case.created_at, assignment=chosen[0][1] if chosen[0] else "none"))

    def finish(s: Session, case: Case) -> None:
        if chosen[0] is None:  # region valid but nobody to receive it (else the form error said so)
            raise invalid(sop, form_id, {region_field: nobody})
        data = case.data or {}
        name = " ".join(str(_value(data, p) or "") for p in entry.name).strip()
        if not name and entry.describe:
            name = str(_value(data, entry.describe) or "").strip()[:120]
        case.display_name = name or None
        case.name_folded = fold(name) if name else None

    try:
        opened = open_case(wf, sop_id, actor, payload, trigger=entry.trigger,
                           idempotency_key=idempotency_key, start=entry.start,
                           prepare=prepare, finish=finish, choose=choose)
    except FormInvalid as e:
        if valid_region and chosen[0] is None and region_field not in e.errors:  # named as the form
            raise invalid(sop, e.form_id, {**e.errors, region_field: nobody}) from None
        raise
    if opened.replayed:
        with wf.sessions() as s:
            row = s.scalar(select(Alert).join(Case, Case.id == Alert.case_id)
                           .where(Case.reference == opened.reference))
            who = s.scalar(select(Case.assignee).where(Case.reference == opened.reference))
            return Filed(opened.reference, opened.version, who or "", row.assignment if row else "",
                         True)
    got = chosen[0]
    assert got is not None  # finish() refused otherwise
    return Filed(opened.reference, opened.version, got[0], got[1])


def lock_region(s: Session, region: str) -> None:
    """Serialise the choice of an assignee for ``region`` with the other transactions choosing
    for it, until this transaction ends. PostgreSQL: a transaction-level advisory lock keyed on
    the region (``pg_advisory_xact_lock``); SQLite: nothing to do, a write transaction already
    holds the database's write lock (``BEGIN IMMEDIATE``, store/base.py)."""
    if s.get_bind().dialect.name == "postgresql":
        digest = hashlib.blake2b(f"mno.alert_assign:{region}".encode(), digest_size=8).digest()
        s.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest, "big", signed=True))))


def _options_of(sop: SOP, path: str) -> str | None:
    form, _, field = path.partition(".")
    f = next((x for x in sop.forms[form].fields if x.id == field), None) if form in sop.forms else None
    return f.options if f else None


def alerts_of(wf: WorkflowEngine, s: Session, reporter: str, limit: int = MAX_LISTED) -> list[AlertStatus]:
    """The alerts ``reporter`` filed, newest first (at most ``limit``): status only."""
    rows = s.execute(select(Alert, Case).join(Case, Case.id == Alert.case_id)
                     .where(Alert.reporter == reporter)
                     .options(selectinload(Case.instances))
                     .order_by(Alert.filed_at.desc(), Alert.case_id.desc()).limit(limit)).all()
    out = []

    def entry_step(sop: SOP, alert: Alert) -> str | None:
        entry = sop.entries.get(alert.entry)
        return entry.start if entry else None

    sop_of = lambda c: wf.registry.for_case(c).sop  # noqa: E731
    ended = closures(s, sop_of, [(case, entry_step(sop_of(case), alert) or "") for alert, case in rows])
    for alert, case in rows:
        sop = sop_of(case)
        step = entry_step(sop, alert)
        inst = next((i for i in reversed(case.instances) if i.step == step), None)
        out.append(AlertStatus(case.reference or "", alert.filed_at, case.region,
                               inst.state if inst else "unknown",
                               (inst.entered_at if inst else None) or alert.filed_at,
                               alert.organisation, ended.get(case.id), alert.entry or "",
                               case.sop_version_id))
    return out


def status_label(sop: SOP, entry_id: str, state: str, lang: str = "fr") -> str:
    """The label of the entry step's ``state`` in ``lang`` (the state code when unknown)."""
    entry = sop.entries.get(entry_id) or next(iter(sop.entries.values()), None)
    step = sop.steps.get(entry.start) if entry else None
    st = step.states.get(state) if step else None
    return sop.label(st.label, lang) if st else state
