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

from ..i18n import N_, colon, current, gettext, listed
from .diagnostics import SOPError
from .schema import SOP, Deadline, FormField, Step

#: The kinds of change, in the order shown, with their titles (French message ids).
KINDS = {
    "step": N_("Étapes"), "state": N_("États"), "deadline": N_("Délais"), "transition": N_("Transitions"),
    "form": N_("Formulaires"), "field": N_("Champs"), "options": N_("Listes d'options"), "role": N_("Rôles"),
    "flow": N_("Enchaînement des étapes (flow)"), "reopen": N_("Réouverture"), "calendar": N_("Calendrier"),
}
SIGNS = {"added": "+", "removed": "-", "changed": "~"}
ACTIONS = {"added": N_("ajout"), "removed": N_("suppression"), "changed": N_("modification")}


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

    def text(self, lang: str | None = None) -> str:
        """The changes in ``lang`` (default: the current language), grouped by kind, one line each
        (the elements' words are those of :func:`diff_sops`' language)."""
        head = gettext("POS {sop} : version {old} → {new_sop} {new}", lang, sop=self.old[0],
                       old=self.old[1], new_sop=self.new[0], new=self.new[1])
        if not self.changes:
            return head + "\n" + gettext("Aucun changement.", lang) + "\n"
        lines = [head]
        for kind, title in KINDS.items():
            items = [c for c in self.changes if c.kind == kind]
            if not items:
                continue
            lines.append(gettext(title, lang) + colon(lang).rstrip())
            for c in items:
                text = f"  {SIGNS[c.action]} {gettext(ACTIONS[c.action], lang)}{colon(lang)}{c.where}"
                if c.details:
                    text += " — " + listed(list(c.details), lang)
                lines.append(text)
        return "\n".join(lines) + "\n"

    def text_fr(self) -> str:
        """The changes in French (:meth:`text`)."""
        return self.text("fr")


def _fmt(value: Any) -> str:
    if value is None or value == [] or value is False:
        return "—"
    if value is True:
        return gettext("oui")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _attrs(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f"{gettext(k)}{colon()}{_fmt(old.get(k))} → {_fmt(new.get(k))}"
                 for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k))


def _deadline_attrs(d: Deadline | None) -> dict[str, Any]:
    if d is None:
        return {}
    return {N_("délai"): _within(d.within), N_("début"): d.start,
            N_("heure limite"): d.cutoff.strftime("%H:%M") if d.cutoff else None,
            N_("rappels"): list(d.remind),
            N_("escalade"): d.on_expiry.escalate if d.on_expiry else None,
            N_("déclencheur à l'échéance"): d.on_expiry.fire if d.on_expiry else None,
            N_("prolongation par"): d.extend_by,
            N_("plafond"): "; ".join(_cap(c) for c in d.no_later_than) or None}


def _cap(cap: Any) -> str:
    text = (gettext("au plus tard {d} après {x}", d=_within(cap.within), x=cap.start) if cap.start
            else gettext("au plus tard {d}", d=_within(cap.within)))
    return gettext("{rule} si {condition}", rule=text, condition=cap.when) if cap.when else text


def _described(state: Any) -> tuple[str, ...]:
    """``attribute: value`` of a state added or removed: its owner and its deadline's rule, so a
    renamed state whose deadline changed shows both rules (tryout 5, H8)."""
    attrs = {N_("responsable"): state.owner, **_deadline_attrs(state.deadline)}
    return tuple(f"{gettext(k)}{colon()}{_fmt(v)}" for k, v in attrs.items() if v not in (None, [], ""))


def _within(within: Any) -> str:
    return (str(within) if not hasattr(within, "cases")
            else gettext("selon {field} ({cases})", field=within.by,
                         cases=", ".join(f"{k} {v}" for k, v in within.cases.items())))


def _field_attrs(f: FormField) -> dict[str, Any]:
    return {N_("type"): f.type.value, N_("obligatoire"): f.required, N_("options"): f.options,
            N_("pertinent si"): f.relevant, N_("classification"): f.classification.value,
            N_("min"): f.min, N_("max"): f.max, N_("longueur max"): f.max_length,
            N_("pas dans le futur"): f.not_future, N_("pas avant"): f.not_before,
            N_("éléments min"): f.min_items, N_("éléments max"): f.max_items}


def _transitions(step: Step) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for t in step.transitions:
        form = t.form if isinstance(t.form, str) or t.form is None else " + ".join(t.form)
        attrs = {N_("vers"): gettext("(interne)") if t.internal else t.dest, N_("par"): list(t.by),
                 N_("formulaire"): form,
                 N_("condition"): t.when}
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


def diff_sops(old: SOP, new: SOP, lang: str | None = None) -> SopDiff:
    """Every difference between ``old`` and ``new`` that changes how cases move or what is asked,
    its words in ``lang`` (default: the current language, ``mno --lang``)."""
    token = current.set(lang) if lang else None
    try:
        return _diff(old, new)
    finally:
        if token is not None:
            current.reset(token)


def _diff(old: SOP, new: SOP) -> SopDiff:
    d = SopDiff(old.key, new.key)
    add = d.changes.append

    for rid in [*old.roles, *(r for r in new.roles if r not in old.roles)]:
        if rid not in new.roles:
            add(Change("role", "removed", rid))
        elif rid not in old.roles:
            add(Change("role", "added", rid))
        elif details := _attrs({N_("portée"): old.roles[rid].scope}, {N_("portée"): new.roles[rid].scope}):
            add(Change("role", "changed", rid, details))

    for lid in [*old.options, *(o for o in new.options if o not in old.options)]:
        if lid not in new.options:
            add(Change("options", "removed", lid))
        elif lid not in old.options:
            codes = gettext("codes : {codes}", codes=_fmt(list(new.options[lid])))
            add(Change("options", "added", lid, (codes,)))
        else:
            gone = [c for c in old.options[lid] if c not in new.options[lid]]
            came = [c for c in new.options[lid] if c not in old.options[lid]]
            details = ((gettext("codes supprimés : {codes}", codes=_fmt(gone)),) if gone else ()) + \
                      ((gettext("codes ajoutés : {codes}", codes=_fmt(came)),) if came else ())
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
                add(Change("field", "added", where, (gettext("type : {type}", type=nf[path].type.value),)
                           + ((gettext("obligatoire"),) if nf[path].required else ())))
            elif details := _attrs(_field_attrs(of[path]), _field_attrs(nf[path])):
                add(Change("field", "changed", where, details))
        if [r.check for r in old.forms[fid].rules] != [r.check for r in new.forms[fid].rules]:
            add(Change("form", "changed", fid, (gettext("règles de contrôle modifiées"),)))

    for sid in [*old.steps, *(s for s in new.steps if s not in old.steps)]:
        if sid not in new.steps:
            add(Change("step", "removed", sid, step=sid))
            continue
        if sid not in old.steps:
            add(Change("step", "added", sid, step=sid))
            continue
        os_, ns = old.steps[sid], new.steps[sid]
        step_details = _attrs({N_("instances"): _instances(os_), N_("destinataire"): os_.recipient,
                               N_("communication si"): os_.disclosure},
                              {N_("instances"): _instances(ns), N_("destinataire"): ns.recipient,
                               N_("communication si"): ns.disclosure})
        if step_details:
            add(Change("step", "changed", sid, step_details, step=sid))
        for st in [*os_.states, *(s for s in ns.states if s not in os_.states)]:
            where = f"{sid}.{st}"
            if st not in ns.states:
                add(Change("state", "removed", where, _described(os_.states[st]), step=sid, states=(st,)))
                continue
            if st not in os_.states:  # with its owner and deadline: a renamed state's new deadline
                add(Change("state", "added", where, _described(ns.states[st]), step=sid))  # is seen (H8)
                continue
            o, n = os_.states[st], ns.states[st]
            details = _attrs({N_("responsable"): o.owner, N_("initial"): o.initial, N_("final"): o.final},
                             {N_("responsable"): n.owner, N_("initial"): n.initial, N_("final"): n.final})
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
            where = gettext("{step} : {trigger} depuis {source}", step=sid, trigger=trigger, source=src)
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
        add(Change("reopen", "changed", "reopen",
                   _attrs({N_("par"): ro.get("by"), N_("étape"): ro.get("start")},
                          {N_("par"): rn.get("by"), N_("étape"): rn.get("start")})))
    if old.calendar != new.calendar:
        add(Change("calendar", "changed", "calendar",
                   _attrs(old.calendar.model_dump(), new.calendar.model_dump())))
    return d


def _instances(step: Step) -> str:
    if isinstance(step.instances, str):
        return step.instances
    fe = step.instances
    return (gettext("pour chaque {list}", list=fe.for_each)
            + (" " + gettext("où {condition}", condition=fe.where) if fe.where else "")
            + (" " + gettext("clé {key}", key=fe.key) if fe.key else ""))


def _flow_text(rule: Any) -> str:
    then = []
    if rule.start:
        then.append(gettext("démarrer {step}", step=rule.start))
    if rule.close_case:
        then.append(gettext("clore le dossier"))
    return gettext("après {after} : {then}", after=rule.after, then=gettext(" et ").join(then))


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
            out.append(AffectedInstance(ref or str(case_id), step, key, state, gettext("étape supprimée")))
        elif state in states:
            what = [c for c in diff.changes if c.step == step and state in c.states]
            removed = any(c.kind == "state" and c.action == "removed" for c in what)
            reason = gettext("état supprimé") if removed else gettext("état modifié")
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
    dans un état supprimé ou modifié."""
    from .loader import load_file

    models = []
    for path in (old, new):
        try:
            models.append(load_file(path).model)
        except SOPError as e:
            for diag in e.diagnostics:
                typer.echo(diag.format(current.get()), err=True)
            raise typer.Exit(1) from None
    result = diff_sops(*models)
    cases = affected_cases(db, result) if db else None
    if fmt == "json":
        data = result.as_dict()
        if cases is not None:
            data["affected_cases"] = [asdict(c) for c in cases]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(result.text(), nl=False)
    if cases is not None:
        if not cases:
            typer.echo(gettext("Dossiers ouverts touchés (version {version}) : aucun.",
                               version=result.old[1]))
        else:
            typer.echo(gettext("Dossiers ouverts touchés (version {version}) : {n}", version=result.old[1],
                               n=len(cases)))
            for c in cases:
                typer.echo(f"  {c.case} — {c.step}:{c.key} — {c.state} ({c.reason})")
