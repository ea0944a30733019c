"""The home redirect (each role to its own first page), « Mon travail » (the user's to-do list
sorted for triage, each group by itself on its own pages) and the supervisor's one-click reminder
from the « Escalades » list."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ...engine.reassign_rules import may_reassign
from ...store import repository
from .. import access, queries, sop_pick, triage
from ..core import Web
from ..i18n import t
from ..user_words import namer, user_names, user_shown
from . import common

# the address of each group's own list (« Voir les N autres »): /travail/<slug>
GROUP_SLUGS = {"escalades": "escalations", "escaladees": "escalated", "en-retard": "overdue",
               "aujourd-hui": "due_today", "a-venir": "upcoming"}
SLUG_OF = {group: slug for slug, group in GROUP_SLUGS.items()}


def _working(s, it, sop) -> bool:
    """Whether the deadline of a row of « Mon travail » counts working days
    (:func:`..duewords.counts_working_days`): judged on its item first; when that cannot decide
    (a duration chosen by a field of the referral, a cap's condition), on its case's and
    instance's data, read for that row only (one statement)."""
    from ..duewords import counts_working_days, may_count_working_days
    step = sop.steps.get(it.step)
    st = step.states.get(it.state) if step is not None else None
    dl = st.deadline if st is not None else None
    item = getattr(it, "item", None) or {}
    if counts_working_days(dl, {"item": item}, partial=True):
        return True
    if getattr(it, "id", None) is None or not may_count_working_days(dl):
        return False
    data = _row_data(s, it.id)
    return data is not None and counts_working_days(dl, {**data, "item": item})


def _row_data(s, deadline_id: int) -> dict | None:
    """The case's and the instance's form data of the running deadline ``deadline_id``."""
    from sqlalchemy import select

    from ...store.models import Case, Deadline, StepInstance
    row = s.execute(select(Case.data, StepInstance.data).select_from(Deadline)
                    .join(StepInstance, StepInstance.id == Deadline.instance_id)
                    .join(Case, Case.id == Deadline.case_id)
                    .where(Deadline.id == deadline_id)).first()
    return None if row is None else {**(row[0] or {}), **(row[1] or {})}


def late_in(s, sops: sop_pick.RowSops, now, lang):
    """``late_words(item)``: how late a row of « Mon travail » is, in the working days of its case's
    SOP as the provider's pages say it (:func:`..duewords.late_words`) when its deadline counts
    working days, else in real time (« 5 heures de retard »; tryout 8, K10)."""
    from ...engine.timers import calendar_for
    from ..duewords import late_words, real_time_words

    cals: dict = {}

    def late(it) -> str:
        compiled = sops.compiled(it.sop_version)
        if not _working(s, it, compiled.sop):
            return real_time_words(it.due_at, now, lang)
        if id(compiled) not in cals:
            cals[id(compiled)] = calendar_for(s, compiled.sop)
        return late_words(cals[id(compiled)], it.due_at, now=now, lang=lang)
    return late


def left_in(s, sops: sop_pick.RowSops, now, lang):
    """``left_words(item)``: the time left before a row's deadline of « Mon travail »: in working
    days of its case's SOP calendar when that deadline counts working days, as lateness and the
    provider's pages say it (« dans 2 jours ouvrés »), else in real time (« dans 2 jours 13 heures »:
    a deadline in hours or calendar days, or capped in hours; tryout 8, K10)."""
    from ...engine.timers import calendar_for
    from ..duewords import ahead_words, real_time_words

    cals: dict = {}

    def left(it) -> str:
        compiled = sops.compiled(it.sop_version)
        if not _working(s, it, compiled.sop):
            return real_time_words(it.due_at, now, lang)
        if id(compiled) not in cals:
            cals[id(compiled)] = calendar_for(s, compiled.sop)
        return ahead_words(cals[id(compiled)], it.due_at, now, lang)
    return left


def called_in(s, sops: sop_pick.RowSops, lang):
    """``called(item)``: for a row of the « Escalades » list whose waiting state a ``scope:
    recipient`` role owns, on a referral to an organisation off the platform, the words saying
    the case manager must call it, with its phone (:func:`...reminders.offplatform.escalation_words`);
    ``""`` for any other row."""
    from ...reminders.offplatform import escalation_words, off_platform

    off: dict[tuple[str, str], bool] = {}

    def called(it) -> str:
        if not it.recipient or not it.owner_role:
            return ""
        sop = sops.sop(it.sop_version)
        role = sop.roles.get(it.owner_role)
        if role is None or role.scope != "recipient":
            return ""
        key = (it.recipient, sop.sop)  # the focal points of the row's SOP (leftovers B)
        if key not in off:
            off[key] = off_platform(s, it.recipient, sop_id=sop.sop)
        return escalation_words(s, {"off_platform": it.recipient}, lang) if off[key] else ""
    return called


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/``, ``/travail``, ``/travail/{group}`` (one group by itself) and
    ``/travail/relancer/{reference}/{instance}`` (POST: a reminder to the owner of the running
    deadline, in-app and by e-mail/SMS as set; for a provider off the platform, to the case's
    case manager who chases it, the confirmation saying so: reminders/offplatform.py)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    @r.get("/")
    def home(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            return RedirectResponse(access.HOME.get(user.role, "/pos"), status_code=303)

    # -- my work ---------------------------------------------------------------------------------------
    @r.get("/travail")
    def my_work(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "work")
            sops = sop_pick.RowSops(web, s, sop_pick.own(web, s, user))
            sop = sops.default.sop
            work = queries.my_work(s, user, web.now(), sop.calendar.timezone)
            seen = [
                i.reference
                for k in ("escalations", "escalated", "overdue", "due_today", "upcoming")
                for i in work.get(k, [])
            ]
            queries.log_views(s, user, seen + [c.reference for c in work["recent"]], "work", web.now())
            s.commit()
            ctx = base_ctx(request, s, user)
            assignees = [i.assignee for k in ("escalations",) for i in work.get(k, [])]
            return web.render(
                request,
                "work.html",
                {**ctx, "work": work, "sop": sop, "row_sop": sops.sop, "tz": sop.calendar.timezone,
                 "late_words": late_in(s, sops, web.now(), ctx["lang"]), "slugs": SLUG_OF,
                 "left_words": left_in(s, sops, web.now(), ctx["lang"]),
                 "called": called_in(s, sops, ctx["lang"]),
                 "may_reassign": partial(may_reassign, role=user.role),  # the row's SOP (K3)
                 "who": namer(user_names(s, assignees), ctx["lang"])},
            )

    @r.get("/travail/{slug}")
    def work_group(request: Request, slug: str, suite: int | None = None):
        """One group of « Mon travail » by itself (« Voir les N autres »), :data:`triage.PAGE` rows
        a page from the row after the deadline ``?suite=<id>`` (keyset), most urgent first."""
        group = GROUP_SLUGS.get(slug)
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "work")
            if group is None or (group == "escalations" and not access.can(user, "reassign")):
                raise access.NotVisible()
            sops = sop_pick.RowSops(web, s, sop_pick.own(web, s, user))
            sop = sops.default.sop
            page = triage.group_page(s, user, group, web.now(), sop.calendar.timezone, after=suite)
            queries.log_views(s, user, [i.reference for i in page["items"]], "work", web.now())
            s.commit()
            ctx = base_ctx(request, s, user)
            return web.render(
                request,
                "work_group.html",
                {**ctx, "page": page, "group": group, "slug": slug,
                 "paged": suite is not None, "sop": sop, "row_sop": sops.sop, "tz": sop.calendar.timezone,
                 "late_words": late_in(s, sops, web.now(), ctx["lang"]),
                 "left_words": left_in(s, sops, web.now(), ctx["lang"]),
                 "called": called_in(s, sops, ctx["lang"]),
                 "may_reassign": partial(may_reassign, role=user.role),  # the row's SOP (K3)
                 "who": namer(user_names(s, [i.assignee for i in page["items"]]), ctx["lang"])},
            )

    @r.post("/travail/relancer/{reference}/{instance}")
    def remind(request: Request, reference: str, instance: str):
        from ...reminders.sweeper import _scope
        from ...store.outbox import enqueue
        from ..triage import running_deadline

        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "reassign")
            lang = web.lang(request, user)
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            inst = common.find_instance(case, instance[:130])
            row = running_deadline(s, inst) if inst is not None and not inst.final else None
            if row is None or not row.owner_role:
                raise access.NotVisible()
            sop = web.compiled_for(case).sop
            now = web.now()
            context = {"reference": case.reference, "step": inst.step, "instance": inst.key,
                       "state": inst.state, "due_at": row.due_at.isoformat(), "offset": "manual",
                       "late": False, "by": user.id}
            msgs = enqueue(s, case=case, inst=inst, role=row.owner_role,
                           scope=_scope(sop, row.owner_role), kind="reminder", template="reminder",
                           context=context, now=now, deadline_id=row.id)
            reached = {m.recipient_user for m in msgs if m.recipient_user}
            names = user_names(s, reached)  # names, never ids (a deleted account in words)
            who = sorted(user_shown(u, names, lang).name for u in reached)
            flash = (f"{t('reminded', lang)} {', '.join(who)} ({case.reference})" if who
                     else t("no_assignee", lang))
            chased = next((m.context for m in msgs if (m.context or {}).get("chase")), None)
            if chased is not None and who:  # off the platform: its case manager chases it (H12)
                from ...i18n import gettext
                from ...reminders.offplatform import chase_labels, chase_words
                flash += " — " + gettext("{org} n'utilise pas la plateforme : {todo}", lang,
                                         org=chase_labels(s, chased, lang)["chase_org"],
                                         todo=chase_words(s, chased, lang))
            request.session["flash"] = flash
        return RedirectResponse("/travail#work-escalations", status_code=303)
