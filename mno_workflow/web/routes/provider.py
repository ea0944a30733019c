"""The service provider's pages: the referral inbox and one referral, with only the data the
consent allows."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request

from ... import attachments as files
from ...engine import sop_choice
from ...engine.service_levels import describe as describe_level
from ...i18n import gettext
from ...protection.consent import settings as consent_settings
from ...protection.provider import ANY_CATEGORY
from ...reminders.links import mail_path
from .. import access, inbox_batch, queries, sop_pick
from ..core import Web
from ..duewords import priority_words
from ..notes import closed_words
from ..presenters import form_block, item_block, item_label
from . import common
from .attachments import notes_of
from .common import case_and_instance


def _org_named(s, ref: dict | None, lang: str | None = None) -> dict | None:
    """The referrer (:func:`access.referrer`) with its organisation by name (in ``lang``), not its id."""
    if ref and ref.get("organisation"):
        names = Web.organisation_names(s, lang)
        ref = {**ref, "organisation": names.get(ref["organisation"], ref["organisation"])}
    return ref


def provider_due(s, sop, case, inst, due, now, lang, hidden=None):
    """The deadline of referral ``inst`` in the provider's terms (:mod:`..duewords`): the time
    left in working days when the rule in force counts them, else in real time (a clock in hours,
    a cap 72 hours after the incident; tryout 8, K10). A cap counted from a field the provider may
    not see (``hidden``: :func:`.access.hidden_paths`) that counts for the case: the due day only,
    no time nor hours left — with the rule they would give the hidden value (tryout 10, M4)."""
    from ...engine.caps_met import hidden_cap_binds
    from ...engine.service_levels import _data, service_level
    from ...engine.timers import calendar_for
    from ...i18n.dates import day_text
    from ..duewords import DueWords, counts_working_days, due_words, task_kind

    st = sop.steps[inst.step].states.get(inst.state)
    dl, working = st.deadline if st is not None else None, True
    if dl is not None:
        data = _data(case, inst, dl)
        if hidden_cap_binds(dl, data, hidden):
            words = due_words(calendar_for(s, sop), task_kind(sop, inst.step, inst.state), due, now, lang)
            day = day_text(due, lang, sop.calendar.timezone)
            return DueWords(words.what, day, "", words.late, words.kind)
        cache = s.info.setdefault("mno_service_levels", {})  # the directory read once per page
        working = counts_working_days(service_level(s, sop, inst, dl, data, cache)[0], data)
    return due_words(calendar_for(s, sop), task_kind(sop, inst.step, inst.state), due, now, lang, working)


def provider_owes(sop, case, inst, view=None) -> bool:
    """Whether the referral waits for the provider (its state's owner is the provider's role): a
    referral it has answered (declined, closed…) has no deadline of its own to show it, never « en
    retard de 625 jours » for a deadline that is the case manager's. Nor one whose consent in
    force no longer covers the provider (``view``: :func:`.access.provider_view`; withdrawn,
    expired, refused): every action of the provider is refused there, so nothing waits for it
    (tryout 3, F17)."""
    if view is not None and not view.personal:
        return False
    st = sop.steps[inst.step].states.get(inst.state)
    return not inst.final and st is not None and st.owner_for(case.data or {}) == "provider"


def blind_path(case, inst) -> str:
    """The referral page of ``inst`` by its number, for a referral the provider can no longer read:
    its label key (``referral:psychosocial``) names the need (tryout 3, F33)."""
    return mail_path(case.reference, inst.id, provider=True)


def referral_ctx(web: Web, s, request: Request, user, case, inst) -> dict:
    """The context of the provider's referral page (``referral.html``) of ``inst``: raises
    NotVisible when ``user`` may not see it; logs the view. Also the page of a refused note
    (:mod:`.attachments`)."""
    compiled = web.compiled_for(case)
    sop = compiled.sop
    if not access.can_view_referral(user, sop, case, inst):
        raise access.NotVisible()
    queries.log_view(s, user, case, "referral", web.now(), inst.label_key)
    lang = web.lang(request, user)
    view = access.provider_view(s, sop, case, inst, web.now())
    cats = access.consent_categories(view)
    # Data minimisation: the person's forms (the SOP's start form, whatever its name; tryout 10,
    # M6) as the consent allows and, below, only the need this referral is for, never the whole
    # assessment.
    blocks = [form_block(sop, fid, access.filter_form_data(sop, fid, data, cats), lang, cats, view=view)
              for fid, data in access.person_data(sop, case)] if view.personal else []
    need_block = item_block(sop, inst, lang, cats, view) if view.personal else None
    inst_blocks = [] if not view.personal else [
        form_block(
            sop, fid, access.filter_form_data(sop, fid, data, cats), lang, cats,
            web.directory_names(s, lang), view,
        )
        for fid, data in access.readable_forms(s, user, sop, case, inst).items()
    ]
    step = sop.steps[inst.step]
    return {
        **common.base_ctx(web, request, s, user),
        "case": case,
        "inst": inst,
        "sop": sop,
        "name": case.display_name if view.personal and access.name_visible(cats) else None,
        "withheld": None if view.personal else view.decision.message.text(lang),
        # withdrawn, expired, refused: the reference and state only, not the need (tryout 3, F33)
        "item": item_label(sop, inst, lang) if view.personal else None,
        "item_block": need_block,
        "state": sop.label(step.states[inst.state].label, lang),
        "due": (due := queries.instance_due(s, inst) if provider_owes(sop, case, inst, view) else None),
        "due_words": provider_due(s, sop, case, inst, due, web.now(), lang,
                                  access.hidden_paths(sop, view, inst)) if due else None,
        "service_level": describe_level(s, sop, case, inst, lang, access.hidden_paths(sop, view, inst))
        if view.personal else None,  # issue 13; a cap's start field it cannot see said masked (K1)
        "blocks": blocks,
        "inst_blocks": inst_blocks,
        "referrer": _org_named(s, access.referrer(s, user, sop, case, inst, view), lang),
        "notes": access.readable_notes(s, user, sop, case, inst, notes_of(s, inst))
        if access.can_use_notes(s, user, sop, case, inst, web.now()) else None,
        "notes_closed": closed_words(case, lang),  # no note on an erased case (tryout 10, M3)
        "attachments": [a for a in files.of_case(s, case) if a.instance_id == inst.id]
        if access.can_see_attachments(s, user, sop, case, inst, web.now()) else [],
        "tz": sop.calendar.timezone,
        "categories": sorted(web.option_label(sop, "data_category", c, lang) if c != ANY_CATEGORY
                             else gettext("toutes (la POS ne déclare pas de catégories)", lang)
                             for c in cats),
        "actions": [
            (tr.trigger, sop.label(tr.label, lang))
            for tr in access.actions_for(compiled, case, inst, user, view)
        ],
    }


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/prestataire`` and ``/prestataire/{reference}/{instance}``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    # -- provider inbox --------------------------------------------------------------------------------
    @r.get("/prestataire")
    def inbox(request: Request, suite: int | None = None, historique: int | None = None):
        """« À traiter » (referrals waiting for the provider, oldest sent first, soonest deadline
        first within the page) then the history (newest first), each paged by :data:`queries.INBOX_PAGE` with
        ``?suite=<id>`` / ``?historique=<id>`` (the last referral of the previous page)."""
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "inbox")
            sop = sop_pick.own(web, s, user).sop
            lang = web.lang(request, user)
            # what waits for a provider in every registered SOP (a server may run several)
            states: dict[str, set[str]] = {}
            consent: list[str] = []  # a case's consent: its instances of that step
            for reg in sop_choice.registered(s, web.wf.registry):
                rsop = reg.compiled.sop
                for sid, waiting in queries.provider_todo_states(rsop, queries.recipient_steps(rsop)).items():
                    states.setdefault(sid, set()).update(waiting)
                if (cstep := consent_settings(rsop).consent_step) not in consent:
                    consent.append(cstep)
            todo_rows, todo_next = queries.inbox_part(s, user, states, todo=True, after=suite,
                                                      consent_steps=consent)
            history_rows, history_next = queries.inbox_part(s, user, states, todo=False, after=historique,
                                                            consent_steps=consent)

            def present(pairs):
                shown = []
                for inst, case in pairs:
                    csop = web.compiled_for(case).sop
                    if consent_settings(csop).consent_step not in consent:  # an older SOP's consent step
                        inbox_batch.full_instances(s, case)
                    if access.can_view_referral(user, csop, case, inst):
                        shown.append((csop, case, inst, access.provider_view(s, csop, case, inst, web.now())))
                # one statement per page, not per row, for the due dates and the referrers
                due_of = inbox_batch.dues(s, [inst for _sop, _case, inst, _view in shown])
                who = inbox_batch.referrers(s, user, shown)
                return [inbox_row(s, csop, case, inst, view, due_of.get(inst.id), who.get(inst.id), lang)
                        for csop, case, inst, view in shown]

            def inbox_row(s, csop, case, inst, view, due, referrer, lang):
                cats = access.consent_categories(view)
                step = csop.steps[inst.step]
                if not view.personal:  # withdrawn, expired, refused: the reference and state only (F33)
                    return {"case": case, "inst": inst, "item": None, "href": blind_path(case, inst),
                            "state": csop.label(step.states[inst.state].label, lang), "name": None,
                            "withheld": view.decision.message.text(lang), "due": None, "due_words": None,
                            "priority": None, "referrer": None, "service_level": None}
                return {
                    "case": case,
                    "inst": inst,
                    "href": f"/prestataire/{case.reference}/{inst.label_key}",
                    "item": item_label(csop, inst, lang),
                    "state": csop.label(step.states[inst.state].label, lang),
                    "name": case.display_name if view.personal and access.name_visible(cats) else None,
                    "withheld": None if view.personal else view.decision.message.text(lang),
                    "due": (due := due if provider_owes(csop, case, inst, view) else None),
                    # « à répondre avant le 12/06/2025 16:00 — dans 2 jours ouvrés » (duewords.py)
                    "due_words": provider_due(s, csop, case, inst, due, web.now(), lang,
                                              access.hidden_paths(csop, view, inst)) if due else None,
                    "priority": priority_words(csop, case, inst, lang),  # the field that chooses its deadline
                    "referrer": _org_named(s, referrer, lang),
                    "service_level": describe_level(s, csop, case, inst, lang,  # issue 13
                                                    access.hidden_paths(csop, view, inst)),
                }

            todo = sorted(present(todo_rows), key=lambda r: (r["due"] is None, r["due"] or web.now()))
            # a referral the provider can no longer read (consent withdrawn, expired, refused) waits
            # for nothing from it: with the history, first, not « À traiter » (tryout 3, F17)
            blind = [r for r in todo if r["withheld"]]
            todo = [r for r in todo if not r["withheld"]]
            history = blind + present(history_rows)
            return web.render(
                request,
                "inbox.html",
                {
                    **base_ctx(request, s, user),
                    "rows": todo + history,
                    "todo": todo,
                    "history": history,
                    "todo_next": todo_next,
                    "history_next": history_next,
                    "paged": suite is not None or historique is not None,
                    "tz": sop.calendar.timezone,
                    "org_name": web.organisations(s, lang).get(user.organisation or "", user.organisation),
                },
            )

    @r.get("/prestataire/{reference}/{instance}")
    def referral_page(request: Request, reference: str, instance: str):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "inbox")
            case, inst = case_and_instance(s, reference, instance)
            return web.render(request, "referral.html", referral_ctx(web, s, request, user, case, inst))
