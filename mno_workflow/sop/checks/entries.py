"""References of the SOP's ``entries`` (other ways in than ``start``: a first responder's alert).

E021: a role of ``by``, ``assign.to`` or ``assign.fallback`` that ``roles:`` does not define.
E024: ``start`` is not a step. E022: a ``prefill`` form that does not exist. E028: a field path
(``assign.region``, ``name``, ``describe``, ``prefill``) that no form defines. E044: the entry
cannot work as written — ``trigger`` is not a transition with a form leaving the start step's
initial state, a ``by`` role may not fire it, ``assign.region`` is not a choice field of that
form, a ``prefill`` pair joins fields of different types or option lists, a
``prefill_choices`` side is not a choice/multi field (its source: of the entry's form) or its
table names an option its list lacks, or a ``scope: reporter`` role appears on any other
transition (a first responder sees no case beyond its alert, so it may act on nothing else).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
from ..lint_names import use_one_of
from ..loader import LoadedSOP
from ..schema import FormField


def _field(sop, path: str) -> FormField | None:
    form_id, _, field_id = path.partition(".")
    form = sop.forms.get(form_id)
    return next((f for f in form.fields if f.id == field_id), None) if form else None


def check_entries(loaded: LoadedSOP) -> list[Diagnostic]:
    """Diagnostics of ``entries`` (see the module text); ``[]`` for an SOP without entries."""
    sop, d, out = loaded.model, loaded.diag, []
    entry_triggers: set[tuple[str, str]] = set()
    for eid, entry in sop.entries.items():
        base = ("entries", eid)
        for j, role in enumerate(entry.by):
            if role not in sop.roles:
                out.append(d(base + ("by", j), "E021", said("unknown role {name!r}", name=role),
                             use_one_of(sop.roles)))
        for key in ("to", "fallback"):
            role = getattr(entry.assign, key)
            if role and role not in sop.roles:
                out.append(d(base + ("assign", key), "E021", said("unknown role {name!r}", name=role),
                             use_one_of(sop.roles)))
        step = sop.steps.get(entry.start)
        if step is None:
            out.append(d(base + ("start",), "E024", said("unknown step {name!r}", name=entry.start),
                         use_one_of(sop.steps)))
            continue
        entry_triggers.add((entry.start, entry.trigger))
        initial = next((n for n, s in step.states.items() if s.initial), None)
        tr = next((t for t in step.transitions if t.trigger == entry.trigger and initial in t.sources), None)
        if tr is None or not tr.form:
            out.append(d(base + ("trigger",), "E044",
                         said("{trigger!r} is not a transition with a form leaving {state}",
                              trigger=entry.trigger, state=f"{entry.start}.{initial}"),
                         said("an entry fires, at creation, a transition with a form from its step's "
                              "initial state")))
            continue
        for j, role in enumerate(entry.by):
            if role in sop.roles and role not in tr.by:
                out.append(d(base + ("by", j), "E044",
                             said("role {role!r} may not fire {trigger!r}", role=role, trigger=entry.trigger),
                             said("add {role} to 'by' of the transition {trigger}", role=role,
                                  trigger=entry.trigger)))
        region = _field(sop, entry.assign.region)
        if region is None:
            out.append(d(base + ("assign", "region"), "E028",
                         said("unknown field {name!r}", name=entry.assign.region),
                         said("name a choice field of the entry's form, e.g. alert.region")))
        elif entry.assign.region.split(".")[0] not in tr.forms or region.type != "choice":
            out.append(d(base + ("assign", "region"), "E044",
                         said("{field!r} is not a choice field of the form {form!r}",
                              field=entry.assign.region, form=tr.form),
                         said("the region must come from the data filed with the entry")))
        paths = [(("name", i), p) for i, p in enumerate(entry.name)]
        if entry.describe:
            paths.append((("describe",), entry.describe))
        for where, p in paths:
            if _field(sop, p) is None:
                out.append(d(base + where, "E028", said("unknown field {name!r}", name=p),
                             said("name a field of the form {form!r}", form=tr.form)))
        for form_id, pairs in entry.prefill.items():
            if form_id not in sop.forms:
                out.append(d(base + ("prefill", form_id), "E022", said("unknown form {name!r}", name=form_id),
                             use_one_of(sop.forms), key=True))
                continue
            for field_id, source in pairs.items():
                target = _field(sop, f"{form_id}.{field_id}")
                src = _field(sop, source)
                where = base + ("prefill", form_id, field_id)
                if target is None:
                    out.append(d(where, "E028", said("unknown field {form}.{field}", form=form_id,
                                                     field=field_id), key=True,
                                 hint=said("use a field of the form {form!r}", form=form_id)))
                elif src is None:
                    out.append(d(where, "E028", said("unknown field {name!r}", name=source),
                                 said("name a field of the form {form!r}", form=tr.form)))
                elif (target.type, target.options) != (src.type, src.options):
                    out.append(d(where, "E044",
                                 said("{source} ({source_type}) cannot pre-fill {form}.{field} ({type})",
                                      source=source, source_type=f"{src.type}", form=form_id,
                                      field=field_id, type=f"{target.type}"),
                                 said("pre-fill a field of the same type and option list")))
        out += _check_choices(sop, d, base, entry, tr)
    reporters = {r for r, role in sop.roles.items() if role.scope == "reporter"}
    for sid, step in sop.steps.items():
        for i, t in enumerate(step.transitions):
            if (sid, t.trigger) in entry_triggers:
                continue
            for j, role in enumerate(t.by):
                if role in reporters:
                    out.append(d(("steps", sid, "transitions", i, "by", j), "E044",
                                 said("role {role!r} has scope 'reporter': it may only fire an entry's "
                                      "trigger", role=role),
                                 said("remove it from this transition, or give it another scope")))
    return out


def _check_choices(sop, d, base: tuple, entry, tr) -> list[Diagnostic]:
    """Diagnostics of an entry's ``prefill_choices`` (see the module text)."""
    out: list[Diagnostic] = []
    for form_id, rules in entry.prefill_choices.items():
        if form_id not in sop.forms:
            out.append(d(base + ("prefill_choices", form_id), "E022",
                         said("unknown form {name!r}", name=form_id), use_one_of(sop.forms), key=True))
            continue
        for field_id, rule in rules.items():
            where = base + ("prefill_choices", form_id, field_id)
            target, src = _field(sop, f"{form_id}.{field_id}"), _field(sop, rule.source)
            if target is None:
                out.append(d(where, "E028", said("unknown field {form}.{field}", form=form_id,
                                                 field=field_id),
                             key=True, hint=said("use a field of the form {form!r}", form=form_id)))
                continue
            if src is None or rule.source.split(".")[0] not in tr.forms:
                out.append(d(where + ("source",), "E028",
                             said("unknown field {name!r}", name=rule.source),
                             said("name a field of the form {form!r}", form=tr.form)))
                continue
            bad = [(p, f) for p, f in ((where + ("source",), src), (where, target))
                   if f.type not in ("choice", "multi") or not f.options]
            for p, f in bad:
                out.append(d(p, "E044", said("{name!r} is not a choice or multi field", name=f.id),
                             said("pre-tick options from options: a choice or multi field on both sides")))
            if bad:
                continue
            for code, targets in rule.options.items():
                for c, lst, p in [(code, src.options, where + ("options", code))] + [
                        (t, target.options, where + ("options", code, i)) for i, t in enumerate(targets)]:
                    if c not in sop.options.get(lst or "", {}):
                        known = sop.options.get(lst or "", {})
                        out.append(d(p, "E044", said("{code!r} is not an option of {options!r}", code=c,
                                                     options=lst), use_one_of(known)))
    return out
