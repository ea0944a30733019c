"""Deadlines whose clock starts when another step entered a state: ``start: steps.<step>.<state>``.

Issue 13: the Burkina Faso needs-assessment month counts from registration
(``start: steps.identification.identified``), not from the return date (someone identified a month
after return is not overdue at once) nor from the moment consent was recorded. The instant is the
``entered_at`` of the step's latest instance, provided it is (still) in that state; a final state
such as ``identified`` keeps it for the life of the case. When it is not (the step never reached
that state), the deadline cannot be armed: :class:`~mno_workflow.engine.deadlines.MissingFieldError`
names ``steps.<step>.<state>``, and the transition is refused unless the deadline is
``optional: true`` (like an empty ``start`` field).

:func:`with_step_instants` adds the instant to the data the pure deadline functions read (under
:data:`~mno_workflow.engine.deadlines.STEP_INSTANTS`); :func:`step_start_problem` is the lint check.
"""

from __future__ import annotations

from typing import Any

from ..sop.schema import SOP, Deadline
from .deadlines import STEP_INSTANTS

PREFIX = "steps."


def is_step_start(start: str | None) -> bool:
    """Whether a deadline's ``start`` names a step's state (``steps.identification.identified``)."""
    return bool(start) and start.startswith(PREFIX)  # type: ignore[union-attr]


def with_step_instants(data: dict[str, Any], case: Any, deadline: Deadline | None) -> dict[str, Any]:
    """``data`` (the case data ``{form: {field: value}}``) plus ``{STEP_INSTANTS: {"step.state":
    aware UTC entered_at}}`` for each step's state the deadline (or its ``no_later_than``) starts
    at whose step's latest instance of ``case`` is in it; ``data`` itself (unchanged) otherwise."""
    if deadline is None:
        return data
    instants: dict[str, Any] = {}
    for start in (deadline.start, *(cap.start for cap in deadline.no_later_than)):
        if not is_step_start(start):
            continue
        step_id, _, state = start[len(PREFIX):].partition(".")  # type: ignore[index]
        latest = None
        for inst in getattr(case, "instances", None) or []:  # ordered by id: the last is the latest
            if inst.step == step_id:
                latest = inst
        if latest is not None and latest.state == state and latest.entered_at is not None:
            instants[f"{step_id}.{state}"] = latest.entered_at
    return {**data, STEP_INSTANTS: instants} if instants else data


def step_start_problem(sop: SOP, start: str) -> str | None:
    """Why ``start: steps.<step>.<state>`` is wrong in ``sop`` (a :func:`~mno_workflow.sop.diagnostics.said`
    message: English as ``str``, translated by ``mno validate --lang``), or None when it names an
    existing step and one of its states."""
    from ..sop.diagnostics import said  # a catalogue message: mno validate --lang shows it translated
    step_id, _, state = start[len(PREFIX):].partition(".")
    if step_id not in sop.steps:
        return said("{start!r} names step {step!r}, which does not exist (steps: {steps})", start=start,
                    step=step_id, steps=", ".join(sop.steps))
    if state not in sop.steps[step_id].states:
        return said("{start!r} names state {state!r}, which is not a state of step {step!r} "
                    "(states: {states})",
                    start=start, state=state, step=step_id, states=", ".join(sop.steps[step_id].states))
    return None


def state_label(sop: SOP, start: str, lang: str = "fr") -> str:
    """``steps.<step>.<state>`` in words for diagrams and the handbook: « Identification —
    Dossier enregistré »; the path itself when it names nothing."""
    if step_start_problem(sop, start):
        return start
    step_id, _, state = start[len(PREFIX):].partition(".")
    step = sop.steps[step_id]
    return f"{sop.label(step.label, lang)} — {sop.label(step.states[state].label, lang)}"
