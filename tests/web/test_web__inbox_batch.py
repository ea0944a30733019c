"""The provider inbox's per-page look-ups (:mod:`mno_workflow.web.inbox_batch`) give what the
per-row functions give, on SQLite and PostgreSQL: each referral's due date
(:func:`queries.instance_due`: the newest running expiry row of the state it is in, an extended
deadline's newer row), its referrer (:func:`access.referrer`: none when the consent does not cover
it or the referral is not the provider's), and the consent in force read from the instances loaded
for the consent step only (:func:`queries.inbox_part` with ``consent_steps``) equals the one read
from every instance; the page shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import User
from mno_workflow.web import access, inbox_batch, queries

from .helpers import IDRISSA, MARIAM, case_with_referrals, provider


@pytest.fixture
def live(live_any):
    return live_any


def _world(live) -> list[str]:
    wf = live.wf
    refs = [case_with_referrals(wf) for _ in range(3)]
    wf.fire(refs[0], "accept", provider("org-masn"), instance="referral:cash")
    wf.fire(refs[1], "decline", provider("org-masn"), {"reason": "no_capacity"}, instance="referral:cash")
    # escalated (the sweeper marks its row done), then extended: two running rows of the same
    # state, the newer one is the due date
    live.clock.set(datetime(2025, 6, 18, 9, 0, tzinfo=UTC))
    sweep(wf)
    wf.extend_deadline(refs[2], "referral:cash", "3 days", "plus de temps", IDRISSA)
    # a consent withdrawn: neither the person nor the referrer shown
    refs.append(case_with_referrals(wf))
    wf.fire(refs[-1], "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    live.clock.advance(timedelta(days=2))
    wf.create_case("mnr_bf", MARIAM)
    return refs


def test_batch_lookups_equal_the_per_row_ones(live):
    _world(live)
    wf = live.wf
    compared = []
    for org in ("org-masn", "org-csps", "org-oim"):
        with wf.sessions() as s:
            user = s.get(User, f"focal.{org[4:]}")
            sop = wf.registry.compiled(wf.registry.latest(s, "mnr_bf")).sop
            states = queries.provider_todo_states(sop, queries.recipient_steps(sop))
            for todo in (True, False):
                full, _ = queries.inbox_part(s, user, states, todo=todo)
                expected = {}
                for inst, case in full:
                    csop = wf.registry.for_case(case).sop
                    view = access.provider_view(s, csop, case, inst, wf.clock.now())
                    expected[inst.id] = (queries.instance_due(s, inst) if not inst.final else None,
                                         access.referrer(s, user, csop, case, inst, view),
                                         view.personal, view.categories)
                rows = [(wf.registry.for_case(c).sop, c, i,
                         access.provider_view(s, wf.registry.for_case(c).sop, c, i, wf.clock.now()))
                        for i, c in full]
                dues = inbox_batch.dues(s, [i for i, _c in full])
                who = inbox_batch.referrers(s, user, rows)
                got = {i.id: (dues.get(i.id), who.get(i.id), v.personal, v.categories)
                       for _sop, _c, i, v in rows}
                assert got == expected, (org, todo)
                compared += expected.values()
    # the comparison saw due dates, referrers, and rows without a referrer
    assert any(due for due, *_ in compared)
    assert any(who for _d, who, *_ in compared) and any(who is None for _d, who, *_ in compared)


def _views(wf, org: str, consent_steps) -> dict[int, tuple]:
    with wf.sessions() as s:
        user = s.get(User, f"focal.{org[4:]}")
        sop = wf.registry.compiled(wf.registry.latest(s, "mnr_bf")).sop
        states = queries.provider_todo_states(sop, queries.recipient_steps(sop))
        out = {}
        for todo in (True, False):
            part, _ = queries.inbox_part(s, user, states, todo=todo, consent_steps=consent_steps)
            for inst, case in part:
                csop = wf.registry.for_case(case).sop
                if consent_steps and "consent" not in consent_steps:
                    inbox_batch.full_instances(s, case)  # what the page does for another SOP's step
                view = access.provider_view(s, csop, case, inst, wf.clock.now())
                out[inst.id] = (view.personal, view.categories, view.decision.reason)
        return out


def test_consent_from_the_consent_step_only_equals_the_whole_collection(live):
    _world(live)
    for org in ("org-masn", "org-csps"):
        whole = _views(live.wf, org, None)
        assert whole
        assert _views(live.wf, org, ["consent"]) == whole
        # a SOP whose consent step is another one: the page loads such a case whole
        assert _views(live.wf, org, ["another_step"]) == whole
    assert any(not personal for personal, _c, _r in _views(live.wf, "org-masn", ["consent"]).values())


def test_the_page_shows_the_due_date_and_the_referrer(live):
    refs = _world(live)
    html = live.client("focal.masn").get("/prestataire").text
    assert refs[2] in html and "Mariam" in html  # the referrer of a covered referral
