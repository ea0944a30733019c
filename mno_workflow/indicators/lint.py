"""Checks of the SOP's ``indicators:`` section, with file:line:col (codes E070–E074, W170, W172).

| code | severity | rule |
|---|---|---|
| E070 | error | an event match names an unknown step, state or trigger of that step |
| E071 | error | a field (``form.field``) is unknown, or ``items`` is not a repeat field |
| E072 | error | ``by`` names an unknown dimension, or a dimension an unknown option list |
| E073 | error | two indicators have the same code |
| E074 | error | ``item`` dimension names no field of the repeat the SOP iterates on |
| W170 | warning | ``within_deadline`` counts a state without a deadline (always empty) |
| W172 | warning | ``triggers`` leave out an answer recorded on behalf (``effective_at``) |
"""

from __future__ import annotations

from ..sop.diagnostics import Diagnostic, said
from ..sop.loader import LoadedSOP
from .schema import FieldStart, Match


def _field_index(sop):
    from ..sop.lint import field_index

    return field_index(sop)


def _match(loaded: LoadedSOP, m: Match, path: tuple) -> list[Diagnostic]:
    sop, out = loaded.model, []
    step = sop.steps.get(m.step)
    if step is None:
        return [
            loaded.diag(
                path + ("step",),
                "E070",
                said("unknown step {name!r}", name=m.step),
                said("use one of: {names}", names=", ".join(sorted(sop.steps))),
            )
        ]
    for attr, key in (("to", "to"), ("from_", "from")):
        for i, st in enumerate(getattr(m, attr)):
            if st not in step.states:
                out.append(
                    loaded.diag(
                        path + (key, i),
                        "E070",
                        said("unknown state {state!r} of step {step!r}", state=st, step=m.step),
                        said("use one of: {names}", names=", ".join(step.states)),
                    )
                )
    triggers = {t.trigger for t in step.transitions}
    for i, tr in enumerate(m.triggers):
        if tr not in triggers:
            out.append(
                loaded.diag(
                    path + ("triggers", i),
                    "E070",
                    said("unknown trigger {trigger!r} of step {step!r}", trigger=tr, step=m.step),
                    said("use one of: {names}", names=", ".join(sorted(triggers))),
                )
            )
    return out


def _on_behalf_left_out(loaded: LoadedSOP, m: Match, path: tuple) -> list[Diagnostic]:
    """W172: a transition with ``effective_at`` (an answer recorded on a provider's behalf) that
    makes the same move (same ``to``, a common ``from``) as a trigger ``m`` counts, left out of
    ``m.triggers``: the answers of a provider off the platform would not count."""
    step = loaded.model.steps.get(m.step)
    if step is None or not m.triggers:
        return []
    counted = [t for t in step.transitions if t.trigger in m.triggers]
    out = []
    for t in step.transitions:
        if t.trigger in m.triggers or not t.effective_at or t.dest is None:
            continue
        same = next((c for c in counted if c.dest == t.dest and set(c.sources) & set(t.sources)), None)
        if same is not None:
            out.append(
                loaded.diag(
                    path + ("triggers",),
                    "W172",
                    said("trigger {other!r} (recorded on behalf, effective_at) also moves to {state!r} "
                         "as {trigger!r} but is not counted", other=t.trigger, state=t.dest,
                         trigger=same.trigger),
                    said("add {other!r} to triggers", other=t.trigger),
                    severity="warning",
                )
            )
    return out


def check_indicators(loaded: LoadedSOP) -> list[Diagnostic]:
    """Every problem of the ``indicators:`` section (none without one)."""
    sop = loaded.model
    sec = sop.indicators
    if sec is None:
        return []
    out: list[Diagnostic] = []
    fields = _field_index(sop)
    base = ("indicators",)

    def field(ref: str | None, path: tuple, repeat: bool = False) -> None:
        if ref is None:
            return
        f = fields.get(ref)
        if f is None:
            out.append(
                loaded.diag(
                    path, "E071", said("unknown field {name!r}", name=ref),
                    said("write form.field, e.g. identification.sex"),
                )
            )
        elif repeat and str(getattr(f.type, "value", f.type)) != "repeat":
            out.append(
                loaded.diag(path, "E071", said("{field!r} is not a repeat field", field=ref),
                            said("items counts a repeat field"))
            )

    sub_fields = {sf.id for f in fields.values() for sf in (f.fields or [])}
    for name, d in sec.dimensions.items():
        p = base + ("dimensions", name)
        field(d.field, p + ("field",))
        for k, ref in enumerate(d.or_fields):
            field(ref, p + ("or_fields", k))
        if d.age is not None:
            field(d.age.birth_date, p + ("age", "birth_date"))
            field(d.age.estimated, p + ("age", "estimated"))
        if d.item is not None and d.item not in sub_fields:
            out.append(
                loaded.diag(
                    p + ("item",),
                    "E074",
                    said("no repeat has a field {field!r}", field=d.item),
                    said("use one of: {names}", names=", ".join(sorted(sub_fields))),
                )
            )
        if d.options is not None and d.options not in sop.options:
            out.append(
                loaded.diag(
                    p + ("options",),
                    "E072",
                    said("unknown option list {name!r}", name=d.options),
                    said("use one of: {names}", names=", ".join(sorted(sop.options))),
                )
            )
    seen: dict[str, int] = {}
    for i, ind in enumerate(sec.list_):
        p = base + ("list", i)
        if ind.code in seen:
            out.append(
                loaded.diag(
                    p + ("code",),
                    "E073",
                    said("indicator code {code!r} already used", code=ind.code),
                    said("by indicator #{n}; codes are unique", n=seen[ind.code] + 1),
                )
            )
        seen.setdefault(ind.code, i)
        for key in ("events", "end"):
            m = getattr(ind, key)
            if isinstance(m, Match):
                out += _match(loaded, m, p + (key,))
                if ind.count in ("cases", "events", "items"):
                    out += _on_behalf_left_out(loaded, m, p + (key,))
        if isinstance(ind.start, Match):
            out += _match(loaded, ind.start, p + ("start",))
        elif isinstance(ind.start, FieldStart):
            field(ind.start.field, p + ("start", "field"))
        field(ind.items, p + ("items",), repeat=True)
        for j, b in enumerate(ind.by):
            for kk, name in enumerate(b if isinstance(b, list) else [b]):
                if name not in sec.dimensions:
                    where = p + ("by", j, kk) if isinstance(b, list) else p + ("by", j)
                    out.append(
                        loaded.diag(
                            where,
                            "E072",
                            said("unknown dimension {name!r}", name=name),
                            said("define it under indicators.dimensions or use one of: {names}",
                                 names=", ".join(sorted(sec.dimensions))),
                        )
                    )
        if ind.count == "within_deadline" and ind.events and ind.events.step in sop.steps:
            step = sop.steps[ind.events.step]
            for st in ind.events.to:
                if st in step.states and step.states[st].deadline is None:
                    out.append(
                        loaded.diag(
                            p + ("events", "to"),
                            "W170",
                            said("state {state!r} has no deadline", state=st),
                            said("within_deadline counts states with a deadline"),
                            severity="warning",
                        )
                    )
    return out
