"""Plan approval (issue 18): the supervisor sees the plan — needs, referral asked for, providers
the directory proposes, risk level — on the approval screen and may leave an optional comment;
the comment reaches the caseworker (case page, timeline) on every path (page, API), never a
provider."""

from __future__ import annotations

import re

import httpx
import pytest

from mno_workflow.store import repository

from .conftest import PASSWORD, csrf_of
from .helpers import CONSENT, IDENT, IDRISSA, MARIAM, NEEDS, case_with_referrals, referral

COMMENT = "Commencer par la santé, puis l'aide en espèces"


def pending_plan(wf) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
    return ref


def approval_url(c: httpx.Client, ref: str) -> str:
    m = re.search(r'href="(/dossiers/[^"]+/approve_plan)"', c.get(f"/dossiers/{ref}").text)
    assert m, "no approve_plan action"
    return m.group(1)


def test_approval_screen__plan_in_view_with_proposed_providers_and_a_comment_field(live):
    ref = pending_plan(live.wf)
    sup = live.client("idrissa.sanou")
    html = sup.get(approval_url(sup, ref)).text
    assert "Plan proposé" in html and "Prestataires proposés (répertoire)" in html
    plan = html[html.index("Plan proposé"):html.index('class="sop-form"')]
    # each need of the assessment with its dimension and the directory's organisations
    assert "Assistance en espèces" in plan and "Soins médicaux" in plan and "Économique" in plan
    assert "Niveau de risque" in plan and "Élevé" in plan
    cells = re.findall(r"<td>([^<]*)</td>", plan)
    proposed = [c for c in cells if "," in c or "ONG" in c or "Centre" in c or "OIM" in c]
    assert len(proposed) >= 2, cells
    assert 'id="f-comment"' in html and "Commentaire du superviseur (facultatif)" in html


def test_approval_by_page__comment_in_the_timeline_and_for_the_caseworker_not_the_provider(live):
    wf = live.wf
    ref = pending_plan(wf)
    sup = live.client("idrissa.sanou")
    url = approval_url(sup, ref)
    html = sup.get(url).text
    with wf.sessions() as s:
        version = repository.get_case(s, ref).version
    too_long = sup.post(url, data={"csrftoken": csrf_of(html), "version": str(version),
                                   "comment": "x" * 1001})
    assert too_long.status_code == 422  # per-field error, nothing saved
    r = sup.post(url, data={"csrftoken": csrf_of(html), "version": str(version), "comment": COMMENT})
    assert r.status_code == 303, r.text[:500]
    cw = live.client("mariam.kabore")
    page = cw.get(f"/dossiers/{ref}").text
    timeline = page[page.index('<ol class="timeline">'):]
    assert f"« {COMMENT.replace(chr(39), '&#39;')} »" in timeline
    assert "Validation du plan" in page  # the data block of the approval
    # a provider's referral page never shows the supervisor's comment
    wf.fire(ref, "send", MARIAM, referral("org-masn"), instance="referral:cash")
    prov = live.client("focal.masn")
    inbox_page = prov.get(f"/prestataire/{ref}/referral:cash").text
    assert "Commencer par la santé" not in inbox_page


def test_approval_without_comment_still_works_by_page(live):
    ref = pending_plan(live.wf)
    sup = live.client("idrissa.sanou")
    url = approval_url(sup, ref)
    html = sup.get(url).text
    with live.wf.sessions() as s:
        version = repository.get_case(s, ref).version
    r = sup.post(url, data={"csrftoken": csrf_of(html), "version": str(version)})
    assert r.status_code == 303
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert {i.state for i in case.instances if i.step == "needs_assessment"} == {"approved"}


@pytest.mark.parametrize("payload", [{"comment": COMMENT}, {}])
def test_approval_by_api__optional_comment_kept_in_the_case_data(live, payload):
    ref = pending_plan(live.wf)
    token = httpx.post(f"{live.url}/api/v1/auth/token",
                       json={"username": "idrissa.sanou", "password": PASSWORD}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    bad = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers=auth,
                     json={"trigger": "approve_plan", "payload": {"comment": "x" * 1001}})
    assert bad.status_code == 422 and "comment" in bad.text
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers=auth,
                   json={"trigger": "approve_plan", **({"payload": payload} if payload else {})})
    assert r.status_code == 200, r.text
    assert r.json()["to"] == "approved"
    cw = httpx.post(f"{live.url}/api/v1/auth/token",
                    json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    shown = httpx.get(f"{live.url}/api/v1/cases/{ref}", headers={"Authorization": f"Bearer {cw}"}).json()
    if payload:
        assert shown["data"]["plan_approval"] == {"comment": COMMENT}
    else:
        assert not (shown["data"].get("plan_approval") or {}).get("comment")
    assert [e for e in shown["audit"] if e.get("trigger") == "approve_plan"]


def test_supervisor_is_the_only_one_who_approves(live):
    ref = pending_plan(live.wf)
    cw = live.client("mariam.kabore")
    page = cw.get(f"/dossiers/{ref}").text
    assert "/approve_plan" not in page
    assert IDRISSA.role == "supervisor"


def test_plan_in_view_only_where_the_transition_decides_a_plan(live):
    """« Plan proposé » heads the data in view on the approvals that create referrals (the plan,
    its revision), never on another action of the same step (« Terminer le suivi » shows the
    revision under its own title, tryout 3, F18)."""
    wf = live.wf
    ref = case_with_referrals(wf, send=False)
    revision = {"revised_on": "2025-06-02", "reason": "Nouveau besoin",
                "needs": [{"dimension": "economic", "need": "micro_business", "referral_needed": True}]}
    wf.fire(ref, "revise_plan", MARIAM, revision)
    sup = live.client("idrissa.sanou")
    links = re.findall(r'href="(/dossiers/[^"]+/actions/[^"]+)"', sup.get(f"/dossiers/{ref}").text)
    approve = next(x for x in links if x.endswith("/approve_revision"))
    html = sup.get(approve).text
    assert "Plan proposé — Révision du plan (nouveaux besoins)" in html
    assert "Prestataires proposés (répertoire)" in html
    end = approve.replace("/approve_revision", "/end_follow_up")
    # « Terminer le suivi » is an action of the follow-up once it monitors again (before, its page
    # now says at once that it cannot be done in this state: tryout 7, J14)
    wf.fire(ref, "approve_revision", IDRISSA)
    for lang, title, plan in (("fr", "Révision du plan (nouveaux besoins)", "Plan proposé"),
                              ("en", "Plan revision (new needs)", "Proposed plan")):
        c = live.client("mariam.kabore")
        if lang == "en":
            c.get("/langue/en")
        html = c.get(end).text
        assert title in html and plan not in html, lang
