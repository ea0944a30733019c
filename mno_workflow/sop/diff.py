"""What changed between two versions of an SOP, and which open cases it touches (``mno sop diff``).

:func:`diff_sops` compares two SOP models (pure, no I/O) and returns a :class:`SopDiff`: added,
removed and changed steps, states, deadlines, transitions (keyed by step, trigger and source
state), forms and fields (type, required, options, limits...), option lists and codes, roles,
flow rules, reopen and calendar. :func:`sop_diff` is the Typer command: it prints the changes in
French (or JSON) and, with ``--db``, lists the open cases of the old version whose open step
instances sit in a removed or changed state (read-only queries). A state counts as changed when
its owner, final/initial flag or deadline changed, or when a transition leaving it was added,
removed or changed: the actions offered to a case waiting there are not the same any more.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from .diagnostics import SOPError
from .schema import SOP, Deadline, FormField, Step

KINDS_FR = {
    "step": "Étapes", "state": "États", "deadline": "Délais", "transition": "Transitions",
    "form": "Formulaires", "field": "Champs", "options": "Listes d'options", "role": "Rôles",
    "flow": "Enchaînement des étapes (flow)", "reopen": "Réouverture", "calendar": "Calendrier",
}
ACTIONS_FR = {"added": ("+", "ajout"), "removed": ("-", "suppression"), "changed": ("~", "modification")}


@dataclass(frozen=True)
class Change:
    """One difference. ``where`` names the element (``referral.sent``, ``referral: accept depuis
    sent``, ``consent.given_by``...); ``details`` lists ``attribute: old → new`` for a change."""

    kind: str
    action: str  # added | removed | changed
    where: str
    details: tuple[str, ...] = ()
    step: str | None = None
    states: tuple[str, ...] = ()  # states of the old version whose waiting cases it affects


@dataclass
class SopDiff:
    old: tuple[str, str]
    new: tuple[str, str]
    changes: list[Change] = field(default_factory=list)

    def affected_states(self) -> dict[str, set[str] | None]:
        """``{step: states}`` whose open instances are affected; ``None``: the whole step
        was removed."""
        out: dict[str, set[str] | None] = {}
        for c in self.changes:
            if c.kind == "step" and c.action == "removed" and c.step:
                out[c.step] = None
            elif c.step and c.states:
                cur = out.setdefault(c.step, set())
                if cur is not None:
                    cur.update(c.states)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"old": {"sop": self.old[0], "version": self.old[1]},
                "new": {"sop": self.new[0], "version": self.new[1]},
                "changes": [{k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(c).items()}
                            for c in self.changes]}

    def text_fr(self) -> str:
        """The changes in French, grouped by kind, one line each."""
        head = f"POS {self.old[0]} : version {self.old[1]} → {self.new[0]} {self.new[1]}"
        if not self.changes:
            return head + "\nAucun changement.\n"
        lines = [head]
        for kind, title in KINDS_FR.items():
            items = [c for c in self.changes if c.kind == kind]
            if not items:
                continue
            lines.append(f"{title} :")
            for c in items:
                sign, word = ACTIONS_FR[c.action]
                text = f"  {sign} {word} : {c.where}"
                if c.details:
                    text += " — " + " ; ".join(c.details)
                lines.append(text)
        return "\n".join(lines) + "\n"


def _fmt(value: Any) -> str:
    if value is None or value == [] or value is False:
        return "—"
    if value is True:
        return "oui"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _attrs(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f"{k} : {_fmt(old.get(k))} → {_fmt(new.get(k))}"
                 for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k))


def _deadline_attrs(d: Deadline | None) -> dict[str, Any]:
    if d is None:
        return {}
    within = (str(d.within) if not hasattr(d.within, "cases")
              else f"selon {d.within.by} (" + ", ".join(f"{k} {v}" for k, v in d.within.cases.items()) + ")")
    return {"délai": within, "début": d.start,
            "heure limite": d.cutoff.strftime("%H:%M") if d.cutoff else None,
            "rappels": list(d.remind),
            "escalade": d.on_expiry.escalate if d.on_expiry else None,
            "déclencheur à l'échéance": d.on_expiry.fire if d.on_expiry else None,
            "prolongation par": d.extend_by}


def _field_attrs(f: FormField) -> dict[str, Any]:
    return {"type": f.type.value, "obligatoire": f.required, "options": f.options, "pertinent si": f.relevant,
            "classification": f.classification.value, "min": f.min, "max": f.max,
            "longueur max": f.max_length, "pas dans le futur": f.not_future, "pas avant": f.not_before,
            "éléments min": f.min_items, "éléments max": f.max_items}


def _transitions(step: Step) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for t in step.transitions:
        attrs = {"vers": "(interne)" if t.internal else t.dest, "par": list(t.by),
                 "formulaire": t.form if isinstance(t.form, str) or t.form is None else " + ".join(t.form),
                 "condition": t.when}
        for src in t.sources:
            out[(t.trigger, src)] = attrs
    return out


def _fields(fields: list[FormField], prefix: str) -> dict[str, FormField]:
    out = {}
    for f in fields:
        out[prefix + f.id] = f
        if f.fields:
            out.update(_fields(f.fields, f"{prefix}{f.id}."))
    return out


def diff_sops(old: SOP, new: SOP) -> SopDiff:
    """Every difference between ``old`` and ``new`` that changes how cases move or what is asked."""
    d = SopDiff(old.key, new.key)
    add = d.changes.append

    for rid in [*old.roles, *(r for r in new.roles if r not in old.roles)]:
        if rid not in new.roles:
            add(Change("role", "removed", rid))
        elif rid not in old.roles:
            add(Change("role", "added", rid))
        elif details := _attrs({"portée": old.roles[rid].scope}, {"portée": new.roles[rid].scope}):
            add(Change("role", "changed", rid, details))

    for lid in [*old.options, *(o for o in new.options if o not in old.options)]:
        if lid not in new.options:
            add(Change("options", "removed", lid))
        elif lid not in old.options:
            add(Change("options", "added", lid, (f"codes : {_fmt(list(new.options[lid]))}",)))
        else:
            gone = [c for c in old.options[lid] if c not in new.options[lid]]
            came = [c for c in new.options[lid] if c not in old.options[lid]]
            details = ((f"codes supprimés : {_fmt(gone)}",) if gone else ()) + \
                      ((f"codes ajoutés : {_fmt(came)}",) if came else ())
            if details:
                add(Change("options", "changed", lid, details))

    for fid in [*old.forms, *(f for f in new.forms if f not in old.forms)]:
        if fid not in new.forms:
            add(Change("form", "removed", fid))
            continue
        if fid not in old.forms:
            add(Change("form", "added", fid))
            continue
        of, nf = _fields(old.forms[fid].fields, ""), _fields(new.forms[fid].fields, "")
        for path in [*of, *(p for p in nf if p not in of)]:
            where = f"{fid}.{path}"
            if path not in nf:
                add(Change("field", "removed", where))
            elif path not in of:
                add(Change("field", "added", where, (f"type : {nf[path].type.value}",)
                           + (("obligatoire",) if nf[path].required else ())))
            elif details := _attrs(_field_attrs(of[path]), _field_attrs(nf[path])):
                add(Change("field", "changed", where, details))
        if [r.check for r in old.forms[fid].rules] != [r.check for r in new.forms[fid].rules]:
            add(Change("form", "changed", fid, ("règles de contrôle modifiées",)))

    for sid in [*old.steps, *(s for s in new.steps if s not in old.steps)]:
        if sid not in new.steps:
            add(Change("step", "removed", sid, step=sid))
            continue
        if sid not in old.steps:
            add(Change("step", "added", sid, step=sid))
            continue
        os_, ns = old.steps[sid], new.steps[sid]
        step_details = _attrs({"instances": _instances(os_), "destinataire": os_.recipient,
                               "communication si": os_.disclosure},
                              {"instances": _instances(ns), "destinataire": ns.recipient,
                               "communication si": ns.disclosure})
        if step_details:
            add(Change("step", "changed", sid, step_details, step=sid))
        for st in [*os_.states, *(s for s in ns.states if s not in os_.states)]:
            where = f"{sid}.{st}"
            if st not in ns.states:
                add(Change("state", "removed", where, step=sid, states=(st,)))
                continue
            if st not in os_.states:
                add(Change("state", "added", where, step=sid))
                continue
            o, n = os_.states[st], ns.states[st]
            details = _attrs({"responsable": o.owner, "initial": o.initial, "final": o.final},
                             {"responsable": n.owner, "initial": n.initial, "final": n.final})
            if details:
                add(Change("state", "changed", where, details, step=sid, states=(st,)))
            if o.deadline != n.deadline:
                action = "added" if o.deadline is None else "removed" if n.deadline is None else "changed"
                add(Change("deadline", action, where,
                           _attrs(_deadline_attrs(o.deadline), _deadline_attrs(n.deadline)),
                           step=sid, states=(st,)))
        ot, nt = _transitions(os_), _transitions(ns)
        wildcard = tuple(s for s, v in os_.states.items() if not v.final)  # '*' leaves these
        for key in [*ot, *(k for k in nt if k not in ot)]:
            trigger, src = key
            where = f"{sid} : {trigger} depuis {src}"
            states = wildcard if src == "*" else (src,) if src in os_.states else ()
            if key not in nt:
                add(Change("transition", "removed", where, step=sid, states=states))
            elif key not in ot:
                add(Change("transition", "added", f"{where} → {nt[key]['vers']}", step=sid, states=states))
            elif details := _attrs(ot[key], nt[key]):
                add(Change("transition", "changed", where, details, step=sid, states=states))

    of_rules = {_flow_text(r) for r in old.flow}
    nf_rules = {_flow_text(r) for r in new.flow}
    for text in [_flow_text(r) for r in old.flow if _flow_text(r) not in nf_rules]:
        add(Change("flow", "removed", text))
    for text in [_flow_text(r) for r in new.flow if _flow_text(r) not in of_rules]:
        add(Change("flow", "added", text))
    ro = old.reopen.model_dump() if old.reopen else {}
    rn = new.reopen.model_dump() if new.reopen else {}
    if ro != rn:
        add(Change("reopen", "changed", "reopen", _attrs({"par": ro.get("by"), "étape": ro.get("start")},
                                                        {"par": rn.get("by"), "étape": rn.get("start")})))
    if old.calendar != new.calendar:
        add(Change("calendar", "changed", "calendar",
                   _attrs(old.calendar.model_dump(), new.calendar.model_dump())))
    return d


def _instances(step: Step) -> str:
    if isinstance(step.instances, str):
        return step.instances
    fe = step.instances
    return (f"pour chaque {fe.for_each}" + (f" où {fe.where}" if fe.where else "")
            + (f" clé {fe.key}" if fe.key else ""))


def _flow_text(rule: Any) -> str:
    then = []
    if rule.start:
        then.append(f"démarrer {rule.start}")
    if rule.close_case:
        then.append("clore le dossier")
    return f"après {rule.after} : {' et '.join(then)}"


# -- affected cases (read-only) ---------------------------------------------------------------------
@dataclass(frozen=True)
class AffectedInstance:
    case: str
    step: str
    key: str
    state: str
    reason: str


def affected_cases(url: str, diff: SopDiff) -> list[AffectedInstance]:
    """Open step instances of open cases on the old version that sit in a removed or changed
    state (or in a removed step). Only SELECT statements; nothing is written."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from ..store.models import Case, SopVersion, StepInstance

    affected = diff.affected_states()
    if not affected:
        return []
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            rows = s.execute(
                select(Case.reference, Case.id, StepInstance.step, StepInstance.key, StepInstance.state)
                .join(StepInstance, StepInstance.case_id == Case.id)
                .join(SopVersion, SopVersion.id == Case.sop_version_id)
                .where(SopVersion.sop_id == diff.old[0], SopVersion.version == diff.old[1],
                       Case.status == "open", StepInstance.final.is_(False),
                       StepInstance.step.in_(list(affected)))
                .order_by(Case.id, StepInstance.step, StepInstance.key)).all()
    finally:
        engine.dispose()
    out = []
    for ref, case_id, step, key, state in rows:
        states = affected[step]
        if states is None:
            out.append(AffectedInstance(ref or str(case_id), step, key, state, "étape supprimée"))
        elif state in states:
            what = [c for c in diff.changes if c.step == step and state in c.states]
            reason = "état supprimé" if any(c.kind == "state" and c.action == "removed" for c in what) \
                else "état modifié"
            out.append(AffectedInstance(ref or str(case_id), step, key, state, reason))
    return out


def sop_diff(old: Annotated[Path, typer.Argument(help="Ancienne version de la POS (YAML).")],
             new: Annotated[Path, typer.Argument(help="Nouvelle version de la POS (YAML).")],
             fmt: Annotated[str, typer.Option("--format", help="text ou json")] = "text",
             db: Annotated[str | None, typer.Option(
                 "--db", help="URL de la base : dossiers ouverts touchés (lecture seule).")] = None,
             ) -> None:
    """Comparer deux versions d'une POS : états, transitions, formulaires, champs, options, délais,
    rôles, enchaînement ; avec ``--db``, les dossiers ouverts de l'ancienne version qui attendent
    dans un état supprimé ou modifié. / Compare two SOP versions."""
    from .loader import load_file

    models = []
    for path in (old, new):
        try:
            models.append(load_file(path).model)
        except SOPError as e:
            for diag in e.diagnostics:
                typer.echo(diag.format(), err=True)
            raise typer.Exit(1) from None
    result = diff_sops(*models)
    cases = affected_cases(db, result) if db else None
    if fmt == "json":
        data = result.as_dict()
        if cases is not None:
            data["affected_cases"] = [asdict(c) for c in cases]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(result.text_fr(), nl=False)
    if cases is not None:
        if not cases:
            typer.echo(f"Dossiers ouverts touchés (version {result.old[1]}) : aucun.")
        else:
            typer.echo(f"Dossiers ouverts touchés (version {result.old[1]}) : {len(cases)}")
            for c in cases:
                typer.echo(f"  {c.case} — {c.step}:{c.key} — {c.state} ({c.reason})")
