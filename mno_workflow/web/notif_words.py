"""A notification as one line of the notifications page, in the reader's language at display
time: a digest as the reminders render it, every other message from its template key and
parameters (:func:`notification`, :func:`notification_text`)."""

from __future__ import annotations

from typing import Any

from ..i18n import N_, colon, gettext
from ..reminders.rendering import with_need
from ..sop.schema import SOP, FieldType
from .core import Web
from .forms import display_value
from .i18n import fmt_datetime, t


def notification(s, sop: SOP, m, lang: str) -> dict[str, Any]:
    """A digest as the reminders render it (subject and text); other messages on one line."""
    if m.template == "digest":
        from types import SimpleNamespace

        from jinja2 import TemplateError

        from ..reminders.outbox import render

        # rendered again in the reader's current language, whatever it was created in
        shown = SimpleNamespace(id=m.id, lang=lang, context=m.context, template=m.template,
                                case_id=m.case_id, recipient_role=m.recipient_role)
        try:
            r = render(s, shown)
        except (TemplateError, KeyError, ValueError, TypeError):
            return {"m": m, "subject": t("digest", lang), "text": ""}
        return {"m": m, "subject": r.subject, "text": r.text.strip()}
    if m.template == "reassigned_away":  # to the former case manager: who took it, by whom
        ctx = m.context or {}
        return {"m": m, "subject": "", "text": gettext(
            "Le dossier {reference} a été confié à {to} par {by}", lang, reference=ctx.get("reference", ""),
            to=ctx.get("to_name", ""), by=ctx.get("by_name", ""))}
    if m.template == "reassigned":  # tryout 2 #11: a case handed over, by whom (the typed reason,
        ctx = m.context or {}       # free text, stays on the case page: not even an older message's)
        return {"m": m, "subject": "", "text": gettext(
            "{reference} vous a été réattribué par {by} ; le motif est sur la page du dossier", lang,
            reference=ctx.get("reference", ""), by=ctx.get("by_name", ""))}
    if m.template == "region_moved":  # tryout 10, M9: a case edited into this supervisor's region
        from ..engine.region_move import region_name
        ctx = m.context or {}
        return {"m": m, "subject": "", "text": gettext(
            "La région du dossier {reference} a été changée par {by} : {old} → {new} ; il est attribué à "
            "{name}, gestionnaire de cas de {old} : réattribuez-le à un gestionnaire de cas de {new}", lang,
            reference=ctx.get("reference", ""), by=ctx.get("by_name", ""),
            old=region_name(sop, ctx.get("from_region"), lang),
            new=region_name(sop, ctx.get("to_region"), lang),
            name=ctx.get("assignee_name", ""))}
    text = notification_text(sop, m, lang)
    if (m.context or {}).get("chase"):  # tryout 5, H12: the case manager chases an off-platform provider
        from ..reminders.offplatform import chase_words
        text += " — " + chase_words(s, m.context, lang)
    if (m.context or {}).get("off_platform"):  # escalated: the case manager must call the provider
        from ..reminders.offplatform import escalation_words
        text += " — " + escalation_words(s, m.context, lang)
    if m.kind == "note":  # a referral note (web/notes.py): who wrote, never what
        ctx = m.context or {}
        if ctx.get("from_side") == "provider":
            who = (Web.organisations(s, lang).get(ctx.get("from_org") or "", "")
                   or t("note_from_provider", lang))
        else:
            who = t("note_from_case", lang)
        return {"m": m, "subject": "", "text": f"{text} — {who}"}
    answer = _referral_answer(s, sop, m, lang)
    return {"m": m, "subject": "", "text": f"{text} — {answer}" if answer else text}


def _referral_answer(s, sop: SOP, m, lang: str) -> str:
    """The provider's coded answer on a referral (e.g. « Motif du refus : Capacité insuffisante »)
    as it stood when the message was written: the choice fields of the forms filled on it other
    than the referral itself, read from the instance's audit events up to ``m.created_at`` — an
    older message never shows a later answer (issue 18). Codes by their labels in ``lang``, never
    the answer's free text (« Précisions : « … » »: what a provider types can name a diagnosis or
    a family situation, even in a field classified ``shareable``): a notification names the
    reference, the step and the coded answer, never case data; the words stay on the case page,
    under the consent rules (tryout 3, F21). Only the answers of the addressing in force then: a
    referral re-referred to another organisation names none of the earlier one's (tryout 4, G9)."""
    from sqlalchemy import select

    from ..store.models import AuditEvent

    ctx = m.context or {}
    step = sop.steps.get(ctx.get("step", ""))
    if not m.case_id or step is None or not step.recipient or not ctx.get("instance"):
        return ""
    q = (select(AuditEvent.data).where(AuditEvent.case_id == m.case_id, AuditEvent.step == ctx["step"],
                                       AuditEvent.instance_key == str(ctx["instance"]))
         .order_by(AuditEvent.seq))
    if getattr(m, "created_at", None) is not None:
        q = q.where(AuditEvent.at <= m.created_at)
    own = step.recipient.split(".")[0]
    forms: dict[str, Any] = {}
    for data in s.scalars(q):  # {form_id: data} of each transition; a later one replaces it
        if isinstance(data, dict) and isinstance(data.get(own), dict):
            forms = {}  # addressed anew (sent, re-referred): an earlier organisation's answer is not
            # this one's (tryout 4, G9: the rule of mno_workflow.engine.addressed)
        forms.update({k: v for k, v in (data or {}).items() if isinstance(v, dict)})
    parts = []
    for fid, data in forms.items():
        form = sop.forms.get(fid)
        if fid == own or form is None:
            continue
        for f in form.fields:
            value = data.get(f.id)
            if f.type == FieldType.choice and isinstance(value, str) and value:
                parts.append(f"{sop.label(f.label, lang)}{colon(lang)}{display_value(sop, f, value, lang)}")
    return " · ".join(parts)


#: a notification's heading by its kind (French message ids, translated where shown)
HEADS = {"task": N_("À faire"), "reminder": N_("Rappel"), "escalation": N_("Escalade"),
         "notify": N_("Pour information"), "note": N_("Nouvelle note"),
         "alert_status": N_("Votre signalement")}


def notification_text(sop: SOP, m, lang: str, case_data: bool = True) -> str:
    """« À faire : MNR-BF-000054 · Référencement — Soutien psychosocial · Envoyé — échéance … »;
    without ``case_data`` (a provider that can no longer read the referral, tryout 3, F33) the
    reference, step and state only: no need, no deadline."""
    ctx = m.context or {}
    step = sop.steps.get(ctx.get("step", ""))
    where = sop.label(step.label, lang) if step else ctx.get("step", "")
    if case_data:  # a referral instance: the need's label, as the in-app digest shows it
        where = with_need(sop, ctx, where, lang)
    else:
        ctx = {k: v for k, v in ctx.items() if k != "due_at"}
    state = (
        sop.label(step.states[ctx["state"]].label, lang) if step and ctx.get("state") in step.states else ""
    )
    due = fmt_datetime(ctx.get("due_at"), lang, sop.calendar.timezone) if ctx.get("due_at") else ""
    ref = ctx.get("reference", "")
    head = gettext(HEADS[m.kind], lang) if m.kind in HEADS else m.kind
    tail = " — " + gettext("échéance {due}", lang, due=due) if due else ""
    instead = sop.roles.get(ctx.get("instead_of") or "")  # told instead of a role nobody holds here
    if instead is not None:
        tail += " — " + gettext("à la place : {role} (personne pour ce dossier)", lang,
                                role=sop.label(instead.label, lang))
    return f"{head}{colon(lang)}{ref} · {where}" + (f" · {state}" if state else "") + tail

