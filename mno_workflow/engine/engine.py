"""The engine: creates cases and fires triggers under the atomic contract of DESIGN.md.

``fire`` either commits everything or nothing: the new state, the validated form data, the steps
started by the SOP's ``flow``, and one hash-chained audit event; the case version increases by
one. Every refusal raises a typed :class:`~mno_workflow.engine.errors.EngineError` before
anything is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine as DBEngine
from sqlalchemy.orm import Session, object_session, sessionmaker

from ..sop.celtypes import ENV_KEY, type_env
from ..sop.expr import ExprError, compile_expr
from ..sop.loader import LoadedSOP
from ..sop.schema import SOP, ForEach
from ..store.audit import append_event
from ..store.base import WorkflowSession
from ..store.models import Case, StepInstance
from ..store.outbox import enqueue
from ..store.repository import fold
from . import timers
from .clock import SystemClock, require_aware
from .compile import CompiledSOP, CompiledStep
from .conditions import disclosure_problem, holds_or_report
from .disclose import check_referral_disclosure
from .errors import (
    AmbiguousInstance,
    CaseClosed,
    CaseNotFound,
    FormInvalid,
    GuardNotMet,
    Message,
    RoleNotAllowed,
    StaleVersion,
    UnknownTrigger,
    guard_error,
)
from .forms import validate_form
from .instances import named
from .notify import notify
from .registry import Registry
from .spawn import is_spawned, spawn_instances, spawned_keys
from .until import end_early

log = logging.getLogger("mno.engine")

@dataclass(frozen=True)
class Actor:
    """Who fires: a user id, the role they act in, and their organisation (for providers)."""

    user: str
    role: str
    organisation: str | None = None
    via: str | None = None  # which path acted (cli, …), recorded in the audit event
    os_user: str | None = None  # operating-system account of a CLI run

    @classmethod
    def parse(cls, text: str) -> Actor:
        """Parse ``user:role`` or ``user:role@organisation``. Raises ValueError."""
        user, sep, rest = text.partition(":")
        role, _, org = rest.partition("@")
        if not sep or not user or not role:
            raise ValueError(f"expected USER:ROLE or USER:ROLE@ORGANISATION, got {text!r}")
        return cls(user, role, org or None)

    def trace(self) -> dict[str, str | None]:
        """``via`` and ``os_user`` for the audit event (None when not told)."""
        return {"via": self.via, "os_user": self.os_user}


SWEEPER = Actor("mno.sweeper", "system")  # who fires automatic triggers on expiry (audited as such)


@dataclass
class FireResult:
    """What one ``fire`` did. ``started`` lists ``step:key`` instances the flow started."""

    reference: str
    step: str
    instance: str
    trigger: str
    from_state: str
    to_state: str
    version: int
    started: list[str] = field(default_factory=list)
    case_closed: bool = False


class WorkflowEngine:
    """Creates and advances cases. Thread-safe; one instance per process is enough.

    ``db`` is a SQLAlchemy engine (see :func:`mno_workflow.store.base.make_engine`); ``clock``
    any object with ``now() -> aware UTC datetime`` (a simulated clock in tests and scenarios).
    """

    def __init__(self, db: DBEngine, clock: Any = None, registry: Registry | None = None,
                 recipient_known: Callable[[Session, str], bool | None] | None = None,
                 recipient_type: Callable[[Session, str], str | None] | None | str = "directory",
                 recipient_agreement: Callable[[Session, str, date], Any] | None | str = "directory"):
        """``recipient_known(session, organisation_id)`` says whether a referral may be addressed
        to that organisation (True/False; None: cannot tell, accepted) — the service directory's
        :func:`mno_workflow.directory.organisation_known` in the CLI and the web application.
        ``recipient_type(session, organisation_id)`` gives its directory organisation type (``""``
        when not given; None: no directory to ask) — :func:`mno_workflow.directory.organisation_type`;
        with it, ``send``/``re_refer`` are refused when the consent in force does not cover that
        type or (SOP ``require_sharing_agreement``) no sharing agreement is in force
        (``recipient_agreement(session, organisation_id, day)`` →
        :class:`mno_workflow.protection.AgreementStatus`). By default (``"directory"``) the
        directory of the same database is asked; None turns the check off."""
        self.db = db
        self.clock = clock or SystemClock()
        self.registry = registry or Registry()
        self.sessions = sessionmaker(db, class_=WorkflowSession, expire_on_commit=False)
        self.recipient_known = recipient_known
        if recipient_type == "directory":
            from ..directory import organisation_type as recipient_type
        self.recipient_type = recipient_type
        if recipient_agreement == "directory":
            from ..protection import agreement_in_force as recipient_agreement
        self.recipient_agreement = recipient_agreement

    via: str | None = None  # path recorded in every audit event (the CLI sets "cli"), unless the actor says
    os_user: str | None = None  # operating-system account recorded with it (CLI)

    def _trace(self, actor: Actor) -> dict[str, str | None]:
        """``via`` and ``os_user`` of an audit event: the actor's, else this engine's."""
        return {"via": actor.via or self.via, "os_user": actor.os_user or self.os_user}

    # -- SOPs --------------------------------------------------------------------------------
    def load_sop(self, loaded: LoadedSOP) -> int:
        """Register an SOP version (idempotent); returns its ``SopVersion.id``."""
        with self.sessions.begin() as s:
            return self.registry.register(s, loaded, self._now()).id

    def _now(self) -> datetime:
        return require_aware(self.clock.now(), "clock.now()")

    @staticmethod
    def local_today(sop: SOP, now: datetime) -> date:
        return now.astimezone(ZoneInfo(sop.calendar.timezone)).date()

    # -- cases -------------------------------------------------------------------------------
    def create_case(self, sop_id: str, actor: Actor, *, assignee: str | None = None,
                    fire: tuple[str, dict[str, Any]] | None = None,
                    also: Callable[[Session, Case], None] | None = None) -> str:
        """Open a case on the latest version of ``sop_id`` in the SOP's ``start`` step.

        The case is assigned to ``assignee`` (default: the actor). Returns its reference
        (``MNR-BF-000001``). With ``fire=(trigger, payload)`` the trigger is fired in the same
        transaction, and ``also(session, case)`` runs there too: all or nothing (used by intake).
        Raises SOPNotFound, and what :meth:`fire` raises (nothing is written then)."""
        now = self._now()
        with self.sessions.begin() as s:
            case = self._create(s, sop_id, actor, assignee, now)
            if fire is not None:
                compiled = self.registry.compiled(self.registry.latest(s, sop_id))
                self._fire(s, case, compiled, fire[0], actor, dict(fire[1]), None, now)
            if also is not None:
                also(s, case)
            end_early(self, s, case, self.registry.for_case(case).sop, now)  # ``until`` already true
            return case.reference

    def _create(self, s: Session, sop_id: str, actor: Actor, assignee: str | None, now: datetime) -> Case:
        """Create the case in ``s`` (flushed, not committed); see :meth:`create_case`."""
        row = self.registry.latest(s, sop_id)
        compiled = self.registry.compiled(row)
        sop = compiled.sop
        role = sop.roles.get(actor.role)
        if role is None or role.scope == "recipient":
            raise RoleNotAllowed(Message(
                fr=f"Le rôle « {actor.role} » ne peut pas ouvrir de dossier "
                   f"(rôles de la POS : {', '.join(sop.roles)}).",
                en=f"Role '{actor.role}' may not open a case (SOP roles: {', '.join(sop.roles)})."))
        case = Case(sop_version_id=row.id, status="open", assignee=assignee or actor.user,
                    data={}, created_at=now, updated_at=now)
        s.add(case)
        s.flush()
        case.reference = f"{sop.sop.upper().replace('_', '-')}-{case.id:06d}"
        started = self._start_step(s, case, compiled, sop.start, now)
        effects: list[dict] = [{"started": k} for k in started]
        for key in started:
            inst = next(i for i in case.instances if i.label_key == key)
            effects += self._enter(s, case, inst, compiled, None, inst.state, now, actor.role)
        append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                     organisation=actor.organisation, action="create",
                     data={"assignee": case.assignee},
                     sop_version=f"{sop.sop}@{sop.version}", effects=effects)
        s.flush()
        return case

    def _load_case(self, s: Session, reference: str, *, lock: bool) -> Case:
        q = select(Case).where(Case.reference == reference)
        if lock:
            # Lock the case row alone. Its step instances are read by a later statement: on
            # PostgreSQL (READ COMMITTED) rows joined here would come from the snapshot taken
            # before waiting for the lock, i.e. possibly stale.
            q = q.with_for_update(of=Case)
        case = s.scalar(q)
        if case is None:
            raise CaseNotFound(Message(fr=f"Dossier introuvable : {reference}",
                                       en=f"Case not found: {reference}"), reference=reference)
        return case

    def fire(self, reference: str, trigger: str, actor: Actor, payload: dict[str, Any] | None = None,
             *, instance: str | None = None, expected_version: int | None = None,
             also: Callable[[Session, Case], None] | None = None) -> FireResult:
        """Fire ``trigger`` on case ``reference`` as ``actor`` with form ``payload``.

        ``instance`` selects a step instance (``referral:medical`` or ``medical``) when several
        open instances accept the trigger. ``expected_version`` is the case version the user saw.

        Raises CaseNotFound, CaseClosed, StaleVersion (with the payload kept), UnknownTrigger,
        AmbiguousInstance, RoleNotAllowed, FormInvalid, GuardNotMet. Nothing is written then.
        """
        payload = dict(payload or {})
        now = self._now()
        with self.sessions.begin() as s, s.no_autoflush:  # one flush, at commit
            case, compiled = self._open_for_change(s, reference, expected_version, payload)
            result = self._fire(s, case, compiled, trigger, actor, payload, instance, now)
            end_early(self, s, case, compiled.sop, now)  # deadlines whose ``until`` now holds
            if also is not None:  # e.g. the intake's submission record, same transaction
                also(s, case)
        log.info("transition %s %s [%s] %s -> %s by %s (%s)", result.reference, trigger, result.instance,
                 result.from_state, result.to_state, actor.user, actor.role,
                 extra={"event": "transition", "case": result.reference, "trigger": trigger,
                        "step_instance": f"{result.step}:{result.instance}", "from_state": result.from_state,
                        "to_state": result.to_state, "actor": actor.user, "role": actor.role,
                        "version": result.version})
        return result

    def _open_for_change(self, s: Session, reference: str, expected_version: int | None,
                         payload: dict | None = None, *, allow_closed: bool = False
                         ) -> tuple[Case, CompiledSOP]:
        """Lock the case row for a change; check the version the user saw and that it is open."""
        case = self._load_case(s, reference, lock=True)
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(Message(
                fr="Ce dossier a été modifié depuis que vous l'avez ouvert "
                   f"(version {expected_version} → {case.version}). Vos saisies sont conservées.",
                en="This case changed since you opened it "
                   f"(version {expected_version} → {case.version}). Your input is kept."),
                current_version=case.version, payload=payload or {})
        if case.status != "open" and not allow_closed:
            raise CaseClosed(Message(fr=f"Le dossier {reference} est clos.",
                                     en=f"Case {reference} is closed."))
        return case, self.registry.for_case(case)

    def extend_deadline(self, reference: str, instance: str, by: str, reason: str, actor: Actor, *,
                        expected_version: int | None = None, from_due: bool = False) -> datetime:
        """Extend the deadline of step instance ``instance`` (``referral:medical``) by ``by`` (a
        duration in English or French: ``"5 working days"``, ``"3 jours ouvrés"``) with a
        recorded ``reason``. An overdue or escalated deadline is re-opened; the extension counts
        from now when the deadline is past (from its due instant while ahead, or always with
        ``from_due=True``), see :func:`mno_workflow.engine.timers.extend`.

        Allowed to the roles of the deadline's ``extend_by`` (default: its escalation role).
        Reminders are re-planned from the new due instant. Writes one audit event; returns the
        new due instant (UTC). Raises CaseNotFound, CaseClosed, StaleVersion, RoleNotAllowed,
        FormInvalid (bad duration or empty reason), UnknownTrigger (no running deadline)."""
        from ..sop.schema import Duration
        try:
            duration = Duration.model_validate(by)
        except ValueError:
            raise FormInvalid("extension", {"by": Message(
                fr="Durée invalide (ex. « 3 jours ouvrés », « 48 heures », « 2 semaines », "
                   "« 5 working days »).",
                en="Invalid duration (e.g. '5 working days', '48 hours', '2 weeks', "
                   "'3 jours ouvrés').")}) from None
        if not reason.strip():
            raise FormInvalid("extension", {"reason": Message(fr="Le motif est obligatoire.",
                                                              en="A reason is required.")})
        now = self._now()
        with self.sessions.begin() as s:
            case, compiled = self._open_for_change(s, reference, expected_version)
            sop = compiled.sop
            inst = self._running_deadline(case, sop, instance, actor)
            try:
                old_due, new_due = timers.extend(s, case, inst, sop, duration, now, from_due=from_due)
            except LookupError:
                raise UnknownTrigger(Message(fr=f"Aucun délai en cours pour « {instance} ».",
                                             en=f"No running deadline for '{instance}'.")) from None
            case.version += 1
            case.updated_at = now
            append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                         organisation=actor.organisation, action="extend_deadline", step=inst.step,
                         instance_key=inst.key, from_state=inst.state, to_state=inst.state,
                         data={"reason": reason.strip(), "by": str(duration), "from_due": from_due,
                               "old_due_at": old_due.isoformat(), "new_due_at": new_due.isoformat()},
                         sop_version=f"{sop.sop}@{sop.version}")
            return new_due

    @staticmethod
    def _running_deadline(case: Case, sop: SOP, instance: str, actor: Actor) -> StepInstance:
        """The open instance ``instance`` whose state has a deadline ``actor`` may change (extend,
        pause, resume: the deadline's ``extenders()``). Raises UnknownTrigger, RoleNotAllowed."""
        found = named((i for i in case.instances if not i.final), instance)
        if len(found) > 1:
            raise AmbiguousInstance(Message(
                fr=f"Plusieurs instances de « {instance} » sont en cours : "
                   f"{', '.join(i.label_key for i in found)}. Précisez laquelle.",
                en=f"Several instances of '{instance}' are open: "
                   f"{', '.join(i.label_key for i in found)}. Say which one."),
                instances=[i.label_key for i in found])
        inst = found[0] if found else None
        state = sop.steps[inst.step].states[inst.state] if inst else None
        if inst is None or state is None or state.deadline is None:
            raise UnknownTrigger(Message(fr=f"Aucun délai en cours pour « {instance} ».",
                                         en=f"No running deadline for '{instance}'."))
        if actor.role not in state.deadline.extenders():
            allowed = ", ".join(state.deadline.extenders()) or "-"
            raise RoleNotAllowed(Message(
                fr=f"Le rôle « {actor.role} » ne peut pas modifier ce délai (rôles : {allowed}).",
                en=f"Role '{actor.role}' may not change this deadline (roles: {allowed})."))
        return inst

    def pause_deadline(self, reference: str, instance: str, reason: str, actor: Actor, *,
                       expected_version: int | None = None) -> None:
        """Stop the clock of the running deadline of ``instance`` (e.g. the person is in hospital),
        with a ``reason``; no reminder or escalation until :meth:`resume_deadline`. Same roles as
        an extension. One audit event. Raises like :meth:`extend_deadline`."""
        self._deadline_change(reference, instance, reason, actor, expected_version, "pause_deadline")

    def resume_deadline(self, reference: str, instance: str, actor: Actor, *,
                        expected_version: int | None = None) -> datetime:
        """Restart a paused deadline; the due instant moves by the length of the pause (in
        working days for a working-day deadline). Returns the new due instant (UTC)."""
        return self._deadline_change(reference, instance, "resume", actor, expected_version,
                                     "resume_deadline")

    def _deadline_change(self, reference: str, instance: str, reason: str, actor: Actor,
                         expected_version: int | None, action: str) -> Any:
        if not reason.strip():
            raise FormInvalid(action, {"reason": Message(fr="Le motif est obligatoire.",
                                                         en="A reason is required.")})
        now = self._now()
        with self.sessions.begin() as s:
            case, compiled = self._open_for_change(s, reference, expected_version)
            sop = compiled.sop
            inst = self._running_deadline(case, sop, instance, actor)
            data: dict[str, Any]
            result: Any = None
            if action == "pause_deadline":
                if not timers.pause(s, inst, now, reason.strip()):
                    raise UnknownTrigger(Message(fr=f"Aucun délai à suspendre pour « {instance} ».",
                                                 en=f"No deadline to pause for '{instance}'."))
                data = {"reason": reason.strip()}
            else:
                try:
                    old_due, result = timers.resume(s, case, inst, sop, now)
                except LookupError:
                    raise UnknownTrigger(Message(fr=f"Aucun délai suspendu pour « {instance} ».",
                                                 en=f"No paused deadline for '{instance}'.")) from None
                data = {"old_due_at": old_due.isoformat(), "new_due_at": result.isoformat()}
            case.version += 1
            case.updated_at = now
            append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                         organisation=actor.organisation, action=action, step=inst.step,
                         instance_key=inst.key, from_state=inst.state, to_state=inst.state, data=data,
                         sop_version=f"{sop.sop}@{sop.version}")
            return result

    def reassign(self, references: list[str], assignee: str, actor: Actor, reason: str) -> list[str]:
        """Give the cases ``references`` to case manager ``assignee`` (bulk reassignment), with a
        ``reason``; one audit event per case whose assignee changes, all or nothing.

        Allowed to roles that see every case (``scope: all``) and may act on cases (they fire
        some transition of the SOP): supervisors, coordinators. Returns the references changed.
        Raises CaseNotFound (nothing written), RoleNotAllowed, FormInvalid (empty reason or
        assignee)."""
        if not reason.strip() or not assignee.strip():
            required = Message(fr="Ce champ est obligatoire.", en="This field is required.")
            fields = (("reason", reason), ("assignee", assignee))
            raise FormInvalid("reassign", {k: required for k, v in fields if not v.strip()})
        now = self._now()
        changed: list[str] = []
        with self.sessions.begin() as s:
            for reference in sorted(set(references)):  # a stable lock order
                case, compiled = self._open_for_change(s, reference, None, allow_closed=False)
                sop = compiled.sop
                role = sop.roles.get(actor.role)
                acts = any(actor.role in t.by for st in sop.steps.values() for t in st.transitions)
                if role is None or role.scope != "all" or not acts:
                    raise RoleNotAllowed(Message(
                        fr=f"Le rôle « {actor.role} » ne peut pas réattribuer des dossiers.",
                        en=f"Role '{actor.role}' may not reassign cases."))
                if case.assignee == assignee.strip():
                    continue
                before = case.assignee
                case.assignee = assignee.strip()
                case.version += 1
                case.updated_at = now
                append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                             organisation=actor.organisation, action="reassign",
                             data={"from": before, "to": case.assignee, "reason": reason.strip()},
                             sop_version=f"{sop.sop}@{sop.version}")
                changed.append(reference)
        return changed

    def reopen(self, reference: str, actor: Actor, reason: str, *,
               expected_version: int | None = None) -> FireResult:
        """Reopen a closed case with a ``reason`` (roles of the SOP's ``reopen.by``).

        The closure form moves to ``data["_closures"]`` (history), the case is open again and
        the SOP's ``reopen.start`` step starts anew (its deadlines armed). One audit event.
        Raises CaseNotFound, StaleVersion, RoleNotAllowed, FormInvalid (empty reason),
        UnknownTrigger (the case is open, or the SOP allows no reopening)."""
        if not reason.strip():
            raise FormInvalid("reopen", {"reason": Message(fr="Le motif est obligatoire.",
                                                           en="A reason is required.")})
        now = self._now()
        with self.sessions.begin() as s:
            case, compiled = self._open_for_change(s, reference, expected_version, allow_closed=True)
            sop = compiled.sop
            if case.status != "closed" or sop.reopen is None:
                raise UnknownTrigger(Message(
                    fr="Seul un dossier clos peut être rouvert, si la POS le prévoit.",
                    en="Only a closed case can be reopened, when the SOP allows it."))
            if actor.role not in sop.reopen.by:
                raise RoleNotAllowed(Message(
                    fr=f"Le rôle « {actor.role} » ne peut pas rouvrir un dossier.",
                    en=f"Role '{actor.role}' may not reopen a case."))
            data = dict(case.data or {})
            closures = list(data.get("_closures", []))
            closures.append({"closed_at": case.closed_at.isoformat() if case.closed_at else None,
                             "reopened_at": now.isoformat(), "reason": reason.strip(),
                             "last_instance_id": max((i.id for i in case.instances), default=0),
                             "closure": data.pop("closure", None)})
            data["_closures"] = closures
            case.data, case.status, case.closed_at = data, "open", None
            keys = self._start_step(s, case, compiled, sop.reopen.start, now)
            effects: list[dict] = [{"started": k} for k in keys]
            for key in keys:
                inst = next(i for i in case.instances if i.label_key == key)
                effects += self._enter(s, case, inst, compiled, None, inst.state, now, actor.role)
            case.version += 1
            case.updated_at = now
            append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                         organisation=actor.organisation, action="reopen",
                         data={"reason": reason.strip()}, effects=effects,
                         sop_version=f"{sop.sop}@{sop.version}")
            first = keys[0] if keys else f"{sop.reopen.start}:?"
            return FireResult(case.reference, first.split(":")[0], first.split(":", 1)[1], "reopen",
                              "closed", "open", case.version, keys, False)

    def _pick_instance(self, case: Case, compiled: CompiledSOP, trigger: str,
                       instance: str | None, actor: Actor) -> tuple[StepInstance, CompiledStep]:
        all_open = [i for i in case.instances if not i.final]
        role = compiled.sop.roles.get(actor.role)
        if role is not None and role.scope == "recipient":
            # A provider only ever acts on, and hears of, what is addressed to its organisation:
            # refusals never name other steps, other organisations' referrals or their states.
            own = [i for i in all_open if i.recipient is not None and i.recipient == actor.organisation]
            asked = [i for i in all_open if not instance or instance in (i.label_key, i.key, str(i.id))]
            if (not any(i in own for i in asked)
                    and any(compiled.steps[i.step].candidates(trigger, i.state) for i in asked)):
                raise RoleNotAllowed(Message(
                    fr=f"« {trigger} » est réservé au prestataire destinataire de ce référencement.",
                    en=f"'{trigger}' is reserved to the provider this referral is addressed to."))
            all_open = own
        open_insts = all_open
        if instance:
            open_insts = named(all_open, instance)
        matches = [(i, compiled.steps[i.step]) for i in open_insts
                   if compiled.steps[i.step].candidates(trigger, i.state)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            keys = ", ".join(i.label_key for i, _ in matches)
            raise AmbiguousInstance(Message(
                fr=f"Plusieurs étapes en cours acceptent « {trigger} » : {keys}. Précisez laquelle.",
                en=f"Several open steps accept '{trigger}': {keys}. Say which one."),
                instances=[i.label_key for i, _ in matches])
        sop = compiled.sop
        unknown_instance = bool(instance) and not open_insts
        shown = all_open if unknown_instance else open_insts
        allowed: list[str] = []
        said: dict[str, list[str]] = {"fr": [], "en": []}
        where: dict[str, list[str]] = {"fr": [], "en": []}
        for i in shown:
            cs, step = compiled.steps[i.step], sop.steps[i.step]
            for lang in said:
                state_label = sop.label(step.states[i.state].label, lang)
                where[lang].append(f"{sop.label(step.label, lang)} : {state_label}")
            for t in cs.triggers_from(i.state):
                allowed.append(f"{t} ({i.label_key})")
                tr = next(x for _, x in cs.by_trigger[t])
                if actor.role in tr.by:  # tell people what *they* can do
                    for lang in said:
                        said[lang].append(f"« {sop.label(tr.label, lang)} » ({sop.label(step.label, lang)})")
        raise UnknownTrigger(Message(
            fr=(f"Étape « {instance} » introuvable ou terminée. " if unknown_instance else "")
            + f"Action « {trigger} » impossible dans l'état actuel "
              f"({'; '.join(where['fr']) or 'aucune étape en cours'}). "
              f"Vous pouvez : {', '.join(said['fr']) or 'rien pour le moment'}.",
            en=(f"Step '{instance}' not found or finished. " if unknown_instance else "")
            + f"Action '{trigger}' is not allowed in the current state "
              f"({'; '.join(where['en']) or 'no open step'}). "
              f"You can: {', '.join(said['en']) or 'nothing for now'}."), allowed=allowed)

    def context(self, case: Case, inst: StepInstance | None, sop: SOP, now: datetime) -> dict[str, Any]:
        """The data CEL expressions see: every form id (empty when not filled), case data,
        the instance's data, ``item`` (the need a referral is for), ``steps`` (the state of each
        step's latest instance, e.g. ``steps.consent == 'given'``), ``today`` and ``now``."""
        ctx: dict[str, Any] = {fid: {} for fid in sop.forms}
        ctx.update(case.data or {})
        if inst is not None:
            ctx.update(inst.data or {})
            ctx["item"] = inst.item or {}
        else:
            ctx["item"] = {}
        ctx["steps"] = {i.step: i.state for i in case.instances}  # latest instance of each step
        ctx["today"] = self.local_today(sop, now).isoformat()
        ctx["now"] = now.isoformat().replace("+00:00", "Z")
        ctx[ENV_KEY] = type_env(sop, lambda: timers.calendar_for(object_session(case), sop)
                                if object_session(case) is not None else None)
        return ctx

    def fire_on_expiry(self, s: Session, case: Case, inst: StepInstance, trigger: str,
                       now: datetime) -> FireResult:
        """Fire the SOP's ``on_expiry.fire`` trigger for ``inst`` inside the caller's transaction
        (the reminder sweeper's). Roles do not apply (the SOP itself asks for it); guards and
        forms do. Raises the engine's errors like :meth:`fire`."""
        compiled = self.registry.for_case(case)
        return self._fire(s, case, compiled, trigger, SWEEPER, {}, inst.label_key, now, system=True)

    def _fire(self, s: Session, case: Case, compiled: CompiledSOP, trigger: str, actor: Actor,
              payload: dict, instance: str | None, now: datetime, *, system: bool = False) -> FireResult:
        sop = compiled.sop
        inst, cs = self._pick_instance(case, compiled, trigger, instance, actor)
        candidates = cs.candidates(trigger, inst.state)
        permitted = candidates if system else [(i, t) for i, t in candidates if actor.role in t.by]
        if not system and (actor.role not in sop.roles or not permitted):
            roles = sorted({r for _, t in candidates for r in t.by})
            names_fr = ", ".join(sop.label(sop.roles[r].label) for r in roles)
            names_en = ", ".join(sop.label(sop.roles[r].label, "en") for r in roles)
            raise RoleNotAllowed(Message(
                fr=f"Le rôle « {actor.role} » ne peut pas faire « {trigger} » ; "
                   f"rôles autorisés : {names_fr}.",
                en=f"Role '{actor.role}' may not do '{trigger}'; allowed roles: {names_en}."))
        if not system:
            self._check_scope(sop, case, inst, actor, trigger)
            if sop.roles[actor.role].scope == "recipient":
                self._check_recipient_access(s, sop, case, inst, now)

        ctx = self.context(case, inst, sop, now)
        today = self.local_today(sop, now)
        failed: tuple[int, Any] | None = None
        broken: tuple[Any, ExprError] | None = None
        chosen: tuple[int, Any, dict] | None = None
        for idx, t in permitted:
            data: dict = {}
            if t.form:
                data = validate_form(sop, t.form, payload, context=ctx, today=today, now=now)
            elif payload:
                raise FormInvalid(trigger, {k: Message(fr="Cette action ne prend pas ce champ.",
                                                       en="This action takes no such field.")
                                            for k in payload})
            guard = cs.guards.get(idx)
            if guard is not None:
                gctx = dict(ctx)
                if t.form:
                    gctx[t.form] = data
                try:
                    ok = guard.evaluate(gctx) is True
                except ExprError as e:
                    ok, broken = False, broken or (t, e)
                if not ok:
                    failed = failed or (idx, t)
                    continue
            chosen = (idx, t, data)
            break
        if chosen is None and broken is not None:
            raise guard_error(*broken)
        if chosen is None:
            assert failed is not None
            _, t = failed
            msg = t.when_message or {"fr": f"Condition non remplie : {t.when}",
                                     "en": f"Condition not met: {t.when}"}
            raise GuardNotMet(Message(fr=msg.get("fr", ""), en=msg.get("en", msg.get("fr", ""))),
                              condition=t.when)
        idx, t, data = chosen
        self._check_recipient(s, sop, inst, t.form, data)
        warnings = check_referral_disclosure(s, sop, case, inst, t.form, data, now, self.recipient_type,
                                             self.recipient_agreement)

        from_state = inst.state
        to_state = cs.apply(from_state, trigger, idx)
        if t.form:
            self._store_form(case, inst, sop, t.form, data)
        effects = [] if t.internal else self._enter(s, case, inst, compiled, from_state, to_state, now,
                                                    actor.role)
        if t.spawn:  # instances added to a for_each step (immediate referral, new need)
            effects += spawn_instances(self, s, case, inst, compiled, t, trigger, data, now, actor.role)
        effects += [{"warning": w} for w in warnings]
        effects += timers.release_waiting(s, case, sop, lambda i: self.context(case, i, sop, now), now)
        if t.notify:  # other parties told of this transition (outbox, same transaction)
            effects += notify(s, case, inst, sop, t.notify, trigger, to_state, now)
        case.updated_at = now
        case.version += 1
        inst.version += 1
        append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                     organisation=actor.organisation, action="fire", trigger=trigger, step=inst.step,
                     instance_key=inst.key,
                     from_state=from_state, to_state=to_state,
                     data={t.form: data} if t.form else {}, effects=effects,
                     sop_version=f"{sop.sop}@{sop.version}")
        s.flush()
        return FireResult(case.reference, inst.step, inst.key, trigger, from_state, to_state,
                          case.version, [e["started"] for e in effects if "started" in e],
                          any(e.get("case_closed") for e in effects))

    def _check_recipient(self, s: Session, sop: SOP, inst: StepInstance, form_id: str | None,
                         data: dict) -> None:
        """A referral may only be addressed to an organisation of the service directory."""
        recipient = sop.steps[inst.step].recipient
        if not (recipient and form_id and self.recipient_known and recipient.startswith(form_id + ".")):
            return
        field_id = recipient.split(".", 1)[1]
        org = data.get(field_id)
        if org and self.recipient_known(s, org) is False:
            raise FormInvalid(form_id, {field_id: Message(
                fr=f"« {org} » n'est pas une organisation du répertoire des prestataires.",
                en=f"'{org}' is not an organisation of the service directory.")})

    def _check_scope(self, sop: SOP, case: Case, inst: StepInstance, actor: Actor, trigger: str) -> None:
        scope = sop.roles[actor.role].scope
        if scope == "assigned" and case.assignee not in (None, actor.user):
            raise RoleNotAllowed(Message(
                fr=f"Le dossier {case.reference} est attribué à {case.assignee}, pas à {actor.user}.",
                en=f"Case {case.reference} is assigned to {case.assignee}, not to {actor.user}."))
        if scope == "recipient" and (inst.recipient is None or inst.recipient != actor.organisation):
            raise RoleNotAllowed(Message(
                fr=f"« {trigger} » est réservé au prestataire destinataire de ce référencement.",
                en=f"'{trigger}' is reserved to the provider this referral is addressed to."))
        if scope == "recipient" and not self.may_disclose(case, inst, sop, self._now()):
            broken = disclosure_problem(sop, sop.steps[inst.step].disclosure,
                                        self.context(case, inst, sop, self._now()))
            raise RoleNotAllowed(broken or Message(
                fr="Le consentement ne couvre plus le partage de ce dossier avec votre organisation.",
                en="Consent no longer covers sharing this case with your organisation."))

    def _check_recipient_access(self, s: Session, sop: SOP, case: Case, inst: StepInstance,
                                now: datetime) -> None:
        """The recipient organisation may act only while :func:`mno_workflow.protection.provider_view`
        allows it (consent in force covering its type, referral not withheld, case not closed
        for too long)."""
        if sop.data_protection is None:
            return
        from ..protection import provider_view
        org_type = self.recipient_type(s, inst.recipient) if self.recipient_type and inst.recipient else None
        view = provider_view(sop, case, inst, org_type, now)
        if not view.actions:
            raise RoleNotAllowed(view.decision.message)

    def may_disclose(self, case: Case, inst: StepInstance, sop: SOP, now: datetime) -> bool:
        """Whether the step's ``disclosure`` condition (consent) holds now for ``inst``: the
        recipient organisation may see and act on it only then. True when the step has none."""
        cond = sop.steps[inst.step].disclosure
        return cond is None or compile_expr(cond).holds(self.context(case, inst, sop, now))

    def _store_form(self, case: Case, inst: StepInstance, sop: SOP, form_id: str, data: dict) -> None:
        step = sop.steps[inst.step]
        if isinstance(step.instances, ForEach):
            inst.data = {**(inst.data or {}), form_id: data}
        else:
            case.data = {**(case.data or {}), form_id: data}
        if step.recipient and step.recipient.startswith(form_id + "."):
            inst.recipient = data.get(step.recipient.split(".", 1)[1])
        summary = sop.case_summary
        if any(ref.startswith(form_id + ".") for ref in summary.name):
            parts = [str((case.data.get(ref.split(".")[0]) or {}).get(ref.split(".")[1], ""))
                     for ref in summary.name]
            name = " ".join(p for p in parts if p).strip() or None
            case.display_name = name
            case.name_folded = fold(name) if name else None
        if summary.region and summary.region.startswith(form_id + "."):
            case.region = data.get(summary.region.split(".", 1)[1])

    # -- flow --------------------------------------------------------------------------------
    def _enter(self, s: Session, case: Case, inst: StepInstance, compiled: CompiledSOP,
               from_state: str | None, to_state: str, now: datetime,
               actor_role: str | None = None) -> list[dict]:
        """Apply a state change and follow the SOP's flow until nothing more starts: cancel the
        old state's deadlines, arm the new ones, tell the new owner (unless they acted)."""
        effects: list[dict] = []
        queue = [(inst, from_state, to_state)]
        while queue:
            cur, old, new = queue.pop(0)
            state = compiled.sop.steps[cur.step].states[new]
            if old is not None and compiled.sop.steps[cur.step].states[old].deadline is not None:
                timers.cancel(s, cur, now, f"left {cur.step}.{old}")
            cur.state, cur.entered_at = new, now
            cur.final = state.final
            cur.ended_at = now if state.final else None
            armed = timers.arm(s, case, cur, compiled.sop, self.context(case, cur, compiled.sop, now), now)
            effects += armed
            owner = state.owner_for(self.context(case, cur, compiled.sop, now))
            if state.owner and not owner:  # an owner chosen by a field that is empty: say so
                effects.append({"owner_error": f"{cur.step}.{new}: no owner for {state.owner.by}"})
            if owner and not state.final and old != new and owner != actor_role:
                due = next((e["deadline"]["due_at"] for e in armed if "deadline" in e), None)
                enqueue(s, case=case, inst=cur, role=owner, scope=compiled.sop.roles[owner].scope,
                        kind="task", template="task", now=now,
                        context={"reference": case.reference, "step": cur.step, "instance": cur.key,
                                 "state": new, "due_at": due})
            for started in self._follow_flow(s, case, cur, compiled, now, effects):
                queue.append(started)
        return effects

    def _follow_flow(self, s: Session, case: Case, inst: StepInstance, compiled: CompiledSOP,
                     now: datetime, effects: list[dict]) -> list[tuple[StepInstance, None, str]]:
        sop = compiled.sop
        events = {f"{inst.step}.{inst.state}"}
        siblings = [i for i in case.instances if i.step == inst.step]
        if inst.final and all(i.final for i in siblings):
            events.add(f"{inst.step}.all_final")
        if inst.final:
            events.add(f"{inst.step}.any_final")
        out = []
        for rule in sop.flow:
            if rule.after not in events:
                continue
            if rule.when and not holds_or_report(s, case, inst, sop, rule.when,
                                                 self.context(case, inst, sop, now), "flow", effects, now):
                continue
            if rule.start and not self._ran_this_cycle(case, rule.start):
                for key in self._start_step(s, case, compiled, rule.start, now, effects):
                    effects.append({"started": key})
                    new = next(i for i in case.instances if i.label_key == key)
                    out.append((new, None, new.state))
            if rule.close_case:
                self._close_case(s, case, now, effects)
        return out

    @staticmethod
    def _close_case(s: Session, case: Case, now: datetime, effects: list[dict]) -> None:
        """Close an open case (flow ``close_case``): its running deadlines are cancelled."""
        if case.status == "open":
            case.status, case.closed_at = "closed", now
            for other in case.instances:
                timers.cancel(s, other, now, "case closed")
            effects.append({"case_closed": True})

    @staticmethod
    def _ran_this_cycle(case: Case, step_id: str) -> bool:
        """Whether ``step_id`` already started since the case was opened or last reopened: flow
        rules start a step once per cycle (consent given again does not restart the assessment)."""
        closures = (case.data or {}).get("_closures") or []
        after = closures[-1].get("last_instance_id", 0) if closures else 0
        return any(i.step == step_id and (i.id is None or i.id > after) and not is_spawned(i)
                   for i in case.instances)

    def _start_step(self, s: Session, case: Case, compiled: CompiledSOP, step_id: str,
                    now: datetime, effects: list[dict] | None = None) -> list[str]:
        """Create the instance(s) of ``step_id`` in its initial state (the caller enters them);
        returns their ``step:key``.

        With ``for_each``, one instance per matching item; none at all counts as all final, so
        the flow continues at once (e.g. no need requires a referral)."""
        sop = compiled.sop
        step = sop.steps[step_id]
        items: list[tuple[str, dict | None]]
        if isinstance(step.instances, ForEach):
            fe = step.instances
            form_id, field_id = fe.for_each.split(".")
            raw = (case.data.get(form_id) or {}).get(field_id) or []
            ctx = self.context(case, None, sop, now)
            items = []
            for n, item in enumerate(raw, start=1):
                if fe.where:
                    if not holds_or_report(s, case, None, sop, fe.where, dict(ctx, item=item),
                                           "for_each", effects, now):
                        continue
                key = str(item.get(fe.key)) if fe.key and item.get(fe.key) is not None else str(n)
                items.append((key, item))
        else:
            items = [(None, None)]  # type: ignore[list-item]
        existing = {i.label_key for i in case.instances}
        spawned = spawned_keys(case, step_id)  # e.g. an immediate referral already is that need's
        items = [(k, it) for k, it in items if k not in spawned]
        keys = []
        for key, item in items:
            base = key or "1"
            k, n = base, 1
            while f"{step_id}:{k}" in existing:
                n += 1
                k = f"{base}-{n}"
            inst = StepInstance(step=step_id, key=k, state=step.initial_state, final=False, item=item,
                                data={}, started_at=now, entered_at=now)
            case.instances.append(inst)
            existing.add(inst.label_key)
            keys.append(inst.label_key)
        if not items:
            # Vacuous "all final": continue the flow as if every (zero) instance had finished,
            # closing the case too when a rule says so (else it would stay open with nothing to do).
            for rule in sop.flow:
                if rule.after in (f"{step_id}.all_final",) and rule.start:
                    keys += self._start_step(s, case, compiled, rule.start, now, effects)
                if rule.after == f"{step_id}.all_final" and rule.close_case and effects is not None:
                    self._close_case(s, case, now, effects)
        return keys
