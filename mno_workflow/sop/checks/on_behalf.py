"""W119: a referral step whose organisation's answers nobody can record when it is off the platform.

An organisation the directory does not mark ``uses_platform: yes`` (or with nobody active there)
answers by phone or visit and the case manager records its answer (« suivi par le gestionnaire »).
The SOP must then have, from each state where the focal point answers, a transition of another
role reaching the same state (:func:`mno_workflow.sop.answers.unrecordable_answers`); without it
such a referral waits for its deadline to run out (tryout 8, K12). The warning stands at the first
answering transition nobody else can record, once per state.
"""

from __future__ import annotations

from ..answers import unrecordable_answers, waiting_states
from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP


def check_on_behalf(loaded: LoadedSOP) -> list[Diagnostic]:
    """W119 for each waiting state of a ``recipient`` step with answers only its focal point
    may give (module doc)."""
    sop, d, out = loaded.model, loaded.diag, []
    for sid, step in sop.steps.items():
        for state in waiting_states(sop, sid):
            missing = unrecordable_answers(sop, sid, state)
            if not missing:
                continue
            first = missing[0]
            index = step.transitions.index(first)
            names = ", ".join(f"{t.trigger} → {t.dest}" for t in missing)
            out.append(d(("steps", sid, "transitions", index, "trigger"), "W119",
                         said("step {step!r}, state {state!r}: only the recipient organisation's focal "
                              "point can answer ({answers}); for an organisation off the platform "
                              "(uses_platform not yes, or nobody active there) nobody can record its "
                              "answer and the referral waits until its deadline runs out",
                              step=sid, state=state, answers=names),
                         said("add, for each answer, a transition of the case manager from {state!r} to "
                              "the same state recording it in the provider's place (with a form "
                              "holding answer_channel and provider_contact: docs/sop-language.md "
                              "§ 1, 'record_decline')", state=state),
                         severity="warning"))
    return out
