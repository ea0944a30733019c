"""Query plans of whole pages (issue 15): every ``SELECT`` that « Mon travail » (a caseworker, the
supervisors of two regions; a coordinator's are the role's rows of every case), its groups by
themselves and the provider inbox (both parts) send while served, captured on the running server
and explained (:func:`.test_web__query_plans.full_scans`, SQLite and PostgreSQL).

A statement fails when its plan reads ``cases``, ``step_instances``, ``deadlines`` or
``audit_events`` (the referrer of each referral) whole, and, on SQLite, when it reads one of them
through an index by columns alone that hold every case's rows (a deadline's ``kind``, ``status``,
``owner_role``; an instance's ``step``, ``state``, ``final``; an event's ``action``, ``role``):
SQLite has no statistics and takes such an index when it fits the statement, so a look-up meant
for the page's own rows (« the deadlines of these 50 instances ») reads a million rows at
1,000,000 cases. The per-page statement counts are bounded too: a look-up per row (the inbox's
due dates and referrers were) would grow with the rows shown.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from .helpers import MARIAM, case_with_referrals, provider
from .test_web__query_plans import captured, full_scans

TABLES = ("cases", "step_instances", "deadlines", "audit_events")
# columns whose values are shared by a large part of every case's rows
SHARED = {"deadlines": {"kind", "status", "owner_role"}, "step_instances": {"step", "state", "final"},
          "audit_events": {"action", "role", "step"}, "cases": {"status"}}
PAGES = [("mariam.kabore", "/travail"), ("idrissa.sanou", "/travail"), ("salif.zongo", "/travail"),
         ("focal.masn", "/prestataire"),
         # groups of « Mon travail » by themselves (« Voir les N autres »), the next page by key
         ("mariam.kabore", "/travail/en-retard"), ("mariam.kabore", "/travail/a-venir?suite=1"),
         ("idrissa.sanou", "/travail/escalades"), ("idrissa.sanou", "/travail/aujourd-hui?suite=1")]


@pytest.fixture
def live(live_any):
    return live_any


def shared_only_reads(plan: str) -> list[str]:
    """SQLite plan lines that read one of :data:`SHARED`'s tables by shared columns only."""
    bad = []
    for line in plan.splitlines():
        m = re.match(r"SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \((.*)\)$", line)
        if m and m.group(1) in SHARED:
            columns = {c.split("=")[0].split(">")[0].split("<")[0].strip()
                       for c in m.group(2).split(" AND ")}
            if columns <= SHARED[m.group(1)]:
                bad.append(line)
    return bad


def test_the_check_sees_a_read_by_shared_columns():
    assert shared_only_reads("SEARCH deadlines USING INDEX ix_deadlines_kind_status_due_at (kind=?)")
    assert shared_only_reads("SEARCH step_instances USING COVERING INDEX ix_x (step=?)")
    assert not shared_only_reads("SEARCH deadlines USING INDEX ix_deadlines_instance_id (instance_id=?)")
    assert not shared_only_reads(
        "SEARCH deadlines USING INDEX ix_a (assignee=? AND owner_role=? AND kind=? AND status=?)")


def _world(live) -> None:
    """Five cases with referrals to org-masn (one declined: the history), deadlines passed, due
    today and coming up for the caseworker and the supervisor."""
    refs = []
    for _ in range(5):
        refs.append(case_with_referrals(live.wf))
        live.clock.advance(timedelta(hours=5))
    live.wf.fire(refs[-1], "decline", provider("org-masn"), {"reason": "no_capacity"},
                 instance="referral:cash")
    live.wf.fire(refs[0], "accept", provider("org-masn"), instance="referral:cash")
    live.wf.create_case("mnr_bf", MARIAM)  # a draft: a deadline of the caseworker coming up
    live.clock.advance(timedelta(days=3))


def test_pages_never_scan_a_whole_table(live):
    _world(live)
    failures, counts = [], {}
    for user, url in PAGES:
        c = live.client(user)
        with captured(live.wf.db) as seen:
            r = c.get(url)
        assert r.status_code == 200, (user, url)
        counts[(user, url)] = len(seen)
        for statement, parameters in seen:
            if not any(t in statement for t in TABLES):
                continue
            bad, plan = full_scans(live.wf.db, statement, parameters, TABLES)
            if live.wf.db.dialect.name == "sqlite":
                bad += shared_only_reads(plan)
            if bad:
                failures.append(f"{user} {url}: {bad}\n{' '.join(statement.split())}\n{plan}")
    assert not failures, "\n\n".join(failures)
    # one statement per page part, not per row (five referrals shown: a look-up per row would
    # add five or ten)
    assert counts[("focal.masn", "/prestataire")] <= 25, counts
    assert all(n <= 30 for n in counts.values()), counts


def _views(live, ref: str, times: int) -> None:
    """``times`` reads of the case: the case page (caseworker) and the referral (its provider),
    each a row of the case-view log (``what``: ``referral:cash``)."""
    worker, focal = live.client("mariam.kabore"), live.client("focal.masn")
    for _ in range(times):
        assert worker.get(f"/dossiers/{ref}").status_code == 200
        assert focal.get(f"/prestataire/{ref}/referral:cash").status_code == 200


def test_view_log_pages_put_each_instance_in_words_without_a_statement_per_row(live):
    """The access log and the person-data record show what was read (« Référencement —
    Assistance en espèces », protection/view_words.py) from the SOP in memory, one label per
    distinct value: twice the rows, the same statements."""
    ref = case_with_referrals(live.wf)
    _views(live, ref, 2)
    coord = live.client("coord.mnr")
    pages = ("/journal-acces", f"/journal-acces?dossier={ref}", f"/dossiers/{ref}/donnees-personne")
    counts = {}
    for url in pages:
        coord.get(url)  # warm the per-process caches (SOP registry, areas): only per-row work counts
        with captured(live.wf.db) as seen:
            r = coord.get(url)
        assert r.status_code == 200, url
        assert "Assistance en espèces" in r.text and "referral:cash" not in r.text, url
        counts[url] = len(seen)
    _views(live, ref, 4)
    for url in pages:
        with captured(live.wf.db) as seen:
            assert coord.get(url).status_code == 200
        assert len(seen) == counts[url], (url, counts[url], len(seen))
