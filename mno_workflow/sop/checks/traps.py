"""Trap SOPs: loadable SOPs in which a step never runs or a case never closes (warnings: they
fail ``mno validate --strict``, the check to run before go-live).

* W114: a step nothing starts (neither ``start``, an entry, a flow rule nor ``reopen``), or one that
  can only start after itself (every rule starting it follows one of its own states, or a step that
  itself never starts);
* W115: no way to close a case (no ``close_case: true`` rule after a step that can start);

* W116: a reachable final state after which nothing happens (no flow rule after ``step.state``,
  ``step.any_final`` or ``step.all_final``): the case stays open for ever with nothing to do
  (when another step running in parallel closes the case, say so on the state with
  ``lint: {allow: [W116], reason: …}``).

(A ``for_each`` step with no instance at all, e.g. every need marked ``refer: false``, counts as
"all final" for every flow rule, ``close_case`` included: the engine closes such a case.)
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP
from ..schema import SOP
from .graph import reachable_states


def startable_steps(sop: SOP) -> set[str]:
    """Steps a case can enter: ``start``, then every step a flow rule starts after a step that can
    itself start (a reopen restarts ``reopen.start`` of a case that could close)."""
    seen: set[str] = {sop.start} if sop.start in sop.steps else set()
    seen |= {e.start for e in sop.entries.values() if e.start in sop.steps}  # entries open cases too
    changed = True
    while changed:
        changed = False
        for rule in sop.flow:
            after = rule.after.split(".", 1)[0]
            if after in seen and rule.start in sop.steps and rule.start not in seen:
                seen.add(rule.start)
                changed = True
        closes = any(r.close_case and r.after.split(".", 1)[0] in seen for r in sop.flow)
        if sop.reopen and closes and sop.reopen.start in sop.steps and sop.reopen.start not in seen:
            seen.add(sop.reopen.start)
            changed = True
    return seen


def check_traps(loaded: LoadedSOP) -> list[Diagnostic]:
    """W114, W115 and W116 (see the module doc); ``mno validate --strict`` fails on them."""
    sop, d, out = loaded.model, loaded.diag, []
    if sop.start not in sop.steps:
        return []  # E024 already
    live = startable_steps(sop)
    for sid in sop.steps:
        if sid in live:
            continue
        starters = [r for r in sop.flow if r.start == sid]
        if not starters and not (sop.reopen and sop.reopen.start == sid):
            why, hint = said("nothing starts it"), said(
                "add a flow rule {rule} that starts {step!r}, or remove the step",
                rule=f"'- {{after: <step>.<state>, start: {sid}}}'", step=sid)
        elif starters and all(r.after.split(".", 1)[0] == sid for r in starters):
            why, hint = said("it can only start after itself (a step starts once per case)"), said(
                "start {step!r} after another step", step=sid)
        else:
            why, hint = said("it is only started after steps that never start"), said(
                "check the flow from 'start'")
        out.append(d(("steps", sid), "W114", said("step {step!r} can never start: {why}", step=sid, why=why),
                     hint, key=True, severity="warning"))
    closing = [r for r in sop.flow if r.close_case and r.after.split(".", 1)[0] in live]
    if not closing:
        out.append(d(("flow",) if sop.flow else ("steps",), "W115",
                     said("no flow rule closes a case: every case would stay open for ever"),
                     said("add a flow rule with close_case: true, e.g. {rule}",
                          rule="'- {after: closure.closed, close_case: true}'"),
                     key=True, severity="warning"))
    for sid in sorted(live):
        step = sop.steps[sid]
        reachable = reachable_states(step)
        for final in step.final_states:
            events = {f"{sid}.{final}", f"{sid}.any_final", f"{sid}.all_final"}
            if final in reachable and not any(r.after in events for r in sop.flow):
                out.append(d(("steps", sid, "states", final), "W116",
                             said("after {event} nothing happens: no flow rule starts a step or closes the "
                                  "case, which stays open for ever with nothing to do",
                                  event=f"{sid}.{final}"),
                             said("add a flow rule after {event}, e.g. {rule} (or start: …)",
                                  event=f"{sid}.{final}",
                                  rule=f"'- {{after: {sid}.{final}, close_case: true}}'"),
                             key=True, severity="warning"))
    return out
