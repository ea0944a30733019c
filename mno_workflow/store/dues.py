"""The deadline a step instance is under now, the one rule for every reader: the case page, the
provider inbox, « Mon travail »'s rows, ``mno case show`` and ``GET /api/v1/cases/{ref}``
(``steps[].due_at``) — the newest expiry row, not cancelled, of the state the instance is in and
of the instant it entered it (an extension or an escalation's re-arming adds a newer row; a row
of an earlier stay in the same state is not this one).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Deadline, StepInstance

CHUNK = 500  # ids per IN (…): well under SQLite's bound parameters limit


def _chunks(ids: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def running_dues(session: Session, insts: Iterable[StepInstance]) -> dict[int, datetime | None]:
    """``{instance id: due instant (aware UTC) of the state it is in, or None}`` for the instances
    not final (absent for final ones): the newest expiry row not cancelled of that state and entry
    instant (an extension adds a newer row), read in one statement per 500 instances by
    ``instance_id`` (``ix_deadlines_instance_id``)."""
    wanted = {i.id: i for i in insts if not i.final}
    out: dict[int, datetime | None] = dict.fromkeys(wanted)
    best: dict[int, int] = {}
    for chunk in _chunks(sorted(wanted)):
        for did, iid, state, entered, due in session.execute(
            select(Deadline.id, Deadline.instance_id, Deadline.state, Deadline.entered_at, Deadline.due_at)
            # ``kind || ''``: SQLite (no statistics) would otherwise read the kind's index, which
            # holds every case's rows, instead of the instances' own rows
            .where(Deadline.instance_id.in_(chunk), Deadline.kind.concat("") == "expiry",
                   Deadline.status != "cancelled")
        ):
            inst = wanted[iid]
            if state == inst.state and entered == inst.entered_at and did > best.get(iid, -1):
                best[iid] = did
                out[iid] = due
    return out
