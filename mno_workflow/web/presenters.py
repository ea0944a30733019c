"""How stored case data is shown on the pages: item labels and blocks, form data blocks (consent
filtered), the case timeline and the provider choice of a referral form (notification lines:
:mod:`.notif_words`, re-exported here)."""

from __future__ import annotations

from typing import Any

from .. import directory
from ..directory.names_lang import in_lang
from ..engine.erasure_words import timeline_words
from ..i18n import N_, colon, gettext
from ..sop.schema import SOP, FieldType
from ..store.models import Case, StepInstance
from . import access
from .core import Web
from .forms import FieldView, display_value
from .i18n import fmt_datetime, t
from .notif_words import notification, notification_text  # noqa: F401 - re-exported for the callers


def item_label(sop: SOP, inst: StepInstance, lang: str) -> str:
    if not inst.item:
        return ""
    need = inst.item.get("need")
    return sop.label(sop.options.get("need", {}).get(need), lang) or str(need or inst.key)


def item_block(sop: SOP, inst: StepInstance, lang: str, cats: set[str] | None,
               view: Any = None) -> dict[str, Any] | None:
    """The item a referral is for — a need row of the repeat group its step iterates on, or the
    form a ``spawn:`` copied (an immediate need with its urgency and incident date) — filtered
    by the consent categories like any other form data, each value by its own form's definition;
    a value withheld is listed with why (``view``: the provider's, :func:`masked`; tryout 8, K1)."""
    from ..engine.item_source import item_fields, item_sources
    if not inst.item:
        return None
    sources = item_sources(sop, inst.step, inst.item)
    if not sources:
        return None
    form_id, field_id = sources[0]
    form = sop.forms.get(form_id)
    group = next((f for f in form.fields if f.id == field_id), None) if form and field_id else None
    title = sop.label(group.label, lang) if group is not None else sop.label(form.title, lang) if form else ""
    from ..engine.item_source import MARK
    from ..protection.masking import listed
    rows, hidden = [], []
    fields = [f for f in item_fields(sop, inst.step, inst.item) if f.id != MARK]
    shown = {f.id for f in fields if cats is None or access.field_visible(f.id, f, cats)}
    visible = {k: v for k, v in inst.item.items() if k in shown}
    seen = {"item": visible, form_id: visible}  # a spawned item's conditions name its own form
    for f in fields:
        if f.id not in shown:  # named or not by what the provider sees, never by its value (L4)
            if listed(f, seen):
                hidden.append(f)
            continue
        if f.id not in inst.item or inst.item[f.id] in (None, "", []):
            continue
        rows.append((sop.label(f.label, lang), display_value(sop, f, inst.item[f.id], lang)))
    return {"title": title, "rows": rows, "tables": [], **masked(sop, hidden, view, lang)}


def masked(sop: SOP, hidden: list, view: Any, lang: str) -> dict[str, Any]:
    """``{"hidden": [labels], "masked": [(labels, « masqué (non couvert par …) »)]}`` of a data
    block: the fields withheld grouped by their reason under the provider's ``view``
    (:func:`mno_workflow.protection.masking.mask_reason`; the consent's when no view is given)."""
    from ..protection.masking import mask_reason, reason_text
    groups: dict[str, list[str]] = {}
    for f in hidden:
        code = (mask_reason(f, view) if view is not None else None) or "consent"
        groups.setdefault(code, []).append(sop.label(f.label, lang))
    return {"hidden": [sop.label(f.label, lang) for f in hidden],
            "masked": [(", ".join(labels), reason_text(code, lang)) for code, labels in groups.items()]}


def form_block(
    sop: SOP, form_id: str, data: dict, lang: str, cats: set[str] | None, orgs: dict[str, str] | None = None,
    view: Any = None,
) -> dict[str, Any]:
    """A titled list of (label, text) — repeat groups as a table — for a stored form. ``orgs``:
    directory names by id (:meth:`Web.directory_names`): a step's recipient or directory service
    field shows the name, never the id. ``view``: the provider's (:func:`.access.provider_view`),
    for why each withheld field is masked (:func:`masked`)."""
    form = sop.forms.get(form_id)
    if form is None:
        return {"title": form_id, "rows": [(k, str(v)) for k, v in (data or {}).items()], "tables": []}
    from ..protection.masking import listed
    rows, tables, hidden = [], [], []
    shown = {f.id for f in form.fields if cats is None or access.field_visible(f"{form_id}.{f.id}", f, cats)}
    seen = {form_id: {k: v for k, v in (data or {}).items() if k in shown}}
    for f in form.fields:
        if f.id not in shown:  # named or not by what the provider sees, never by its value (L4)
            if listed(f, seen):
                hidden.append(f)
            continue
        if f.id not in (data or {}):
            continue
        value = data[f.id]
        if f.type == FieldType.repeat:
            subs = f.fields or []
            head = [sop.label(sf.label, lang) for sf in subs]
            body = [[display_value(sop, sf, row.get(sf.id), lang) for sf in subs] for row in value]
            tables.append({"label": sop.label(f.label, lang), "head": head, "body": body})
        else:
            text = display_value(sop, f, value, lang)
            path = f"{form_id}.{f.id}"
            if orgs and any(path in (st.recipient, st.service) for st in sop.steps.values()):
                text = orgs.get(str(value), text)  # the organisation or service by name, not its id
            rows.append((sop.label(f.label, lang), text))
    return {"title": sop.label(form.title, lang), "rows": rows, "tables": tables,
            **masked(sop, hidden, view, lang)}


#: a deadline change's words on the timeline, then its values (engine/event_words.py)
_DEADLINE_WORDS = {"extend_deadline": N_("Délai prolongé"), "resume_deadline": N_("Délai repris"),
                   "pause_deadline": N_("Délai suspendu")}


def timeline(sop: SOP, events, lang: str, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The case's events as lines of its timeline; ``names``: users' display names by id
    (web/user_words.py), for a person named inside a line (« enregistré … par Mariam Kaboré »)."""
    from ..engine.change_words import edit_lines
    from ..engine.event_sops import migrate_words, sop_for_event
    from ..engine.event_words import event_data_words, event_detail
    from ..views import decision_comment
    from .i18n import role_label
    from .user_words import user_shown

    current = sop
    out = []
    tz = current.calendar.timezone

    def said_with(sop_of_event: SOP) -> dict[str, Any]:
        return {"timezone": tz, "user_name": user_name, "sop": sop_of_event}

    def user_name(uid: str | None) -> str:
        who = user_shown(uid, names or {}, lang)  # a name, never a login
        return (who.name if who.known else f"{who.name} ({who.id})") if who else "—"

    def words(ev) -> dict[str, str]:  # the event's values in words (engine/event_words.py)
        return {x.key: x.text for x in event_data_words(ev.action, ev.data, lang, step=ev.step,
                                                        **said_with(sop_for_event(ev, current)))}

    for ev in events:
        sop = sop_for_event(ev, current)  # an event keeps the labels of the version it was written under
        step = sop.steps.get(ev.step or "")
        comment, changed = "", []
        if ev.action == "create":
            what = gettext("Dossier créé", lang)
        elif ev.action == "reassign":
            d = words(ev)
            what = gettext("Réattribué : {old} → {new} — {reason}", lang, old=d.get("from") or "—",
                           new=d.get("to"), reason=d.get("reason", ""))
        elif ev.action == "reopen":
            what = gettext("Dossier rouvert : {reason}", lang, reason=words(ev).get("reason", ""))
        elif ev.action == "purge":  # retention or a person's request (engine/retention.py)
            d = words(ev)
            what = timeline_words(str((ev.data or {}).get("rule") or ""), lang) + (  # no key (F31)
                f" — {d['reason']}" if d.get("reason") else "")
        elif ev.action == "migrate":
            what = migrate_words(ev, current, lang)
        elif ev.action == "correct":
            what = gettext("Correction : {reason}", lang, reason=words(ev).get("reason", ""))
        elif ev.action == "duplicate_dismissed":  # web/duplicates.py
            d = ev.data or {}
            more = f" (+{d['hidden']})" if d.get("hidden") else ""
            what = gettext("Doublon écarté (ce n'est pas la même personne) : {similar}", lang,
                           similar=", ".join(d.get("similar") or []) + more)
        elif ev.action in ("extend_deadline", "resume_deadline", "pause_deadline"):
            # « Délai prolongé : <motif> — 5 jours ouvrables (08/12/2026 23:59 → 16/12/2026 23:59) »
            reason = words(ev).get("reason", "")
            detail = event_detail(ev.action, ev.data, lang, skip=("reason",), **said_with(sop))
            what = gettext(_DEADLINE_WORDS[ev.action], lang) + colon(lang) + " — ".join(
                x for x in (reason, detail) if x)
        else:
            tr = next((x for x in step.transitions if x.trigger == ev.trigger), None) if step else None
            what = sop.label(tr.label, lang) if tr else (ev.trigger or ev.action)
            what += on_behalf_note(sop, ev, lang, names)
            comment = decision_comment(sop, tr, ev)  # plan approval / revision request
            changed = edit_lines(sop, ev.data, lang)  # a rectification: « avant → après » (L5)
        move = ""
        if step and ev.from_state in step.states and ev.to_state in step.states:
            move = (
                f"{sop.label(step.states[ev.from_state].label, lang)} → "
                f"{sop.label(step.states[ev.to_state].label, lang)}"
            )
        started = []
        for eff in ev.effects or []:
            if "started" in eff:
                sid, _, key = str(eff["started"]).partition(":")
                if sid in sop.steps:
                    need = sop.options.get("need", {}).get(key) if sop.steps[sid].recipient else None
                    label = sop.label(sop.steps[sid].label, lang)
                    started.append(f"{label} — {sop.label(need, lang)}" if need else label)
        role = (
            sop.label(sop.roles[ev.role].label, lang) if ev.role in sop.roles else role_label(ev.role, lang)
        )
        out.append(
            {
                "seq": ev.seq,
                "at": fmt_datetime(ev.at, lang, current.calendar.timezone),
                "actor": ev.actor,
                "role": role,
                "org": ev.organisation,
                "what": what,
                "step": sop.label(step.label, lang) if step else "",
                # a referral's need by its label (« Assistance en espèces »), not its key (« cash »)
                "instance": (sop.label(sop.options.get("need", {}).get(ev.instance_key or ""), lang)
                             if step and step.recipient and ev.instance_key in sop.options.get("need", {})
                             else ev.instance_key),
                "move": move,
                "comment": comment,  # a decision's comment (plan approval, revision request)
                "changes": changed,  # an edit's values replaced, and its reason
                "started": started,
                "closed": any(e.get("case_closed") for e in ev.effects or []),
            }
        )
    return out


def correction_choices(sop: SOP, case, lang: str) -> list[dict[str, Any]]:
    """For the coordination's correction form: per step instance, its label, current state and
    the other states it may be put in (``value`` = ``step:key|state``). A state standing for form
    data the case lacks (:func:`..engine.state_needs.missing_entry`, refused on submit) is offered
    disabled, its option saying which data is missing (« Consentement donné — données absentes :
    Consentement éclairé »)."""
    from ..engine.state_needs import missing_entry

    out = []
    for inst in case.instances:
        step = sop.steps.get(inst.step)
        if step is None:
            continue
        name = sop.label(step.label, lang) + (f" [{inst.key}]" if inst.key != "1" else "")
        current = sop.label(step.states[inst.state].label, lang) if inst.state in step.states else inst.state
        options = []
        for s, st in step.states.items():
            if s == inst.state:
                continue
            label = sop.label(st.label, lang) or s
            lacking = {f: None for _t, forms in missing_entry(sop, case, inst, s) for f in forms}
            if lacking:
                forms = ", ".join(sop.label(sop.forms[f].title, lang) or f for f in lacking)
                label = gettext("{state} — données absentes : {forms}", lang, state=label, forms=forms)
            options.append({"value": f"{inst.label_key}|{s}", "label": label, "disabled": bool(lacking)})
        out.append({"label": f"{name} — {current}", "options": options})
    return out


def on_behalf_note(sop: SOP, ev, lang: str, names: dict[str, str] | None = None) -> str:
    """`` — enregistré pour le prestataire par Mariam Kaboré (Téléphone, Major Kaboré, 02/06/2025 11:30)``
    when the event's form is a provider's answer recorded on its behalf (a form with the fields
    ``answer_channel`` and ``provider_contact``, issue 13); ``""`` otherwise."""
    for form_data in (ev.data or {}).values():
        if (isinstance(form_data, dict) and form_data.get("answer_channel")
                and form_data.get("provider_contact")):
            channel = sop.label(sop.options.get("answer_channel", {}).get(form_data["answer_channel"]), lang)
            at = fmt_datetime(form_data.get("answered_at"), lang, sop.calendar.timezone)
            details = ", ".join(x for x in (channel or form_data["answer_channel"],
                                            str(form_data["provider_contact"]), at) if x)
            from .user_words import user_shown
            who = user_shown(ev.actor, names or {}, lang)  # a name, never a login
            actor = (who.name if who.known else f"{who.name} ({who.id})") if who else ""
            return gettext(" — enregistré pour le prestataire par {actor} ({details})", lang, actor=actor,
                           details=details)
    return ""


def case_sop(case: Case) -> SOP | None:
    """The SOP model of ``case``'s version (its regions and needs for the directory's proposals),
    None for a case without one."""
    from ..reminders.rendering import sop_model
    version = getattr(case, "sop_version", None)
    return sop_model(version) if version is not None else None


def provider_field(
    s, views: list[FieldView], field_id: str, case: Case, inst: StepInstance, lang: str,
    sop: SOP | None = None, now: Any = None,
) -> None:
    """Turn the recipient field into a choice of matched providers (organisation ids) for the
    referral's need and the case's region, with the reasons; other organisations follow. With
    ``sop`` and ``now``: an organisation whose directory type the consent in force does not
    cover is shown but not selectable, « — non couvert par le consentement » (the engine
    refuses it anyway: engine/disclose.py; tryout 3, F11); under a supervisor's override,
    « — non couvert par la dérogation », and the field's ``notice`` says the referral goes out
    only under that override (:func:`.override_words.override_notice`; tryout 7, J4)."""
    view = next((v for v in views if v.name == field_id), None)
    if view is None:
        return
    orgs = Web.organisations(s, lang)
    need = (inst.item or {}).get("need")
    candidates = []
    if need and case.region:
        try:
            candidates = directory.match(s, str(need), case.region, limit=8,  # its SOP's regions (K6)
                                         sop=sop if sop is not None else case_sop(case))
        except directory.MatchError:
            candidates = []
    seen: dict[str, str] = {}
    notes = []
    for c in candidates:
        if c.organization_id not in seen:
            oname = orgs.get(c.organization_id, c.organization_name)  # names in the reader's language
            seen[c.organization_id] = f"{oname} — {in_lang(c.service_name, lang)}"
            notes.append((seen[c.organization_id], c.reasons_in(lang)))
    others = [(oid, name) for oid, name in orgs.items() if oid not in seen]
    current = view.text
    if current and current not in seen and current not in orgs:
        others.insert(0, (current, current))
    view.type = "provider"
    view.options = list(seen.items())
    view.groups = [(t("other_providers", lang), others)] if others else []
    view.notes = notes
    # the case manager follows the answer of an organisation off the platform, by the rule the
    # case page, the API and the reminders apply (directory.organisations_off_platform; tryout 7,
    # J2): marked « on the platform » but nobody there to answer (I7), or not using it at all
    sop_id = sop.sop if sop is not None else case.sop_version.sop_id  # its SOP's accounts only
    every = [*seen, *(oid for oid, _ in others)]
    no_focal = directory.organisations_without_focal_point(s, every, sop_id=sop_id)
    off = directory.organisations_off_platform(s, every, sop_id=sop_id)
    if sop is not None and unrecorded_after_send(sop, inst.step):
        # the SOP gives nobody a way to record such an organisation's answer (tryout 8, K12):
        # never « vous suivrez sa réponse », which would be a promise it cannot keep
        _mark(view, off, gettext("hors plateforme : cette POS ne permet pas d'enregistrer sa réponse", lang))
    else:
        _mark(view, no_focal,
              gettext("aucun point focal actif sur la plateforme : vous suivrez la réponse", lang))
        _mark(view, off - no_focal,
              gettext("hors plateforme : vous suivrez sa réponse (téléphone, visite)", lang))
    if sop is not None and now is not None and sop.data_protection is not None:
        from .override_words import override_notice
        view.notice = override_notice(s, sop, case, lang, now)  # under an override: said (J4)
        view.disabled = _not_covered(s, sop, case, now, [*seen, *(oid for oid, _ in others)])
        _mark(view, view.disabled, gettext("non couvert par la dérogation", lang) if view.notice
              else gettext("non couvert par le consentement", lang))
        # no data-sharing agreement in force: said before the send, which it would refuse when
        # the SOP requires one (tryout 8, K9: learnt after submitting, on a 24 h clock)
        unsigned = _without_agreement(s, sop, now, every) - view.disabled
        if sop.data_protection.require_sharing_agreement:
            view.disabled = view.disabled | unsigned
        _mark(view, unsigned, gettext("sans accord de partage de données en vigueur", lang))
    if sop is not None:
        mark_abroad(s, sop, view, {oid: oid for oid in [*seen, *(oid for oid, _ in others)]}, lang)


def unrecorded_after_send(sop: SOP, step_id: str) -> bool:
    """Whether a referral of step ``step_id``, once sent, waits in a state where an answer only
    the organisation's focal point can give (:func:`mno_workflow.sop.answers.unrecordable_answers`,
    lint W119): an organisation off the platform could then never have its answer recorded."""
    from ..sop.answers import sent_states, unrecordable_answers
    return any(unrecordable_answers(sop, step_id, st) for st in sent_states(sop, step_id))


def mark_abroad(s, sop: SOP, view: FieldView, owners: dict[str, str], lang: str) -> None:
    """« … — à l'étranger : Mali » on the options of ``view`` (code → its organisation in
    ``owners``) whose organisation is established outside the SOP's country only
    (:func:`mno_workflow.directory.need_check.abroad`), each option titled, and the field's help,
    with why it matters: a transfer of personal data abroad needs the authority's authorisation
    (tryout 6, I4: said before the send, not only after)."""
    from ..directory.need_check import abroad, abroad_help, abroad_mark
    away = abroad(s, sop, set(owners.values()))
    if not away:
        return
    why, said = abroad_help(lang), {oid: abroad_mark(c, lang) for oid, c in away.items()}
    marks = {code: said[oid] for code, oid in owners.items() if oid in said}

    def marked(opts):
        return [(c, f"{n} — {marks[c]}" if c in marks else n) for c, n in opts]
    view.options, view.groups = marked(view.options), [(g, marked(opts)) for g, opts in view.groups]
    view.titles.update(dict.fromkeys(marks, why))
    view.help = f"{view.help} {why}".strip() if why not in view.help else view.help


def _mark(view: FieldView, codes: set[str], mark: str) -> None:
    """« Organisation — <mark> » for the options of ``view`` whose code is in ``codes``."""
    view.options = [(c, f"{n} — {mark}" if c in codes else n) for c, n in view.options]
    view.groups = [(g, [(c, f"{n} — {mark}" if c in codes else n) for c, n in opts])
                   for g, opts in view.groups]


def _without_agreement(s, sop: SOP, now: Any, organisations: list[str]) -> set[str]:
    """The organisations of ``organisations`` with no data-sharing agreement in force on the
    SOP's today (signed, not expired: :func:`mno_workflow.protection.agreement_in_force`'s rule),
    in one query; none without the directory's agreements table."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import inspect, select

    from ..directory.tables import TABLES
    t = TABLES["sharing_agreement"]
    if not organisations or not inspect(s.connection()).has_table(t.name):
        return set()
    day = now.astimezone(ZoneInfo(sop.calendar.timezone)).date()  # the SOP's today, as the engine
    rows = s.execute(select(t.c.organization_id, t.c.signed_on, t.c.expires_on)
                     .where(t.c.organization_id.in_(organisations)))
    signed = {r.organization_id for r in rows
              if r.signed_on <= day and (r.expires_on is None or r.expires_on >= day)}
    return set(organisations) - signed


def _not_covered(s, sop: SOP, case: Case, now: Any, organisations: list[str]) -> set[str]:
    """The organisations of ``organisations`` the consent in force does not let the case's data
    be shared with, by their directory type (:func:`mno_workflow.protection.may_disclose`, as
    the engine decides for the same organisation); none without a directory."""
    from ..protection import consent_in_force, may_disclose
    consent = consent_in_force(sop, case, now)
    purpose = sop.data_protection.referral_purpose if sop.data_protection else None
    return {oid for oid, kind in directory.organisation_types(s, organisations).items()
            if kind is not None and not may_disclose(consent, kind, None, purpose).allowed}

