"""Tryout 5, H21 (timeliness): an answer recorded on behalf of a provider off the platform counts
when the provider gave it (``effective_at: provider_answer.answered_at`` in the BF SOP), not when
the caseworker typed it: « traités dans le délai » judged against the deadline with the answer's
time, the median from sending to acceptance, the period an answer counts in. An answer made on
the platform is unchanged. Real engine, SQLite file and PostgreSQL, real dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import mno_workflow.directory.tables  # noqa: F401  (the dir_* tables exist in every migrated database)
from mno_workflow.engine.effective import effective_effects, instant_of
from mno_workflow.indicators import periods, service
from mno_workflow.indicators.history import CaseHistory, Event
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_file, load_text

from ..conftest import BF_SOP
from ..engine.helpers import CW, provider, referral, to_referrals
from ..web.helpers import events_of

VT = "referral:vocational_training"
SOP = load_file(BF_SOP).model


def _res(wf, code, period="2025Q2"):
    with wf.sessions() as s:
        f = service.figures(s, SOP, periods.parse(period), wf.clock.now() + timedelta(days=60),
                            with_directory=False)
    return next(r for r in f.results if r.indicator.code == code)


def _answer(at: str) -> dict:
    return {"answer_channel": "phone", "provider_contact": "Dr Kaboré", "answered_at": at}


def test_answer_by_phone_on_time_typed_a_week_late_counts_in_time_and_at_its_time(wf, clock):
    ref = to_referrals(wf)  # Mon 2 June 2025
    clock.set(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    wf.fire(ref, "send", CW, referral("org-csps"), instance=VT)  # normal: 10 working days → 17 June
    # the CSPS says yes by phone on Wed 4 June 10:00; the caseworker types it on Wed 25 June
    clock.set(datetime(2025, 6, 25, 9, 0, tzinfo=UTC))
    wf.fire(ref, "record_acceptance", CW, _answer("2025-06-04T10:00:00Z"), instance=VT)
    (ev,) = [e for e in events_of(wf, ref, "fire") if e.trigger == "record_acceptance"]
    assert {"effective_at": "2025-06-04T10:00:00+00:00"} in ev.effects
    assert ev.at.replace(tzinfo=UTC) == datetime(2025, 6, 25, 9, 0, tzinfo=UTC)  # the audit keeps the typing
    assert _res(wf, "REFERRALS_ANSWERED_IN_TIME").total == (1, 1)  # typed after 17 June: still in time
    assert _res(wf, "DAYS_SENT_TO_ACCEPTED").total == [2.0]  # 2 June 10:00 → 4 June 10:00, not 23 days


def test_answer_given_in_june_typed_in_july_counts_in_june_and_median_mixes_both_kinds(wf, clock):
    clock.set(datetime(2025, 6, 16, 10, 0, tzinfo=UTC))
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("org-csps"), instance=VT)  # 10 working days → 30 June
    clock.set(datetime(2025, 7, 3, 9, 0, tzinfo=UTC))  # typed after the deadline, in Q3
    wf.fire(ref, "record_acceptance", CW, _answer("2025-06-27T10:00:00Z"), instance=VT)
    assert _res(wf, "REFERRALS_ANSWERED_IN_TIME").total == (1, 1)
    assert _res(wf, "REFERRALS_ANSWERED_IN_TIME", "2025Q3").total == (0, 0)
    assert _res(wf, "DAYS_SENT_TO_ACCEPTED").total == [11.0]
    # counted as accepted (an answer recorded for the provider is an acceptance), on its day
    assert _res(wf, "REFERRALS_ACCEPTED").total == 1
    assert _res(wf, "REFERRALS_ACCEPTED", "2025Q3").total == 0
    # an on-platform answer: counted when the provider clicked, as before
    other = to_referrals(wf)  # Thu 3 July
    wf.fire(other, "send", CW, referral("org-oim"), instance=VT)
    clock.set(datetime(2025, 7, 4, 21, 0, tzinfo=UTC))
    wf.fire(other, "accept", provider("org-oim"), instance=VT)
    (ev,) = [e for e in events_of(wf, other, "fire") if e.trigger == "accept"]
    assert not any("effective_at" in e for e in ev.effects if isinstance(e, dict))
    assert _res(wf, "DAYS_SENT_TO_ACCEPTED", "2025Q3").total == [1.5]
    assert _res(wf, "DAYS_SENT_TO_ACCEPTED", "2025").total == [1.5, 11.0]


def test_deadline_judged_with_the_answer_time_both_ways_and_decline_on_behalf(wf, clock):
    clock.set(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    a, b = to_referrals(wf), to_referrals(wf)
    for ref in (a, b):  # urgent: 72 hours → Thu 5 June 10:00
        wf.fire(ref, "send", CW, referral("org-csps", "urgent"), instance=VT)
    clock.set(datetime(2025, 6, 6, 9, 0, tzinfo=UTC))  # both typed on Friday, after the deadline
    wf.fire(a, "record_decline", CW, {**_answer("2025-06-05T09:00:00Z"), "reason": "no_capacity"},
            instance=VT)  # declined by phone an hour before the deadline: answered in time
    wf.fire(b, "record_acceptance", CW, _answer("2025-06-05T11:00:00Z"), instance=VT)  # an hour late
    assert _res(wf, "REFERRALS_ANSWERED_IN_TIME").total == (1, 2)


def test_history_never_counts_an_answer_before_the_sending():
    """An answer dated before the referral was sent (same day: not_before is a date) counts at
    the sending: a duration is never negative."""
    sent = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
    h = CaseHistory(1, [
        Event(1, sent, "fire", "send", "referral", "medical", "draft", "sent"),
        Event(2, sent + timedelta(days=3), "fire", "record_acceptance", "referral", "medical", "sent",
              "accepted", effective_at=sent - timedelta(hours=2)),
    ])
    accepted = next(en for en in h.entries(SOP) if en.state == "accepted")
    sent_entry = next(en for en in h.entries(SOP) if en.state == "sent")
    assert accepted.at == sent and sent_entry.left_at == sent


def test_effective_instant_of_dates_datetimes_and_the_future():
    tz = "Africa/Ouagadougou"
    assert instant_of("2025-06-04T10:00:00Z", tz) == datetime(2025, 6, 4, 10, 0, tzinfo=UTC)
    assert instant_of("2025-06-04", tz) == datetime(2025, 6, 4, 0, 0, tzinfo=UTC)  # UTC+0 there
    assert instant_of("2025-06-04", "Europe/Paris") == datetime(2025, 6, 3, 22, 0, tzinfo=UTC)
    assert instant_of("pas une date", tz) is None and instant_of(None, tz) is None
    t = next(t for t in SOP.steps["referral"].transitions if t.trigger == "record_acceptance")
    now = datetime(2025, 6, 4, 9, 0, tzinfo=UTC)
    assert effective_effects(SOP, t, {"provider_answer": {"answered_at": "2025-06-05T10:00:00Z"}}, now) == [
        {"effective_at": now.isoformat()}]  # never after the typing
    accept = next(t for t in SOP.steps["referral"].transitions if t.trigger == "accept")
    assert effective_effects(SOP, accept, {}, now) == []


@pytest.mark.parametrize(("new", "text"), [
    ("effective_at: referral.referral_date", "is not a field of this transition's form"),
    ("effective_at: provider_answer.provider_contact", "is a text field"),
])
def test_effective_at_names_a_date_field_of_the_transition_form_e028(new, text):
    src = BF_SOP.read_text(encoding="utf-8")
    old = "effective_at: provider_answer.answered_at"
    assert old in src
    bad = src.replace(old, new, 1)
    with pytest.raises(SOPError) as e:
        load_text(bad, "bad.yaml")
    (d,) = [d for d in e.value.diagnostics if d.code == "E028"]
    assert text in d.message and new in bad.splitlines()[d.line - 1]
