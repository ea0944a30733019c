"""Indicators on cases driven through the real engine (SQLite and PostgreSQL): the issue's findings
2 (declines vanish after re-referral) and 3 (medians from refusals only, from draft), the period
and filter rules, and SOP lint errors with file:line:col."""

from __future__ import annotations

from datetime import timedelta

import pytest

import mno_workflow.directory.tables  # noqa: F401  (the dir_* tables exist in every migrated database)
from mno_workflow.indicators import periods, service
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_text

from ..conftest import BF_SOP
from ..engine.helpers import CW, IDENT, provider, referral, to_referrals

VT = "referral:vocational_training"


def _sop(wf):
    from mno_workflow.sop.loader import load_file

    return load_file(BF_SOP).model


def _res(wf, code, period="2025Q2", **filters):
    with wf.sessions() as s:
        f = service.figures(
            s,
            _sop(wf),
            periods.parse(period),
            wf.clock.now() + timedelta(days=60),
            filters=filters,
            with_directory=False,
        )
    return next(r for r in f.results if r.indicator.code == code)


def test_declines_are_counted_after_re_referral(wf, clock):
    """Finding 2: a decline by one provider, re-referred to another, stays in the figures."""
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("org-csps"), instance=VT)
    clock.advance(timedelta(hours=5))
    wf.fire(ref, "decline", provider("org-csps"), {"reason": "no_capacity"}, instance=VT)
    wf.fire(ref, "re_refer", CW, referral("org-oim", "urgent"), instance=VT)
    clock.advance(timedelta(days=1))
    wf.fire(ref, "accept", provider("org-oim"), instance=VT)
    declined = _res(wf, "REFERRALS_DECLINED")
    assert declined.total == 1
    by_prov = next(t for t in declined.tables if t.dims == ("provider",))
    assert by_prov.cells == {("org-csps",): 1}
    cross = next(t for t in declined.tables if t.dims == ("provider", "decline_reason"))
    assert cross.cells == {("org-csps", "no_capacity"): 1}
    made = _res(wf, "REFERRALS_MADE")
    assert made.total == 2
    assert next(t for t in made.tables if t.dims == ("provider",)).cells == {
        ("org-csps",): 1,
        ("org-oim",): 1,
    }
    unmet = _res(wf, "UNMET_NO_CAPACITY", decline_reason="no_capacity")
    assert unmet.total == 1


def test_medians_start_at_sending_and_count_given_consents(wf, clock):
    """Finding 3: sending → acceptance runs from the (latest) sending, not from the draft; given
    consents are counted (they never "end")."""
    ref = to_referrals(wf)
    clock.advance(timedelta(days=2))  # two days in draft: not part of the measure
    wf.fire(ref, "send", CW, referral("org-csps"), instance=VT)
    clock.advance(timedelta(hours=12))
    wf.fire(ref, "decline", provider("org-csps"), {"reason": "outside_area"}, instance=VT)
    clock.advance(timedelta(hours=6))
    wf.fire(ref, "re_refer", CW, referral("org-oim", "urgent"), instance=VT)
    clock.advance(timedelta(hours=36))
    wf.fire(ref, "accept", provider("org-oim"), instance=VT)
    dur = _res(wf, "DAYS_SENT_TO_ACCEPTED")
    assert dur.total == [1.5]
    assert _res(wf, "CONSENT_GIVEN").total == 1
    assert _res(wf, "CONSENT_REFUSED").total == 0
    timely = _res(wf, "REFERRALS_ANSWERED_IN_TIME")
    assert timely.total == (2, 2)  # 12 h of 10 working days; 36 h of 72 h (urgent)
    by_prio = next(t for t in timely.tables if t.dims == ("priority",))
    assert by_prio.cells == {("normal",): (1, 1), ("urgent",): (1, 1)}


def test_late_answer_and_period_and_filters(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("org-a", "emergency"), instance=VT)
    clock.advance(timedelta(hours=30))  # emergency: 24 hours
    wf.fire(ref, "accept", provider("org-a"), instance=VT)
    assert _res(wf, "REFERRALS_ANSWERED_IN_TIME").total == (0, 1)
    assert _res(wf, "REFERRALS_ANSWERED_IN_TIME", period="2025Q3").total == (0, 0)
    assert _res(wf, "PERSONS_REGISTERED", period="2025-06").total == 1
    assert _res(wf, "PERSONS_REGISTERED", period="2025-05").total == 0
    assert _res(wf, "PERSONS_REGISTERED", region="kadiogo", sex="female").total == 1
    assert _res(wf, "PERSONS_REGISTERED", region="yaadga").total == 0
    assert _res(wf, "PERSONS_REGISTERED", age_group="18-24").total == 1  # born 2001-03-14
    assert _res(wf, "PERSONS_REGISTERED", age_group="25-59").total == 0
    # a need filter does not apply to registrations: ignored, and said so
    r = _res(wf, "PERSONS_REGISTERED", need="medical")
    assert r.total == 1 and r.ignored_filters == ["need"]
    assert _res(wf, "REFERRALS_MADE", need="medical").total == 0
    assert _res(wf, "REFERRALS_MADE", need="vocational_training").total == 1


def test_estimated_age_and_unknown(wf, clock):
    ident = {k: v for k, v in IDENT.items() if k != "birth_date"} | {"estimated_age": 16}
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, ident)
    ages = next(t for t in _res(wf, "PERSONS_REGISTERED").tables if t.dims == ("age_group",))
    assert ages.cells == {("15-17",): 1}


BAD = [
    ("triggers: [accept, record_acceptance]", "triggers: [acept, record_acceptance]", "E070",
     "unknown trigger 'acept'"),
    (
        "events: {step: closure, to: [closed]}",
        "events: {step: closure, to: [clos]}",
        "E070",
        "unknown state 'clos'",
    ),
    ("by: [unmet_reason, need", "by: [unmet_raison, need", "E072", "unknown dimension 'unmet_raison'"),
    ("field: identification.province}", "field: identification.provinc}", "E071", "unknown field"),
    ("items: needs_assessment.needs", "items: needs_assessment.risk_level", "E071", "not a repeat field"),
    ("code: CONSENT_REFUSED", "code: CONSENT_GIVEN", "E073", "already used"),
]


@pytest.mark.parametrize(("old", "new", "code", "text"), BAD)
def test_lint_errors_have_positions(old, new, code, text):
    src = BF_SOP.read_text(encoding="utf-8")
    assert old in src
    bad = src.replace(old, new, 1)
    with pytest.raises(SOPError) as e:
        load_text(bad, "bad.yaml")
    diags = [d for d in e.value.diagnostics if d.code == code]
    assert diags and text in diags[0].message
    line = bad.splitlines()[diags[0].line - 1]
    assert new.split(":")[0].strip("{ ") in line or new.split()[-1].strip("}]") in line


def test_unknown_indicator_key_is_a_schema_error():
    src = BF_SOP.read_text(encoding="utf-8").replace("count: cases", "count: persons", 1)
    with pytest.raises(SOPError) as e:
        load_text(src, "bad.yaml")
    d = e.value.diagnostics[0]
    assert d.code in ("E010", "E011", "E012") and "indicators" in d.message and d.line > 1000
