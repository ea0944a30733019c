"""Tryout 4, G9/G10: which organisation a referral was addressed to when each of its forms was
recorded (:mod:`mno_workflow.engine.addressed`), over a referral declined, re-referred, declined
again and re-referred back to the first organisation."""

from __future__ import annotations

from mno_workflow.engine import addressed
from mno_workflow.store import repository

from .helpers import CW, provider, referral, to_referrals

INST = "vocational_training"


def _load(wf, ref):
    s = wf.sessions()
    case = repository.get_case(s, ref)
    inst = next(i for i in case.instances if i.key == INST)
    return s, wf.registry.for_case(case).sop, case, inst


def test_each_form_belongs_to_the_organisation_addressed_when_it_was_recorded(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("anpe"), instance=INST)
    wf.fire(ref, "decline", provider("anpe"), {"reason": "other", "details": "Pas chez nous"}, instance=INST)
    s, sop, case, inst = _load(wf, ref)
    found = addressed.origins(s, sop, case, inst)
    assert found["decline"].recipient == "anpe" and found["decline"].organisation == "anpe"
    assert addressed.earlier(sop, inst, found) == {}  # still anpe's: nothing earlier
    assert set(addressed.own_forms(sop, inst, "anpe", found)) == {"referral", "decline"}
    s.close()

    wf.fire(ref, "re_refer", CW, referral("other-org"), instance=INST)
    s, sop, case, inst = _load(wf, ref)
    found = addressed.origins(s, sop, case, inst)
    assert set(addressed.own_forms(sop, inst, "other-org", found)) == {"referral"}  # not anpe's decline
    assert set(addressed.earlier(sop, inst, found)) == {"decline"}
    assert addressed.earlier(sop, inst, found)["decline"].recipient == "anpe"
    assert addressed.still_addressed(sop, inst, "other-org")
    assert not addressed.still_addressed(sop, inst, "anpe")
    assert addressed.many_origins(s, lambda c: sop, [(case, inst)]) == {inst.id: found}
    assert addressed.from_trail(sop, inst, repository.trail(s, case)) == found
    s.close()

    # declined by the second organisation, then re-referred back to the first: the second's
    # decline (it replaced the first's in the data) is not the first organisation's to read
    wf.fire(ref, "decline", provider("other-org"), {"reason": "no_capacity"}, instance=INST)
    wf.fire(ref, "re_refer", CW, referral("anpe"), instance=INST)
    s, sop, case, inst = _load(wf, ref)
    found = addressed.origins(s, sop, case, inst)
    assert set(addressed.own_forms(sop, inst, "anpe", found)) == {"referral"}
    assert addressed.earlier(sop, inst, found)["decline"].recipient == "other-org"
    assert addressed.still_addressed(sop, inst, "anpe")
    assert [org for _at, org in addressed.addressings(s, sop, case, inst)] == ["anpe", "other-org", "anpe"]
    whom = addressed.recipients_of_events(sop, inst, repository.trail(s, case))
    assert list(whom.values()) == ["anpe", "anpe", "other-org", "other-org", "anpe"]  # by seq
    s.close()


def test_a_form_the_trail_does_not_know_is_kept_only_while_never_addressed_elsewhere(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("anpe"), instance=INST)
    s, sop, case, inst = _load(wf, ref)
    inst.data = {**inst.data, "decline": {"reason": "other"}}  # not recorded by a transition
    found = addressed.origins(s, sop, case, inst)
    assert "decline" in addressed.own_forms(sop, inst, "anpe", found)
    elsewhere = {**found, "referral": addressed.Origin("other-org", found["referral"].at, None)}
    assert "decline" not in addressed.own_forms(sop, inst, "anpe", elsewhere)
    s.close()
