"""Checks of a loaded SOP beyond its shape: references, languages, initial states, CEL guards.

Each rule has a stable code. Errors (``E0xx``) stop loading; warnings (``W1xx``) are design
advice reported by ``mno validate`` (``--strict`` makes them errors).

| code | rule |
|---|---|
| E020 | unknown state | E021 unknown role | E022 unknown form | E023 unknown option list |
| E024 | unknown step | E025 label missing a language | E026 not exactly one initial state |
| E027 | CEL expression does not compile or names an unknown form |
| E028 | unknown field reference ``form.field`` | E029 unknown trigger |
| E030 | French missing from ``languages`` | E031 duplicate id | E032 options misuse |
| E033 | field-dependent deadline misses a choice | E034 ``for_each`` is not a repeat field |
| W101 | final state with outgoing transitions | W102 unreachable state |
| W104 | option list never used | |
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .diagnostics import Diagnostic
from .expr import BUILTIN_NAMES, ExprError, compile_expr
from .loader import LoadedSOP
from .schema import SOP, ByField, FieldType, FormField


def _labels(sop: SOP) -> Iterator[tuple[tuple, dict]]:
    """Every label of the SOP with its path."""
    yield ("title",), sop.title
    if sop.description:
        yield ("description",), sop.description
    for rid, role in sop.roles.items():
        yield ("roles", rid, "label"), role.label
    for lid, opts in sop.options.items():
        for code, label in opts.items():
            yield ("options", lid, code), label
    for fid, form in sop.forms.items():
        yield ("forms", fid, "title"), form.title
        yield from _field_labels(form.fields, ("forms", fid, "fields"))
        for i, rule in enumerate(form.rules):
            yield ("forms", fid, "rules", i, "message"), rule.message
    for sid, step in sop.steps.items():
        yield ("steps", sid, "label"), step.label
        if step.description:
            yield ("steps", sid, "description"), step.description
        for st, state in step.states.items():
            yield ("steps", sid, "states", st, "label"), state.label
        for i, t in enumerate(step.transitions):
            yield ("steps", sid, "transitions", i, "label"), t.label
            if t.when_message:
                yield ("steps", sid, "transitions", i, "when_message"), t.when_message


def _field_labels(fields: list[FormField], path: tuple) -> Iterator[tuple[tuple, dict]]:
    for i, f in enumerate(fields):
        yield path + (i, "label"), f.label
        if f.help:
            yield path + (i, "help"), f.help
        if f.fields:
            yield from _field_labels(f.fields, path + (i, "fields"))


def field_index(sop: SOP) -> dict[str, FormField]:
    """``{"form.field": FormField}`` for every top-level field of every form."""
    return {f"{fid}.{f.id}": f for fid, form in sop.forms.items() for f in form.fields}


def check_references(loaded: LoadedSOP) -> list[Diagnostic]:
    """Every reference and language problem of ``loaded``; see the table in the module doc."""
    sop, d = loaded.model, loaded.diag
    out: list[Diagnostic] = []
    fields = field_index(sop)

    if "fr" not in sop.languages:
        out.append(d(("languages",), "E030", "French ('fr') must be one of the SOP languages",
                     "add fr to languages: [fr, en]"))
    for path, label in _labels(sop):
        for lang in sop.languages:
            if not str(label.get(lang, "")).strip():
                out.append(d(path, "E025", f"label missing language {lang!r}",
                             f"add '{lang}: ...' to this label"))
        for lang in label:
            if lang not in sop.languages:
                out.append(d(path + (lang,), "E025", f"label in {lang!r}, which is not in languages",
                             f"add {lang} to languages or remove it", key=True))

    if sop.start not in sop.steps:
        out.append(d(("start",), "E024", f"unknown step {sop.start!r}",
                     f"use one of: {', '.join(sop.steps)}"))

    for fid, form in sop.forms.items():
        out += _check_fields(loaded, form.fields, ("forms", fid, "fields"), fields)
        for i, rule in enumerate(form.rules):
            out += _check_expr(loaded, rule.check, ("forms", fid, "rules", i, "check"))

    for sid, step in sop.steps.items():
        base = ("steps", sid)
        initials = [s for s, st in step.states.items() if st.initial]
        if len(initials) != 1:
            out.append(d(base + ("states",), "E026",
                         f"step {sid!r} has {len(initials)} initial states; it needs exactly one",
                         "mark one state 'initial: true'"))
        for st, state in step.states.items():
            if state.owner and state.owner not in sop.roles:
                out.append(_unknown(loaded, base + ("states", st, "owner"), "E021", "role",
                                    state.owner, sop.roles))
            if state.deadline:
                out += _check_deadline(loaded, step, state.deadline, base + ("states", st, "deadline"),
                                       fields)
        for i, t in enumerate(step.transitions):
            tp = base + ("transitions", i)
            for j, src in enumerate(t.sources):
                if src != "*" and src not in step.states:
                    p = tp + ("from", j) if isinstance(t.source, list) else tp + ("from",)
                    out.append(_unknown(loaded, p, "E020", "state", src, step.states))
            if t.dest is not None and t.dest not in step.states:
                out.append(_unknown(loaded, tp + ("to",), "E020", "state", t.dest, step.states))
            for j, role in enumerate(t.by):
                if role not in sop.roles:
                    out.append(_unknown(loaded, tp + ("by", j), "E021", "role", role, sop.roles))
            if t.form and t.form not in sop.forms:
                out.append(_unknown(loaded, tp + ("form",), "E022", "form", t.form, sop.forms))
            if t.when:
                out += _check_expr(loaded, t.when, tp + ("when",))
            if t.dest in step.states and any(
                s in step.states and step.states[s].final for s in t.sources if s != "*"
            ):
                out.append(d(tp + ("from",), "W101", "transition leaves a final state",
                             "make the source state non-final, or remove this transition",
                             severity="warning"))
        if step.recipient and step.recipient not in fields:
            out.append(_unknown(loaded, base + ("recipient",), "E028", "field", step.recipient, fields))
        if not isinstance(step.instances, str):
            fe = step.instances
            f = fields.get(fe.for_each)
            if f is None:
                out.append(_unknown(loaded, base + ("instances", "for_each"), "E028", "field",
                                    fe.for_each, fields))
            elif f.type != FieldType.repeat:
                out.append(d(base + ("instances", "for_each"), "E034",
                             f"{fe.for_each!r} is a {f.type} field, not a repeat group",
                             "point for_each at a field of type repeat"))
            elif fe.key and fe.key not in {sub.id for sub in f.fields or []}:
                out.append(d(base + ("instances", "key"), "E028",
                             f"{fe.key!r} is not a field of the repeat group {fe.for_each!r}",
                             f"use one of: {', '.join(sub.id for sub in f.fields or [])}"))
            if fe.where:
                out += _check_expr(loaded, fe.where, base + ("instances", "where"))
        out += _check_reachability(loaded, sid)

    for i, rule in enumerate(sop.flow):
        step_id, _, state = rule.after.partition(".")
        if step_id not in sop.steps:
            out.append(_unknown(loaded, ("flow", i, "after"), "E024", "step", step_id, sop.steps))
        elif state not in ("all_final", "any_final") and state not in sop.steps[step_id].states:
            out.append(_unknown(loaded, ("flow", i, "after"), "E020", "state", state,
                                sop.steps[step_id].states))
        if rule.start and rule.start not in sop.steps:
            out.append(_unknown(loaded, ("flow", i, "start"), "E024", "step", rule.start, sop.steps))

    if sop.reopen:
        if sop.reopen.start not in sop.steps:
            out.append(_unknown(loaded, ("reopen", "start"), "E024", "step", sop.reopen.start, sop.steps))
        for j, role in enumerate(sop.reopen.by):
            if role not in sop.roles:
                out.append(_unknown(loaded, ("reopen", "by", j), "E021", "role", role, sop.roles))
    for sid, step in sop.steps.items():
        if step.disclosure:
            out += _check_expr(loaded, step.disclosure, ("steps", sid, "disclosure"))
    for i, ref in enumerate(sop.case_summary.name):
        if ref not in fields:
            out.append(_unknown(loaded, ("case_summary", "name", i), "E028", "field", ref, fields))
    if sop.case_summary.region and sop.case_summary.region not in fields:
        out.append(_unknown(loaded, ("case_summary", "region"), "E028", "field", sop.case_summary.region,
                            fields))

    used = {f.options for f in _all_fields(sop) if f.options}
    for lid in sop.options:
        if lid not in used:
            out.append(d(("options", lid), "W104", f"option list {lid!r} is never used",
                         "remove it or use it in a choice/multi field", severity="warning", key=True))
    return out


def _all_fields(sop: SOP) -> Iterator[FormField]:
    stack = [f for form in sop.forms.values() for f in form.fields]
    while stack:
        f = stack.pop()
        yield f
        stack.extend(f.fields or [])


def _unknown(loaded: LoadedSOP, path: tuple, code: str, kind: str, name: str, known: Any) -> Diagnostic:
    names = ", ".join(sorted(known)) or "none defined"
    return loaded.diag(path, code, f"unknown {kind} {name!r}", f"use one of: {names}")


def _check_fields(loaded: LoadedSOP, fields: list[FormField], path: tuple,
                  index: dict[str, FormField]) -> list[Diagnostic]:
    out, d, sop = [], loaded.diag, loaded.model
    seen: set[str] = set()
    for i, f in enumerate(fields):
        fp = path + (i,)
        if f.id in seen:
            out.append(d(fp + ("id",), "E031", f"duplicate field id {f.id!r}", "give each field its own id"))
        seen.add(f.id)
        if f.type in (FieldType.choice, FieldType.multi):
            if not f.options:
                out.append(d(fp, "E032", f"{f.type} field {f.id!r} needs 'options'",
                             "name an option list defined under options:"))
            elif f.options not in sop.options:
                out.append(_unknown(loaded, fp + ("options",), "E023", "option list", f.options,
                                    sop.options))
        elif f.options:
            out.append(d(fp + ("options",), "E032", f"a {f.type} field takes no options",
                         "use type choice or multi"))
        if f.type == FieldType.repeat and not f.fields:
            out.append(d(fp, "E032", f"repeat field {f.id!r} needs 'fields'", "list the group's fields"))
        if f.fields and f.type != FieldType.repeat:
            out.append(d(fp + ("fields",), "E032", "only a repeat field has sub-fields",
                         "use type repeat"))
        if f.not_before and f.not_before not in index:
            out.append(_unknown(loaded, fp + ("not_before",), "E028", "field", f.not_before, index))
        if f.relevant:
            out += _check_expr(loaded, f.relevant, fp + ("relevant",), extra={f_.id for f_ in fields})
        if f.fields:
            out += _check_fields(loaded, f.fields, fp + ("fields",), index)
    return out


def _check_expr(loaded: LoadedSOP, source: str, path: tuple, extra: set[str] | None = None
                ) -> list[Diagnostic]:
    try:
        expr = compile_expr(source)
    except ExprError as e:
        return [loaded.diag(path, "E027", f"CEL expression does not compile: {e}",
                            "see https://cel.dev for the syntax, e.g. consent.given && x > 1")]
    known = set(loaded.model.forms) | BUILTIN_NAMES | (extra or set())
    return [loaded.diag(path, "E027", f"CEL expression reads unknown name {name!r}",
                        f"use a form id ({', '.join(sorted(loaded.model.forms))}) or item, today, now")
            for name in sorted(expr.variables - known)]


def _check_deadline(loaded: LoadedSOP, step: Any, deadline: Any, path: tuple,
                    fields: dict[str, FormField]) -> list[Diagnostic]:
    out, d, sop = [], loaded.diag, loaded.model
    if isinstance(deadline.within, ByField):
        f = fields.get(deadline.within.by)
        if f is None:
            out.append(_unknown(loaded, path + ("within", "by"), "E028", "field", deadline.within.by, fields))
        elif f.type != FieldType.choice:
            out.append(d(path + ("within", "by"), "E033",
                         f"{deadline.within.by!r} is a {f.type} field: a deadline chooses its duration by "
                         "the code of a choice field", "point 'by' at a choice field (e.g. a priority)"))
        elif f.options in sop.options:
            missing = set(sop.options[f.options]) - set(deadline.within.cases)
            extra = set(deadline.within.cases) - set(sop.options[f.options])
            if missing:
                out.append(d(path + ("within", "cases"), "E033",
                             f"deadline has no value for {', '.join(sorted(missing))}",
                             f"add a duration for every option of {f.options!r}"))
            for code in sorted(extra):
                out.append(d(path + ("within", "cases", code), "E033",
                             f"{code!r} is not an option of {f.options!r}", "remove it", key=True))
    if deadline.start and deadline.start != "entered":
        f = fields.get(deadline.start)
        if f is None:
            out.append(_unknown(loaded, path + ("start",), "E028", "field", deadline.start, fields))
        elif f.type not in (FieldType.date, FieldType.datetime):
            out.append(d(path + ("start",), "E028", f"{deadline.start!r} is not a date field",
                         "start a deadline clock on a date or datetime field"))
    if deadline.on_expiry:
        if deadline.on_expiry.escalate and deadline.on_expiry.escalate not in sop.roles:
            out.append(_unknown(loaded, path + ("on_expiry", "escalate"), "E021", "role",
                                deadline.on_expiry.escalate, sop.roles))
    if deadline.wait_for:
        out += _check_expr(loaded, deadline.wait_for, path + ("wait_for",))
    for j, role in enumerate(deadline.extend_by or []):
        if role not in sop.roles:
            out.append(_unknown(loaded, path + ("extend_by", j), "E021", "role", role, sop.roles))
    if deadline.on_expiry:
        triggers = {t.trigger for t in step.transitions}
        if deadline.on_expiry.fire and deadline.on_expiry.fire not in triggers:
            out.append(_unknown(loaded, path + ("on_expiry", "fire"), "E029", "trigger",
                                deadline.on_expiry.fire, triggers))
    return out


def _check_reachability(loaded: LoadedSOP, sid: str) -> list[Diagnostic]:
    step = loaded.model.steps[sid]
    initials = [s for s, st in step.states.items() if st.initial]
    if len(initials) != 1:
        return []
    seen, todo = {initials[0]}, [initials[0]]
    while todo:
        cur = todo.pop()
        for t in step.transitions:
            if (cur in t.sources or ("*" in t.sources and not step.states[cur].final)) \
                    and t.dest in step.states and t.dest not in seen:
                seen.add(t.dest)
                todo.append(t.dest)
    return [loaded.diag(("steps", sid, "states", st), "W102", f"state {st!r} cannot be reached",
                        "add a transition into it, or remove it", severity="warning", key=True)
            for st in step.states if st not in seen]


def lint(loaded: LoadedSOP) -> list[Diagnostic]:
    """Every diagnostic (errors and warnings) of an SOP that loaded."""
    return check_references(loaded)
