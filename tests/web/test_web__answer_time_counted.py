"""Tryout 5, H21 over the web form: an off-platform provider's acceptance recorded on the case
page (« Date et heure de la réponse » as the browser sends it, local time of the SOP's time zone)
is counted by the indicators when the provider answered, not when it was typed
(tests/indicators/test_indicators__effective_at.py for the rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mno_workflow.indicators import periods, service
from mno_workflow.sop.loader import load_file

from ..conftest import BF_SOP
from .helpers import case_with_referrals, events_of
from .test_web__case_tools import post


def test_acceptance_typed_on_the_case_page_counts_when_given(live):
    ref = case_with_referrals(live.wf)  # sent Mon 2 June 2025 10:00, due end of Tue 17 June
    live.clock.set(datetime(2025, 6, 25, 9, 0, tzinfo=UTC))  # typed a week after the deadline
    c = live.client("mariam.kabore")
    r = post(c, f"/dossiers/{ref}/actions/referral:medical/record_acceptance", answer_channel="phone",
             provider_contact="Dr Kaboré", answered_at="2025-06-04T10:00")  # the browser's datetime-local
    assert r.status_code in (200, 303), (r.status_code, [x for x in r.text.splitlines() if 'error' in x][:10])
    (ev,) = [e for e in events_of(live.wf, ref, "fire") if e.trigger == "record_acceptance"]
    assert {"effective_at": "2025-06-04T10:00:00+00:00"} in ev.effects
    sop = load_file(BF_SOP).model
    with live.wf.sessions() as s:
        f = service.figures(s, sop, periods.parse("2025Q2"), live.clock.now() + timedelta(days=1),
                            with_directory=False)
    res = {r.indicator.code: r.total for r in f.results}
    assert res["DAYS_SENT_TO_ACCEPTED"] == [2.0]  # Mon 2 June 10:00 → Wed 4 June 10:00, not 23 days
    assert res["REFERRALS_ANSWERED_IN_TIME"] == (1, 2)  # the cash referral: unanswered, past due
