"""What the case page says about each step: who it waits for and since when, the deadline with its
« En retard » / « Escaladé » badge, standing states (a record such as « Consentement donné », not
work), the provider's latest answer on a referral, and the bar of the SOP's steps.

Sources: the SOP (state ``owner``, ``deadline``; role ``scope``), the step instance (``entered_at``,
``recipient``, ``data``) and its running expiry deadline (:func:`.triage.running_deadline`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..engine.service_levels import describe as describe_level
from ..i18n import N_, gettext
from ..sop.schema import SOP
from ..store.models import Case, StepInstance
from .i18n import role_label
from .presenters import form_block
from .triage import running_deadline


def on_behalf(sop: SOP, step_id: str, trigger: str) -> bool:
    """``trigger`` records a provider's answer in its place: one of its forms has the fields
    ``answer_channel`` and ``provider_contact`` (issue 13; as :func:`.presenters.on_behalf_note`)."""
    for t in sop.steps[step_id].transitions:
        if t.trigger == trigger:
            for fid in t.forms:
                form = sop.forms.get(fid)
                ids = {f.id for f in form.fields} if form else set()
                if {"answer_channel", "provider_contact"} <= ids:
                    return True
    return False


def standing(sop: SOP, inst: StepInstance) -> bool:
    """A state that is a record, not work: not final, nobody owns it and it has no deadline."""
    st = sop.steps[inst.step].states.get(inst.state)
    return bool(st) and not inst.final and st.owner is None and st.deadline is None


def _person(s: Session, user_id: str, lang: str) -> str:
    """A user by display name (« compte supprimé (id) » without a user row), never a login."""
    from .user_words import user_names, user_shown
    u = user_shown(user_id, user_names(s, [user_id]), lang)
    return u.name if u.known else f"{u.name} ({u.id})"


def rule_words(sop: SOP, case: Case, inst: StepInstance, lang: str) -> str:
    """The SOP's deadline rule of the instance's state in words, as this case meets it: « 1 mois à
    partir de Identification — Dossier enregistré », « 10 jours ouvrables » (a deadline chosen by a
    field: the case's value's duration), « 3 jours ouvrables, au plus tard 72 heures après « Date
    et heure de l'incident » » (a ``no_later_than`` whose start this case has); "" without a
    deadline or for a directory's response time (said by ``service_level``). Tryout 3, F28: what
    the date counts from is never a guess; tryout 4, G23: nor which of two clocks applies."""
    from ..engine.caps_met import caps_met, period_words
    from ..engine.step_start import with_step_instants
    from ..i18n import quoted
    from ..render.diagram_words import TEXT, _field_label

    st = sop.steps[inst.step].states.get(inst.state)
    deadline = st.deadline if st else None
    if deadline is None:
        return ""
    data = {**(case.data or {}), **(inst.data or {}), "item": inst.item or {}}
    text = period_words(sop, deadline, data, lang)
    if not text:
        return ""
    if deadline.start and deadline.start != "entered":  # named as the diagrams and handbook do
        start = _field_label(sop, deadline.start, lang)
        text += f" {TEXT[lang]['from_field']} {quoted(start, lang)}"
    return ", ".join([text, *caps_met(sop, deadline, with_step_instants(data, case, deadline), lang)])


def waits(s: Session, sop: SOP, case: Case, inst: StepInstance, orgs: dict[str, str], lang: str,
          now: datetime) -> dict[str, Any]:
    """``{"who": text or "", "since": datetime, "due": datetime|None, "late": bool,
    "escalated": bool, "escalated_to": text, "rule": text, "closed_day": text}`` for an instance in
    progress (``rule``: :func:`rule_words`; ``closed_day``: « dimanche, jour non ouvré » when the
    deadline falls on a day the SOP's calendar does not work, :mod:`mno_workflow.i18n.closed_day`)."""
    st = sop.steps[inst.step].states.get(inst.state)
    role = st.owner_for(case.data or {}) if st else None
    who = ""
    if role:
        r = sop.roles.get(role)
        label = sop.label(r.label, lang) if r else role_label(role, lang)
        scope = r.scope if r else "all"
        if scope == "assigned":
            who = f"{label} — {_person(s, case.assignee, lang)}" if case.assignee else label
        elif scope == "recipient" and inst.recipient:
            who = f"{label} — {orgs.get(inst.recipient, inst.recipient)}"
        else:
            who = label
    row = running_deadline(s, inst) if not inst.final else None
    escalated = bool(row and row.status == "done" and row.escalate_to)
    esc_to = ""
    if escalated:
        r = sop.roles.get(row.escalate_to)
        esc_to = sop.label(r.label, lang) if r else role_label(row.escalate_to, lang)
    return {
        "who": who,
        "since": inst.entered_at,
        "due": row.due_at if row else None,
        "late": bool(row and row.due_at < now),
        "escalated": escalated,
        "escalated_to": esc_to,
        # issue 13: the directory's response time (or the default, with its reason)
        "service_level": describe_level(s, sop, case, inst, lang),
        "rule": rule_words(sop, case, inst, lang) if row else "",
        "closed_day": _closed_day(s, sop, row.due_at, lang) if row else "",
    }


def _closed_day(s: Session, sop: SOP, due: datetime, lang: str) -> str:
    from ..engine.timers import calendar_for
    from ..i18n.closed_day import closed_day_note
    return closed_day_note(calendar_for(s, sop, lang), due, lang)


def answers(sop: SOP, inst: StepInstance, lang: str, orgs: dict[str, str],
            earlier: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The forms filled on a referral other than the referral itself (e.g. the provider's decline
    with its reason), newest last, as data blocks for the referral's box. ``earlier``: the forms
    recorded while the referral was addressed to another organisation than now
    (:func:`mno_workflow.engine.addressed.earlier`), each block led by who answered and when."""
    step = sop.steps[inst.step]
    if not step.recipient:
        return []
    own = step.recipient.split(".")[0]
    earlier = earlier or {}
    return [answered_by(sop, form_block(sop, fid, data, lang, None, orgs), earlier.get(fid), lang, orgs)
            for fid, data in (inst.data or {}).items() if fid != own and isinstance(data, dict)]


def answered_by(sop: SOP, block: dict[str, Any], origin: Any, lang: str,
                orgs: dict[str, str]) -> dict[str, Any]:
    """``block`` led by the row « Réponse de : Association Écoute (04/12/2026 16:20) » when
    ``origin`` (:class:`mno_workflow.engine.addressed.Origin`) says it was recorded while the
    referral was addressed to another organisation than now: a re-referred referral's earlier
    decline reads as that organisation's, not the new provider's (tryout 4, G9)."""
    if origin is None:
        return block
    from ..i18n.dates import instant_text

    who = gettext("{organisation} ({when})", lang, organisation=orgs.get(origin.recipient, origin.recipient),
                  when=instant_text(origin.at, lang, sop.calendar.timezone))
    return {**block, "rows": [(gettext("Réponse de", lang), who), *block["rows"]], "earlier": True}


# why the provider no longer sees a referral, by the decision's reason (protection/disclosure.py)
LOST = {
    "consent.withdrawn": N_(
        "Consentement retiré : le prestataire ne voit plus ce référencement ni vos notes."),
    "consent.expired": N_(
        "Consentement expiré : le prestataire ne voit plus ce référencement ni vos notes."),
    "consent.refused": N_(
        "Consentement refusé : le prestataire ne voit plus ce référencement ni vos notes."),
}
LOST_OTHER = N_("Le consentement en vigueur ne couvre plus ce prestataire : il ne voit plus ce "
                "référencement ni vos notes.")


def todo_words(actions: list[str], again: list[str], lang: str) -> str:
    """« Que faire : « Annuler le référencement » ou « Clore sans service ». Si la personne consent à
    nouveau : « Enregistrer le consentement ». » from the labels of the actions the reader may
    take at the referral (``actions``) and at the consent step (``again``), as the SOP names them
    in ``lang``; "" when the reader may do neither."""
    from babel.lists import format_list

    from ..i18n import bare_locale, quoted

    def either(labels: list[str]) -> str:
        return format_list([quoted(x, lang) for x in dict.fromkeys(labels)], style="or",
                           locale=bare_locale(lang))

    said = []
    if actions:
        said.append(gettext("Que faire : {actions}.", lang, actions=either(actions)))
    if again:
        said.append(gettext("Si la personne consent à nouveau : {actions}.", lang, actions=either(again)))
    return " ".join(said)


def provider_blind(s: Session, sop: SOP, case: Case, inst: StepInstance, lang: str,
                   now: datetime, actions: list[str] = (), again: list[str] = ()) -> dict[str, str] | None:
    """For a referral sent to a provider that may no longer read it (consent withdrawn, expired,
    refused or not covering it; finding 14 of tryout 2): ``{"why", "todo"}`` in ``lang`` (``todo``
    empty when the consent is not the reason, e.g. a declined referral; else :func:`todo_words` of
    the reader's ``actions`` on the referral and ``again`` on the consent step); None while it may
    read it."""
    from .access import provider_view

    step = sop.steps[inst.step]
    if (case.status != "open" or inst.final or not step.recipient or not inst.recipient
            or inst.state == step.initial_state):
        return None
    view = provider_view(s, sop, case, inst, now)
    if view.personal:
        return None
    reason = view.decision.reason
    if reason in LOST or reason.startswith(("consent.", "recipient.", "purpose.", "category.")):
        return {"why": gettext(LOST.get(reason, LOST_OTHER), lang),
                "todo": todo_words(list(actions), list(again), lang)}
    return {"why": "", "todo": ""}


def _cannot_apply(sop: SOP, case: Case, sid: str) -> bool:
    """Step ``sid`` has no instance and never will on this case (tryout 2, finding 20): another way
    in than the case's (an alert step on a case opened by registration), or every flow rule and
    spawn that could start it has passed (best interests after an adult's identification)."""
    if any(i.step == sid for i in case.instances):
        return False
    if sid in {e.start for e in sop.entries.values()}:
        return bool(case.instances)  # the case came in another way
    rules = [r for r in sop.flow if r.start == sid]
    spawners = {st_id for st_id, st in sop.steps.items()
                for t in st.transitions if t.spawn and t.spawn.step == sid}
    if not rules and not spawners:
        return False
    for r in rules:
        after = [i for i in case.instances if i.step == r.after.split(".")[0]]
        if not after or any(not i.final for i in after):
            return False
    return not any(i.step in spawners and not i.final for i in case.instances)


def steps_bar(sop: SOP, case: Case, now: datetime) -> list[dict[str, Any]]:
    """One entry per SOP step in order that may apply to ``case``: ``{"id", "label"(Label),
    "status": done|current|todo|stopped, "state"(Label|None)}``; ``current`` when one of its
    instances is work in progress (not final, not standing); ``stopped`` for the consent step when
    no consent is in force (withdrawn, refused, expired: never painted as done), with its state."""
    from ..protection.consent import consent_in_force, settings

    dp = settings(sop)
    out = []
    for sid, step in sop.steps.items():
        if _cannot_apply(sop, case, sid):
            continue
        insts = [i for i in case.instances if i.step == sid]
        state = None
        if any(not i.final and not standing(sop, i) for i in insts) and case.status == "open":
            status = "current"
        elif insts and sid == dp.consent_step and not consent_in_force(sop, case, now).in_force:
            status, state = "stopped", step.states[insts[-1].state].label
        elif insts:
            status = "done"
        else:
            status = "todo"
        out.append({"id": sid, "label": step.label, "status": status, "state": state})
    return out


def consent_mark(s: Session, sop: SOP, case: Case, lang: str, now: datetime) -> tuple[str, str] | None:
    """``(form id, words)`` marking the recorded consent form when it is no longer in force (tryout 2,
    finding 20): « retiré le 02/06/2025 », « expiré le … », « refusé le … »; the day is the first date
    of the form that recorded the change (else when the step entered its state). None otherwise."""
    from ..i18n.dates import day_text
    from ..protection.consent import consent_in_force, settings

    dp = settings(sop)
    if not (case.data or {}).get(dp.consent_form):
        return None
    consent = consent_in_force(sop, case, now)
    if consent.in_force or consent.status == "none":
        return None
    if consent.status == "expired":
        return dp.consent_form, gettext("expiré le {day}", lang, day=day_text(consent.expires_on, lang))
    inst = [i for i in case.instances if i.step == dp.consent_step][-1]
    day: Any = inst.entered_at
    for t in sop.steps[inst.step].transitions:
        if t.dest != inst.state:
            continue
        for fid in t.forms:
            data = (case.data or {}).get(fid) or (inst.data or {}).get(fid) or {}
            form = sop.forms.get(fid)
            dates = [data[f.id] for f in (form.fields if form else [])
                     if f.type.value == "date" and data.get(f.id)]
            if dates:
                day = dates[0]
                break
    words = {"withdrawn": N_("retiré le {day}"), "refused": N_("refusé le {day}")}.get(consent.status)
    shown = day_text(day, lang, sop.calendar.timezone)
    return (dp.consent_form, gettext(words, lang, day=shown)) if words else None
