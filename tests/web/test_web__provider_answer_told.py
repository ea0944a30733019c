"""The referring case manager is told when the provider answers (tryout 6, I2; BF SOP 2026.7,
``notify: [assignee]`` on ``accept``, ``complete``, ``review_progress``, ``complete_long_service``):
an information notification linking to the referral, in the reader's language at display time,
whether the provider answered on its page or through the API; a case manager who records a
review themselves is not told of their own action. A decline already tells them (its state is
theirs: a task)."""

from __future__ import annotations

import re

from sqlalchemy import select

from mno_workflow.store.models import OutboxMessage

from .conftest import PASSWORD, csrf_of
from .helpers import MARIAM, case_with_referrals, provider

DELIVERED = {"delivered_on": "2025-06-02", "note": "Service fourni"}
REVIEW = {"reviewed_on": "2025-06-02", "expected_end": "2025-09-30", "note": "Formation en cours"}


def _told(live, ref: str) -> list[tuple[str, str, str]]:
    """The ``notify`` messages of ``ref``: (recipient, trigger, instance), in-app only."""
    with live.wf.sessions() as s:
        return [(m.recipient_user, m.context["trigger"], m.context["instance"])
                for m in s.scalars(select(OutboxMessage).where(
                    OutboxMessage.kind == "notify", OutboxMessage.channel == "inapp",
                    OutboxMessage.context["reference"].as_string() == ref).order_by(OutboxMessage.id))]


def test_acceptance_and_delivery_tell_the_case_manager_on_page_and_api(live):
    ref = case_with_referrals(live.wf)  # cash → org-masn, medical → org-csps; mariam.kabore assigned
    assert _told(live, ref) == []

    # the provider accepts on its page
    c = live.client("focal.masn")
    form = c.get(f"/dossiers/{ref}/actions/referral:cash/accept")
    assert form.status_code == 200, form.text[:500]
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
    r = c.post(f"/dossiers/{ref}/actions/referral:cash/accept",
               data={"csrftoken": csrf_of(form.text), "version": version})
    assert r.status_code in (200, 303), r.text[:500]
    assert _told(live, ref) == [("mariam.kabore", "accept", "cash")]

    # … and reports the service delivered through the API
    token = live.client().post("/api/v1/auth/token",
                               json={"username": "focal.masn", "password": PASSWORD}).json()["token"]
    r = live.client().post(f"/api/v1/cases/{ref}/fire", headers={"Authorization": f"Bearer {token}"},
                           json={"trigger": "complete", "instance": "referral:cash", "payload": DELIVERED})
    assert r.status_code == 200, r.text
    assert _told(live, ref)[-1] == ("mariam.kabore", "complete", "cash")

    # the case manager reads them in their language of the moment, linked to the referral's box
    cw = live.client("mariam.kabore")
    for lang, head, accepted, done in (("fr", "Pour information", "Accepté", "Service fourni"),
                                       ("en", "For information", "Accepted", "Service delivered")):
        cw.get(f"/langue/{lang}")
        page = cw.get("/notifications").text
        lines = [x for x in re.split(r"<li|<tr", page) if ref in x and head in x]
        assert any(accepted in x for x in lines), (lang, lines)
        assert any(done in x for x in lines), (lang, lines)
        assert any(f"/dossiers/{ref}#step-referral-cash" in x for x in lines), (lang, lines)


def test_a_long_service_review_and_its_end_tell_the_case_manager_not_their_own_review(live):
    ref = case_with_referrals(live.wf)
    focal = provider("org-csps")
    live.wf.fire(ref, "accept", focal, instance="referral:medical")
    live.wf.fire(ref, "report_in_progress", focal, REVIEW, instance="referral:medical")  # a task (its owner)
    live.wf.fire(ref, "review_progress", focal, REVIEW, instance="referral:medical")
    live.wf.fire(ref, "review_progress", MARIAM, REVIEW, instance="referral:medical")  # by herself
    live.wf.fire(ref, "complete_long_service", focal, DELIVERED, instance="referral:medical")
    assert _told(live, ref) == [("mariam.kabore", "accept", "medical"),
                                ("mariam.kabore", "review_progress", "medical"),
                                ("mariam.kabore", "complete_long_service", "medical")]


def test_an_answer_recorded_by_the_case_manager_tells_nobody_else(live):
    ref = case_with_referrals(live.wf)
    live.wf.fire(ref, "record_acceptance", MARIAM, {
        "answer_channel": "phone", "provider_contact": "Mme Ouédraogo",
        "answered_at": "2025-06-02T08:00:00Z"},
        instance="referral:medical")
    assert _told(live, ref) == []
