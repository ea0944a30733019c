"""A refused send after a withdrawal (or an expiry) promises a supervisor's override only when the
SOP has one from the consent's current state (tryout 6, I3): the BF SOP 2026.7 does after a
withdrawal; an SOP whose ``override_consent`` is only ``from: [pending, refused]`` says that only a
new consent would allow it — French and English, one rule for every SOP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine

from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.errors import GuardNotMet
from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import Base

from ..conftest import BF_SOP, TEST_DIRECTORY
from .helpers import CONSENT, CW, SUP, referral, to_referrals
from .sop_variants import dump, parse

WITHDRAWAL = {"withdrawn_on": "2025-06-02", "expressed_by": "self"}


def _variant(db_url, clock) -> WorkflowEngine:
    """The BF SOP whose override is not possible after a withdrawal (as before 2026.7)."""
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    doc["version"] = "2099.1-no-override"
    t = next(t for t in doc["steps"]["consent"]["transitions"] if t["trigger"] == "override_consent")
    t["from"] = ["pending", "refused"]
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock, **TEST_DIRECTORY)
    wf.load_sop(load_text(dump(doc), "variant.yaml"))
    return wf


def _refusal(wf, consent=None) -> GuardNotMet:
    ref = to_referrals(wf, consent=consent)
    if consent is None:
        wf.fire(ref, "withdraw_consent", CW, WITHDRAWAL)
    with pytest.raises(GuardNotMet) as e:
        wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    return e.value


def test_the_bf_sop_promises_the_override_it_allows(wf):
    e = _refusal(wf)
    assert "Seule une dérogation motivée du superviseur" in e.text("fr")
    assert "override" in e.text("en") and "dérogation" not in e.text("en")


def test_an_sop_without_override_after_a_withdrawal_does_not_promise_it(db_url, clock):
    wf = _variant(db_url, clock)
    e = _refusal(wf)
    fr, en = e.text("fr"), e.text("en")
    assert "dérogation" not in fr and "nouveau consentement" in fr, fr
    assert "override" not in en and "new consent" in en, en
    assert "retiré" in fr and "withdrew" in en


def test_an_expired_consent_promises_no_override_the_sop_lacks(wf, clock):
    # BF: no override from « given » (an expired consent is still that state): a new consent only
    ref = to_referrals(wf, consent={**CONSENT, "expires_on": "2025-06-03"})
    clock.advance(timedelta(days=5))
    with pytest.raises(GuardNotMet) as e:
        wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    fr, en = e.value.text("fr"), e.value.text("en")
    assert "expiré" in fr and "dérogation" not in fr and "nouveau consentement" in fr, fr
    assert "expired" in en and "override" not in en, en
    with pytest.raises(Exception):  # noqa: B017 — no override from a given (expired) consent
        wf.fire(ref, "override_consent", SUP, {"legal_basis": "vital_interests", "reason": "x",
                                               "data_categories": ["identity"]})
