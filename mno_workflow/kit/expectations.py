"""Checking an ``expect`` step of a scenario against the case, its deadlines, the sweeper's events
and the outbox, with French messages saying what was expected and what happened (split from
:mod:`.runner`: :class:`ExpectChecks` is mixed into its player)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..sop.diagnostics import joined, said_fr
from ..store.models import Case, Deadline, OutboxMessage, StepInstance
from .model import DeadlineExp, Expectations, Step
from .results import _NO_CASE, StepFailed, SweepEvent, _iso


class ExpectChecks:
    """The ``expect`` step of the scenario player (:class:`.runner._Play`), which provides
    ``wf``, ``sop``, ``clock``, ``ref``, ``events``, ``events_mark`` and ``outbox_mark``."""

    def _do_expect(self, step: Step) -> None:
        ex: Expectations = step.spec.expect
        problems: list[Any] = []
        since = self.events[self.events_mark:]
        tz = self.sop.calendar.timezone
        with self.wf.sessions() as s:
            case = s.scalar(select(Case).where(Case.reference == self.ref)) if self.ref else None
            if ex.now is not None and ex.now != self.clock.now():
                problems.append(said_fr("instant simulé attendu {expected}, obtenu {got}",
                                        expected=_iso(ex.now), got=_iso(self.clock.now())))
            if (ex.states or ex.case or ex.data or ex.deadline) and case is None:
                raise StepFailed(_NO_CASE)
            if ex.case is not None and case.status != ex.case:
                problems.append(said_fr("dossier : attendu « {expected} », obtenu « {got} »",
                                        expected=_fr_status(ex.case), got=_fr_status(case.status)))
            for key, want in (ex.states or {}).items():
                inst = self._find(case, key)
                got = inst.state if inst else None
                if got != want:
                    problems.append(said_fr("{key} : état attendu « {expected} », obtenu « {got} »",
                                            key=key, expected=want or said_fr("aucun"),
                                            got=got or said_fr("aucun"))
                                    if inst else
                                    said_fr("{key} : état attendu « {expected} », obtenu « {got} » "
                                            "(instances : {instances})", key=key,
                                            expected=want or said_fr("aucun"),
                                            got=got or said_fr("aucun"), instances=_instances(case)))
            for path, want in (ex.data or {}).items():
                form, _, fld = path.partition(".")
                got = ((case.data or {}).get(form) or {}).get(fld)
                if got != want:
                    problems.append(said_fr("donnée {path} : attendu {expected!r}, obtenu {got!r}", path=path,
                                            expected=want, got=got))
            dls = ex.deadline if isinstance(ex.deadline, list) else [ex.deadline] if ex.deadline else []
            for d in dls:
                problems += self._check_deadline(s, case, d)
            for name, label in (("reminders", said_fr("rappels")), ("escalations", said_fr("escalades")),
                                ("auto_fired", said_fr("actions automatiques"))):
                wanted = getattr(ex, name)
                if wanted is None:
                    continue
                kind = name.rstrip("s") if name != "auto_fired" else "auto_fired"
                actual = [e for e in since if e.kind == kind]
                problems += _match_exact(label, wanted, actual, partial(_event_matches, tz=tz),
                                         SweepEvent.describe)
            if ex.outbox is not None:
                msgs = list(s.scalars(select(OutboxMessage).where(OutboxMessage.id > self.outbox_mark)
                                      .order_by(OutboxMessage.id)))
                problems += _match_contains(ex.outbox, msgs)
            self.outbox_mark = s.scalar(select(func.max(OutboxMessage.id))) or 0
        self.events_mark = len(self.events)
        if problems:
            raise StepFailed(joined(problems))

    @staticmethod
    def _find(case: Case, key: str) -> StepInstance | None:
        if ":" in key:
            return next((i for i in case.instances if i.label_key == key), None)
        same_step = [i for i in case.instances if i.step == key]
        if same_step:
            return max(same_step, key=lambda i: i.id)
        return next((i for i in case.instances if i.key == key), None)

    def _check_deadline(self, s: Any, case: Case, d: DeadlineExp) -> list[Any]:
        inst = self._find(case, d.instance)
        if inst is None:
            return [said_fr("délai de {instance} : instance introuvable (instances : {instances})",
                            instance=d.instance, instances=_instances(case))]
        rows = list(s.scalars(select(Deadline).where(Deadline.instance_id == inst.id,
                                                     Deadline.status == "pending")))
        expiry = next((r for r in rows if r.kind == "expiry"), None)
        out = []
        got_due = expiry.due_at if expiry else None
        if not same_when(d.due, got_due, self.sop.calendar.timezone):
            out.append(said_fr("délai de {instance} : échéance attendue {expected}, obtenue {got}",
                               instance=inst.label_key, expected=_iso(d.due) if d.due else said_fr("aucune"),
                               got=_local(got_due, self.sop.calendar.timezone) if got_due
                               else said_fr("aucune")))
        if d.state is not None and expiry is not None and expiry.state != d.state:
            out.append(said_fr("délai de {instance} : état attendu « {expected} », obtenu « {got} »",
                               instance=inst.label_key, expected=d.state, got=expiry.state))
        if d.reminders is not None:
            got = {r.offset: r.fire_at for r in rows if r.kind == "reminder"}
            tz = self.sop.calendar.timezone
            same = set(got) == set(d.reminders) and all(same_when(w, got[k], tz)
                                                        for k, w in d.reminders.items())
            if not same:
                fmt = lambda m: ", ".join(f"{k} → {_local(v, tz)}" for k, v in m.items()) or said_fr("aucun")  # noqa: E731
                out.append(said_fr("rappels prévus pour {instance} : attendus {expected}, obtenus {got}",
                                   instance=inst.label_key, expected=fmt(d.reminders), got=fmt(got)))
        return out


def _fr_status(status: str) -> Any:
    return {"open": said_fr("ouvert"), "closed": said_fr("clos")}.get(status, status)


def _instances(case: Case) -> Any:
    return ", ".join(f"{i.label_key}={i.state}" for i in case.instances) or said_fr("aucune")


def _same_instance(want: str | None, label_key: str) -> bool:
    if want is None:
        return True
    step, _, key = label_key.partition(":")
    return want in (label_key, step, key)


def _local(instant: date | datetime, tz: str) -> str:
    """An instant as the author of a scenario compares it with what they wrote: the SOP's local
    day and time, to the minute, and the time zone (« 2026-12-22 23:59 (Africa/Niamey) »), never
    a UTC instant with microseconds (tryout 3, F7). A date is itself."""
    if not isinstance(instant, datetime):
        return _iso(instant)
    return f"{instant.astimezone(ZoneInfo(tz)).strftime('%Y-%m-%d %H:%M')} ({tz})"


def same_when(want: date | datetime | None, got: datetime | None, tz: str) -> bool:
    """An instant equals; a date matches any instant of that local day (SOP time zone) except
    its local midnight 00:00:00, which is the end of the day before (``due: 2025-07-16`` must
    not hide a deadline that ends as 16 July begins; see docs/working-days.md)."""
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, datetime):
        return want == got
    local = got.astimezone(ZoneInfo(tz))
    midnight = (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    return local.date() == want and not midnight


def _event_matches(want: Any, ev: SweepEvent, tz: str) -> bool:
    if not _same_instance(want.instance, ev.instance):
        return False
    for name in ("to", "state", "offset", "late", "trigger", "ok"):
        w = getattr(want, name, None)
        if w is not None and w != getattr(ev, name):
            return False
    return want.at is None or same_when(want.at, ev.at, tz)


def _describe_want(want: Any) -> str:
    parts = [f"{k}={_iso(v) if isinstance(v, datetime) else v}"
             for k, v in want.given().items()]
    return "{" + ", ".join(parts) + "}"


def _matching(wanted: list, actual: list, ok: Any) -> dict[int, int]:
    """A maximum matching expected → actual (each actual used once), by augmenting paths."""
    owner: dict[int, int] = {}

    def place(i: int, seen: set[int]) -> bool:
        for j, a in enumerate(actual):
            if j in seen or not ok(wanted[i], a):
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(wanted)):
        place(i, set())
    return {i: j for j, i in owner.items()}


def _match_exact(label: Any, wanted: list, actual: list, ok: Any, describe: Any) -> list[Any]:
    m = _matching(wanted, actual, ok)
    missing = [_describe_want(w) for i, w in enumerate(wanted) if i not in m]
    extra = [describe(a) for j, a in enumerate(actual) if j not in m.values()]
    if not missing and not extra:
        return []
    got = joined([describe(a) for a in actual]) if actual else said_fr("aucun")
    parts: list[Any] = [said_fr("{label} : attendus {expected}, obtenus {n} depuis la dernière vérification",
                                label=label, expected=len(wanted), n=len(actual))]
    if missing:
        parts.append(said_fr("manquants : {items}", items=", ".join(missing)))
    if extra:
        parts.append(said_fr("en trop : {items}", items=joined(extra)))
    return [said_fr("{message} (obtenus : {got})", message=joined(parts, " — "), got=got)]


def _msg_matches(want: Any, m: OutboxMessage) -> bool:
    ctx = m.context or {}
    inst = f"{ctx.get('step')}:{ctx.get('instance')}" if ctx.get("step") else ""
    return ((want.kind is None or want.kind == m.kind)
            and (want.role is None or want.role == m.recipient_role)
            and (want.user is None or want.user == m.recipient_user)
            and (want.channel is None or want.channel == m.channel)
            and (want.late is None or want.late == m.late)
            and (want.instance is None or _same_instance(want.instance, inst)))


def _describe_msg(m: OutboxMessage) -> str:
    ctx = m.context or {}
    who = m.recipient_user or said_fr("rôle {role}", role=m.recipient_role)
    return said_fr("{kind} → {who} ({channel}, {instance})", kind=m.kind, who=who, channel=m.channel,
                   instance=f"{ctx.get('step')}:{ctx.get('instance')}")


def _match_contains(wanted: list, msgs: list[OutboxMessage]) -> list[Any]:
    m = _matching(wanted, msgs, _msg_matches)
    missing = [_describe_want(w) for i, w in enumerate(wanted) if i not in m]
    if not missing:
        return []
    got = joined([_describe_msg(x) for x in msgs]) if msgs else said_fr("aucun")
    return [said_fr("messages : manquants {items} (écrits depuis la dernière vérification : {got})",
                    items=", ".join(missing), got=got)]

