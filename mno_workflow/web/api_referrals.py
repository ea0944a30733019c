"""The API's referral inbox (``GET /api/v1/referrals``, listReferrals): the referrals addressed to
the provider's organisation, each as the consent in force lets the provider see it
(:func:`.access.provider_view`), with its service level (issue 13)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI

from ..engine import addressed, sop_choice
from ..i18n import N_
from ..store.models import Case, StepInstance, User
from . import access, queries
from . import api_models as M
from .core import Web


def add_referral_routes(api: FastAPI, web: Web, current_user, error_responses) -> None:
    """Add ``GET /referrals`` to ``api`` (``current_user``: the bearer dependency)."""
    wf = web.wf
    _error_responses = error_responses

    @api.get(
        "/referrals",
        response_model=M.ReferralList,
        response_model_exclude_unset=True,  # a withheld referral carries only its own keys
        operation_id="listReferrals",
        tags=["referrals"],
        responses=_error_responses(401, 403),
        summary=N_("Référencements adressés à mon organisation (données selon le consentement)"),
    )
    def referrals(user: User = Depends(current_user)):
        access.require(user, "inbox")
        with wf.sessions.begin() as s:
            # the referral steps of every registered SOP (a server may run several)
            steps = sorted({sid for reg in sop_choice.registered(s, web.wf.registry)
                            for sid in queries.recipient_steps(reg.compiled.sop)})
            out = []
            now = web.now()
            rows = [(inst, case, web.compiled_for(case).sop)
                    for inst, case in queries.referrals_for(s, user, steps)]
            rows = [(inst, case, csop) for inst, case, csop in rows
                    if access.can_view_referral(user, csop, case, inst)]
            # who each form was recorded for (tryout 4, G9), one statement for the list
            found = addressed.many_origins(s, lambda c: web.compiled_for(c).sop,
                                           [(case, inst) for inst, case, _csop in rows])
            for inst, case, csop in rows:
                view = access.provider_view(s, csop, case, inst, now)
                forms = access.readable_forms(s, user, csop, case, inst, found.get(inst.id, {}))
                out.append(_referral_dict(csop, case, inst, view, forms))
                if view.personal:
                    queries.log_view(s, user, case, "api", now, inst.label_key)
            return {"items": out}


def _referral_dict(sop, case: Case, inst: StepInstance, view,
                   forms: dict[str, Any] | None = None) -> dict[str, Any]:
    """A referral as its provider may see it under ``view`` (:func:`access.provider_view`): only
    the reference, instance and state, with the reason, when nothing personal may be shown.
    ``forms``: the instance's forms the provider may read (:func:`access.readable_forms`; all of
    ``inst.data`` when not given)."""
    if not view.personal:
        return {"reference": case.reference, "instance": inst.label_key, "state": inst.state,
                "withheld": {"reason": view.decision.reason, "fr": view.decision.message.fr,
                             "en": view.decision.message.en}}
    cats = access.consent_categories(view)
    forms = (inst.data or {}) if forms is None else forms
    # the person's forms (the SOP's start form, whatever its name; M6), one dict as createCase takes it
    ident = {k: v for fid, data in access.person_data(sop, case)
             for k, v in access.filter_form_data(sop, fid, data, cats).items()}
    return {
        "reference": case.reference,
        "version": case.version,
        "instance": inst.label_key,
        "state": inst.state,
        "need": (inst.item or {}).get("need"),
        "item": access.filter_item(sop, inst, cats),
        "name": case.display_name if access.name_visible(cats) else None,
        "identification": ident,
        "data": {fid: access.filter_form_data(sop, fid, d, cats)
                 for fid, d in forms.items()},
        "consent_categories": sorted(cats),
        # every field withheld, with why (tryout 8, K1: never a silent gap)
        "masked": access.masked_fields(sop, view, case, inst, forms),
        "service_level": _service_level(sop, case, inst, access.hidden_paths(sop, view, inst)),  # issue 13
    }


def _service_level(sop, case: Case, inst: StepInstance, hidden=None) -> dict[str, Any] | None:
    """The service level of the referral's current state (:mod:`mno_workflow.engine.service_levels`);
    its words (``fr``, ``en``) say a cap counted from a field the provider cannot see masked
    (``hidden``: :func:`.access.hidden_paths`; tryout 8, K1)."""
    from sqlalchemy.orm import object_session

    from ..engine.service_levels import record_for, record_words
    s = object_session(case)
    record = record_for(s, sop, case, inst) if s is not None else None
    if not record:
        return None
    out = {k: record[k] for k in ("source", "within", "service", "priority", "reason", "fr", "en")}
    if hidden is not None:
        from ..engine.service_levels import _data
        dl = sop.steps[inst.step].states[inst.state].deadline
        data = _data(case, inst, dl)
        out.update({lang: record_words(sop, record, dl, lang, data, hidden) for lang in ("fr", "en")})
    return out
