"""The provider inbox at scale (issue 15, issue 18 « À traiter » first): its two parts are read
page by page — « À traiter » oldest sent first, so an untreated referral is never pushed out by
newer ones; the history newest first — with a « Suivant » link per part (keyset on the referral's
sending instant). Checked with a page of 2 rows on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mno_workflow.web import queries

from .helpers import case_with_referrals, provider


@pytest.fixture
def live(live_any):
    return live_any


def _refs(html: str, part: str) -> list[str]:
    start = html.index(f'id="{part}"')
    end = html.index("</section>", start)
    # a referral the provider can no longer read is linked by its number, not by its need (F33)
    return re.findall(r"/prestataire/(MNR-[A-Z]+-\d+)/(?:referral:cash|\d+)\"", html[start:end])


def _next(html: str, part: str) -> str | None:
    m = re.search(rf'href="(\?[a-z]+=\d+)#[a-z-]+" rel="next" data-next="{part}"', html)
    return m.group(1) if m else None


def test_to_process_is_paged_oldest_first_and_the_history_apart(live, monkeypatch):
    monkeypatch.setattr(queries, "INBOX_PAGE", 2)
    refs = []
    for _ in range(4):
        refs.append(case_with_referrals(live.wf))  # cash sent to org-masn, one after the other
        live.clock.advance(timedelta(hours=1))
    # the newest referral is declined: it belongs to the history, not to « À traiter »
    live.wf.fire(refs[-1], "decline", provider("org-masn"), {"reason": "no_capacity"},
                 instance="referral:cash")
    c = live.client("focal.masn")
    first = c.get("/prestataire").text
    assert _refs(first, "to-process") == refs[:2]  # the oldest first: never buried
    link = _next(first, "todo")
    assert link is not None
    second = c.get("/prestataire" + link).text
    assert _refs(second, "to-process") == [refs[2]]
    assert _next(second, "todo") is None and "/prestataire\" rel=\"first\"" in second
    assert _refs(first, "history") == [refs[3]] and _next(first, "history") is None
    # an id the provider may not see (another organisation's referral) starts from the beginning
    with live.wf.sessions() as s:
        from sqlalchemy import select

        from mno_workflow.store.models import StepInstance
        foreign = s.scalar(select(StepInstance.id).where(StepInstance.recipient == "org-csps"))
    assert _refs(c.get(f"/prestataire?suite={foreign}").text, "to-process") == refs[:2]


def test_the_history_is_paged_newest_first(live, monkeypatch):
    monkeypatch.setattr(queries, "INBOX_PAGE", 2)
    refs = []
    for _ in range(3):
        ref = case_with_referrals(live.wf)
        live.wf.fire(ref, "decline", provider("org-masn"), {"reason": "no_capacity"},
                     instance="referral:cash")
        refs.append(ref)
        live.clock.advance(timedelta(hours=1))
    c = live.client("focal.masn")
    first = c.get("/prestataire").text
    assert _refs(first, "to-process") == []
    assert _refs(first, "history") == [refs[2], refs[1]]
    second = c.get("/prestataire" + _next(first, "history")).text
    assert _refs(second, "history") == [refs[0]]
