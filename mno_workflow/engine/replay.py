"""Replay a case's audit events and compare the result with what the database holds.

The chain check (:mod:`mno_workflow.store.audit`) proves events were not edited; replay proves the
case rows agree with them: a direct SQL change of a step's state, of form data, of the assignee,
of the case's status or of a running deadline's due instant shows up as a difference. Replayed:

- ``create`` / ``reopen`` / ``fire`` effects: ``started`` instances (in their step's initial
  state in the event's SOP version), ``deadline`` (due instant of the state entered),
  ``case_closed``; a ``fire`` moves its instance to ``to_state`` and stores its form data (on
  the instance for a ``for_each`` step, on the case otherwise); ``reopen`` moves the closure
  form to the history (``data._closures``, not compared) and opens the case;
- ``reassign`` (``data.to``), ``create`` (``data.assignee``, recorded since keyed audit; older
  cases are compared only from their first reassign);
- ``extend_deadline`` / ``resume_deadline`` (``data.new_due_at``); ``migrate`` (``data.states``,
  and the due instants in force after it in its ``deadline`` effects, engine/versions.py);
  ``correct`` (``to_state``, engine/correct.py).

Keys of case data starting with ``_`` are engine bookkeeping and not compared.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..sop.diagnostics import said
from ..sop.schema import ForEach
from ..store.audit import ChainProblem
from ..store.models import AuditEvent, Case, Deadline, SopVersion

UNKNOWN = object()


class _Sops:
    """Compiled SOP models by ``sop@version`` (the label every event carries)."""

    def __init__(self, engine: Any, session: Session) -> None:
        self.engine, self.session, self.cache = engine, session, {}

    def get(self, label: str):
        if label not in self.cache:
            sop_id, _, version = label.partition("@")
            row = self.session.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id,
                                                               SopVersion.version == version))
            self.cache[label] = self.engine.registry.compiled(row).sop if row is not None else None
        return self.cache[label]


def _replay(events: list[AuditEvent], sops: _Sops) -> dict[str, Any]:
    states: dict[str, str] = {}
    inst_data: dict[str, dict] = {}
    case_data: dict[str, Any] = {}
    due: dict[str, tuple[str, Any]] = {}  # instance -> (state, due instant ISO, or UNKNOWN)
    out: dict[str, Any] = {"assignee": UNKNOWN, "status": "open", "unknown_sop": None}
    for ev in events:
        sop = sops.get(ev.sop_version)
        if sop is None:
            out["unknown_sop"] = ev.sop_version
            return out
        key = f"{ev.step}:{ev.instance_key}" if ev.step else None
        if ev.action == "fire" and key:
            states[key] = ev.to_state or states.get(key, "")
            for form_id, values in (ev.data or {}).items():
                if form_id.startswith("_"):  # not a form: an edit's replaced values (change_words)
                    continue
                step = sop.steps.get(ev.step)
                if step is not None and isinstance(step.instances, ForEach):
                    inst_data.setdefault(key, {})[form_id] = values
                else:
                    case_data[form_id] = values
        elif ev.action == "correct" and key:  # an administrator's correction (engine/correct.py)
            states[key] = ev.to_state or states.get(key, "")
        elif ev.action == "create":
            out["assignee"] = (ev.data or {}).get("assignee", UNKNOWN)
        elif ev.action == "reassign":
            out["assignee"] = (ev.data or {}).get("to")
        elif ev.action == "reopen":
            out["status"] = "open"
            case_data.pop("closure", None)
            for path, value in ((ev.data or {}).get("values") or {}).items():  # reopen_values.py
                form_id, _, field_id = path.partition(".")
                case_data[form_id] = {**(case_data.get(form_id) or {}), field_id: value}
        elif ev.action in ("extend_deadline", "resume_deadline") and key:
            due[key] = (states.get(key, ""), (ev.data or {}).get("new_due_at"))
        elif ev.action == "migrate":
            for change in (ev.data or {}).get("states") or []:
                states[change["instance"]] = change["to"]
            due = {k: (s, UNKNOWN) for k, s in states.items()}
        for effect in ev.effects or []:
            if "started" in effect:
                started = effect["started"]
                step = sop.steps.get(started.split(":")[0])
                states[started] = step.initial_state if step else "?"
            elif "deadline" in effect:
                d = effect["deadline"]
                due[d["instance"]] = (d["state"], d["due_at"])
            elif effect.get("case_closed"):  # closing cancels every running deadline (flow.py)
                out["status"] = "closed"
                due.clear()
    out.update(states=states, inst_data=inst_data, case_data=case_data, due=due)
    return out


def _same_instant(a: Any, b: datetime) -> bool:
    try:
        return datetime.fromisoformat(str(a)) == b
    except ValueError:
        return False


def replay_case(session: Session, case: Case, sops: _Sops) -> list[str]:
    """Differences between ``case`` as stored and as replayed from its events (``said`` messages:
    English as a ``str``, ``.text(lang)`` in another language)."""
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                  .order_by(AuditEvent.seq)))
    r = _replay(events, sops)
    if r["unknown_sop"]:
        return [said("SOP version {version} of its events is not in the database: cannot replay",
                     version=r["unknown_sop"])]
    diffs: list[str] = []
    stored = {i.label_key: i for i in case.instances}
    for key in sorted(set(stored) | set(r["states"])):
        if key not in stored:
            diffs.append(said("step {step} is in the events but not in the database (deleted)", step=key))
        elif key not in r["states"]:
            diffs.append(said("step {step} is in the database but in no event (inserted)", step=key))
        elif stored[key].state != r["states"][key]:
            diffs.append(said("step {step}: stored state {stored}, events say {replayed}", step=key,
                              stored=repr(stored[key].state), replayed=repr(r["states"][key])))
        elif (stored[key].data or {}) != r["inst_data"].get(key, {}):
            diffs.append(said("step {step}: stored data differ from the events", step=key))
    data = {k: v for k, v in (case.data or {}).items() if not k.startswith("_")}
    for form_id in sorted(set(data) | set(r["case_data"])):
        if data.get(form_id) != r["case_data"].get(form_id):
            diffs.append(said("data of form {form} differ from the events", form=repr(form_id)))
    if r["assignee"] is not UNKNOWN and case.assignee != r["assignee"]:
        diffs.append(said("assignee is {stored}, events say {replayed}", stored=repr(case.assignee),
                          replayed=repr(r["assignee"])))
    if case.status != r["status"]:
        diffs.append(said("status is {stored}, events say {replayed}", stored=repr(case.status),
                          replayed=repr(r["status"])))
    for key, (state, due_at) in sorted(r["due"].items()):
        inst = stored.get(key)
        if inst is None or inst.final or inst.state != state or due_at is UNKNOWN or due_at is None:
            continue
        row = session.scalar(select(Deadline).where(
            Deadline.instance_id == inst.id, Deadline.kind == "expiry", Deadline.state == state,
            Deadline.status != "cancelled").order_by(Deadline.id.desc()).limit(1))
        if row is None:
            diffs.append(said("step {step}: the deadline of {state} is missing", step=key, state=repr(state)))
        elif not _same_instant(due_at, row.due_at):
            diffs.append(said("step {step}: deadline due {stored}, events say {replayed}", step=key,
                              stored=row.due_at.isoformat(), replayed=due_at))
    return diffs


def replay_all(engine: Any, session: Session) -> list[ChainProblem]:
    """Replay every case; one :class:`ChainProblem` (seq = the case version) per difference."""
    sops = _Sops(engine, session)
    problems: list[ChainProblem] = []
    q = select(Case).options(selectinload(Case.instances)).order_by(Case.id)
    for case in session.scalars(q).yield_per(200):
        for diff in replay_case(session, case, sops):
            problems.append(ChainProblem(case.reference or str(case.id), case.version,
                                         said("replay: {difference}", difference=diff)))
    return problems
