"""Extending an escalated (overdue) deadline from the case page and the API: re-opened, counted
from now, or from the old due date with the "from due" box / ``from_due``; French durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mno_workflow.reminders.sweeper import sweep

from .helpers import case_with_referrals
from .test_web__case_tools import _token, events, post, version


def _escalated(live) -> str:
    ref = case_with_referrals(live.wf)  # sent Mon 2 June 10:00, normal: end of Tue 17 June (Tabaski 6 June)
    live.clock.set(datetime(2025, 6, 18, 9, 0, tzinfo=UTC))
    escalated = sweep(live.wf).escalations
    assert (ref, "referral:cash", "sent", "expiry") in escalated
    return ref


def test_escalated_deadline_extended_from_the_case_page(live):
    ref = _escalated(live)
    sup = live.client("idrissa.sanou")
    page = sup.get(f"/dossiers/{ref}").text
    assert 'name="from_due"' in page
    r = post(sup, f"/dossiers/{ref}/delais/referral:cash/prolonger", by="other", by_other="2 jours ouvrés",
             reason="Le prestataire a rappelé", version=str(version(live.wf, ref)))
    assert r.status_code == 303, r.text
    (ev,) = events(live.wf, ref, "extend_deadline")
    # From now (Wed 18 June): Thu 19, Fri 20 — not from the old due date (17 June).
    assert ev.data["new_due_at"] == "2025-06-20T23:59:59.999999+00:00" and ev.data["from_due"] is False
    page = sup.get(f"/dossiers/{ref}").text
    assert "20/06/2025" in page  # the case page shows the re-opened deadline


def test_from_due_box_counts_from_the_old_due_date(live):
    ref = _escalated(live)
    sup = live.client("idrissa.sanou")
    sup.get(f"/dossiers/{ref}")
    r = post(sup, f"/dossiers/{ref}/delais/referral:cash/prolonger", by="other", by_other="5 jours ouvrés",
             reason="Rattrapage", from_due="1", version=str(version(live.wf, ref)))
    assert r.status_code == 303, r.text
    (ev,) = events(live.wf, ref, "extend_deadline")
    assert ev.data["new_due_at"] == "2025-06-24T23:59:59.999999+00:00" and ev.data["from_due"] is True


def test_api_extends_an_escalated_deadline(live):
    ref = _escalated(live)
    sup = _token(live, "idrissa.sanou")
    url = f"/api/v1/cases/{ref}/deadlines/referral:cash/extend"
    with live.client() as c:
        r = c.post(url, json={"by": "48 heures", "reason": "Appel reçu"}, headers=sup)
        assert r.status_code == 200, r.text
        now = datetime(2025, 6, 18, 9, 0, tzinfo=UTC)
        assert r.json()["due_at"] == (now + timedelta(hours=48)).isoformat()
        live.clock.set(datetime(2025, 6, 21, 9, 0, tzinfo=UTC))  # overdue again, not swept
        r = c.post(url, json={"by": "1 jour", "reason": "Encore", "from_due": True}, headers=sup)
        assert r.status_code == 200, r.text
        assert r.json()["due_at"] == "2025-06-21T09:00:00+00:00"  # 20 June 09:00 + 1 day
