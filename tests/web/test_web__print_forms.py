"""Issue 19: printed referral slips and consent sheets of a case show only what the consent allows
the recipient — whoever prints (the recipient's focal point or the case manager) — on SQLite and
PostgreSQL; the consent sheet is for the case roles only; a print is logged as a view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.web.models import CaseView

from .conftest import start_server, stop_server
from .test_web__consent_matrix import PROVIDER_VIEW, build

WITHHELD = "non partagé (consentement)"
# Fields the slip prints, by the names of the consent matrix: name, phone, age (from the birth
# date), the referral's reason.
SLIP = {"name": "Sawadogo", "phone": "70 00 00 01", "reason": "Motif détaillé"}


def printed(text: str) -> set[str]:
    return {k for k, needle in SLIP.items() if needle in text}


@pytest.fixture
def world(db_url):
    clock = SimulatedClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    live = start_server(db_url, clock)
    cases = build(live.wf)
    clock.advance(timedelta(days=4))
    users = sorted({u for _, u, _ in PROVIDER_VIEW} | {"mariam.kabore", "awa.ouedraogo", "formateur"})
    clients = {u: live.client(u) for u in users}
    yield {"cases": cases, "clients": clients, "live": live}
    for c in clients.values():
        c.close()
    stop_server(live)


def test_referral_slip_matrix(world):
    cases, clients = world["cases"], world["clients"]
    problems = []
    for (state, user, inst), expected in PROVIDER_VIEW.items():
        ref = cases[state]
        url = f"/dossiers/{ref}/imprimer/referencement/{inst}"
        for who in (user, "mariam.kabore"):
            r = clients[who].get(url)
            if expected is None:
                if who == user and r.status_code != 404:
                    problems.append((state, who, inst, "should not print", r.status_code))
                continue
            want = expected & set(SLIP)
            if r.status_code != 200 or printed(r.text) != want:
                problems.append((state, who, inst, r.status_code, sorted(printed(r.text)), sorted(want)))
            if "name" not in want and WITHHELD not in r.text:
                problems.append((state, who, inst, "no withheld line"))
            if "name" in want and ("24" not in r.text or "Contre-référence" not in r.text):
                problems.append((state, who, inst, "age or return slip missing"))
    assert problems == [], "\n".join(map(str, problems))


def test_others_cannot_print(world):
    ref = world["cases"]["ngo_only"]
    c = world["clients"]
    assert c["awa.ouedraogo"].get(f"/dossiers/{ref}/imprimer/referencement/referral:cash").status_code == 404
    assert c["formateur"].get(f"/dossiers/{ref}/imprimer/referencement/referral:cash").status_code in (
        403,
        404,
    )
    assert c["focal.ecoute"].get(f"/dossiers/{ref}/imprimer/consentement").status_code in (403, 404)
    assert c["awa.ouedraogo"].get(f"/dossiers/{ref}/imprimer/consentement").status_code == 404


def test_consent_sheet_of_the_case_and_the_print_is_logged(world):
    ref = world["cases"]["ngo_only"]
    r = world["clients"]["mariam.kabore"].get(f"/dossiers/{ref}/imprimer/consentement")
    assert r.status_code == 200
    assert "Prestataires de services" in r.text and "retirer votre consentement" in r.text
    assert 'class="box on"' in r.text  # the person's answers are ticked
    assert "Signature du témoin" in r.text and "Signature de l&#39;interprète" in r.text
    with world["live"].wf.sessions() as s:
        channels = s.execute(select(CaseView.channel).where(CaseView.user_id == "mariam.kabore")).scalars()
        assert "print" in set(channels)


def test_referral_slip_as_pdf(world):
    ref = world["cases"]["health_only"]
    r = world["clients"]["focal.csps"].get(
        f"/dossiers/{ref}/imprimer/referencement/referral:medical?format=pdf"
    )
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_case_and_referral_pages_link_to_the_prints(world):
    ref = world["cases"]["health_only"]
    page = world["clients"]["mariam.kabore"].get(f"/dossiers/{ref}").text
    assert f"/dossiers/{ref}/imprimer/consentement" in page
    assert "Imprimer la fiche de référencement" in page
    page = world["clients"]["focal.csps"].get(f"/prestataire/{ref}/referral:medical").text
    assert f"/dossiers/{ref}/imprimer/referencement/referral:medical" in page
