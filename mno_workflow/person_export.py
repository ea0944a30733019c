"""Access request (law 001-2021/AN; IOM principle "access and transparency"): everything held about
the person of one case, in words, as one printable HTML file or as JSON.

Sections: the case (reference, status, dates, SOP, case manager, region), every form's data with
field labels and option labels (a purged value reads "effacé le …"), each step and referral with
its state and recipient, the referral notes and the list of attachments (:mod:`.person_files`),
the audit trail in words (who, when, what, which data), and who looked at
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

from .engine.event_words import data_label, event_data_words
from .i18n import N_, colon, gettext, norm_lang
from .i18n.dates import day_text, instant_text
from .protection.view_words import channel_label, instance_words, role_name, what_labels
from .sop.schema import SOP, FieldType, FormField
from .store.audit import is_tombstone
from .store.models import AuditEvent, Case

#: The page's words: French message ids, translated into the reader's language (catalogues).
_WORDS = {
    "title": N_("Données détenues sur une personne"), "case": N_("Dossier"), "status": N_("Statut"),
    "open": N_("ouvert"), "closed": N_("clos"), "opened": N_("Ouvert le"), "closed_on": N_("Clos le"),
    "sop": N_("POS"), "assignee": N_("Gestionnaire de cas"), "region": N_("Région"),
    "data": N_("Données"), "steps": N_("Étapes"), "referrals": N_("Référencements"),
    "trail": N_("Journal d'audit"), "access": N_("Consultations du dossier"), "none": N_("aucune"),
    "yes": N_("Oui"), "no": N_("Non"), "purged": N_("effacé le"), "recipient": N_("Destinataire"),
    "state": N_("État"), "since": N_("depuis"), "who": N_("Qui"), "when": N_("Quand"),
    "what": N_("Quoi"), "channel": N_("Canal"), "generated": N_("Document établi le"),
    "item": N_("Besoin"), "name": N_("Nom"), "other": N_("Autres informations"),
    "no_access_log": N_("Aucun journal de consultation n'est tenu pour cette source."),
    "spawned_by": N_("Ajouté par l'action"), "changes": N_("Avant → après"),
}
_ACTIONS = {
    "create": N_("Dossier créé"), "reassign": N_("Réattribution"), "reopen": N_("Réouverture"),
    "extend_deadline": N_("Prolongation de délai"), "pause_deadline": N_("Délai suspendu"),
    "resume_deadline": N_("Délai repris"), "migrate": N_("Migration de version de POS"),
    "purge": N_("Effacement des données personnelles"),
}


#: ``audit_events.via`` (the path that acted) → French message id
_VIA = {"web": N_("interface web"), "api": N_("API"), "cli": N_("ligne de commande"),
        "sweeper": N_("délais automatiques")}


def _data_label(key: str, lang: str) -> str:
    """An audit event's value name in words; an unknown one with its underscores as spaces."""
    return data_label(key, lang)


def _words(lang: str) -> dict[str, Any]:
    from .person_files import WORDS
    words: dict[str, Any] = {k: gettext(v, lang) for k, v in {**_WORDS, **WORDS}.items()}
    words["actions"] = {k: gettext(v, lang) for k, v in _ACTIONS.items()}
    return words


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
    def __init__(self, sop: SOP, lang: str, names: Any = None) -> None:
        from .views import Names
        self.sop, self.lang, self.w = sop, lang, _words(lang)
        self.names = names or Names()  # users and organisations by name (views.names_for)
        self.tz = ZoneInfo(sop.calendar.timezone)
        # the fields holding an organisation id (a step's recipient) or a directory service id
        self.by_id = {**{st.service: self.names.service for st in sop.steps.values() if st.service},
                      **{st.recipient: self.names.org for st in sop.steps.values() if st.recipient}}

    def label(self, label: Any) -> str:
        return self.sop.label(label, self.lang)

    def when(self, instant: datetime | str | None) -> str:
        return instant_text(instant, self.lang, self.sop.calendar.timezone)

    def value(self, f: FormField | None, value: Any) -> Any:
        """A stored value for the reader; repeat groups as a list of {label: text}."""
        if is_tombstone(value):
            from .engine.erasure_words import tombstone_text
            return tombstone_text(value, self.lang)  # « [effacé le 04/12/2026] » (F31)
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
        if f is not None and f.type == FieldType.phone:  # one format (« +226 70 99 88 77 »)
            from .i18n.phones import phone_text
            return phone_text(value)
        if f is not None and f.type == FieldType.date and isinstance(value, str):
            return day_text(value, self.lang)  # 04/12/2026, as typed
        if f is not None and f.type == FieldType.datetime and isinstance(value, str):
            return self.when(value)  # 04/12/2026 21:14 in the SOP's time zone
        if isinstance(value, list):
            return ", ".join(str(x) for x in value)
        if isinstance(value, dict):
            return ", ".join(f"{_data_label(k, self.lang)}{colon(self.lang)}{v}" for k, v in value.items())
        return str(value)

    def fields(self, defs: list[FormField], values: dict[str, Any],
               form_id: str = "") -> list[dict[str, Any]]:
        by_id = {f.id: f for f in defs}
        out = [{"label": self.label(f.label),
                "value": self.named(f"{form_id}.{f.id}", self.value(f, values[f.id]))}
               for f in defs if f.id in values]
        out += [{"label": _data_label(k, self.lang), "value": self.value(None, v)}
                for k, v in values.items() if k not in by_id]
        return out

    def named(self, path: str, value: Any) -> Any:
        """``value`` of field ``path`` (``form.field``) by name when it is an organisation or a
        directory service id (the referral's provider, its service)."""
        return self.by_id[path](value) if path in self.by_id and isinstance(value, str) and value else value

    def form(self, form_id: str, values: Any) -> dict[str, Any]:
        form = self.sop.forms.get(form_id)
        title = self.label(form.title) if form else form_id
        if not isinstance(values, dict):
            return {"title": title, "fields": [{"label": title, "value": self.value(None, values)}]}
        return {"title": title, "fields": self.fields(form.fields if form else [], values, form_id)}


def _event(r: _Render, ev: AuditEvent) -> dict[str, Any]:
    from .engine.event_sops import sop_for_event
    sop, w = sop_for_event(ev, r.sop), r.w  # an old event in the words of its SOP version
    step = sop.steps.get(ev.step or "")
    role = r.label(sop.roles[ev.role].label) if ev.role in sop.roles else role_name(ev.role, r.lang)
    if ev.action == "fire" and step is not None:
        trig = next((r.label(t.label) for t in step.transitions if t.trigger == ev.trigger), ev.trigger)
        states = step.states
        src = r.label(states[ev.from_state].label) if ev.from_state in states else ev.from_state
        dst = r.label(states[ev.to_state].label) if ev.to_state in states else ev.to_state
        inst = instance_words(sop, ev.step or "", ev.instance_key, r.lang)
        what = f"{inst}{colon(r.lang)}{trig} ({src} → {dst})"
    else:
        what = w["actions"].get(ev.action, ev.action)
        if step is not None:
            what += " — " + instance_words(sop, ev.step or "", ev.instance_key, r.lang)
    forms = [r.form(k, v) for k, v in (ev.data or {}).items() if k in sop.forms]
    other = event_data_words(ev.action, ev.data, r.lang, timezone=sop.calendar.timezone,
                             user_name=r.names.user, sop=sop, step=ev.step)  # never a key or a login
    if other:
        forms.append({"title": "", "fields": [{"label": x.label, "value": x.text} for x in other]})
    from .engine.change_words import changes
    changed = changes(sop, ev.data, r.lang)  # a rectification: the values replaced (L5)
    if changed:
        forms.append({"title": w["changes"], "fields": [{"label": c.label, "value": f"{c.before} → {c.after}"}
                                                          for c in changed]})
    return {"seq": ev.seq, "at": r.when(ev.at), "who": ev.actor, "who_name": r.names.user(ev.actor),
            "role": role, "organisation": ev.organisation or "",
            "organisation_name": r.names.org(ev.organisation) if ev.organisation else "",
            "what": what, "data": forms,
            "via_name": gettext(_VIA[ev.via], r.lang) if ev.via in _VIA else (ev.via or ""),
            "via": ev.via or "", "os_user": ev.os_user or ""}


def person_record(session: Session, case: Case, sop: SOP, lang: str = "fr",
                  now: datetime | None = None) -> dict[str, Any]:
    """Everything held about the person of ``case``, rendered in ``lang`` (a language with a
    catalogue, else French): roles, channels and what was viewed in words, not codes.

    Returns a JSON-ready mapping with ``case``, ``data`` (forms), ``steps``, ``referrals``,
    ``notes``, ``attachments`` (and ``notes_erased``, ``attachments_erased``), ``trail`` and
    ``access`` (rows of :data:`ACCESS_SOURCES`, their codes ``role``, ``channel``,
    ``what`` with ``role_name``, ``channel_name``, ``what_name`` in words)."""
    from .views import names_for
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                  .order_by(AuditEvent.seq)))
    read = [row for source in ACCESS_SOURCES for row in source(session, case)]
    from . import person_files
    notes, files = person_files.held(session, case)
    names = names_for(session, case, events, tuple(x.get("user") or "" for x in read)
                      + tuple(n.author for n in notes) + tuple(a.uploaded_by for a in files),
                      tuple(x.get("organisation") or "" for x in read)
                      + tuple(n.organisation or "" for n in notes))
    r = _Render(sop, norm_lang(lang), names)
    w = r.w
    region = r.label(sop.options.get("region", {}).get(case.region or "")) or case.region or ""
    steps = []
    for inst in case.instances:
        st = sop.steps.get(inst.step)
        item_form = None
        if inst.item:
            item_form = {"title": w["item"], "fields": _item_rows(r, inst.step, inst.item)}
        steps.append({
            "step": r.label(st.label) if st else inst.step, "key": inst.key,
            "instance": instance_words(sop, inst.step, inst.key, r.lang),
            "state": r.label(st.states[inst.state].label) if st and inst.state in st.states else inst.state,
            "since": r.when(inst.entered_at), "recipient": inst.recipient or "",
            "recipient_name": r.names.org(inst.recipient) if inst.recipient else "",
            "final": inst.final, "item": item_form, "referral": bool(st and st.recipient),
            "data": [r.form(k, v) for k, v in (inst.data or {}).items()],
        })
    what_name = what_labels(sop, r.lang)  # one look-up per distinct value, not per row
    access = [{**row, "at": r.when(row["at"]), "role_name": role_name(row.get("role"), r.lang),
               "channel_name": channel_label(row.get("channel"), r.lang),
               "what_name": what_name(row.get("what")),
               "user_name": r.names.user(row.get("user")),
               "organisation_name": r.names.org(row["organisation"]) if row.get("organisation") else ""}
              for row in read]
    from .engine import erasure_words
    erased = erasure_words.erasure_of(session, case)  # when and why, in words (F31)
    return {
        "lang": r.lang, "words": {k: v for k, v in w.items() if k != "actions"},
        "generated_at": r.when(now) if now else "",
        "case": {"reference": case.reference, "status": w.get(case.status, case.status),
                 "opened": r.when(case.created_at), "closed": r.when(case.closed_at),
                 "sop": f"{sop.sop} {sop.version}", "sop_name": f"{r.label(sop.title)} ({sop.version})",
                 "assignee": case.assignee or "",
                 "assignee_name": r.names.user(case.assignee) if case.assignee else "",
                 "region": region, "name": case.display_name or "",
                 "erasure": erasure_words.banner(erased, r.lang, sop.calendar.timezone) if erased else ""},
        "data": [r.form(k, v) for k, v in (case.data or {}).items() if not k.startswith("_")]
        + [r.form("closure", c.get("closure")) for c in (case.data or {}).get("_closures") or []
           if c.get("closure")],
        "steps": steps,
        "referrals": [s for s in steps if s["referral"]],
        **person_files.sections(r, case, notes, files, erased, events),  # notes, attachments (L2)
        "trail": [_event(r, ev) for ev in events],
        "access": access,
        "access_sources": len(ACCESS_SOURCES),
    }


def _item_rows(r: _Render, step_id: str, item: dict[str, Any]) -> list[dict[str, Any]]:
    """An instance's item (a copy of form data: a row of the plan's needs, a best-interests
    assessment) with its form's labels and values in words, and the action that added it."""
    from .engine.item_source import MARK, item_fields, spawned_by_label

    rows = r.fields(item_fields(r.sop, step_id, item), {k: v for k, v in item.items() if k != MARK})
    if item.get(MARK):
        rows.append({"label": r.w["spawned_by"],
                     "value": spawned_by_label(r.sop, step_id, item[MARK], r.lang)})
    return rows


def render_html(record: dict[str, Any]) -> str:
    """The record as one printable HTML page (no script, inline style)."""
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "render" / "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    return env.get_template("person_record.html.j2").render(r=record, w=record["words"])
