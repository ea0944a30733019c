"""Checks of a step's deadlines (E021, E028, E029, E033) and of the data it discloses to a
recipient organisation (E035, law 001-2021/AN)."""

from __future__ import annotations

from typing import Any

from .checks.notify import check_notify
from .diagnostics import Diagnostic, said
from .lint_exprs import check_expr
from .lint_names import unknown
from .loader import LoadedSOP
from .schema import SOP, ByField, FieldType, FormField, Step


def role_scope(sop: SOP, role: str | None) -> str | None:
    """The ``scope`` of ``role`` (None when the SOP has no such role)."""
    return sop.roles[role].scope if role in sop.roles else None


def expand(step: Step, sources: list[str]) -> set[str]:
    """Source states of a transition, the wildcard ``*`` standing for every non-final state."""
    out: set[str] = set()
    for src in sources:
        if src == "*":
            out |= {n for n, s in step.states.items() if not s.final}
        elif src in step.states:
            out.add(src)
    return out


def check_disclosure(loaded: LoadedSOP, sid: str) -> list[Diagnostic]:
    """E035: in a step with ``recipient``, data reaches the recipient's organisation when a
    transition enters a state owned by a ``scope: recipient`` role from a state that is not: that
    transition needs a ``when`` guard (consent), and the step a ``disclosure`` condition."""
    sop, d = loaded.model, loaded.diag
    step = sop.steps[sid]
    if not step.recipient:
        return []
    out = []
    if not step.disclosure:
        out.append(d(("steps", sid, "recipient"), "E035",
                     said("step {step!r} sends data to the organisation in {recipient!r} but has no "
                          "'disclosure' condition (law 001-2021/AN)", step=sid, recipient=step.recipient),
                     said("add a 'disclosure:' consent condition, e.g. "
                          "'service_provider' in consent.share_with"),
                     key=True))
    recip = {n for n, s in step.states.items()
             if any(role_scope(sop, r) == "recipient" for r in s.owner_roles)}
    for i, t in enumerate(step.transitions):
        if t.internal or t.dest not in recip or t.when:
            continue
        crossing = sorted(expand(step, t.sources) - recip)
        if crossing:
            out.append(d(("steps", sid, "transitions", i), "E035",
                         said("transition {trigger!r} discloses the case to the recipient "
                              "(from {sources} to {dest}) without a 'when' guard (law 001-2021/AN)",
                              trigger=t.trigger, sources=", ".join(crossing), dest=t.dest),
                         said("add a 'when:' guard checking consent (e.g. the same condition as "
                              "disclosure)")))
    return out


def check_deadline(loaded: LoadedSOP, step: Any, deadline: Any, path: tuple,
                   fields: dict[str, FormField]) -> list[Diagnostic]:
    """Diagnostics of ``deadline`` (of a state of ``step``, at ``path``): its ``by`` choice
    field and cases (E028, E033), ``start`` (E028), roles (E021), trigger (E029), conditions."""
    out, sop = [], loaded.model
    if isinstance(deadline.within, ByField):
        out += _check_by(loaded, path, deadline.within, _with_item(sop, path, fields))
    out += _check_start(loaded, path, deadline.start, fields)
    for i, cap in enumerate(deadline.no_later_than):
        cp = path + ("no_later_than", i)
        if cp not in loaded.positions.values:  # written as one mapping, not a list
            cp = path + ("no_later_than",)
        if isinstance(cap.within, ByField):
            out += _check_by(loaded, cp, cap.within, _with_item(sop, path, fields))
        out += _check_start(loaded, cp, cap.start, fields)
        if cap.when:  # ``item`` is any field an item of the step may hold (its spawns' too)
            from ..engine.item_source import MARK, step_item_fields
            ids = set(step_item_fields(sop, path[1])) | {MARK} if path[0] == "steps" else set()
            out += check_expr(loaded, cap.when, cp + ("when",),
                              item=(said("an item of step {step!r}", step=path[1]), ids) if ids else None)
    if deadline.on_expiry:
        if deadline.on_expiry.escalate and deadline.on_expiry.escalate not in sop.roles:
            out.append(unknown(loaded, path + ("on_expiry", "escalate"), "E021", "role",
                               deadline.on_expiry.escalate, sop.roles))
    if deadline.wait_for:
        out += check_expr(loaded, deadline.wait_for, path + ("wait_for",))
    if deadline.until:
        out += check_expr(loaded, deadline.until, path + ("until",))
    out += check_notify(loaded, path[1], deadline.notify, path + ("notify",))
    for j, role in enumerate(deadline.extend_by or []):
        if role not in sop.roles:
            out.append(unknown(loaded, path + ("extend_by", j), "E021", "role", role, sop.roles))
    if deadline.on_expiry:
        triggers = {t.trigger for t in step.transitions}
        if deadline.on_expiry.fire and deadline.on_expiry.fire not in triggers:
            out.append(unknown(loaded, path + ("on_expiry", "fire"), "E029", "trigger",
                               deadline.on_expiry.fire, triggers))
    return out


def _with_item(sop: Any, path: tuple, fields: dict[str, FormField]) -> dict[str, FormField]:
    """``fields`` plus ``item.<field>`` for every field an item of the step at ``path`` may hold
    (:func:`~mno_workflow.engine.item_source.step_item_fields`)."""
    from ..engine.item_source import step_item_fields
    items = step_item_fields(sop, path[1]) if len(path) > 1 and path[0] == "steps" else {}
    return {**fields, **{f"item.{k}": f for k, f in items.items()}}


def _check_by(loaded: LoadedSOP, path: tuple, within: ByField,
              fields: dict[str, FormField]) -> list[Diagnostic]:
    """E028/E033 of a duration chosen by a field (``within: {by, cases}`` at ``path``)."""
    out, d, sop = [], loaded.diag, loaded.model
    # ``within: {from_directory: …, default: {by, cases}}``: the default's own lines (issue 13)
    inner = ("within", "default") if path + ("within", "default", "by") in loaded.positions.values \
        else ("within",)
    f = fields.get(within.by)
    if f is None:
        out.append(d(path + (*inner, "by"), "E028", said("unknown field {name!r}", name=within.by),
                     by_hint(sop, within, fields)))
    elif f.type != FieldType.choice:
        out.append(d(path + (*inner, "by"), "E033",
                     said("{field!r} is a {type} field: a deadline chooses its duration by the code of "
                          "a choice field", field=within.by, type=str(f.type)),
                     by_hint(sop, within, fields)))
    elif f.options in sop.options:
        missing = set(sop.options[f.options]) - set(within.cases)
        extra = set(within.cases) - set(sop.options[f.options])
        if missing:
            out.append(d(path + (*inner, "cases"), "E033",
                         said("deadline has no value for {codes}", codes=", ".join(sorted(missing))),
                         said("add a duration for every option of {options!r}", options=f.options)))
        for code in sorted(extra):
            out.append(d(path + (*inner, "cases", code), "E033",
                         said("{code!r} is not an option of {options!r}", code=code, options=f.options),
                         said("remove it"), key=True))
    return out


def by_hint(sop: SOP, within: ByField, fields: dict[str, FormField]) -> str:
    """The hint of a wrong ``within: {by: …}``: the choice fields of the forms and of the step's
    item (``fields``) whose options hold codes the ``cases`` map keys on — the most codes first,
    the nearest to ``by`` first among equals (difflib) — or, when none holds any, every choice
    field, nearest first; never the text, date or number fields a duration cannot be keyed on."""
    import difflib
    choices = {k: set(sop.options.get(f.options or "", {})) for k, f in fields.items()
               if f.type == FieldType.choice}
    if not choices:
        return said("no choice field to choose a duration by here: add one to a form (e.g. a "
                    "priority) and key 'cases' on its options")
    codes = set(within.cases)
    keyed = {k: len(opts & codes) for k, opts in choices.items() if opts & codes}
    pool = keyed or dict.fromkeys(choices, 0)
    near = difflib.get_close_matches(within.by, list(pool), n=len(pool), cutoff=0.6)
    names = ", ".join(sorted(pool, key=lambda k: (-pool[k], k not in near,
                                                  near.index(k) if k in near else 0, k)))
    if keyed:
        return said("point 'by' at a choice field whose options are codes of 'cases' ({codes}): {names}",
                    codes=", ".join(sorted(codes)), names=names)
    return said("point 'by' at a choice field, and key 'cases' on its options: {names}", names=names)


def _check_start(loaded: LoadedSOP, path: tuple, start: str | None,
                 fields: dict[str, FormField]) -> list[Diagnostic]:
    """E028 of a deadline's (or a cap's) ``start`` at ``path``: a step's state, or a date or
    datetime field of a form or of the step's item."""
    out, d, sop = [], loaded.diag, loaded.model
    if start and start.startswith("steps."):  # a step's state (issue 13)
        from ..engine.step_start import step_start_problem
        why = step_start_problem(sop, start)
        if why:
            out.append(d(path + ("start",), "E028", why, said("write steps.<step>.<state>, e.g. "
                                                               "steps.identification.identified")))
    elif start and start != "entered":
        known = _with_item(sop, path, fields)
        f = known.get(start)
        dates = [k for k, x in known.items() if x.type in (FieldType.date, FieldType.datetime)]
        if f is None:
            out.append(d(path + ("start",), "E028", said("unknown field {name!r}", name=start),
                         start_hint(start, dates)))
        elif f.type not in (FieldType.date, FieldType.datetime):
            out.append(d(path + ("start",), "E028",
                         said("{field!r} is not a date field", field=start), start_hint(start, dates)))
    return out


def start_hint(start: str, dates: list[str]) -> str:
    """The hint of a wrong ``start``: what it may name, i.e. the date and datetime fields of the
    forms and of the step's item (``dates``), the nearest to ``start`` first (« did you mean »
    order, difflib), then the others in order of name; or a step's state."""
    import difflib
    if not dates:
        return said("no date or datetime field to start from here: start a deadline clock on a "
                    "step's state (steps.<step>.<state>)")
    near = difflib.get_close_matches(start, dates, n=len(dates), cutoff=0.6)
    names = ", ".join(near + sorted(set(dates) - set(near)))
    return said("start a deadline clock on a date or datetime field: {names}; or on a step's state "
                "(steps.<step>.<state>)", names=names)
