"""Changes of a running deadline by a person: extend, pause and resume (one audit event each).

A part of :class:`~mno_workflow.engine.engine.WorkflowEngine` (a mixin: the methods keep their
names and read the engine's attributes).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..sop.schema import SOP
from ..store.audit import append_event
from ..store.models import Case, StepInstance
from . import corewrite, timers
from .errors import (
    AmbiguousInstance,
    FormInvalid,
    Message,
    RoleNotAllowed,
    UnknownTrigger,
    role_label,
    role_labels,
)
from .instances import named

if TYPE_CHECKING:
    from .actors import Actor


def read_duration(by: str):
    """The :class:`~mno_workflow.sop.schema.Duration` ``by`` says (« 3 jours ouvrés »,
    "48 hours"), None when it says none (« -3 jours »)."""
    from ..sop.schema import Duration
    try:
        return Duration.model_validate(by)
    except ValueError:
        return None


def bad_duration() -> Message:
    """The error of a duration :func:`read_duration` cannot read (the extension form's field)."""
    return Message.t("Durée invalide (ex. « 3 jours ouvrés », « 48 heures », « 2 semaines », "
                     "« 5 working days »).")


#: The longest extension at once, in calendar days: a typo (« 500 jours » for « 5 jours ») must
#: not silently take a deadline out of every overdue list for years (tryout 5, H3); a longer delay
#: is granted again later, with its own reason.
MAX_EXTENSION_DAYS = 90
_DAYS_PER = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1, "working_days": 7 / 5, "weeks": 7,
             "months": 30.44}


def extension_problem(duration) -> Message | None:
    """Why ``duration`` cannot extend a deadline (zero, or more than :data:`MAX_EXTENSION_DAYS`
    calendar days, working days counted 5 a week), None when it can."""
    from ..i18n.durations import DurationWords
    days = duration.amount * _DAYS_PER[duration.unit.value]
    if duration.amount <= 0 or days > MAX_EXTENSION_DAYS:
        return Message.t("Une prolongation va d'une minute à {n} jours (demandé : {asked}) ; au-delà, "
                         "prolongez à nouveau le moment venu.", n=MAX_EXTENSION_DAYS,
                         asked=DurationWords(duration.amount, duration.unit.value))
    return None


class DeadlineChangesMixin:
    """Extend, pause and resume a running deadline (see the module text)."""

    def extend_deadline(self, reference: str, instance: str, by: str, reason: str | Message, actor: Actor, *,
                        expected_version: int | None = None, from_due: bool = False) -> datetime:
        """Extend the deadline of step instance ``instance`` (``referral:medical``) by ``by`` (a
        duration in English or French: ``"5 working days"``, ``"3 jours ouvrés"``) with a
        recorded ``reason``. An overdue or escalated deadline is re-opened; the extension counts
        from now when the deadline is past (from its due instant while ahead, or always with
        ``from_due=True``), see :func:`mno_workflow.engine.timers.extend`.

        Allowed to the roles of the deadline's ``extend_by`` (default: its escalation role).
        Reminders are re-planned from the new due instant. Writes one audit event; returns the
        new due instant (UTC). Raises CaseNotFound, CaseClosed, StaleVersion, RoleNotAllowed,
        FormInvalid (bad duration, zero or longer than :data:`MAX_EXTENSION_DAYS` days, or empty
        reason), UnknownTrigger (no running deadline).

        ``reason`` is what a person typed, or a catalogue :class:`Message` the program wrote (the
        one-click extension of « Mon travail »): kept as its message id and parameters
        (reminders/stored_message.py), so that each reader sees it in their language."""
        duration = read_duration(by)
        if duration is None:
            raise FormInvalid("extension", {"by": bad_duration()})
        if (problem := extension_problem(duration)) is not None:
            raise FormInvalid("extension", {"by": problem})
        if isinstance(reason, Message):
            from ..reminders.stored_message import stored
            kept: Any = stored(reason)
        elif not reason.strip():
            raise FormInvalid("extension", {"reason": Message.t("Le motif est obligatoire.")})
        else:
            kept = reason.strip()
        now = self._now()
        with self.sessions.begin() as s:
            # Core write path (corewrite.py): new deadline rows kept on the case, one INSERT
            case, compiled = self._open_for_change(s, reference, expected_version, core=True)
            sop = compiled.sop
            inst = self._running_deadline(case, sop, instance, actor)
            try:
                old_due, new_due = timers.extend(s, case, inst, sop, duration, now, from_due=from_due)
            except LookupError:
                raise UnknownTrigger(Message.t(
                    "Aucun délai en cours pour « {instance} ».",
                    instance=instance)) from None
            case.version += 1
            case.updated_at = now
            append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                         organisation=actor.organisation, action="extend_deadline", step=inst.step,
                         instance_key=inst.key, from_state=inst.state, to_state=inst.state,
                         data={"reason": kept, "by": str(duration), "from_due": from_due,
                               "old_due_at": old_due.isoformat(), "new_due_at": new_due.isoformat()},
                         sop_version=f"{sop.sop}@{sop.version}")
            corewrite.write_back(s, case)
            return new_due

    @staticmethod
    def _running_deadline(case: Case, sop: SOP, instance: str, actor: Actor) -> StepInstance:
        """The open instance ``instance`` whose state has a deadline ``actor`` may change (extend,
        pause, resume: the deadline's ``extenders()``). Raises UnknownTrigger, RoleNotAllowed."""
        found = named((i for i in case.instances if not i.final), instance)
        if len(found) > 1:
            raise AmbiguousInstance(Message.t(
                "Plusieurs instances de « {instance} » sont en cours : {instances}. Précisez laquelle.",
                instance=instance, instances=", ".join(i.label_key for i in found)),
                instances=[i.label_key for i in found])
        inst = found[0] if found else None
        state = sop.steps[inst.step].states[inst.state] if inst else None
        if inst is None or state is None or state.deadline is None:
            raise UnknownTrigger(Message.t("Aucun délai en cours pour « {instance} ».", instance=instance))
        if actor.role not in state.deadline.extenders():
            raise RoleNotAllowed(Message.t(
                "Le rôle « {role} » ne peut pas modifier ce délai (rôles : {allowed}).",
                role=role_label(sop, actor.role), allowed=role_labels(sop, state.deadline.extenders())))
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
            raise FormInvalid(action, {"reason": Message.t("Le motif est obligatoire.")})
        now = self._now()
        with self.sessions.begin() as s:
            case, compiled = self._open_for_change(s, reference, expected_version, core=True)
            sop = compiled.sop
            inst = self._running_deadline(case, sop, instance, actor)
            data: dict[str, Any]
            result: Any = None
            if action == "pause_deadline":
                if not timers.pause(s, inst, now, reason.strip()):
                    raise UnknownTrigger(Message.t(
                        "Aucun délai à suspendre pour « {instance} ».",
                        instance=instance))
                data = {"reason": reason.strip()}
            else:
                try:
                    old_due, result = timers.resume(s, case, inst, sop, now)
                except LookupError:
                    raise UnknownTrigger(Message.t(
                        "Aucun délai suspendu pour « {instance} ».",
                        instance=instance)) from None
                data = {"old_due_at": old_due.isoformat(), "new_due_at": result.isoformat()}
            case.version += 1
            case.updated_at = now
            append_event(s, case, at=now, actor=actor.user, role=actor.role, **self._trace(actor),
                         organisation=actor.organisation, action=action, step=inst.step,
                         instance_key=inst.key, from_state=inst.state, to_state=inst.state, data=data,
                         sop_version=f"{sop.sop}@{sop.version}")
            corewrite.write_back(s, case)
            return result
