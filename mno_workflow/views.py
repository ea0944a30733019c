"""Plain-text and JSON views of a case and its audit trail, in French or English."""

from __future__ import annotations

from typing import Any

from .i18n import N_, colon, gettext
from .sop.answers import unrecordable_answers
from .sop.schema import SOP
from .store.models import AuditEvent, Case

#: The views' words: French source text, message ids of the catalogues (translated by :func:`_t`).
_WORDS: dict[str, Any] = {
    "case": N_("Dossier"), "status": {"open": N_("ouvert"), "closed": N_("clos")},
    "assignee": N_("Gestionnaire"), "region": N_("Région"), "steps": N_("Étapes"),
    "trail": N_("Journal d'audit"), "created": N_("Dossier créé"), "started": N_("démarre"),
    "closed": N_("Dossier clos"), "name": N_("Nom"), "sop": N_("POS"), "data": N_("données"),
}


#: Words of audit events without a trigger: French source text, msgid of the catalogues.
_ACTIONS = {"reassign": N_("Réattribution"), "reopen": N_("Réouverture"),
            "extend_deadline": N_("Délai prolongé"), "pause_deadline": N_("Délai suspendu"),
            "resume_deadline": N_("Délai repris"), "migrate": N_("Migration de version de POS"),
            "purge": N_("Données personnelles effacées"),
            "correct": N_("Correction d'état (administrateur)")}


def _t(lang: str) -> dict[str, Any]:
    """:data:`_WORDS` in ``lang`` (a catalogue language; French otherwise)."""
    return {k: {s: gettext(v, lang) for s, v in w.items()} if isinstance(w, dict) else gettext(w, lang)
            for k, w in _WORDS.items()}


def _local(sop: SOP, instant: Any) -> str:
    from .i18n.dates import instant_text

    return instant_text(instant, None, sop.calendar.timezone)


def _step_state(sop: SOP, step: str | None, state: str | None, lang: str) -> str:
    if not step or step not in sop.steps:
        return state or ""
    st = sop.steps[step]
    return sop.label(st.states[state].label, lang) if state in st.states else (state or "")


class Names:
    """Names of the users, organisations and directory services a case view mentions (by id): a
    user's display name, an organisation's or a service's name in the directory; the id itself
    when none is known."""

    def __init__(self, users: dict[str, str] | None = None, orgs: dict[str, str] | None = None,
                 services: dict[str, str] | None = None, off_platform: set[str] | None = None):
        self.users, self.orgs, self.services = users or {}, orgs or {}, services or {}
        # the case's recipients not known to use the platform (directory.organisations_off_platform)
        self.off_platform = off_platform or set()

    def user(self, user_id: str | None) -> str:
        return self.users.get(user_id or "") or user_id or "-"

    def org(self, org_id: str | None) -> str:
        return self.orgs.get(org_id or "") or org_id or "-"

    def service(self, service_id: str | None) -> str:
        return self.services.get(service_id or "") or service_id or "-"


def names_for(session: Any, case: Case, events: list[AuditEvent], users_too: tuple[str, ...] = (),
              orgs_too: tuple[str, ...] = ()) -> Names:
    """The :class:`Names` of the assignee, the actors and the organisations of ``case`` and its
    trail (and of ``users_too``, ``orgs_too``: an access log's readers)."""
    from sqlalchemy import inspect, select

    from .directory.tables import TABLES
    from .store.models import User
    user_ids = {case.assignee, *(e.actor for e in events), *users_too} - {None, ""}
    org_ids = {*(i.recipient for i in case.instances), *(e.organisation for e in events),
               *orgs_too} - {None, ""}
    users = {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(user_ids)))
             if u.display_name}
    org = TABLES["organization"]
    orgs: dict[str, str] = {}
    services: dict[str, str] = {}
    if inspect(session.connection()).has_table(org.name):  # a database without a directory: ids
        orgs = {oid: name for oid, name in session.execute(select(org.c.id, org.c.name).where(
            org.c.id.in_(org_ids))) if name}
        svc = TABLES["service"]
        services = {sid: name for sid, name in session.execute(select(svc.c.id, svc.c.name)) if name}
    orgs.update(post_names(session, org_ids - set(orgs)))
    from .directory import organisations_off_platform
    off = organisations_off_platform(session, [i.recipient for i in case.instances],
                                     sop_id=case.sop_version.sop_id)
    return Names(users, orgs, services, off)


def post_names(session: Any, org_ids: set[str]) -> dict[str, str]:
    """``{organisation id: name}`` of organisations the directory does not list (a first
    responders' post, ``fds-poste-…``, which lives only in its accounts): the name of its first
    account (by login) that has one — never its key. The case views and ``mno user list`` say it."""
    from sqlalchemy import select

    from .store.models import User
    out: dict[str, str] = {}
    if not org_ids:
        return out
    for oid, name in session.execute(select(User.organisation, User.display_name).where(
            User.organisation.in_(org_ids)).order_by(User.id)):
        if name:
            out.setdefault(oid, name)
    return out


def dues_of(session: Any, case: Case) -> dict[int, Any]:
    """``{step instance id: due instant (aware UTC)}`` of the case's open steps that have a
    deadline in their current state, as the case page shows them
    (:func:`mno_workflow.store.dues.running_dues`, one statement)."""
    from .store.dues import running_dues
    return {k: v for k, v in running_dues(session, case.instances).items() if v is not None}


def case_lines(case: Case, sop: SOP, lang: str = "fr", names: Names | None = None,
               dues: dict[int, Any] | None = None, now: Any = None, calendar: Any = None) -> list[str]:
    """Summary lines: reference, status, person, region, then each step instance and its state
    (users and organisations by name when ``names`` knows them) and, for an open step with a
    deadline (``dues``: :func:`dues_of`), « échéance 10/12/2026 23:59 » in the SOP's time zone,
    « en retard » once ``now`` is past it (tryout 3, F10), « (dimanche, jour non ouvré) » when
    that day is not a working day of ``calendar`` (the SOP's, :func:`engine.timers.calendar_for`;
    tryout 3, F28)."""
    names = names or Names()
    words_of = _t(lang)
    region = sop.label(sop.options.get("region", {}).get(case.region or ""), lang) or case.region or "-"
    lines = [f"{words_of['case']} {case.reference} — {words_of['status'].get(case.status, case.status)} "
             f"(v{case.version}, {words_of['sop']} {sop.sop} {sop.version})",
             f"{words_of['name']}{colon(lang)}{name_of(case, lang)} · "
             f"{words_of['region']}{colon(lang)}{region} · "
             f"{words_of['assignee']}{colon(lang)}{names.user(case.assignee) if case.assignee else '-'}",
             f"{words_of['steps']}{colon(lang).rstrip()}"]
    for inst in case.instances:
        step = sop.steps[inst.step]
        mark = "✓" if inst.final else "•"
        extra = f" → {names.org(inst.recipient)}" if inst.recipient else ""
        if inst.recipient in names.off_platform:  # its answers recorded by the caseworker
            extra += f" ({gettext('suivi par le gestionnaire', lang)})"
            if not inst.final and unrecordable_answers(sop, inst.step, inst.state):  # K12, lint W119
                extra += " — " + gettext("cette POS ne permet pas d'enregistrer sa réponse", lang)
        words = sop.label(step.label, lang) + _need(sop, inst.key, lang)  # --format json has the keys
        due = (dues or {}).get(inst.id)
        if due is not None:
            from .i18n.dates import instant_text
            when = instant_text(due, lang, sop.calendar.timezone)
            extra += " — " + gettext("échéance {due}", lang, due=when)
            if calendar is not None:
                from .i18n.closed_day import closed_day_note
                note = closed_day_note(calendar, due, lang)
                extra += f" ({note})" if note else ""
            if now is not None and due < now:
                extra += " (" + gettext("en retard", lang) + ")"
        lines.append(f"  {mark} {words}{colon(lang)}"
                     f"{sop.label(step.states[inst.state].label, lang)}{extra}")
    return lines


def name_of(case: Case, lang: str) -> str:
    """The person's name, « Données personnelles effacées » once erased (F31), else « - »."""
    if case.purged_at is not None:
        from .engine.erasure_words import title
        return title(lang)
    return case.display_name or "-"


def _need(sop: SOP, key: str | None, lang: str) -> str:
    """`` — <need label>`` for an instance keyed by a need (``referral:cash`` → « — Cash
    assistance »), else ``""`` (a single instance, ``consent:1``, needs no word)."""
    need = sop.options.get("need", {}).get(key or "")
    return f" — {sop.label(need, lang)}" if need else ""


def _step_words(sop: SOP, step_id: str | None, key: str | None, lang: str) -> str:
    """A step instance in words: « Référencement — Aide en espèces » (the ids when the SOP has none)."""
    step = sop.steps.get(step_id or "")
    return (sop.label(step.label, lang) if step else step_id or "") + _need(sop, key, lang)


def audit_lines(events: list[AuditEvent], sop: SOP, lang: str = "fr",
                names: Names | None = None) -> list[str]:
    """One line per audit event (local time of the SOP), with the steps it started (users and
    organisations by name when ``names`` knows them)."""
    from .engine.event_sops import migrate_words, sop_for_event
    from .engine.event_words import event_detail, reason_text
    names = names or Names()
    words_of = _t(lang)
    lines = [f"{words_of['trail']}{colon(lang).rstrip()}"]
    current = sop
    for ev in events:
        sop = sop_for_event(ev, current)  # old events keep the labels of their SOP version
        role = sop.label(sop.roles[ev.role].label, lang) if ev.role in sop.roles else ev.role
        at = f" @ {names.org(ev.organisation)}" if ev.organisation else ""
        who = f"{names.user(ev.actor)} ({role}{at})"
        if ev.action == "create":
            what = words_of["created"]
        elif ev.action == "migrate":
            what = migrate_words(ev, current, lang)
        elif ev.action == "correct":
            words = gettext(_ACTIONS["correct"], lang)
            before = _step_state(sop, ev.step, ev.from_state, lang)
            after = _step_state(sop, ev.step, ev.to_state, lang)
            where = _step_words(sop, ev.step, ev.instance_key, lang)
            reason = reason_text((ev.data or {}).get("reason"), lang)
            what = f"{words} {where}{colon(lang)}{before} → {after} — {reason}"
        elif ev.action in _ACTIONS and not ev.trigger:  # reassign, reopen, deadlines, migrate, purge
            words = gettext(_ACTIONS[ev.action], lang)
            detail = event_detail(ev.action, ev.data, lang, timezone=current.calendar.timezone,
                                  user_name=names.user, sop=sop, step=ev.step, skip=("assignee",))
            where = f" {_step_words(sop, ev.step, ev.instance_key, lang)}" if ev.step else ""
            what = f"{words}{where}" + (f" — {detail}" if detail else "")
        else:
            step = sop.steps.get(ev.step or "")
            label = ""
            if step:
                label = next((sop.label(tr.label, lang) for tr in step.transitions
                              if tr.trigger == ev.trigger), ev.trigger or "")
            what = (f"{sop.label(step.label, lang) if step else ev.step}{_need(sop, ev.instance_key, lang)}"
                    f"{colon(lang)}"
                    f"{_step_state(sop, ev.step, ev.from_state, lang)} → "
                    f"{_step_state(sop, ev.step, ev.to_state, lang)} — {label}")
            tr = next((x for x in step.transitions if x.trigger == ev.trigger), None) if step else None
            comment = decision_comment(sop, tr, ev)
            what += f" « {comment} »" if comment else ""
        lines.append(f"{ev.seq:>3}. {_local(current, ev.at)} · {who} · {what}")
        from .engine.change_words import edit_lines
        lines += [f"       ↳ {x}" for x in edit_lines(sop, ev.data, lang)]  # « avant → après » (L5)
        for eff in ev.effects or []:
            if "started" in eff:
                step_id = eff["started"].split(":")[0]
                name = sop.label(sop.steps[step_id].label, lang) if step_id in sop.steps else step_id
                lines.append(f"       ↳ {words_of['started']}{colon(lang)}{name}"
                             f"{_need(sop, eff['started'].split(':', 1)[1], lang)}")
            if eff.get("case_closed"):
                lines.append(f"       ↳ {words_of['closed']}")
    return lines


def case_as_dict(case: Case, sop: SOP, events: list[AuditEvent],
                 off_platform: set[str] | None = None, dues: dict[int, Any] | None = None) -> dict[str, Any]:
    """A JSON-ready view of a case, its step instances and its audit trail; a step with a recipient
    says whether that organisation is off the platform (``off_platform``: the ids
    :func:`.directory.organisations_off_platform` gives; its answers recorded by the caseworker)."""
    off = off_platform or set()
    return {
        "reference": case.reference, "status": case.status, "version": case.version,
        "sop": {"id": sop.sop, "version": sop.version}, "assignee": case.assignee,
        "name": case.display_name, "region": case.region, "data": case.data,
        "created_at": case.created_at.isoformat(), "updated_at": case.updated_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "steps": [{"step": i.step, "key": i.key, "state": i.state, "final": i.final,
                   "recipient": i.recipient, "off_platform": (i.recipient in off) if i.recipient else None,
                   # the answers nobody can record for an off-platform organisation (K12, W119)
                   "unrecordable_answers": [t.trigger for t in unrecordable_answers(sop, i.step, i.state)]
                   if i.recipient in off and not i.final else [],
                   "item": i.item, "data": i.data,
                   "entered_at": i.entered_at.isoformat(),
                   "due_at": dues[i.id].isoformat() if dues and i.id in dues else None}
                  for i in case.instances],
        "audit": [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "role": e.role,
                   "organisation": e.organisation, "action": e.action, "trigger": e.trigger,
                   "step": e.step, "instance": e.instance_key, "from": e.from_state, "to": e.to_state,
                   "data": e.data, "effects": e.effects, "hash": e.hash,
                   "sop_version": e.sop_version} for e in events],
    }


def decision_comment(sop: SOP, tr: Any, ev: Any) -> str:
    """The ``comment`` field of the form of transition ``tr`` as filled in audit event ``ev`` (the
    supervisor's word on a plan approval or a revision request, issue 18), or ``""``."""
    if tr is None or not isinstance(tr.form, str) or tr.form not in sop.forms:  # one form only
        return ""
    if not any(f.id == "comment" for f in sop.forms[tr.form].fields):
        return ""
    data = (ev.data or {}).get(tr.form)
    value = data.get("comment") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""
