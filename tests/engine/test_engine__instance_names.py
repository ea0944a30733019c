"""Naming a step instance: ``step:key``, ``key``, or the bare step name when the step has one open
instance (``consent`` for ``consent:1``), for fire and for extend, as scenarios' ``expect`` do."""

from __future__ import annotations

import pytest

from mno_workflow.engine.errors import AmbiguousInstance
from mno_workflow.store import repository

from .helpers import CW, IDENT, SUP, referral, to_referrals


@pytest.mark.parametrize("name", ["identification", "identification:1", "1"])
def test_fire_accepts_the_bare_step_name(wf, name):
    ref = wf.create_case("mnr_bf", CW)
    assert wf.fire(ref, "register", CW, IDENT, instance=name).to_state == "identified"


@pytest.mark.parametrize("name", ["consent", "consent:1"])
def test_extend_accepts_the_bare_step_name(wf, name):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    with wf.sessions() as s:
        # issue 13: registration also opens the parallel "immediate needs" step (no deadline)
        assert [i.label_key for i in repository.get_case(s, ref).instances
                if not i.final] == ["consent:1", "immediate:1"]
    due = wf.extend_deadline(ref, name, "2 working days", "Famille injoignable", SUP)
    assert due is not None


def test_bare_step_name_with_several_instances_is_ambiguous(wf):
    ref = to_referrals(wf)
    with pytest.raises(AmbiguousInstance) as info:
        wf.fire(ref, "send", CW, referral("ong_a"), instance="referral")
    assert set(info.value.details["instances"]) == {"referral:vocational_training", "referral:psychosocial"}
    with pytest.raises(AmbiguousInstance):
        wf.extend_deadline(ref, "referral", "2 working days", "Motif", SUP)
