"""A deadline the SOP counts in hours or calendar days — or caps in hours, as the 72 hours after a
GBV incident — is said in real time on the provider's inbox and referral page and in « Mon
travail » (« dans 2 jours 13 heures »), weekends and holidays counted; « jours ouvrés » only when
the rule in force counts working days (tryout 8, K10: « dans 1 jour ouvré » on a Saturday for a
cap due on Monday 20:00, 2 days 13 hours away). French and English, real dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.sop.loader import load_file
from mno_workflow.web.duewords import counts_working_days, due_words, real_time_words

from .helpers import CONSENT, IDENT, MARIAM, referral
from .test_web__work_due_words import session  # noqa: F401 - the fixture (a real SQLite file)

SOP = load_file("sops/burkina_faso/mnr.yaml").model
CAL = BusinessCalendar.from_sop(SOP.calendar)  # Africa/Ouagadougou = UTC all year
SAT = datetime(2026, 12, 5, 6, 53, tzinfo=UTC)  # Saturday 5 December 2026
MON_20 = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # Monday 7 December 2026 20:00


@pytest.mark.parametrize(("now", "due", "fr", "en"), [
    (SAT, MON_20, "dans 2 jours 13 heures", "in 2 days 13 hours"),  # the weekend counts
    (datetime(2026, 12, 4, 18, 0, tzinfo=UTC), datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
     "dans 2 jours 16 heures", "in 2 days 16 hours"),  # Friday evening → Monday morning
    (SAT, SAT + timedelta(days=1), "dans 1 jour", "in 1 day"),
    (SAT, SAT + timedelta(hours=5, minutes=59), "dans 5 heures", "in 5 hours"),  # rounded down
    (SAT, SAT + timedelta(hours=1), "dans 1 heure", "in 1 hour"),
    (SAT, SAT + timedelta(minutes=40), "dans 40 minutes", "in 40 minutes"),
    (SAT, datetime(2026, 12, 4, 20, 0, tzinfo=UTC), "10 heures de retard", "10 hours overdue"),
    (MON_20 + timedelta(days=3, hours=1), MON_20, "3 jours 1 heure de retard", "3 days 1 hour overdue"),
])
def test_real_time_words__real_dates(now, due, fr, en):
    assert real_time_words(due, now, "fr") == fr
    assert real_time_words(due, now, "en") == en


def test_due_words__in_real_time_when_the_rule_is_not_in_working_days():
    f = due_words(CAL, "answer", MON_20, SAT, "fr", working=False)
    e = due_words(CAL, "answer", MON_20, SAT, "en", working=False)
    assert f.text == "à répondre avant le 07/12/2026 20:00 — dans 2 jours 13 heures"
    assert e.text == "answer by 07/12/2026 20:00 — in 2 days 13 hours"
    # the same instant under a rule in working days: Monday is the first working day
    assert due_words(CAL, "answer", MON_20, SAT, "fr").left == "dans 1 jour ouvré"


def _dl(state: str):
    return SOP.steps["referral"].states[state].deadline


INCIDENT = {"incident_at": "2026-12-04T20:00:00Z"}


@pytest.mark.parametrize(("state", "data", "working"), [
    ("sent", {"referral": {"priority": "normal"}, "item": {"need": "cash"}}, True),  # 10 working days
    ("sent", {"referral": {"priority": "urgent"}, "item": {"need": "cash"}}, False),  # 72 hours
    ("sent", {"referral": {"priority": "normal"}, "item": {"need": "gbv_services", **INCIDENT}}, False),
    ("sent", {"referral": {"priority": "normal"}, "item": {"need": "housing", "urgency": "x"}}, False),
    ("draft", {"item": {"need": "cash"}}, True),  # 3 working days
    ("draft", {"item": {"need": "housing", "urgency": "Dehors ce soir"}}, False),  # capped at 24 hours
    ("accepted", {"item": {"need": "cash"}}, False),  # 30 (calendar) days
])
def test_counts_working_days__by_the_rule_in_force(state, data, working):
    assert counts_working_days(_dl(state), data) is working


@pytest.mark.parametrize(("item", "fr", "en"), [
    ({"need": "cash"}, "dans 1 jour ouvré", "in 1 working day"),
    ({"need": "gbv_services", "urgency": "x", **INCIDENT}, "dans 2 jours 13 heures", "in 2 days 13 hours"),
])
def test_my_work__a_capped_draft_in_real_time(session, item, fr, en):  # noqa: F811 - the fixture
    from mno_workflow.web.routes.work import late_in, left_in
    it = SimpleNamespace(step="referral", state="draft", due_at=MON_20, sop_version=None, item=item,
                         days=2)
    sops = SimpleNamespace(compiled=lambda _version: SimpleNamespace(sop=SOP))
    assert left_in(session, sops, SAT, "fr")(it) == fr
    assert left_in(session, sops, SAT, "en")(it) == en
    late = late_in(session, sops, MON_20 + timedelta(hours=5), "fr")(it)
    assert late == ("5 heures de retard" if "heures" in fr else "1 jour ouvré de retard")  # Tuesday 01:00


def test_provider_inbox_and_page__an_immediate_need_in_real_time(live):
    """An immediate need sent on Saturday 06:53 is due within 24 hours: Sunday 06:53, « dans 1
    jour », not « avant le prochain jour ouvré » (Monday)."""
    live.clock.set(SAT)
    wf = live.wf
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, {**CONSENT, "consent_date": "2026-12-05"})
    wf.fire(ref, "refer_immediately", MARIAM, {"dimension": "social", "need": "housing",
                                               "urgency": "Dehors ce soir"})
    wf.fire(ref, "send", MARIAM, {**referral("org-masn"), "referral_date": "2026-12-05"}, instance="housing")
    live.clock.set(SAT + timedelta(hours=2))
    c = live.client("focal.masn")
    for lang, words in (("fr", "à répondre avant le 06/12/2026 06:53 — dans 22 heures"),
                        ("en", "answer by 06/12/2026 06:53 — in 22 hours")):
        c.get(f"/langue/{lang}")
        inbox = " ".join(c.get("/prestataire").text.split()).replace("<br>", " ")
        page = " ".join(c.get(f"/prestataire/{ref}/referral:housing").text.split())
        assert words in page, page[:3000]
        assert words.split(" — ")[1] in inbox, lang
        said = ("jour ouvré", "jours ouvrés", "working day overdue", "in 1 working")
        assert not any(w in inbox for w in said), lang
