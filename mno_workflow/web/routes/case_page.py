"""The context of the case page (``case.html``): each step with its actions, deadline, waiting
party and answers, the data blocks under the consent rules, the timeline, the case tools
(extend, reopen, reassign, correct) the reader may use, and the erasure banner (split from
:mod:`.cases`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ...directory import organisations_off_platform
from ...directory.need_check import unrecorded_warning
from ...engine import addressed
from ...sop.answers import unrecordable_answers
from ...store import repository
from ...store.models import Case, User
from .. import access, casetools, stepview
from ..core import Web
from ..erase_view import erase_ctx
from ..i18n import fmt_datetime, t
from ..notes import closed_words
from ..presenters import correction_choices, form_block, item_label, timeline
from ..user_words import inactive_users, user_names, user_shown
from .attachments import notes_of


def _anchor_at(case: Case, x: dict[str, Any]) -> str:
    """Where the case page puts the anchor ``#step-<step>-<key>`` of step instance ``x`` (every
    instance has one, the place notifications and « Mon travail » link to): its box among the steps
    in progress (``open``), the standing states line, its referral's row, its data block, else a
    bare anchor atop the data (``bare``). Only an open case has steps in progress."""
    inst = x["inst"]
    if case.status == "open" and x["standing"]:
        return "standing"
    if case.status == "open" and not inst.final:
        return "open"
    if x["step"].recipient:
        return "referral"
    return "data" if x.get("data") else "bare"


def _shown(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Data blocks with something to show: no bare heading (« Validation du plan » approved without
    a comment; tryout 2, finding 20)."""
    return [b for b in blocks if b.get("rows") or b.get("tables") or b.get("hidden")]


def case_page_ctx(web: Web, s, request: Request, user: User, case: Case) -> dict[str, Any]:
    """The context of ``case.html``: steps with their actions and deadlines, data blocks, timeline and
    the case tools (extend, reopen, reassign) the user may use."""
    compiled = web.compiled_for(case)
    sop = compiled.sop
    lang = web.lang(request, user)
    events = repository.trail(s, case)
    orgs = web.directory_names(s, lang)  # organisations and services by name, in lang
    steps = []
    from ...views import dues_of
    dues = dues_of(s, case)  # every open step's deadline in one statement
    for inst in case.instances:
        step = sop.steps[inst.step]
        # forms recorded while addressed to another organisation (a re-referral's earlier decline)
        before = addressed.earlier(sop, inst, addressed.from_trail(sop, inst, events))
        steps.append(
            {
                "inst": inst,
                "step": step,
                "label": sop.label(step.label, lang),
                "state": sop.label(step.states[inst.state].label, lang),
                "due": dues.get(inst.id),
                "actions": [
                    (tr.trigger, sop.label(tr.label, lang))
                    for tr in access.actions_for(compiled, case, inst, user)
                ],
                "item": item_label(sop, inst, lang),
                "recipient": orgs.get(inst.recipient or "", inst.recipient),
                "earlier": before,
                "data": _shown([
                    stepview.answered_by(sop, form_block(sop, fid, data, lang, None, orgs),
                                         before.get(fid), lang, orgs)
                    for fid, data in (inst.data or {}).items()
                ]),
            }
        )
    now = web.now()
    # « suivi par le gestionnaire »: not known to use the platform (uses_platform other than yes)
    off_platform = organisations_off_platform(s, [x["inst"].recipient for x in steps], sop_id=sop.sop)
    from ...protection.consent import settings as consent_settings
    consent_step = consent_settings(sop).consent_step
    # what the reader may do at the consent step (« Que faire » of a referral the provider lost)
    # — only those that record a consent (into « given », or widen a given one), never a withdrawal
    # (tryout 8, K7: after an override « Si la personne consent à nouveau » named the withdrawal)
    consent_steps = [sop.steps[consent_step]] if consent_step in sop.steps else []
    giving = {t.trigger for st in consent_steps for t in st.transitions
              if t.dest == "given" or (t.internal and "given" in t.sources)}
    again = [label for x in steps if x["inst"].step == consent_step for trig, label in x["actions"]
             if trig in giving]
    from ..override_words import override_scope
    scope = override_scope(sop, case, lang, now) if consent_step in sop.steps else ""
    for x in steps:
        x["override_scope"] = scope if x["inst"].step == consent_step and not x["inst"].final else ""
        # tryout 2, finding 33: answering in the place of a provider that uses the platform is the
        # exception (it answers in its own inbox): those actions apart, not among the ordinary ones
        behalf = x["inst"].recipient and x["inst"].recipient not in off_platform
        x["behalf"] = [a for a in x["actions"] if behalf and stepview.on_behalf(sop, x["inst"].step, a[0])]
        x["actions"] = [a for a in x["actions"] if a not in x["behalf"]]
        x["extend"] = access.can_extend(compiled, case, x["inst"], user)
        # a done step with an edit for this user (« Rectifier l'identification », tryout 9, L5)
        # stands among the records, its edit offered
        x["standing"] = stepview.standing(sop, x["inst"]) or (x["inst"].final and bool(x["actions"]))
        # an off-platform organisation whose answer this SOP lets nobody record (K12, lint W119)
        x["unrecorded"] = (unrecorded_warning(s, sop, x["inst"], lang) if x["inst"].recipient in off_platform
                           and unrecordable_answers(sop, x["inst"].step, x["inst"].state) else "")
        x["waits"] = stepview.waits(s, sop, case, x["inst"], orgs, lang, now) if not x["inst"].final else None
        x["answers"] = stepview.answers(sop, x["inst"], lang, orgs, x["earlier"])
        x["blind"] = stepview.provider_blind(s, sop, case, x["inst"], lang, now,  # tryout 2, finding 14
                                             [label for _t, label in x["actions"] + x["behalf"]], again)
        notes_ok = access.can_use_notes(s, user, sop, case, x["inst"], now)
        x["notes"] = notes_of(s, x["inst"]) if notes_ok else None
        x["anchor_at"] = _anchor_at(case, x)
    fids = [fid for fid, data in (case.data or {}).items()
            if not fid.startswith("_") and isinstance(data, dict)]
    data_blocks = [form_block(sop, fid, case.data[fid], lang, None) for fid in fids]
    mark = stepview.consent_mark(s, sop, case, lang, now)  # « retiré le … » on the consent no longer in force
    if mark and mark[0] in fids:
        data_blocks[fids.index(mark[0])]["mark"] = mark[1]
    data_blocks = _shown(data_blocks)
    closures = (case.data or {}).get("_closures")
    if isinstance(closures, list) and closures:
        # Earlier closures, kept by the engine when the case was reopened.
        data_blocks.append(
            {
                "title": t("earlier_closures", lang),
                "rows": [
                    (
                        fmt_datetime(c.get("reopened_at"), lang, sop.calendar.timezone),
                        f"{t('reopened', lang)} — {c.get('reason', '')}",
                    )
                    for c in closures
                    if isinstance(c, dict)
                ],
                "tables": [],
                "hidden": [],
            }
        )
    reassign = access.can_reassign(user, case, sop)
    from ... import attachments as files

    labels = {x["inst"].id: x["label"] + (f" · {x['item']}" if x["item"] else "") for x in steps}
    return {
        "attachments": [(a, labels.get(a.instance_id, "")) for a in files.of_case(s, case)]
        if access.can_view_case(user, case) else [],
        "attach_targets": [(x["inst"].label_key, labels[x["inst"].id]) for x in steps]
        if access.can_add_attachment(user, case) else [],
        "tool": None,
        "can_reopen": access.can_reopen(sop, case, user),
        "reopen_asks": _reopen_asks(sop, case, lang) if access.can_reopen(sop, case, user) else [],
        "corrections": correction_choices(sop, case, lang) if access.can_correct(case, user) else [],
        "can_reassign": reassign,
        "can_person_data": access.can(user, "person_data"),
        "targets": access.reassign_targets(s, user, [(sop.sop, case.region)]) if reassign else [],
        "durations": casetools.duration_options(lang),
        "case": case,
        "sop": sop,
        "steps": steps,
        "timeline": timeline(sop, events, lang, user_names(s)),
        "data_blocks": data_blocks,
        "tz": sop.calendar.timezone,
        # a name, never a bare id: « compte supprimé » (id) when no user row names it
        "assignee": user_shown(case.assignee, user_names(s, [case.assignee]), lang),
        "assignee_inactive": bool(inactive_users(s, [case.assignee])),  # « (désactivé) » (H26)
        # Only an open case has steps in progress (a closed one keeps e.g. « Consentement donné »).
        "open_steps": [x for x in steps if not x["inst"].final and not x["standing"]]
        if case.status == "open" else [],
        "standing_steps": [x for x in steps if x["standing"]] if case.status == "open" else [],
        "steps_bar": stepview.steps_bar(sop, case, now),
        "referrals": [x for x in steps if x["step"].recipient],
        "off_platform": off_platform,
        "erased": _erased(s, case, lang, sop.calendar.timezone),
        "notes_closed": closed_words(case, lang),  # no note on an erased case (tryout 10, M3)
        "erase": erase_ctx(sop, case, user, lang),  # the erase_by roles' tool (tryout 9, L6)
    }


def _erased(s, case: Case, lang: str, timezone: str) -> dict[str, str] | None:
    """``{"title", "banner"}`` of a case whose personal data were erased (tryout 3, F31), else None."""
    from ...engine import erasure_words

    erasure = erasure_words.erasure_of(s, case)
    if erasure is None:
        return None
    return {"title": erasure_words.title(lang), "banner": erasure_words.banner(erasure, lang, timezone)}


def _reopen_asks(sop, case, lang: str) -> list[dict]:
    """The fields the reopening form asks (engine/reopen_values.py): the risk level of the first
    follow-up, required when the case has none, with the last known one pre-selected."""
    from ...engine.reopen_values import asked
    out = []
    for a in asked(sop, case.data):
        opts = sop.options.get(a.options or "", {})
        form_id, _, field_id = a.path.partition(".")
        spec = next((f for f in sop.forms[form_id].fields if f.id == field_id), None) \
            if form_id in sop.forms else None
        out.append({"field": a.field, "required": a.current is None, "current": a.current,
                    "label": sop.label(spec.label, lang) if spec else a.field,
                    "options": [(c, sop.label(opts.get(c), lang) if opts.get(c) else c) for c in a.codes]})
    return out
