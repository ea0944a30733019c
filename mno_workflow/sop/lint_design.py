"""Design advice on an SOP that loaded (W101-W119): unreachable states, states that cannot
finish, waiting states without deadline, silent deadlines, referrals without exits, ambiguous
triggers, roles never used."""

from __future__ import annotations

from .checks.condition_labels import check_condition_labels
from .checks.graph import can_finish_states, reachable_states
from .checks.narrative_files import check_narrative_files
from .checks.on_behalf import check_on_behalf
from .checks.override import check_override
from .checks.traps import check_traps
from .checks.withhold import check_withhold
from .diagnostics import Diagnostic, Said, joined, said
from .lint_steps import expand, role_scope
from .loader import LoadedSOP


def check_reachability(loaded: LoadedSOP, sid: str) -> list[Diagnostic]:
    """W102: the states of step ``sid`` no transition reaches from its initial state."""
    step = loaded.model.steps[sid]
    if len([s for s, st in step.states.items() if st.initial]) != 1:
        return []
    seen = reachable_states(step)
    return [loaded.diag(("steps", sid, "states", st), "W102",
                        said("state {state!r} cannot be reached", state=st),
                        said("add a transition into it, or remove it"), severity="warning", key=True)
            for st in step.states if st not in seen]


def check_design(loaded: LoadedSOP) -> list[Diagnostic]:
    """Design warnings W106-W115 of an SOP that loaded (see the module table)."""
    sop, d = loaded.model, loaded.diag
    out: list[Diagnostic] = (check_traps(loaded) + check_condition_labels(loaded)
                             + check_narrative_files(loaded) + check_withhold(loaded)
                             + check_override(loaded) + check_on_behalf(loaded))
    for sid, step in sop.steps.items():
        base = ("steps", sid)
        reachable, finishing = reachable_states(step), can_finish_states(step)
        for st in step.states:
            if st in reachable and st not in finishing:
                why = (said("the step has no final state") if not step.final_states
                       else said("no path leads from it to a final state"))
                out.append(d(base + ("states", st), "W106",
                             said("state {state!r} of step {step!r} cannot reach a final state: {why}",
                                  state=st, step=sid, why=why),
                             said("add a transition towards a final state (e.g. closure or cancellation)"),
                             severity="warning", key=True))
        for st, state in step.states.items():
            sp = base + ("states", st)
            if state.final:
                continue
            if state.owner and state.deadline is None:
                out.append(d(sp, "W107",
                             said("state {state!r} waits for {owners!r} without a deadline", state=st,
                                  owners=" / ".join(state.owner_roles)),
                             said("add a deadline so late cases are seen: "
                                  "'deadline: {within: 3 working days, on_expiry: {escalate: supervisor}}'"),
                             severity="warning", key=True))
            expiry = state.deadline.on_expiry if state.deadline else None
            told = expiry and (expiry.escalate or expiry.fire) or state.deadline and state.deadline.notify
            if state.deadline and not told:
                out.append(d(sp + ("deadline",), "W108",
                             said("the deadline of {state!r} has no on_expiry: when it passes nobody is "
                                  "told and nothing happens", state=st),
                             said("add on_expiry with escalate or fire: 'on_expiry: {escalate: <role>}' "
                                  "or '{fire: <trigger>}'"), severity="warning", key=True))
            if not state.owner and not state.initial and not (expiry and (expiry.escalate or expiry.fire)):
                out.append(d(sp, "W109",
                             said("state {state!r} has no owner and no deadline with on_expiry: a case "
                                  "can stay there forever without anybody being asked to act", state=st),
                             said("give it an owner, a deadline with on_expiry, or make it final if "
                                  "nothing more should happen"), severity="info", key=True))
            if step.recipient and any(role_scope(sop, r) == "recipient" for r in state.owner_roles):
                exits = {t.dest for t in step.transitions
                         if not t.internal and st in t.sources and t.dest not in (None, st)}
                missing = []
                if len(exits) < 2:
                    missing.append(said("needs an accept and a decline exit (exits found: {n})",
                                        n=len(exits)))
                if not (expiry and (expiry.escalate or expiry.fire)):
                    missing.append(said("no deadline with on_expiry (timeout)"))
                if missing:
                    out.append(d(sp, "W110",
                                 said("referral state {state!r} waits for the recipient {owners!r}: "
                                      "{missing}", state=st, owners=" / ".join(state.owner_roles),
                                      missing=joined(missing, cls=Said)),
                                 said("the recipient needs accept and decline transitions and a "
                                      "deadline with on_expiry"),
                                 severity="warning", key=True))
        for j, tj in enumerate(step.transitions):
            for i, ti in enumerate(step.transitions[:j]):
                if ti.trigger != tj.trigger:
                    continue
                common = expand(step, ti.sources) & expand(step, tj.sources)
                if not common:
                    continue
                if ti.when and tj.when and " ".join(ti.when.split()) != " ".join(tj.when.split()):
                    continue  # different guards: whether they overlap cannot be decided
                how = said("identical guards") if ti.when else said("no guard on one of them")
                out.append(d(base + ("transitions", j), "W111",
                             said("transition {trigger!r} from {sources} is also transition #{n} of "
                                  "the step ({how}): which one runs is ambiguous", trigger=tj.trigger,
                                  sources=", ".join(sorted(common)), n=i + 1, how=how),
                             said("rename the trigger or give both mutually exclusive 'when' guards"),
                             severity="warning"))
                break
    used: set[str] = set(sop.reopen.by if sop.reopen else [])
    used |= set(sop.retention.erase_by if sop.retention else [])
    used |= set(sop.calendar.managed_by or [])
    for step in sop.steps.values():
        for state in step.states.values():
            used |= set(state.owner_roles)
            if state.deadline:
                used |= set(state.deadline.extenders()) | set(state.deadline.extend_by or [])
        for t in step.transitions:
            used |= set(t.by)
    for rid in sop.roles:
        if rid not in used:
            out.append(d(("roles", rid), "W112", said("role {role!r} is never used", role=rid),
                         said("use it (owner, by, escalate, extend_by, reopen) or remove it"),
                         severity="warning", key=True))
    return out
