"""W117: a step that shows case data to a recipient organisation and never takes it back.

A step with ``recipient:`` lets the receiving organisation's focal point see the person's data
(``disclosure``). Only ``data_protection.withhold_in_states`` takes it back in a state (e.g.
``declined``: the organisation that declined sees nothing personal any more); without it, the
provider keeps access after declining (DOMAIN: « Access granted by a referral is removed when it
is rejected or done »; tryout 7, J10). The warning stands at the step's ``recipient:`` key when
the SOP has no ``data_protection`` section, or when its ``withhold_in_states`` lists none of the
step's states. (The SOP language has no mark of a "successful" final state, so no default
withholding is applied: the author says which states end the provider's access.)
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP


def check_withhold(loaded: LoadedSOP) -> list[Diagnostic]:
    """W117 for each step with ``recipient`` whose states the SOP never withholds (module doc)."""
    sop, d, out = loaded.model, loaded.diag, []
    dp = sop.data_protection
    answering = {r for r, role in sop.roles.items() if role.scope == "recipient"}
    for sid, step in sop.steps.items():
        if not step.recipient or (dp is not None and set(dp.withhold_in_states) & set(step.states)):
            continue
        answers = list(dict.fromkeys(t.dest for t in step.transitions
                                     if t.dest and answering & set(t.by)))
        ends = answers or step.final_states
        example = next((s for s in reversed(ends) if step.states[s].final), ends[-1] if ends else "declined")
        why = (said("the SOP has no data_protection section") if dp is None
               else said("data_protection.withhold_in_states lists none of its states"))
        out.append(d(("steps", sid, "recipient"), "W117",
                     said("step {step!r} shows the person's data to the recipient organisation and "
                          "never takes it back ({why}): the provider keeps access in every state its "
                          "answers lead to ({states}), after a decline too", step=sid, why=why,
                          states=", ".join(ends) or "-"),
                     said("list the states where the provider no longer sees personal data: "
                          "'data_protection: {{withhold_in_states: [{state}]}}' (with a consent "
                          "step, docs/sop-language.md § 12)", state=example),
                     severity="warning", key=True))
    return out
