"""Issue 11: send / re_refer are refused on the server (engine: page, API, CLI alike) when the consent
in force does not cover the recipient organisation's directory type, or when the organisation has
no data-sharing agreement in force (SOP ``require_sharing_agreement``). Sample directory of the
Burkina Faso SOP: org-masn is a government office, org-csps a health centre, org-espoir an NGO,
org-petitspas an NGO without agreement."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mno_workflow import directory
from mno_workflow.directory.edit import update_object
from mno_workflow.engine.errors import GuardNotMet, RoleNotAllowed
from mno_workflow.protection import agreement_in_force
from mno_workflow.store.models import AuditEvent

from ..conftest import snapshot
from ..engine.helpers import CONSENT, CW, provider, referral, to_referrals


@pytest.fixture
def dwf(wf):
    """The engine asking the real sample directory (types and agreements)."""
    wf.recipient_type = directory.organisation_type
    wf.recipient_agreement = agreement_in_force
    with wf.sessions.begin() as s:
        directory.load_sample(s)
    return wf


def refused(wf, exc, *args, **kwargs):
    before = snapshot(wf)
    with pytest.raises(exc) as info:
        wf.fire(*args, **kwargs)
    assert snapshot(wf) == before  # nothing written
    return info.value


@pytest.mark.parametrize("share_with, org, label_fr, label_en", [
    (["service_provider"], "org-masn", "service de l'État", "government service"),
    (["service_provider"], "org-csps", "structure de santé", "health facility"),
    (["government"], "org-espoir", "ONG ou association", "NGO or association"),
    (["health"], "org-oim", "agence des Nations Unies", "UN agency"),
])
def test_send_refused_when_the_type_is_not_covered(dwf, share_with, org, label_fr, label_en):
    ref = to_referrals(dwf, consent={**CONSENT, "share_with": share_with})
    err = refused(dwf, GuardNotMet, ref, "send", CW, referral(org), instance="psychosocial")
    assert label_fr in err.text("fr") and label_en in err.text("en")
    assert err.details["condition"] == "data_protection: recipient.type_not_covered"


@pytest.mark.parametrize("share_with, org", [
    (["health"], "org-csps"), (["government"], "org-masn"), (["service_provider"], "org-espoir"),
    (["un_agency"], "org-oim"), (["government", "service_provider", "health"], "org-chr"),
])
def test_send_allowed_when_the_type_is_covered(dwf, share_with, org):
    ref = to_referrals(dwf, consent={**CONSENT, "share_with": share_with})
    r = dwf.fire(ref, "send", CW, referral(org), instance="psychosocial")
    assert r.to_state == "sent"


def test_re_refer_checks_the_new_recipient(dwf):
    ref = to_referrals(dwf, consent={**CONSENT, "share_with": ["service_provider"]})
    dwf.fire(ref, "send", CW, referral("org-espoir"), instance="psychosocial")
    dwf.fire(ref, "decline", provider("org-espoir"), {"reason": "no_capacity"}, instance="psychosocial")
    refused(dwf, GuardNotMet, ref, "re_refer", CW, referral("org-masn"), instance="psychosocial")
    assert dwf.fire(ref, "re_refer", CW, referral("org-ecoute"), instance="psychosocial").to_state == "sent"


def test_sharing_register_refuses_an_organisation_without_agreement(dwf):
    ref = to_referrals(dwf, consent={**CONSENT, "share_with": ["service_provider"]})
    err = refused(dwf, GuardNotMet, ref, "send", CW, referral("org-petitspas"), instance="psychosocial")
    assert "n'a signé aucun accord de partage de données" in err.text("fr")
    assert "has signed no data-sharing agreement" in err.text("en")
    assert "org-petitspas" not in err.text("fr") + err.text("en")  # named, never its key
    assert "« Centre d'accueil et crèche Les Petits Pas (fictif) »" in err.text("fr"), err.text("fr")
    assert err.details["condition"] == "data_protection: agreement.none"


def test_sharing_register_refuses_an_expired_agreement_then_accepts_a_new_one(dwf):
    ref = to_referrals(dwf, consent={**CONSENT, "share_with": ["service_provider"]})
    with dwf.sessions.begin() as s:  # the coordinator ends Espoir's agreement on 1 June 2025
        update_object(s, "sharing_agreement", "agr-espoir", {"expires_on": "2025-06-01"}, "coord.mnr")
    err = refused(dwf, GuardNotMet, ref, "send", CW, referral("org-espoir"), instance="psychosocial")
    assert "expiré (version 2025.1)" in err.text("fr")
    with dwf.sessions.begin() as s:
        update_object(s, "sharing_agreement", "agr-espoir", {"expires_on": "2027-06-01"}, "coord.mnr")
    assert dwf.fire(ref, "send", CW, referral("org-espoir"), instance="psychosocial").to_state == "sent"


def test_without_require_sharing_agreement_a_warning_is_audited(dwf, bf_loaded):
    from mno_workflow.sop.loader import load_text
    text = bf_loaded.source.replace("require_sharing_agreement: true", "require_sharing_agreement: false")
    text = text.replace('version: "', 'version: "w', 1)
    loaded = load_text(text, "mnr-warn.yaml")
    dwf.load_sop(loaded)
    ref = to_referrals(dwf, consent={**CONSENT, "share_with": ["service_provider"]})
    dwf.fire(ref, "send", CW, referral("org-petitspas"), instance="psychosocial")
    with dwf.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.trigger == "send")).one()
    warnings = [e["warning"] for e in ev.effects if "warning" in e]
    assert warnings and warnings[0]["code"] == "agreement.none"
    assert warnings[0]["organisation"] == "org-petitspas"  # the key for machines, the name for people
    assert "Les Petits Pas (fictif)" in warnings[0]["fr"] and "org-petitspas" not in warnings[0]["fr"]


def test_provider_cannot_act_once_consent_is_withdrawn(dwf):
    ref = to_referrals(dwf, consent={**CONSENT, "share_with": ["service_provider"]})
    dwf.fire(ref, "send", CW, referral("org-espoir"), instance="psychosocial")
    dwf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    refused(dwf, RoleNotAllowed, ref, "accept", provider("org-espoir"), instance="psychosocial")
