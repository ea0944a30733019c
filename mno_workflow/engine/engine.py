"""The engine: creates cases and fires triggers under the atomic contract of DESIGN.md.

``fire`` either commits everything or nothing: the new state, the validated form data, the steps
started by the SOP's ``flow``, and one hash-chained audit event; the case version increases by
one. Every refusal raises a typed :class:`~mno_workflow.engine.errors.EngineError` before
anything is written.

:class:`WorkflowEngine` is assembled from mixins, one job each: ``flow.py`` (state changes and the
SOP's flow), ``checks.py`` (instance choice, access checks, CEL context, stored forms),
``deadline_changes.py`` (extend, pause, resume) and ``case_changes.py`` (reassign, reopen);
:class:`Actor` and :class:`FireResult` live in ``actors.py`` and are importable from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine as DBEngine
from sqlalchemy.orm import Session, sessionmaker

from ..logs import work_level
from ..sop.expr import ExprError
from ..sop.loader import LoadedSOP
from ..sop.schema import SOP
from ..store.audit import append_event
from ..store.base import WorkflowSession
from ..store.case_numbers import next_reference
from ..store.models import Case, StepInstance, User
from . import corewrite, timers
from .actors import SWEEPER, Actor, FireResult
from .case_changes import CaseChangesMixin
from .checks import ChecksMixin, when_lacking, when_not_met
from .clock import SystemClock, require_aware
from .compile import CompiledSOP
from .consent_gate import check_consent_gate
from .deadline_changes import DeadlineChangesMixin
from .disclose import check_referral_disclosure
from .effective import effective_effects
from .errors import (
    CaseClosed,
    CaseNotFound,
    GuardNotMet,
    Labels,
    Message,
    RoleNotAllowed,
    StaleVersion,
    guard_error,
    role_label,
    role_labels,
    trigger_label,
)
from .flow import FlowMixin
from .multiform import validate_transition_forms
from .notify import notify
from .registry import Registry
from .spawn import spawn_instances
from .until import end_early

log = logging.getLogger("mno.engine")

# Statements built once (their construction used to cost more than the database's work).
_LOAD = select(Case).where(Case.reference == bindparam("ref"))
_LOAD_LOCKED = _LOAD.with_for_update(of=Case)

class WorkflowEngine(FlowMixin, DeadlineChangesMixin, CaseChangesMixin, ChecksMixin):
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
        with self.sessions.begin() as s, s.no_autoflush:
            case = self._create(s, sop_id, actor, assignee, now)
            if fire is not None:
                compiled = self.registry.compiled(self.registry.latest(s, sop_id))
                self._fire(s, case, compiled, fire[0], actor, dict(fire[1]), None, now)
            if also is not None:
                also(s, case)
            end_early(self, s, case, self.registry.for_case(case).sop, now)  # ``until`` already true
            corewrite.write_back(s, case)
            return case.reference

    def _create(self, s: Session, sop_id: str, actor: Actor, assignee: str | None, now: datetime,
                start: str | None = None) -> Case:
        """Create the case in ``s``: its row is inserted (Core), the rest is written by
        :func:`~mno_workflow.engine.corewrite.write_back`, which the caller runs before the
        commit; see :meth:`create_case`. ``start``: the step of an SOP ``entries`` entry
        (engine/alerts.py) instead of the SOP's ``start``."""
        row = self.registry.latest(s, sop_id)
        compiled = self.registry.compiled(row)
        sop = compiled.sop
        role = sop.roles.get(actor.role)
        # a ``scope: reporter`` role (first responder) opens cases only through an entry (alerts.py)
        if role is None or role.scope == "recipient" or (role.scope == "reporter" and start is None):
            raise RoleNotAllowed(Message.t(
                "Le rôle « {role} » ne peut pas ouvrir de dossier (rôles de la POS : {roles}).",
                role=role_label(sop, actor.role), roles=role_labels(sop, sop.roles)))
        _same_sop(s, sop, actor.user, assignee)
        case = corewrite.insert_case(s, {"sop_version_id": row.id, "status": "open",
                                         "assignee": assignee or actor.user, "data": {},
                                         "created_at": now, "updated_at": now, "version": 1})
        case.reference = next_reference(s.connection(), sop.sop)  # numbered per SOP (case_numbers.py)
        started = self._start_step(s, case, compiled, start or sop.start, now)  # entry: alerts.py
        effects: list[dict] = [{"started": k} for k in started]
        for key in started:
            inst = next(i for i in case.instances if i.label_key == key)
            effects += self._enter(s, case, inst, compiled, None, inst.state, now, actor.role)
        append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                     organisation=actor.organisation, action="create",
                     data={"assignee": case.assignee},
                     sop_version=f"{sop.sop}@{sop.version}", effects=effects)
        return case

    def _load_case(self, s: Session, reference: str, *, lock: bool) -> Case:
        # Lock the case row alone. Its step instances are read by a later statement (on first
        # use, once the row is locked): on PostgreSQL (READ COMMITTED) rows joined here would
        # come from the snapshot taken before waiting for the lock, i.e. possibly stale.
        case = s.scalar(_LOAD_LOCKED if lock else _LOAD, {"ref": reference})
        if case is None:
            raise CaseNotFound(Message.t("Dossier introuvable : {reference}",  # i18n: from the catalogues
                                         reference=reference), reference=reference)
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
            # Core write path (corewrite.py): the case and its instances as plain objects,
            # their changes written back by explicit statements before the commit.
            case, compiled = self._open_for_change(s, reference, expected_version, payload, core=True)
            result = self._fire(s, case, compiled, trigger, actor, payload, instance, now)
            end_early(self, s, case, compiled.sop, now)  # deadlines whose ``until`` now holds
            if also is not None:  # e.g. the intake's submission record, same transaction
                also(s, case)
            corewrite.write_back(s, case)
        log.log(work_level(), "transition %s %s [%s] %s -> %s by %s (%s)", result.reference, trigger,
                result.instance, result.from_state, result.to_state, actor.user, actor.role,
                extra={"event": "transition", "case": result.reference, "trigger": trigger,
                        "step_instance": f"{result.step}:{result.instance}", "from_state": result.from_state,
                        "to_state": result.to_state, "actor": actor.user, "role": actor.role,
                        "version": result.version})
        return result

    def _open_for_change(self, s: Session, reference: str, expected_version: int | None,
                         payload: dict | None = None, *, allow_closed: bool = False,
                         core: bool = False) -> tuple[Case, CompiledSOP]:
        """Lock the case row for a change; check the version the user saw and that it is open.
        ``core=True``: the case is a :class:`~mno_workflow.engine.corewrite.CaseRow` (Core write
        path; the caller writes it back with :func:`~mno_workflow.engine.corewrite.write_back`)."""
        if core:
            case = corewrite.load_for_change(s, reference)
            if case is None:
                raise CaseNotFound(Message.t("Dossier introuvable : {reference}", reference=reference),
                                   reference=reference)
        else:
            case = self._load_case(s, reference, lock=True)
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(Message.t(
                "Ce dossier a été modifié depuis que vous l'avez ouvert (version {expected_version} → "
                "{version}). Vos saisies sont conservées.",
                expected_version=expected_version, version=case.version),
                current_version=case.version, payload=payload or {})
        if case.status != "open" and not allow_closed:
            raise CaseClosed(Message.t("Le dossier {reference} est clos.", reference=reference))
        return case, self.registry.for_case(case)

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
            names = Labels(tuple(sop.roles[r].label for r in roles))  # catalogue message (issue 18)
            raise RoleNotAllowed(Message.t(
                "Le rôle « {role} » ne peut pas faire « {trigger} » ; rôles autorisés : {roles}.",
                role=role_label(sop, actor.role), trigger=trigger_label(sop, trigger, inst.step),
                roles=names))
        if not system:
            self._check_scope(sop, case, inst, actor, trigger)
            if sop.roles[actor.role].scope == "recipient":
                self._check_recipient_access(s, sop, case, inst, now)

        for _, t in permitted:  # issue 13: a refused/withdrawn consent stops any referral, named first
            check_consent_gate(sop, case, inst.step, t, trigger, now)
        ctx = self.context(case, inst, sop, now)
        today = self.local_today(sop, now)
        failed: tuple[int, Any] | None = None
        broken: tuple[Any, ExprError] | None = None
        lacking: tuple[Any, ExprError] | None = None  # a guard that reads a value the case lacks
        chosen: tuple[int, Any, dict] | None = None
        for idx, t in permitted:
            # ``data`` is {form_id: clean data}: ``form: a`` or ``form: [a, b]`` (engine/multiform.py)
            data = validate_transition_forms(sop, t, trigger, payload, context=ctx, today=today, now=now)
            guard = cs.guards.get(idx)
            if guard is not None:
                gctx = dict(ctx)
                gctx.update(data)
                try:
                    ok = guard.evaluate(gctx) is True
                except ExprError as e:
                    if e.missing is not None:  # data not recorded, not a mistake in the SOP
                        ok, lacking = False, lacking or (t, e)
                    else:
                        ok, broken = False, broken or (t, e)
                if not ok:
                    failed = failed or (idx, t)
                    continue
            chosen = (idx, t, data)
            break
        if chosen is None and broken is not None:
            raise guard_error(*broken)
        if chosen is None and lacking is not None:
            raise when_lacking(sop, case.reference, *lacking)  # words; the expression in the log only
        if chosen is None:
            assert failed is not None
            _, t = failed
            raise GuardNotMet(when_not_met(t), condition=t.when)  # catalogue message (issue 18)
        idx, t, data = chosen
        warnings = []
        for form_id, form_data in data.items():  # each form of ``form: [a, b]`` (checks skip other forms)
            self._check_recipient(s, sop, inst, form_id, form_data)
            warnings += check_referral_disclosure(s, sop, case, inst, form_id, form_data, now,
                                                  self.recipient_type, self.recipient_agreement)

        from_state = inst.state
        to_state = cs.apply(from_state, trigger, idx)
        from .change_words import KEY, replaced  # an edit keeps the values it replaces (L5)
        before = replaced(sop, case, inst, data) if t.internal else {}
        region = case.region  # an edit may move the case to another region (tryout 10, M9)
        for form_id, form_data in data.items():  # one or several forms (``form: [a, b]``)
            self._store_form(case, inst, sop, form_id, form_data)
        really = effective_effects(sop, t, data, now)  # when it really happened (effective_at)
        effects = [] if t.internal else self._enter(
            s, case, inst, compiled, from_state, to_state, now, actor.role,
            # the state's deadline counts from then (tryout 8, K11: a decline phoned at 18:00 and
            # typed at 08:00 is referred again within 24 h of 18:00)
            effective=datetime.fromisoformat(really[0]["effective_at"]) if really else None)
        if t.spawn:  # instances added to a for_each step (immediate referral, new need)
            effects += spawn_instances(self, s, case, inst, compiled, t, trigger, data, now, actor.role)
        effects += [{"warning": w} for w in warnings]
        effects += really
        effects += timers.release_waiting(s, case, sop, lambda i: self.context(case, i, sop, now), now)
        if t.notify:  # other parties told of this transition (outbox, same transaction)
            effects += notify(s, case, inst, sop, t.notify, trigger, to_state, now,
                              by_role=actor.role,  # issue 13: a reporter is told who (role) closed
                              by_user=actor.user)
        if t.internal:  # its new region's supervisors told (engine/region_move.py)
            from .region_move import tell_new_region
            effects += tell_new_region(s, case, sop, actor, region, now)
        case.updated_at = now
        case.version += 1
        inst.version += 1
        append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                     organisation=actor.organisation, action="fire", trigger=trigger, step=inst.step,
                     instance_key=inst.key,
                     from_state=from_state, to_state=to_state,
                     data={**data, KEY: before} if before else data,  # {form_id: data} of its forms
                     effects=effects,
                     sop_version=f"{sop.sop}@{sop.version}")
        s.flush()
        return FireResult(case.reference, inst.step, inst.key, trigger, from_state, to_state,
                          case.version, [e["started"] for e in effects if "started" in e],
                          any(e.get("case_closed") for e in effects),
                          next((e["region"]["from"] for e in effects if "region" in e), None))


def _same_sop(s: Session, sop: SOP, opener: str, assignee: str | None) -> None:
    """An account tied to another SOP (``users.sop_id``) neither opens a case of ``sop`` nor is
    given one: it could not even read it (tryout 6, I1; the SOP rule of tryout 5, H24). Raises
    RoleNotAllowed, in words naming the SOP (and the assignee when it is theirs)."""
    ids = {opener} | ({assignee} if assignee else set())
    tied = dict(s.execute(select(User.id, User.sop_id).where(User.id.in_(ids))).all())
    if tied.get(opener) and tied[opener] != sop.sop:
        raise RoleNotAllowed(Message.t(
            "Votre compte travaille sur une autre POS : il ne peut pas ouvrir de dossier selon la "
            "POS « {sop} ».", sop=Labels((sop.title,))))
    if assignee and tied.get(assignee) and tied[assignee] != sop.sop:
        raise RoleNotAllowed(Message.t(
            "{name} travaille sur une autre POS : un dossier de la POS « {sop} » ne peut pas lui être "
            "attribué.", name=assignee, sop=Labels((sop.title,))))
