"""Access request (law 001-2021/AN; IOM principle "access and transparency"): everything held about
the person of one case, in words, as one printable HTML file or as JSON.

Sections: the case (reference, status, dates, SOP, case manager, region), every form's data with
field labels and option labels (a purged value reads "effacé le …"), each step and referral with
its state and recipient, the audit trail in words (who, when, what, which data), and who looked at
the case (the access log). Access-log rows come from every function in :data:`ACCESS_SOURCES`
(``(session, case) -> [{"at", "user", "role", "organisation", "channel", "what"}]``): the web
view log (``web_case_views``) is registered here; another log adds its reader to the list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from .sop.schema import SOP, FieldType, FormField
from .store.audit import TOMBSTONE_KEY, is_tombstone
from .store.models import AuditEvent, Case

_WORDS = {
    "fr": {"title": "Données détenues sur une personne", "case": "Dossier", "status": "Statut",
           "open": "ouvert", "closed": "clos", "opened": "Ouvert le", "closed_on": "Clos le",
           "sop": "POS", "assignee": "Gestionnaire de cas", "region": "Région", "data": "Données",
           "steps": "Étapes", "referrals": "Référencements", "trail": "Journal d'audit",
           "access": "Consultations du dossier", "none": "aucune", "yes": "Oui", "no": "Non",
           "purged": "effacé le", "recipient": "Destinataire", "state": "État", "since": "depuis",
           "who": "Qui", "when": "Quand", "what": "Quoi", "channel": "Canal",
           "generated": "Document établi le", "item": "Besoin", "name": "Nom",
           "no_access_log": "Aucun journal de consultation n'est tenu pour cette source.",
           "actions": {"create": "Dossier créé", "reassign": "Réattribution", "reopen": "Réouverture",
                       "extend_deadline": "Prolongation de délai", "pause_deadline": "Délai suspendu",
                       "resume_deadline": "Délai repris", "migrate": "Migration de version de POS",
                       "purge": "Effacement des données personnelles"}},
    "en": {"title": "Data held about a person", "case": "Case", "status": "Status", "open": "open",
           "closed": "closed", "opened": "Opened on", "closed_on": "Closed on", "sop": "SOP",
           "assignee": "Case manager", "region": "Region", "data": "Data", "steps": "Steps",
           "referrals": "Referrals", "trail": "Audit trail", "access": "Who viewed the case",
           "none": "none", "yes": "Yes", "no": "No", "purged": "erased on", "recipient": "Recipient",
           "state": "State", "since": "since", "who": "Who", "when": "When", "what": "What",
           "channel": "Channel", "generated": "Document produced on", "item": "Need", "name": "Name",
           "no_access_log": "No access log is kept for this source.",
           "actions": {"create": "Case created", "reassign": "Reassignment", "reopen": "Reopened",
                       "extend_deadline": "Deadline extended", "pause_deadline": "Deadline paused",
                       "resume_deadline": "Deadline resumed", "migrate": "SOP version migration",
                       "purge": "Personal data erased"}},
}


def _web_views(session: Session, case: Case) -> list[dict[str, Any]]:
    try:
        from .web.models import CaseView
    except ImportError:  # the web extra is not installed: no view log exists
        return []
    rows = session.scalars(select(CaseView).where(CaseView.case_id == case.id).order_by(CaseView.at))
    return [{"at": r.at, "user": r.user_id, "role": r.role, "organisation": r.organisation,
             "channel": r.channel, "what": r.instance or ""} for r in rows]


ACCESS_SOURCES: list[Callable[[Session, Case], list[dict[str, Any]]]] = [_web_views]


class _Render:
    def __init__(self, sop: SOP, lang: str) -> None:
        self.sop, self.lang, self.w = sop, lang, _WORDS[lang]
        self.tz = ZoneInfo(sop.calendar.timezone)

    def label(self, label: Any) -> str:
        return self.sop.label(label, self.lang)

    def when(self, instant: datetime | None) -> str:
        return instant.astimezone(self.tz).strftime("%d/%m/%Y %H:%M") if instant else ""

    def value(self, f: FormField | None, value: Any) -> Any:
        """A stored value for the reader; repeat groups as a list of {label: text}."""
        if is_tombstone(value):
            return f"[{self.w['purged']} {str(value[TOMBSTONE_KEY])[:10]}]"
        if value is None:
            return ""
        if f is not None and f.type == FieldType.repeat and isinstance(value, list):
            return [self.fields(f.fields or [], item) for item in value if isinstance(item, dict)]
        if f is not None and f.type == FieldType.boolean and isinstance(value, bool):
            return self.w["yes"] if value else self.w["no"]
        if f is not None and f.options and f.type in (FieldType.choice, FieldType.multi):
            opts = self.sop.options.get(f.options, {})
            items = value if isinstance(value, list) else [value]
            return ", ".join(self.label(opts.get(str(x))) or str(x) for x in items)
        if f is not None and f.type == FieldType.date and isinstance(value, str):
            y, _, rest = value.partition("-")
            m, _, d = rest.partition("-")
            return f"{d}/{m}/{y}" if d else value
        if isinstance(value, list):
            return ", ".join(str(x) for x in value)
        if isinstance(value, dict):
            return ", ".join(f"{k}: {v}" for k, v in value.items())
        return str(value)

    def fields(self, defs: list[FormField], values: dict[str, Any]) -> list[dict[str, Any]]:
        by_id = {f.id: f for f in defs}
        out = [{"label": self.label(f.label), "value": self.value(f, values[f.id])}
                for f in defs if f.id in values]
        out += [{"label": k, "value": self.value(None, v)} for k, v in values.items() if k not in by_id]
        return out

    def form(self, form_id: str, values: Any) -> dict[str, Any]:
        form = self.sop.forms.get(form_id)
        title = self.label(form.title) if form else form_id
        if not isinstance(values, dict):
            return {"title": title, "fields": [{"label": form_id, "value": self.value(None, values)}]}
        return {"title": title, "fields": self.fields(form.fields if form else [], values)}


def _event(r: _Render, ev: AuditEvent) -> dict[str, Any]:
    from .engine.event_sops import sop_for_event
    sop, w = sop_for_event(ev, r.sop), r.w  # an old event in the words of its SOP version
    step = sop.steps.get(ev.step or "")
    role = r.label(sop.roles[ev.role].label) if ev.role in sop.roles else ev.role
    if ev.action == "fire" and step is not None:
        trig = next((r.label(t.label) for t in step.transitions if t.trigger == ev.trigger), ev.trigger)
        states = step.states
        src = r.label(states[ev.from_state].label) if ev.from_state in states else ev.from_state
        dst = r.label(states[ev.to_state].label) if ev.to_state in states else ev.to_state
        what = f"{r.label(step.label)} [{ev.instance_key}] : {trig} ({src} → {dst})"
    else:
        what = w["actions"].get(ev.action, ev.action)
        if step is not None:
            what += f" — {r.label(step.label)} [{ev.instance_key}]"
    forms = [r.form(k, v) for k, v in (ev.data or {}).items() if k in sop.forms]
    other = {k: v for k, v in (ev.data or {}).items() if k not in sop.forms}
    if other:
        forms.append({"title": "", "fields": [{"label": k, "value": r.value(None, v)}
                                              for k, v in other.items()]})
    return {"seq": ev.seq, "at": r.when(ev.at), "who": ev.actor, "role": role,
            "organisation": ev.organisation or "", "what": what, "data": forms,
            "via": ev.via or "", "os_user": ev.os_user or ""}


def person_record(session: Session, case: Case, sop: SOP, lang: str = "fr",
                  now: datetime | None = None) -> dict[str, Any]:
    """Everything held about the person of ``case``, rendered in ``lang`` (``fr`` or ``en``).

    Returns a JSON-ready mapping with ``case``, ``data`` (forms), ``steps``, ``referrals``,
    ``trail`` and ``access`` (rows of :data:`ACCESS_SOURCES`)."""
    r = _Render(sop, "en" if lang == "en" else "fr")
    w = r.w
    region = r.label(sop.options.get("region", {}).get(case.region or "")) or case.region or ""
    steps = []
    for inst in case.instances:
        st = sop.steps.get(inst.step)
        item_form = None
        if inst.item:
            item_form = {"title": w["item"], "fields": [{"label": k, "value": r.value(None, v)}
                                                        for k, v in inst.item.items()]}
        steps.append({
            "step": r.label(st.label) if st else inst.step, "key": inst.key,
            "state": r.label(st.states[inst.state].label) if st and inst.state in st.states else inst.state,
            "since": r.when(inst.entered_at), "recipient": inst.recipient or "",
            "final": inst.final, "item": item_form, "referral": bool(st and st.recipient),
            "data": [r.form(k, v) for k, v in (inst.data or {}).items()],
        })
    events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq))
    access = []
    for source in ACCESS_SOURCES:
        access += [{**row, "at": r.when(row["at"])} for row in source(session, case)]
    return {
        "lang": r.lang, "words": {k: v for k, v in w.items() if k != "actions"},
        "generated_at": r.when(now) if now else "",
        "case": {"reference": case.reference, "status": w.get(case.status, case.status),
                 "opened": r.when(case.created_at), "closed": r.when(case.closed_at),
                 "sop": f"{sop.sop} {sop.version}", "assignee": case.assignee or "",
                 "region": region, "name": case.display_name or ""},
        "data": [r.form(k, v) for k, v in (case.data or {}).items() if not k.startswith("_")]
        + [r.form("closure", c.get("closure")) for c in (case.data or {}).get("_closures") or []
           if c.get("closure")],
        "steps": steps,
        "referrals": [s for s in steps if s["referral"]],
        "trail": [_event(r, ev) for ev in events],
        "access": access,
        "access_sources": len(ACCESS_SOURCES),
    }


def render_html(record: dict[str, Any]) -> str:
    """The record as one printable HTML page (no script, inline style)."""
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "render" / "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    return env.get_template("person_record.html.j2").render(r=record, w=record["words"])
