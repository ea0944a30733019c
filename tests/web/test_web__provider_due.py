"""A referral's deadline in the provider's own terms (issue 18): « à répondre avant le 12/06/2025 16:00
— dans 2 jours ouvrés », « N jours ouvrés de retard », French and English; working days of the SOP
calendar (Burkina Faso: weekends and public holidays such as Tabaski, 6 June 2025)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.sop.loader import load_file
from mno_workflow.web.duewords import due_words, task_kind

from .helpers import case_with_referrals

SOP = load_file("sops/burkina_faso/mnr.yaml").model
CAL = BusinessCalendar.from_sop(SOP.calendar)  # Africa/Ouagadougou = UTC all year
MON = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)  # Monday 2 June 2025


def at(y, mo, d, h=23, mi=59, s=59):
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


@pytest.mark.parametrize(("now", "due", "fr", "en"), [
    (MON, at(2025, 6, 4), "04/06/2025 23:59 — dans 2 jours ouvrés", "04/06/2025 23:59 — in 2 working days"),
    (MON, at(2025, 6, 3, 16, 0), "03/06/2025 16:00 — dans 1 jour ouvré",
     "03/06/2025 16:00 — in 1 working day"),
    (MON, at(2025, 6, 2, 16, 0), "02/06/2025 16:00 — aujourd'hui", "02/06/2025 16:00 — today"),
    # Friday 6 June 2025 is Tabaski: Tue, Wed, Thu, Mon
    (MON, at(2025, 6, 9), "09/06/2025 23:59 — dans 4 jours ouvrés", "09/06/2025 23:59 — in 4 working days"),
    # due on a Saturday, seen on the Friday: before the next working day
    (at(2025, 6, 13, 10, 0), at(2025, 6, 14, 12, 0), "14/06/2025 12:00 — avant le prochain jour ouvré",
     "14/06/2025 12:00 — before the next working day"),
    # over the weekend: Friday → Monday is one working day
    (at(2025, 6, 13, 10, 0), at(2025, 6, 16), "16/06/2025 23:59 — dans 1 jour ouvré",
     "16/06/2025 23:59 — in 1 working day"),
    # late in working days, as the SOP counts its deadlines: Friday 30 May → Monday 2 June is one
    (MON, at(2025, 5, 30), "30/05/2025 23:59 — 1 jour ouvré de retard",
     "30/05/2025 23:59 — 1 working day overdue"),
    (at(2025, 6, 4, 10, 0), at(2025, 5, 29), "29/05/2025 23:59 — 4 jours ouvrés de retard",
     "29/05/2025 23:59 — 4 working days overdue"),
    # due on Sunday, seen on Monday: Monday is the first working day late
    (MON, at(2025, 6, 1), "01/06/2025 23:59 — 1 jour ouvré de retard",
     "01/06/2025 23:59 — 1 working day overdue"),
    # due on Friday, seen on Saturday: no working day has passed yet, the date says since when
    (at(2025, 6, 14, 10, 0), at(2025, 6, 13, 16, 0), "13/06/2025 16:00 — en retard depuis le 13/06/2025",
     "13/06/2025 16:00 — overdue since 13/06/2025"),
    # Tabaski (Friday 6 June 2025) is not counted: Thursday 5 → Monday 9 is one working day
    (at(2025, 6, 9, 10, 0), at(2025, 6, 5), "05/06/2025 23:59 — 1 jour ouvré de retard",
     "05/06/2025 23:59 — 1 working day overdue"),
    (MON, at(2025, 6, 2, 8, 30), "02/06/2025 08:30 — en retard depuis 08:30",
     "02/06/2025 08:30 — overdue since 08:30"),
    (MON, at(2026, 1, 5), "05/01/2026 23:59 — dans ", "05/01/2026 23:59 — in "),
])
def test_due_words__real_calendar_dates(now, due, fr, en):
    f, e = due_words(CAL, "answer", due, now, "fr"), due_words(CAL, "answer", due, now, "en")
    assert f.text.startswith("à répondre avant le " + fr), f.text
    assert e.text.startswith("answer by " + en), e.text
    assert f.late == (due < now) == e.late


def test_task_kind__answer_when_it_arrives_deliver_once_accepted():
    kinds = {s: task_kind(SOP, "referral", s) for s in SOP.steps["referral"].states}
    assert kinds["sent"] == "answer"
    assert kinds["accepted"] == "deliver" and kinds["in_progress"] == "deliver"
    assert kinds["draft"] == "act"  # the provider has nothing to do there
    assert due_words(CAL, "deliver", at(2025, 6, 3), MON, "fr").what == "service à rendre avant le"
    assert due_words(CAL, "deliver", at(2025, 6, 3), MON, "en").what == "deliver the service by"


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
       n=st.integers(min_value=1, max_value=25))
def test_due_words__n_working_days_ahead_reads_n(start, n):
    now = start.replace(tzinfo=UTC)
    due = CAL.add_working_days(now, n)
    assert due_words(CAL, "answer", due, now, "fr").left == (
        f"dans {n} jour ouvré" if n == 1 else f"dans {n} jours ouvrés")
    assert due_words(CAL, "answer", due, now, "en").left == (
        f"in {n} working day" if n == 1 else f"in {n} working days")


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
       n=st.integers(min_value=1, max_value=60))
def test_due_words__late_by_n_working_days_reads_n(start, n):
    due = start.replace(tzinfo=UTC)
    now = CAL.add_working_days(due, n)  # n working days after the due day
    fr, en = due_words(CAL, "answer", due, now, "fr"), due_words(CAL, "answer", due, now, "en")
    assert fr.late and fr.left == (f"{n} jour ouvré de retard" if n == 1 else f"{n} jours ouvrés de retard")
    assert en.left == (f"{n} working day overdue" if n == 1 else f"{n} working days overdue")


def test_inbox_and_referral_page__deadline_in_the_provider_terms_fr_then_en(live):
    ref = case_with_referrals(live.wf)  # cash sent to org-masn on Monday 2 June 2025, normal priority
    c = live.client("focal.masn")
    page = c.get("/prestataire").text
    todo = page[page.index('id="to-process"'):page.index('id="history"')]
    assert ref in todo and "à répondre avant le" in todo and "jours ouvrés" in todo
    referral = c.get(f"/prestataire/{ref}/referral:cash").text
    assert "à répondre avant le" in referral
    c.get("/langue/en")
    page = c.get("/prestataire").text
    assert "answer by" in page and "working days" in page
    live.clock.advance(timedelta(days=40))
    page = c.get("/prestataire").text
    assert "working days overdue" in page and 'class="tag late"' in page
    c.get("/langue/fr")
    assert "jours ouvrés de retard" in c.get("/prestataire").text


def test_a_referral_the_provider_answered_shows_it_no_deadline(live):
    """Declined long ago: the provider's history says nothing is due from it (was « à traiter avant
    le 19/03/2025 23:59 — en retard de 625 jours », the case manager's deadline)."""
    from .helpers import provider

    ref = case_with_referrals(live.wf)
    live.wf.fire(ref, "decline", provider("org-masn"), {"reason": "no_capacity"}, instance="referral:cash")
    live.clock.advance(timedelta(days=600))
    c = live.client("focal.masn")
    for lang in ("fr", "en"):
        c.get(f"/langue/{lang}")
        page = c.get("/prestataire").text
        row = next(r for r in page.split("<tr") if ref in r)
        referral = c.get(f"/prestataire/{ref}/referral:cash").text
        for text in (row, referral.split('class="meta"', 1)[1].split("</p>", 1)[0]):
            assert not re.search(r"en retard|overdue|avant le|answer by|\d\d/\d\d/\d{4} \d\d:\d\d",
                                 text), text


def test_a_referral_whose_consent_was_withdrawn_leaves_a_todo_and_shows_no_deadline(live):
    """Tryout 3, F17: after the person withdraws consent, the provider's every action on the
    referral is refused; its inbox no longer lists it under « À traiter » with « à répondre avant
    le … » (it moves to the history, the reason said), nor does its referral page show a deadline;
    the other provider's referral of the case (medical, org-csps) is withdrawn too."""
    from .helpers import MARIAM

    ref = case_with_referrals(live.wf)
    c = live.client("focal.masn")
    page = c.get("/prestataire").text
    assert ref in page[page.index('id="to-process"'):page.index('id="history"')]  # before
    live.wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    for lang, withdrawn in (("fr", "retiré son consentement"), ("en", "withdrew")):
        c.get(f"/langue/{lang}")
        page = c.get("/prestataire").text
        todo = page[page.index('id="to-process"'):page.index('id="history"')]
        history = page[page.index('id="history"'):]
        assert ref not in todo, todo
        row = next(r for r in history.split("<tr") if ref in r)
        assert withdrawn in row, row
        referral = c.get(f"/prestataire/{ref}/referral:cash").text
        for text in (row, referral.split('class="meta"', 1)[1].split("</p>", 1)[0]):
            assert not re.search(r"en retard|overdue|avant le|answer by|\d\d/\d\d/\d{4} \d\d:\d\d",
                                 text), text
