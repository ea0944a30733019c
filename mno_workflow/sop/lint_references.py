"""The errors that stop an SOP from loading (E020-E045 but E037): references to states, roles,
forms, steps, fields and option lists, labels in every language, one initial state per step,
CEL conditions, field definitions; called by the loader (:func:`check_references`)."""

from __future__ import annotations

from collections.abc import Iterator

from ..indicators.lint import check_indicators
from .checks.calendar import check_calendar
from .checks.effective import check_effective_at
from .checks.entries import check_entries
from .checks.forms import check_forms
from .checks.notify import check_notify
from .checks.owner import check_owner
from .checks.service_levels import check_service_levels
from .checks.spawn import check_spawn
from .diagnostics import Diagnostic, said
from .lint_design import check_reachability
from .lint_exprs import _NO_ITEM, check_expr, step_item
from .lint_names import all_fields, field_index, unknown, use_one_of
from .lint_protection import check_protection
from .lint_steps import check_deadline, check_disclosure
from .loader import LoadedSOP
from .schema import SOP, FieldType, FormField


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
        if not isinstance(step.instances, str) and step.instances.where_label:
            yield ("steps", sid, "instances", "where_label"), step.instances.where_label
        for st, state in step.states.items():
            yield ("steps", sid, "states", st, "label"), state.label
            for i, cap in enumerate(state.deadline.no_later_than if state.deadline else []):
                if cap.when_label:
                    yield (("steps", sid, "states", st, "deadline", "no_later_than", i, "when_label"),
                           cap.when_label)
        for i, t in enumerate(step.transitions):
            yield ("steps", sid, "transitions", i, "label"), t.label
            if t.when_message:
                yield ("steps", sid, "transitions", i, "when_message"), t.when_message
            if t.when_label:
                yield ("steps", sid, "transitions", i, "when_label"), t.when_label
    for i, rule in enumerate(sop.flow):
        if rule.when_label:
            yield ("flow", i, "when_label"), rule.when_label


def _field_labels(fields: list[FormField], path: tuple) -> Iterator[tuple[tuple, dict]]:
    for i, f in enumerate(fields):
        yield path + (i, "label"), f.label
        if f.help:
            yield path + (i, "help"), f.help
        if f.relevant_label:
            yield path + (i, "relevant_label"), f.relevant_label
        if f.fields:
            yield from _field_labels(f.fields, path + (i, "fields"))


def check_references(loaded: LoadedSOP) -> list[Diagnostic]:
    """Every reference and language problem of ``loaded``; see the table in the module doc."""
    sop, d = loaded.model, loaded.diag
    out: list[Diagnostic] = []
    fields = field_index(sop)

    if "fr" not in sop.languages:
        out.append(d(("languages",), "E030", said("French ('fr') must be one of the SOP languages"),
                     said("add fr to languages: [fr, en]")))
    for path, label in _labels(sop):
        for lang in sop.languages:
            if not str(label.get(lang, "")).strip():
                out.append(d(path, "E025", said("label missing language {lang!r}", lang=lang),
                             said("add '{lang}: ...' to this label", lang=lang)))
        for lang in label:
            if lang not in sop.languages:
                out.append(d(path + (lang,), "E025", said("label in {lang!r}, which is not in languages",
                                                          lang=lang),
                             said("add {lang} to languages or remove it", lang=lang), key=True))

    out += check_calendar(loaded)
    out += check_service_levels(loaded)  # issue 13: from_directory needs recipient + service
    if sop.start not in sop.steps:
        out.append(d(("start",), "E024", said("unknown step {name!r}", name=sop.start),
                     use_one_of(sop.steps)))  # « none defined » for no step (tryout 4, G2)

    for fid, form in sop.forms.items():
        out += _check_fields(loaded, form.fields, ("forms", fid, "fields"), fields)
        for i, rule in enumerate(form.rules):
            out += check_expr(loaded, rule.check, ("forms", fid, "rules", i, "check"), item=_NO_ITEM)

    for sid, step in sop.steps.items():
        base = ("steps", sid)
        item = step_item(sop, step)
        initials = [s for s, st in step.states.items() if st.initial]
        if len(initials) != 1:
            out.append(d(base + ("states",), "E026",
                         said("step {step!r} has {n} initial states; it needs exactly one", step=sid,
                              n=len(initials)),
                         said("mark one state 'initial: true'")))
        for st, state in step.states.items():
            out += check_owner(loaded, sid, st, field_index(sop))
            if state.deadline:
                out += check_deadline(loaded, step, state.deadline, base + ("states", st, "deadline"),
                                       fields)
        for i, t in enumerate(step.transitions):
            tp = base + ("transitions", i)
            for j, src in enumerate(t.sources):
                if src != "*" and src not in step.states:
                    p = tp + ("from", j) if isinstance(t.source, list) else tp + ("from",)
                    out.append(unknown(loaded, p, "E020", "state", src, step.states))
            if t.dest is not None and t.dest not in step.states:
                out.append(unknown(loaded, tp + ("to",), "E020", "state", t.dest, step.states))
            for j, role in enumerate(t.by):
                if role not in sop.roles:
                    out.append(unknown(loaded, tp + ("by", j), "E021", "role", role, sop.roles))
            out += check_forms(loaded, t, tp + ("form",))  # one form or a list (sop/checks/forms.py)
            if t.when:
                out += check_expr(loaded, t.when, tp + ("when",), item=item)
            out += check_notify(loaded, sid, t.notify, tp + ("notify",))
            out += check_spawn(loaded, t, tp + ("spawn",))
            out += check_effective_at(loaded, t, tp + ("effective_at",))
            if t.dest in step.states and any(
                s in step.states and step.states[s].final for s in t.sources if s != "*"
            ):
                out.append(d(tp + ("from",), "W101", said("transition leaves a final state"),
                             said("make the source state non-final, or remove this transition"),
                             severity="warning"))
        if step.recipient and step.recipient not in fields:
            out.append(unknown(loaded, base + ("recipient",), "E028", "field", step.recipient, fields))
        if not isinstance(step.instances, str):
            fe = step.instances
            f = fields.get(fe.for_each)
            if f is None:
                out.append(unknown(loaded, base + ("instances", "for_each"), "E028", "field",
                                    fe.for_each, fields))
            elif f.type != FieldType.repeat:
                out.append(d(base + ("instances", "for_each"), "E034",
                             said("{field!r} is a {type} field, not a repeat group", field=fe.for_each,
                                  type=f"{f.type}"),
                             said("point for_each at a field of type repeat")))
            elif fe.key and fe.key not in {sub.id for sub in f.fields or []}:
                out.append(d(base + ("instances", "key"), "E028",
                             said("{key!r} is not a field of the repeat group {group!r}", key=fe.key,
                                  group=fe.for_each),
                             use_one_of(sub.id for sub in f.fields or [])))
            if fe.where:
                out += check_expr(loaded, fe.where, base + ("instances", "where"), item=item)
        out += check_reachability(loaded, sid)

    for i, rule in enumerate(sop.flow):
        if rule.when:
            out += check_expr(loaded, rule.when, ("flow", i, "when"))
        step_id, _, state = rule.after.partition(".")
        if step_id not in sop.steps:
            out.append(unknown(loaded, ("flow", i, "after"), "E024", "step", step_id, sop.steps))
        elif state not in ("all_final", "any_final") and state not in sop.steps[step_id].states:
            out.append(unknown(loaded, ("flow", i, "after"), "E020", "state", state,
                                sop.steps[step_id].states))
        if rule.start and rule.start not in sop.steps:
            out.append(unknown(loaded, ("flow", i, "start"), "E024", "step", rule.start, sop.steps))

    if sop.reopen:
        if sop.reopen.start not in sop.steps:
            out.append(unknown(loaded, ("reopen", "start"), "E024", "step", sop.reopen.start, sop.steps))
        for j, role in enumerate(sop.reopen.by):
            if role not in sop.roles:
                out.append(unknown(loaded, ("reopen", "by", j), "E021", "role", role, sop.roles))
    for j, role in enumerate(sop.retention.erase_by if sop.retention else []):
        if role not in sop.roles:
            out.append(unknown(loaded, ("retention", "erase_by", j), "E021", "role", role, sop.roles))
    for sid, step in sop.steps.items():
        if step.disclosure:
            out += check_expr(loaded, step.disclosure, ("steps", sid, "disclosure"),
                               item=step_item(sop, step))
        out += check_disclosure(loaded, sid)
    for i, ref in enumerate(sop.case_summary.name):
        if ref not in fields:
            out.append(unknown(loaded, ("case_summary", "name", i), "E028", "field", ref, fields))
    for key in ("region", "birth_date", "estimated_age", "phone"):
        ref = getattr(sop.case_summary, key)
        if ref and ref not in fields:
            out.append(unknown(loaded, ("case_summary", key), "E028", "field", ref, fields))

    out += check_protection(loaded)
    out += check_indicators(loaded)
    out += check_entries(loaded)  # ways in other than ``start`` (first responders' alerts)
    used = {f.options for f in all_fields(sop) if f.options}
    for lid in sop.options:
        if lid not in used:
            out.append(d(("options", lid), "W104", said("option list {name!r} is never used", name=lid),
                         said("remove it or use it in a choice/multi field"), severity="warning", key=True))
    return out


def _check_fields(loaded: LoadedSOP, fields: list[FormField], path: tuple,
                  index: dict[str, FormField], group: str | None = None) -> list[Diagnostic]:
    out, d, sop = [], loaded.diag, loaded.model
    seen: set[str] = set()
    for i, f in enumerate(fields):
        fp = path + (i,)
        if f.id in seen:
            out.append(d(fp + ("id",), "E031", said("duplicate field id {field!r}", field=f.id),
                         said("give each field its own id")))
        seen.add(f.id)
        if f.type in (FieldType.choice, FieldType.multi):
            if not f.options:
                out.append(d(fp, "E032", said("{type} field {field!r} needs 'options'", type=f"{f.type}",
                                              field=f.id),
                             said("name an option list defined under options:")))
            elif f.options not in sop.options:
                out.append(unknown(loaded, fp + ("options",), "E023", "option list", f.options,
                                    sop.options))
        elif f.options:
            out.append(d(fp + ("options",), "E032", said("a {type} field takes no options", type=f"{f.type}"),
                         said("use type choice or multi")))
        if f.type == FieldType.repeat and not f.fields:
            out.append(d(fp, "E032", said("repeat field {field!r} needs 'fields'", field=f.id),
                         said("list the group's fields")))
        if f.fields and f.type != FieldType.repeat:
            out.append(d(fp + ("fields",), "E032", said("only a repeat field has sub-fields"),
                         said("use type repeat")))
        if f.default and f.type not in (FieldType.date, FieldType.datetime):
            out.append(d(fp + ("default",), "E032", said(
                "'default: {default}' only suits a date or datetime field, not {type} field {field!r}",
                default=f.default, type=f.type.value, field=f.id), said("remove it or change the type")))
        if f.rows_from is not None:
            out += _check_rows_from(loaded, f, fp + ("rows_from",))
        if f.not_before and f.not_before not in index:
            out.append(unknown(loaded, fp + ("not_before",), "E028", "field", f.not_before, index))
        if f.relevant:
            item = (said("the repeat group {name!r}", name=group), {f_.id for f_ in fields}) if group \
                else _NO_ITEM
            out += check_expr(loaded, f.relevant, fp + ("relevant",), extra={f_.id for f_ in fields},
                               item=item)
        if f.fields:
            out += _check_fields(loaded, f.fields, fp + ("fields",), index,
                                 group=f"{path[1]}.{f.id}" if group is None else f"{group}.{f.id}")
    return out


def _check_rows_from(loaded: LoadedSOP, f: FormField, path: tuple) -> list[Diagnostic]:
    """``rows_from: {step, key}`` of field ``f`` at ``path``: E032 on a field that is not a repeat
    group, E024 for an unknown step, E034 for a step without ``for_each``, E028 for a ``key`` that is
    not a sub-field, E032 for a ``key`` that is not a choice field."""
    d, sop, rf = loaded.diag, loaded.model, f.rows_from
    assert rf is not None
    if f.type != FieldType.repeat:
        return [d(path, "E032", said("'rows_from' only suits a repeat field, not {type} field {field!r}",
                                     type=f.type.value, field=f.id), said("remove it or change the type"))]
    out: list[Diagnostic] = []
    step = sop.steps.get(rf.step)
    if step is None:
        out.append(d(path + ("step",), "E024", said("unknown step {name!r}", name=rf.step),
                     use_one_of(sop.steps)))
    elif isinstance(step.instances, str):
        out.append(d(path + ("step",), "E034", said("step {step!r} has a single instance", step=rf.step),
                     said("rows_from takes the instances of a step with {shape}",
                          shape="'instances: {for_each: ...}'")))
    sub = next((x for x in f.fields or [] if x.id == rf.key), None)
    if sub is None:
        out.append(d(path + ("key",), "E028",
                     said("{key!r} is not a field of the repeat group {group!r}", key=rf.key, group=f.id),
                     said("use one of: {names}", names=", ".join(x.id for x in f.fields or []))))
    elif sub.type != FieldType.choice:
        out.append(d(path + ("key",), "E032",
                     said("'rows_from' key {key!r} is a {type} field, not a choice field",
                          key=rf.key, type=sub.type.value),
                     said("name the choice sub-field that holds the instance's key")))
    return out
