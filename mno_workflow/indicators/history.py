"""Per-case histories read from the audit events (the only source of the indicators): every
transition, every entry into a state (initial states included, from the ``started`` effects) with
the deadline the engine recorded for it, and the data each event carried.

Plain dataclasses, so the indicators can be computed (and brute-force re-computed in tests) from
any list of events without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..sop.schema import SOP


@dataclass(frozen=True)
class Event:
    """One audit event: ``action`` (create, fire, purge…), the transition it made, its data.
    ``effective_at``: when it really happened, for a transition whose SOP says ``effective_at:
    form.field`` (an answer given by phone, typed later: the effect the engine recorded,
    engine/effective.py); None when it happened when it was typed (``at``)."""

    seq: int
    at: datetime
    action: str
    trigger: str | None = None
    step: str | None = None
    key: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    effects: list[Any] = field(default_factory=list)
    organisation: str | None = None
    effective_at: datetime | None = None

    @property
    def when(self) -> datetime:
        """When the event happened: ``effective_at`` when recorded, else ``at``."""
        return self.effective_at or self.at


@dataclass(frozen=True)
class Entry:
    """An instance (``step``, ``key``) entering ``state`` at ``at`` (event ``seq``), with the due
    instant of that state's deadline if the engine set one, and when it left the state. Both
    instants are when the transitions happened (:attr:`Event.when`: an answer recorded on the
    provider's behalf counts when it was given), never before the entry they follow."""

    step: str
    key: str
    state: str
    at: datetime
    seq: int
    due_at: datetime | None
    left_at: datetime | None


@dataclass
class CaseHistory:
    """The events of one case in order, the items of its step instances (``{(step, key): item}``)
    and its region (the case's column, for filtering)."""

    case_id: int
    events: list[Event]
    items: dict[tuple[str, str], dict] = field(default_factory=dict)
    region: str | None = None
    _entries: list[Entry] | None = field(default=None, repr=False, compare=False)
    _entries_sop: Any = field(default=None, repr=False, compare=False)  # the SOP they were made with

    def value(
        self,
        form: str,
        fld: str,
        upto: int | None = None,
        *,
        step: str | None = None,
        key: str | None = None,
        event: Event | None = None,
        also: Iterable[str] = (),
    ) -> Any:
        """The value of ``form.field``: from ``event``'s own data, else the latest event of the
        instance (``step``, ``key``) up to ``upto`` (seq), else the latest of the case. None if
        never given or no longer a plain value (purged). ``also``: other ``form.field`` holding
        the same value (a dimension's ``or_fields``), each looked for at every stage."""
        refs = [(form, fld), *(tuple(r.partition(".")[::2]) for r in also)]

        def found(e: Event) -> tuple[bool, Any]:
            for f, x in refs:
                if isinstance(e.data.get(f), dict) and x in e.data[f]:
                    return True, _plain(e.data[f][x])
            return False, None

        if event is not None:
            hit, v = found(event)
            if hit:
                return v
        if step is not None:
            for e in reversed(self.events):
                if upto is not None and e.seq > upto:
                    continue
                if e.step == step and e.key == key:
                    hit, v = found(e)
                    if hit:
                        return v
        for e in reversed(self.events):
            hit, v = found(e)
            if hit:
                return v
        return None

    def entries(self, sop: SOP) -> list[Entry]:
        """Every entry into a state, in order: ``started`` effects (initial state) and transitions
        whose ``to_state`` differs from ``from_state``, with due time and leaving time (computed
        once per history: the events do not change)."""
        if self._entries is None or self._entries_sop is not sop:  # histories outlive a request (cache)
            self._entries, self._entries_sop = self._compute_entries(sop), sop
        return self._entries

    def _compute_entries(self, sop: SOP) -> list[Entry]:
        raw: list[tuple[str, str, str, datetime, int, datetime | None]] = []
        for e in self.events:
            dues = {}
            for eff in e.effects or []:
                if isinstance(eff, dict) and isinstance(eff.get("deadline"), dict):
                    d = eff["deadline"]
                    dues[(d.get("instance"), d.get("state"))] = _instant(d.get("due_at"))
            for eff in e.effects or []:
                if isinstance(eff, dict) and isinstance(eff.get("started"), str):
                    step, _, key = eff["started"].partition(":")
                    st = sop.steps.get(step)
                    if st is not None:
                        raw.append(
                            (
                                step,
                                key,
                                st.initial_state,
                                e.at,
                                e.seq,
                                dues.get((eff["started"], st.initial_state)),
                            )
                        )
            if e.action == "fire" and e.step and e.to_state and e.to_state != e.from_state:
                entered = [r[3] for r in raw if r[0] == e.step and r[1] == (e.key or "")]
                raw.append(
                    (
                        e.step,
                        e.key or "",
                        e.to_state,
                        # when it happened, not before the state it leaves was entered
                        max([e.when, *entered[-1:]]),
                        e.seq,
                        dues.get((f"{e.step}:{e.key}", e.to_state)),
                    )
                )
        out = []
        for step, key, state, at, seq, due in raw:
            left = next(
                (
                    max(e.when, at)
                    for e in self.events
                    if e.seq > seq
                    and e.step == step
                    and e.key == key
                    and e.from_state == state
                    and e.to_state != state
                ),
                None,
            )
            out.append(Entry(step, key, state, at, seq, due, left))
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):  # a purge mark
        return None
    return value


def _effective(effects: Any) -> datetime | None:
    """The ``effective_at`` effect of an event (engine/effective.py), None without one."""
    for eff in effects or []:
        if isinstance(eff, dict) and eff.get("effective_at"):
            return _instant(eff["effective_at"])
    return None


def _instant(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def load(session: Any, *, case_ids: Iterable[int] | None = None) -> list[CaseHistory]:
    """Histories of every case (or of ``case_ids``) from the ``audit_events`` and
    ``step_instances`` tables, ordered by case id."""
    from sqlalchemy import select

    from ..store.models import AuditEvent, Case, StepInstance

    q = select(AuditEvent).order_by(AuditEvent.case_id, AuditEvent.seq)
    qi = select(StepInstance.case_id, StepInstance.step, StepInstance.key, StepInstance.item)
    qc = select(Case.id, Case.region)
    if case_ids is not None:
        ids = list(case_ids)
        q, qi, qc = (
            q.where(AuditEvent.case_id.in_(ids)),
            qi.where(StepInstance.case_id.in_(ids)),
            qc.where(Case.id.in_(ids)),
        )
    hist: dict[int, CaseHistory] = {cid: CaseHistory(cid, [], {}, reg) for cid, reg in session.execute(qc)}
    for e in session.scalars(q.execution_options(yield_per=2000)):
        h = hist.setdefault(e.case_id, CaseHistory(e.case_id, []))
        h.events.append(
            Event(
                e.seq,
                e.at,
                e.action,
                e.trigger,
                e.step,
                e.instance_key,
                e.from_state,
                e.to_state,
                dict(e.data or {}),
                list(e.effects or []),
                e.organisation,
                _effective(e.effects),
            )
        )
    for cid, step, key, item in session.execute(qi):
        if cid in hist and isinstance(item, dict):
            hist[cid].items[(step, key)] = item
    return [hist[k] for k in sorted(hist)]
