"""Rendering an outbox message: subject, text and HTML from the Jinja2 templates
(``templates/{name}.{subject,txt,html}.j2``, one template whose ``{% trans %}`` texts come from
the catalogues; ``StrictUndefined``: a missing variable is an error, never a blank) in the
message's language, with the SOP version's labels of steps, states and roles, due dates in the
SOP's time zone, the link of the place to act (``link``; each digest item's ``link``: absolute
with ``MNO_PUBLIC_URL``, see :mod:`.links`) and stored messages (``where``/``reason``) rendered in
that language. Part of :mod:`.outbox` (which re-exports it).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine.clock import require_aware
from ..i18n import norm_lang
from ..i18n.dates import day_text, day_words, instant_text
from ..sop.loader import load_stored
from ..sop.schema import SOP
from ..store.models import Case, OutboxMessage, SopVersion, StepInstance
from .links import NO_CASE_TEMPLATES, PROVIDER_ROLE, absolute, mail_path
from .notifiers import Rendered
from .stored_message import text_of
from .templating import message_templates

LANGS = ("fr", "en")  # kept for callers; any language with a catalogue is rendered (i18n.languages())
TEMPLATES = Path(__file__).resolve().parent / "templates"


_env = message_templates(TEMPLATES)

_sops: dict[str, SOP] = {}
_sops_lock = threading.Lock()


def sop_model(row: SopVersion) -> SOP:
    """The SOP model of a stored version, parsed once per content hash."""
    hit = _sops.get(row.sha256)
    if hit is None:
        hit = load_stored(row).model
        with _sops_lock:
            _sops.setdefault(row.sha256, hit)
    return hit


_sop = sop_model


def format_due(instant: datetime, lang: str, timezone: str) -> str:
    """A due instant in the SOP's time zone, day/month/year in every language: ``15/01/2025 14:30``
    (:mod:`mno_workflow.i18n.dates`)."""
    return instant_text(require_aware(instant, "due_at"), lang, timezone)


def format_day(day: date, lang: str) -> str:
    """A day in words: ``lundi 2 juin 2025`` (fr), ``Monday, 2 June 2025`` (en, en_GB)."""
    return day_words(day, lang)


def with_need(sop: SOP, ctx: Mapping[str, Any], label: str, lang: str) -> str:
    """``label`` followed by the need of the referral instance ``ctx["instance"]`` (a step with a
    recipient), as the in-app notifications show it; ``label`` unchanged otherwise."""
    step = sop.steps.get(ctx.get("step") or "")
    key = str(ctx.get("instance") or "")
    if not key or step is None or not step.recipient:
        return label
    need = sop.options.get("need", {}).get(key)
    return f"{label} — {sop.label(need, lang) if need else key}"


def _labels(sop: SOP, ctx: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Step/state/role labels and the local due date for a message context (only for keys present,
    so that a missing key stays missing and the template fails on it)."""
    out: dict[str, Any] = {}
    step = sop.steps.get(ctx["step"]) if "step" in ctx else None
    if "step" in ctx:
        out["step_label"] = sop.label(step.label, lang) if step else ctx["step"]
    if "state" in ctx:
        state = step.states.get(ctx["state"]) if step else None
        out["state_label"] = sop.label(state.label, lang) if state else ctx["state"]
    if "owner_role" in ctx:
        role = sop.roles.get(ctx["owner_role"]) if ctx["owner_role"] else None
        out["owner_role_label"] = sop.label(role.label, lang) if role else (ctx["owner_role"] or "—")
    if "reason" in ctx:  # alert_status (engine/notify.py): the closing reason's option label
        opt = (sop.options.get(ctx.get("reason_options") or "") or {}).get(ctx["reason"])
        out["reason_label"] = sop.label(opt, lang) if opt else ctx["reason"]
    if ctx.get("by_role") and ctx.get("at"):  # alert_status: when and by which role (never a name)
        role = sop.roles.get(ctx["by_role"])
        out["by_role_label"] = sop.label(role.label, lang) if role else ctx["by_role"]
        out["on"] = day_text(datetime.fromisoformat(ctx["at"]), lang, sop.calendar.timezone)
    for end in ("from_region", "to_region"):  # region_moved (engine/region_move.py): by their labels
        if end in ctx:
            found = sop.options.get("region", {}).get(ctx[end] or "")
            out[f"{end}_label"] = sop.label(found, lang) if found else (ctx[end] or "—")
    if ctx.get("due_at"):
        out["due"] = format_due(datetime.fromisoformat(ctx["due_at"]), lang, sop.calendar.timezone)
    return out


def _sop_of_case(session: Session, case_id: int | None, reference: str | None) -> SOP | None:
    case = session.get(Case, case_id) if case_id is not None else None
    if case is None and reference:
        case = session.scalar(select(Case).where(Case.reference == reference))
    return _sop(case.sop_version) if case is not None else None


def render(session: Session, message: OutboxMessage) -> Rendered:
    """The subject, text (and HTML when the template has one) of ``message`` in its language.

    Raises :class:`jinja2.TemplateError` (e.g. ``UndefinedError`` for a missing variable,
    ``TemplateNotFound``) or KeyError/ValueError for a malformed context: never a blank text.
    """
    lang = norm_lang(message.lang)  # fr, en or any language with a catalogue (else fr)
    ctx: dict[str, Any] = dict(message.context or {})
    ctx["lang"] = lang
    provider = message.recipient_role == PROVIDER_ROLE
    if message.template == "digest":
        ctx.update(_digest_context(session, ctx, lang, provider))
    elif message.template in NO_CASE_TEMPLATES:  # the former case manager's notice: no SOP, no link
        pass
    else:
        sop = _sop_of_case(session, message.case_id, ctx.get("reference"))
        if sop is None:
            raise ValueError(f"case {message.case_id} of outbox message {message.id} not found")
        ctx.update(_labels(sop, ctx, lang))
        if message.recipient_role:
            role = sop.roles.get(message.recipient_role)
            ctx["role_label"] = sop.label(role.label, lang) if role else message.recipient_role
        for name in ("where", "reason"):  # a stored message (or a row's old fr/en texts), in lang
            text = text_of(ctx, name, lang)
            if text is not None:
                ctx[name] = text
        if isinstance(ctx.get("from_state"), Mapping):  # migrated: the old state in the old words
            ctx["from_label"] = ctx["from_state"].get(lang) or ctx["from_state"].get("fr") or ""
        ctx["link"] = _link(session, message.template, ctx, provider)
        if ctx.get("chase"):  # an off-platform provider its case manager chases (.offplatform)
            from .offplatform import chase_labels
            ctx.update(chase_labels(session, ctx, lang))
        if ctx.get("off_platform"):  # escalated: the case manager must call it (.offplatform)
            ctx.update(_called(session, sop, ctx, lang))
    base = f"{lang}/{message.template}"  # templates/<name>.*.j2 translated into lang (_OneTemplateLoader)
    subject = " ".join(_env.get_template(f"{base}.subject.j2").render(ctx).split())
    text = _env.get_template(f"{base}.txt.j2").render(ctx).strip() + "\n"
    html = None
    if (TEMPLATES / f"{message.template}.html.j2").exists():
        html = _env.get_template(f"{base}.html.j2").render(ctx)
    if not subject or not text.strip():
        raise ValueError(f"template {base} rendered an empty subject or body")
    return Rendered(subject=subject, text=text, html=html)


def _called(session: Session, sop: SOP, ctx: Mapping[str, Any], lang: str) -> dict[str, str]:
    """``called_org``, ``called_phone`` and the responsible role's words (« Gestionnaire de cas,
    qui doit appeler CSPS de Tanghin ») of an escalation about an off-platform
    provider (:func:`.offplatform.mark_escalation`)."""
    from ..i18n import gettext
    from .offplatform import chase_labels, chaser_of
    labels = chase_labels(session, {"chase": ctx["off_platform"]}, lang)
    role = sop.roles.get(chaser_of(sop))
    who = sop.label(role.label, lang) if role else chaser_of(sop)
    return {"called_org": labels["chase_org"], "called_phone": labels["chase_phone"],
            "owner_role_label": gettext("{role}, qui doit appeler {org}", lang, role=who,
                                        org=labels["chase_org"])}


def _link(session: Session, template: str, ctx: Mapping[str, Any], provider: bool) -> str:
    """The absolute link (``MNO_PUBLIC_URL`` + path; the path alone without it) of the place to
    act for a message about a case: the case page at the step's box, the provider's referral page
    (both by the instance's id: the need of a referral is not named in a message), or « Mes
    signalements » for the status of an alert."""
    if template == "alert_status":  # a first responder sees its alerts' status, not the case
        return absolute("/signalements")
    ref, step, key = ctx.get("reference"), ctx.get("step"), ctx.get("instance")
    inst_id = None
    if ref and step and key is not None:
        inst_id = session.scalar(select(StepInstance.id).join(Case, Case.id == StepInstance.case_id)
                                 .where(Case.reference == ref, StepInstance.step == step,
                                        StepInstance.key == str(key)).limit(1))
    return absolute(mail_path(ref, inst_id, provider=provider))


def _digest_context(session: Session, ctx: Mapping[str, Any], lang: str,
                    provider: bool = False, links: bool = True, need: bool = False) -> dict[str, Any]:
    """The digest's day and items in ``lang`` (labels, local due dates and, with ``links``, each
    item's e-mail link; the notifications page builds its own in-app links). With ``need`` (the
    in-app page only: an e-mail never names a need, which says something about the person), a
    referral's step label carries its need (« Référencement — Assistance en espèces ») so that two
    referrals of one case can be told apart."""
    out: dict[str, Any] = {}
    if "day" in ctx:
        out["day_label"] = format_day(date.fromisoformat(ctx["day"]), lang)
    for key in ("due_today", "overdue", "escalations"):
        if key not in ctx:
            continue
        items = []
        for item in ctx[key]:
            sop = _sop_of_case(session, None, item["reference"])
            if sop is None:
                raise ValueError(f"case {item['reference']} of a digest not found")
            link = _link(session, "digest", item, provider) if links else ""
            labels = _labels(sop, item, lang)
            if need:
                labels["step_label"] = with_need(sop, item, labels.get("step_label", ""), lang)
            if item.get("chase"):  # a provider off the platform: the case manager calls it
                from .offplatform import chase_words
                todo = chase_words(session, item, lang)
                labels["state_label"] = f"{labels.get('state_label', '')} — {todo}"
            elif item.get("off_platform"):  # escalated: the case manager must call it
                from .offplatform import escalation_words
                call = escalation_words(session, item, lang)
                labels["state_label"] = f"{labels.get('state_label', '')} — {call}"
            items.append({**item, **labels, "link": link})
        out[key] = items
    return out
