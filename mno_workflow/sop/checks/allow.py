"""Warnings an SOP explicitly accepts: ``lint: {allow: [W106], reason: "…"}`` on a state.

A design warning reported at that state (its key's position), or at the ``from:`` of a transition
leaving it (W101, a transition out of a final state, is reported there), with an allowed code
becomes an ``info`` diagnostic carrying the reason (``justified``): ``mno validate`` prints it,
``--strict`` does not fail on it. Errors are never allowed.
"""

from __future__ import annotations

import dataclasses

from ..diagnostics import Diagnostic, sop_words
from ..loader import LoadedSOP


def justify(loaded: LoadedSOP, diags: list[Diagnostic]) -> list[Diagnostic]:
    """``diags`` with every warning a state allows turned into a justified ``info`` line."""
    allowed: dict[tuple[int, int], tuple[set[str], str]] = {}
    for sid, step in loaded.model.steps.items():
        for st, state in step.states.items():
            if state.lint:
                pos = loaded.positions.of(("steps", sid, "states", st), key=True)
                allowed[pos] = (set(state.lint.allow), state.lint.reason)
        for i, t in enumerate(step.transitions):  # a warning at a transition's from: its sources'
            for src in t.sources:
                state = step.states.get(src)
                if state is not None and state.lint:
                    pos = loaded.positions.of(("steps", sid, "transitions", i, "from"))
                    codes, reason = allowed.get(pos, (set(), ""))
                    allowed[pos] = (codes | set(state.lint.allow), reason or state.lint.reason)
    out = []
    for d in diags:
        codes, reason = allowed.get((d.line, d.col), (set(), ""))
        if d.severity != "error" and d.code in codes:
            d = dataclasses.replace(d, severity="info", justified=sop_words(reason))
        out.append(d)
    return out
