"""Changes of a whole case outside the SOP's transitions: bulk reassignment and reopening.

A part of :class:`~mno_workflow.engine.engine.WorkflowEngine` (a mixin: the methods keep their
names and read the engine's attributes).
"""

from __future__ import annotations

from ..store.audit import append_event
from ..store.models import User
from . import corewrite, reassign_rules, reopen_values
from .actors import Actor, FireResult
from .errors import (
    CaseErased,
    FormInvalid,
    Message,
    UnknownTrigger,
)
from .reassign_notify import tell_former_assignee, tell_new_assignee


class CaseChangesMixin:
    """Bulk reassignment and reopening of cases (see the module text)."""

    def reassign(self, references: list[str], assignee: str, actor: Actor, reason: str) -> list[str]:
        """Give the cases ``references`` to case manager ``assignee`` (bulk reassignment), with a
        ``reason``; one audit event per case whose assignee changes, all or nothing. The new case
        manager is told (in-app, e-mail, SMS: :mod:`.reassign_notify`), and the former one gets a
        notice that names no data of the case.

        The checks, in this order (:mod:`.reassign_rules`, tryout 8, K3): the actor's role under
        each case's SOP (a role that sees every case and fires some transition: supervisors,
        coordinators), then the reason and the new case manager — an active case manager, of the
        case's SOP, of its region when it has one (tryout 8, K2). Returns the references changed.
        Raises CaseNotFound (nothing written), RoleNotAllowed, FormInvalid (empty reason or
        assignee, an assignee who may not take a case)."""
        now = self._now()
        changed: list[str] = []
        with self.sessions.begin() as s:
            loaded = [self._open_for_change(s, reference, None, allow_closed=False, core=True)
                      for reference in sorted(set(references))]  # a stable lock order
            target = s.get(User, assignee.strip()) if assignee.strip() else None
            reassign_rules.check({c.reference: compiled.sop for c, compiled in loaded}, actor.role, target,
                                 assignee, reason, [(c.reference, compiled.sop.sop, c.region)
                                                    for c, compiled in loaded])
            for case, compiled in loaded:
                sop = compiled.sop
                reference = case.reference
                if case.assignee == assignee.strip():
                    continue
                before = case.assignee
                case.assignee = assignee.strip()
                case.version += 1
                case.updated_at = now
                told = tell_new_assignee(s, case, sop, actor, now)  # in-app, e-mail, SMS: no reason
                former = tell_former_assignee(s, case, actor, before, now)  # a notice, no case data
                append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                             organisation=actor.organisation, action="reassign",
                             data={"from": before, "to": case.assignee, "reason": reason.strip()},
                             effects=[told, former] if former["messages"] else [told],
                             sop_version=f"{sop.sop}@{sop.version}")
                corewrite.write_back(s, case)  # Core write path: UPDATE … WHERE version
                changed.append(reference)
        return changed

    def reopen(self, reference: str, actor: Actor, reason: str, *,
               expected_version: int | None = None, values: dict | None = None) -> FireResult:
        """Reopen a closed case with a ``reason`` (roles of the SOP's ``reopen.by``).

        The closure form moves to ``data["_closures"]`` (history), the case is open again and
        the SOP's ``reopen.start`` step starts anew (its deadlines armed). One audit event.
        Raises CaseNotFound, StaleVersion, RoleNotAllowed, FormInvalid (empty reason),
        UnknownTrigger (the case is open, or the SOP allows no reopening). ``values``: what the
        restarted step's deadline needs and the case lacks (``{"risk_level": "high"}``;
        engine/reopen_values.py) — FormInvalid when missing."""
        if not reason.strip():
            raise FormInvalid("reopen", {"reason": Message.t("Le motif est obligatoire.")})
        now = self._now()
        with self.sessions.begin() as s:
            case, compiled = self._open_for_change(s, reference, expected_version, allow_closed=True)
            sop = compiled.sop
            if case.status != "closed" or sop.reopen is None:
                raise UnknownTrigger(Message.t(
                    "Seul un dossier clos peut être rouvert, si la POS le prévoit."))
            if actor.role not in sop.reopen.by:
                from .checks import reopen_refused
                raise reopen_refused(sop, actor.role)
            if case.purged_at is not None:  # a person who comes back gets a new case (L9)
                from zoneinfo import ZoneInfo

                from ..i18n.dates import DayText
                day = DayText(case.purged_at.astimezone(ZoneInfo(sop.calendar.timezone)).date())
                raise CaseErased(Message.t(
                    "Les données de la personne de ce dossier ont été effacées le {day} : il ne peut "
                    "plus être rouvert. Si la personne revient, ouvrez-lui un nouveau dossier.",
                    day=day))
            given = reopen_values.check(sop, case.data, values)  # issue 13: risk level asked if unknown
            data = reopen_values.apply(dict(case.data or {}), given)
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
                         data={"reason": reason.strip(), **({"values": given} if given else {})},
                         effects=effects,
                         sop_version=f"{sop.sop}@{sop.version}")
            first = keys[0] if keys else f"{sop.reopen.start}:?"
            return FireResult(case.reference, first.split(":")[0], first.split(":", 1)[1], "reopen",
                              "closed", "open", case.version, keys, False)
