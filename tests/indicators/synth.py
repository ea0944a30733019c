"""Random event histories of the Burkina Faso SOP for property tests: a random walk over each
step's transitions, with the data of their forms and a deadline effect on every state entered
that has one. Plain :class:`CaseHistory` objects (no database), so tests run fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from mno_workflow.indicators.history import CaseHistory, Event

STEPS = ["identification", "consent", "needs_assessment", "referral", "follow_up", "closure"]
BASE = datetime(2025, 3, 20, 8, 0, tzinfo=UTC)


def _form_data(draw, sop, form_id: str) -> dict:
    form = sop.forms.get(form_id)
    out = {}
    for f in form.fields if form else []:
        t = str(getattr(f.type, "value", f.type))
        if t == "choice" and f.options:
            out[f.id] = draw(st.sampled_from(sorted(sop.options[f.options])))
        elif t == "multi" and f.options:
            out[f.id] = draw(
                st.lists(st.sampled_from(sorted(sop.options[f.options])), max_size=2, unique=True)
            )
        elif t == "date" and f.id == "birth_date":
            if draw(st.booleans()):
                out[f.id] = (
                    f"{draw(st.integers(1950, 2020))}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}"
                )
        elif t == "date":
            out[f.id] = "2025-03-1" + str(draw(st.integers(0, 9)))
        elif t == "integer" and f.id == "estimated_age":
            out[f.id] = draw(st.integers(0, 90))
        elif t == "text" and f.id == "provider":
            out[f.id] = draw(st.sampled_from(["org-a", "org-b", "org-c"]))
    return out


@st.composite
def case_history(draw, sop, case_id: int) -> CaseHistory:
    events: list[Event] = []
    at = BASE + timedelta(hours=draw(st.integers(0, 24 * 120)))
    seq = 0
    items = {}

    def add(**kw):
        nonlocal seq
        seq += 1
        events.append(Event(seq=seq, at=at, **kw))

    need_keys = ["medical", "housing", "legal"]
    for step_id in STEPS:
        if step_id != "identification" and not draw(st.integers(0, 4)):
            break
        step = sop.steps[step_id]
        keys = [str(1)]
        if step_id == "referral":
            keys = need_keys[: draw(st.integers(1, 3))]
            for k in keys:
                items[("referral", k)] = {"need": k, "dimension": "social"}
        for key in keys:
            state = step.initial_state
            due = {}
            if step.states[state].deadline is not None:
                due = {
                    "deadline": {
                        "instance": f"{step_id}:{key}",
                        "state": state,
                        "due_at": (at + timedelta(hours=draw(st.integers(1, 400)))).isoformat(),
                    }
                }
            add(
                action="fire" if events else "create",
                effects=[{"started": f"{step_id}:{key}"}] + ([due] if due else []),
            )
            for _ in range(draw(st.integers(0, 5))):
                options = [
                    t
                    for t in step.transitions
                    if t.dest and (t.source == "*" and not step.states[state].final or state in t.sources)
                ]
                if not options:
                    break
                tr = draw(st.sampled_from(options))
                at = at + timedelta(hours=draw(st.integers(0, 300)))
                data = {tr.form: _form_data(draw, sop, tr.form)} if tr.form else {}
                if tr.form == "needs_assessment":
                    data[tr.form]["needs"] = [{"need": n, "dimension": "economic"} for n in need_keys[:2]]
                effects = []
                if sop.steps[step_id].states[tr.dest].deadline is not None and draw(st.booleans()):
                    effects.append(
                        {
                            "deadline": {
                                "instance": f"{step_id}:{key}",
                                "state": tr.dest,
                                "due_at": (at + timedelta(hours=draw(st.integers(1, 400)))).isoformat(),
                            }
                        }
                    )
                add(
                    action="fire",
                    trigger=tr.trigger,
                    step=step_id,
                    key=key,
                    from_state=state,
                    to_state=tr.dest,
                    data=data,
                    effects=effects,
                )
                state = tr.dest
    return CaseHistory(case_id, events, items, None)


@st.composite
def histories(draw, sop, max_cases: int = 12) -> list[CaseHistory]:
    n = draw(st.integers(0, max_cases))
    return [draw(case_history(sop, i + 1)) for i in range(n)]
