"""An SOP written as docs/sop-language.md § 1 shows (no ``data_protection`` section, no consent
step; the referral step's ``disclosure: intake.consent``): one rule on every path (tryout 5, H1).
The provider's view (pages, inbox, API, print) follows the step's ``disclosure`` as the engine
does — shown and able to act when it holds, every field shown (the SOP declares no categories);
refused with the SOP's words when it does not, and then the engine refuses the provider's action
too. Never « Aucun consentement n'est enregistré » for a case whose consent field is true."""

from __future__ import annotations

import pytest

from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import RoleNotAllowed
from mno_workflow.protection import provider_view
from mno_workflow.protection.provider import ANY_CATEGORY
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.web.access.provider import field_visible, name_visible

from ..sop.test_docs import BASE_TEXT

CW = Actor("cw", "caseworker")
PROV = Actor("focal.ong", "provider", "ong")


def _case(wf, consent: bool) -> str:
    wf.load_sop(load_text(BASE_TEXT, "exemple.yaml"))
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "register", CW, {"name": "Moussa Sow", "priority": "urgent", "consent": consent,
                                  "needs": [{"need": "housing", "refer": True}]})
    return ref


def _view(wf, clock, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        sop = wf.registry.for_case(case).sop
        inst = next(i for i in case.instances if i.step == "referral")
        return sop, provider_view(sop, case, inst, "ngo", clock.now())


def test_the_step_rule_decides_and_every_field_is_shown(wf, clock):
    ref = _case(wf, True)
    wf.fire(ref, "send", CW, {"provider": "ong"}, instance="housing")
    sop, view = _view(wf, clock, ref)
    assert view.personal and view.actions and not view.withdrawn
    assert view.categories == frozenset({ANY_CATEGORY})
    name = next(f for f in sop.forms["intake"].fields if f.id == "name")  # personal, no category
    assert field_visible("intake.name", name, set(view.categories)) and name_visible(set(view.categories))
    wf.fire(ref, "accept", PROV, instance="housing")  # the engine agrees


def test_when_the_step_rule_fails_page_and_engine_both_refuse(wf, clock):
    ref = _case(wf, True)
    wf.fire(ref, "send", CW, {"provider": "ong"}, instance="housing")
    with wf.sessions.begin() as s:  # the consent field turned false after sending (a correction)
        case = repository.get_case(s, ref)
        case.data = {**case.data, "intake": {**case.data["intake"], "consent": False}}
    sop, view = _view(wf, clock, ref)
    assert not view.personal and not view.actions and view.categories == frozenset()
    assert view.decision.reason == "disclosure.not_met"
    assert view.decision.message.fr == "La condition de partage de la POS n'est pas remplie pour ce dossier."
    assert view.decision.message.en == "The SOP's sharing condition is not met for this case."
    with pytest.raises(RoleNotAllowed):
        wf.fire(ref, "accept", PROV, instance="housing")
