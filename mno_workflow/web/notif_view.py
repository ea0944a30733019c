"""The notifications page: each in-app message as a link to the place to act, in a group
(à faire, en retard, escaladés, informations, terminés — a task whose step moved on or whose case
closed), rendered in the reader's language at display time.

Messages are stored as a kind, a template name and parameters (``outbox.context``: reference,
step, instance, state, due date), never as text, so the words follow the reader's current
language; a digest is rendered again from its template in that language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import gettext
from ..reminders.links import NO_CASE_TEMPLATES, PROVIDER_ROLE, mail_path, place_path
from ..reminders.stored_message import text_of
from ..store.models import Case, OutboxMessage, StepInstance, User
from . import access
from .i18n import t

REASONED = ("condition_error", "auto_failed")  #: messages whose stored reason is shown in-app
GROUPS = ("todo", "late", "escalated", "info", "done")
TASK_KINDS = ("task", "reminder", "escalation")
PAGE = 25


def group_of(m: OutboxMessage, now: datetime) -> str:
    """``escalated`` (an escalation), ``late`` (a task or reminder whose due date has passed),
    ``todo`` (other tasks and reminders), ``info`` (notices and digests). ``m.late`` means *sent*
    late (the sweeper was behind), not that the work is overdue: it does not decide the group."""
    if m.kind == "escalation":
        return "escalated"
    if m.kind in ("task", "reminder"):
        due = (m.context or {}).get("due_at")
        if due:
            try:
                if datetime.fromisoformat(str(due).replace("Z", "+00:00")) < now:
                    return "late"
            except ValueError:
                pass
        return "todo"
    return "info"


def finished(session: Session, messages: list[OutboxMessage]) -> set[int]:
    """Ids of the task, reminder and escalation messages among ``messages`` whose work is over:
    the case is no longer open, or its step instance has left the state the message was about
    (or ended). One query for all of them (cases by reference, with their step instances)."""
    about = {m.id: m.context or {} for m in messages if m.kind in TASK_KINDS}
    refs = {c.get("reference") for c in about.values() if c.get("reference")}
    if not refs:
        return set()
    rows = session.execute(
        select(Case.reference, Case.status, StepInstance.step, StepInstance.key, StepInstance.state,
               StepInstance.final)
        .join(StepInstance, StepInstance.case_id == Case.id)
        .where(Case.reference.in_(sorted(refs)))
    ).all()
    open_cases = {r.reference for r in rows if r.status == "open"}
    now_in = {(r.reference, r.step, r.key): (r.state, r.final) for r in rows}
    out = set()
    for mid, c in about.items():
        ref = c.get("reference")
        if not ref:
            continue
        state, final = now_in.get((ref, c.get("step"), c.get("instance")), (None, True))
        if ref not in open_cases or final or (c.get("state") and state != c.get("state")):
            out.add(mid)
    return out


def blind(session: Session, user: User, messages: list[OutboxMessage], now: datetime) -> dict[int, int]:
    """``{message id: instance id}`` of the messages to a provider about a referral it can no
    longer read (consent withdrawn, expired, refused, or no longer covering its organisation):
    such a message shows the reference, the step and the state only, never the need, priority or
    deadline, and its work is over (« Terminé »); it links to the referral by its number, not by
    the need (tryout 3, F33). Decided at display time: messages stored before the withdrawal too.
    So is a message about a referral since re-referred to another organisation (declined, then
    ``re_refer``): it is no longer the reader's (tryout 4, G10)."""
    if user.role != PROVIDER_ROLE:
        return {}
    about = {m.id: m.context or {} for m in messages if m.case_id is not None}
    about = {mid: c for mid, c in about.items() if c.get("step") and c.get("instance") is not None}
    if not about:
        return {}
    cases = {c.id: c for c in session.scalars(
        select(Case).where(Case.id.in_({m.case_id for m in messages if m.id in about})))}
    out: dict[int, int] = {}
    seen: dict[int, bool] = {}
    for m in messages:
        c = about.get(m.id)
        case = cases.get(m.case_id) if c is not None else None
        inst_id = (_unreadable(session, case, c["step"], c["instance"], now, seen, user.organisation)
                   if case else None)
        if inst_id is not None:
            out[m.id] = inst_id
    return out


def _unreadable(session: Session, case: Case, step: str, key: object, now: datetime,
                seen: dict[int, bool], organisation: str | None) -> int | None:
    """The id of ``case``'s instance ``step``/``key`` when the provider ``organisation`` can no
    longer read it (:func:`access.provider_view`; or the referral is now addressed to another
    organisation, :func:`mno_workflow.engine.addressed.still_addressed`), else None; ``seen``
    caches the answer by instance."""
    from ..engine.addressed import still_addressed
    from ..reminders.rendering import _sop_of_case

    inst = next((i for i in case.instances if i.step == step and str(i.key) == str(key)), None)
    if inst is None:
        return None
    if inst.id not in seen:
        sop = _sop_of_case(session, case.id, None)
        seen[inst.id] = sop is None or (still_addressed(sop, inst, organisation)
                                        and access.provider_view(session, sop, case, inst, now).personal)
    return None if seen[inst.id] else inst.id


def link_of(m: OutboxMessage, user: User, done: bool = False) -> str | None:
    """Where to act: the referral page for a provider, else the case page at the step's box;
    None for a message about no case (a digest links to « Mon travail »). ``done``: the work is
    over (:func:`finished`): the case page without the step's box, which is no longer shown."""
    ctx = m.context or {}
    ref = ctx.get("reference")
    if m.template == "digest":
        return "/prestataire" if user.role == "provider" else "/travail"
    if m.template in NO_CASE_TEMPLATES:  # the former case manager can no longer open the case
        return None
    if m.template == "alert_status":  # a first responder sees its alerts' status, not the case
        return "/signalements"
    return place_path(ref, ctx.get("step"), ctx.get("instance"), provider=user.role == PROVIDER_ROLE,
                      done=done)


def page_of(session: Session, user: User, now: datetime, group: str = "", unread_only: bool = False,
            page: int = 1) -> tuple[list[tuple[OutboxMessage, str]], dict[str, int], int]:
    """``([(message, group)], counts per group (unread), pages)`` for the page ``page`` (25 a page)
    of ``user``'s in-app messages, newest first, filtered by ``group`` and ``unread_only``."""
    q = select(OutboxMessage).where(OutboxMessage.channel == "inapp", OutboxMessage.recipient_user == user.id,
                                    access.message_clause(user))  # never a case they cannot open
    if unread_only:
        q = q.where(OutboxMessage.read_at.is_(None))
    # the group depends on the due date against now: computed here, on at most 2,000 messages
    q = q.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(2000)
    rows = list(session.scalars(q))
    over = finished(session, rows)  # a task whose step moved on or whose case closed: « Terminé »
    hidden = blind(session, user, rows, now)  # a referral the provider can no longer read or act on
    over |= set(hidden)  # tasks and information alike (a note's message too: tryout 5, H19)
    tagged = [(m, "done" if m.id in over else group_of(m, now)) for m in rows]
    counts = {g: sum(1 for m, x in tagged if x == g and m.read_at is None) for g in GROUPS}
    if group in GROUPS:
        tagged = [p for p in tagged if p[1] == group]
    pages = max(1, -(-len(tagged) // PAGE))
    page = min(max(1, page), pages)
    return tagged[(page - 1) * PAGE: page * PAGE], counts, pages


GROUP_KEYS = {"todo": "notif_todo", "late": "notif_late", "escalated": "notif_escalated",
              "info": "notif_info", "done": "notif_done"}


def group_label(group: str, lang: str) -> str:
    return t(GROUP_KEYS.get(group, group), lang)


def entry(s: Session, sop, m: OutboxMessage, group: str, user: User, lang: str,
          now: datetime | None = None) -> dict[str, Any]:
    """What the template shows for one message: its text in ``lang``, link and group (with ``now``,
    a provider's message about a referral it can no longer read shows :func:`blind`'s words)."""
    from .presenters import notification, notification_text

    hidden = blind(s, user, [m], now).get(m.id) if now is not None else None
    if hidden is not None and m.template != "digest":
        out = {"m": m, "subject": "", "text": notification_text(sop, m, lang, case_data=False)}
        inst = s.get(StepInstance, hidden)
        # by number, not need; none once re-referred to another organisation (its page is not ours)
        href = (mail_path((m.context or {}).get("reference"), hidden, provider=True)
                if inst is not None and inst.recipient == user.organisation else None)
    else:
        out = notification(s, sop, m, lang)
        href = link_of(m, user, group == "done")
    out.update(group=group, group_label=group_label(group, lang), href=href)
    if m.template == "digest":
        out["cases"] = digest_cases(s, m, user, lang, now)
        if not out["cases"] and user.role == PROVIDER_ROLE and now is not None:
            # not the body in its place: it lists (with deadline and link) the referrals the
            # provider may no longer read (withdrawn; re-referred elsewhere, tryout 4 G10)
            out["text"] = ""
    reason = text_of(m.context or {}, "reason", lang) if m.template in REASONED else None
    if reason:  # a condition or an automatic trigger that failed: why, in the reader's language
        out["text"] = f"{out['text']} — {reason}"
    return out


def digest_cases(s: Session, m: OutboxMessage, user: User, lang: str,
                 now: datetime | None = None) -> list[dict[str, Any]]:
    """The cases of a digest as links, in ``lang``: ``[{"heading", "items": [{"href", "text"}]}]``
    (overdue, due today, then the escalations to the reader's role); each item links to the place
    to act like the other notifications (a digest written before items named their step's
    instance links to the case page). With ``now``, a provider's digest leaves out a referral it
    can no longer read: nothing is due from it there, and the item would name the need (tryout 3,
    F33)."""
    from ..reminders.rendering import _digest_context

    ctx = m.context or {}
    try:
        shown = _digest_context(s, ctx, lang, links=False, need=True)
    except (KeyError, ValueError, TypeError):
        return []  # a case no longer found: the digest's text says what it can
    provider = user.role == PROVIDER_ROLE
    if provider and now is not None:
        seen: dict[int, bool] = {}
        cases = {c.reference: c for c in s.scalars(select(Case).where(Case.reference.in_(
            {i["reference"] for k in ("overdue", "due_today") for i in shown.get(k) or []})))}
        for k in ("overdue", "due_today"):
            shown[k] = [i for i in shown.get(k) or [] if not (
                i.get("step") and i.get("instance") is not None and i["reference"] in cases
                and _unreadable(s, cases[i["reference"]], i["step"], i["instance"], now, seen,
                                user.organisation) is not None)]
    out = []
    headings = (("overdue", t("notif_late", lang)), ("due_today", gettext("À traiter aujourd'hui", lang)),
                ("escalations", t("escalations", lang)))  # a supervisor's (off the platform: who calls)
    for key, heading in headings:
        items = [{"href": place_path(i["reference"], i.get("step"), i.get("instance"), provider=provider),
                  "text": gettext("{reference} — {step} : {state} (échéance {due})", lang,
                                  reference=i["reference"], step=i["step_label"],
                                  state=i["state_label"], due=i["due"])}
                 for i in shown.get(key) or []]
        if items:  # « En retard (2) », « À traiter aujourd'hui (1) »: as the e-mail digest says
            out.append({"heading": f"{heading} ({len(items)})", "items": items})
    return out
