"""Issue 19: the SOP pages link to every generated document; each builds (HTML, and PDF on demand)
from the SOP in force and the database's directory; diagrams open full size."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from mno_workflow.engine.clock import SimulatedClock

from .conftest import start_server, stop_server
from .helpers import MARIAM


@pytest.fixture
def live(db_url):
    server = start_server(db_url, SimulatedClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC)))
    yield server
    stop_server(server)


def test_sop_page_links_documents_and_zoom(live):
    c = live.client("mariam.kabore")
    page = c.get("/pos").text
    assert 'href="/pos/documents"' in page and "Ouvrir en grand" in page
    assert c.get("/pos/vue-ensemble.svg").headers["content-type"].startswith("image/svg+xml")
    docs = c.get("/pos/documents")
    assert docs.status_code == 200
    links = re.findall(r'href="(/pos/(?:documents|parcours)/[^"?]+)"', docs.text)
    assert len(links) >= 15
    problems = []
    for href in sorted(set(links)):
        if href.endswith("/formation"):
            continue  # runs the scenarios: checked below, once
        r = c.get(href)
        if r.status_code != 200:
            problems.append((href, r.status_code))
    assert problems == []
    assert "Urgence vitale" in c.get("/pos/documents/presentation").text
    assert "Prestataires de services" in c.get("/pos/documents/fiche-consentement").text


def test_pdf_and_unknown_names(live):
    c = live.client("mariam.kabore")
    r = c.get("/pos/documents/fiche-referencement?format=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert c.get("/pos/documents/nope").status_code == 404
    assert c.get("/pos/documents/fiches/nope").status_code == 404
    assert c.get("/pos/documents/guide/atlantis").status_code == 404
    anonymous = live.client()
    assert anonymous.get("/pos/documents/document").status_code in (303, 401, 403)


def test_french_fixes_of_the_dashboard_and_the_directory(live):
    c = live.client("mariam.kabore")
    page = c.get("/repertoire?need=medical&region=kadiogo").text
    assert "région du dossier" in page and "<td>region</td>" not in page
    board = live.client("suivi.evaluation").get("/tableau-de-bord")
    assert board.status_code == 200
    # « Dossiers : 0 ouverts · 0 clos » (the M&E dashboard of issue 20 words it so)
    assert "0 ouverts" in board.text and "ouvert 0" not in board.text


def test_government_one_pager_has_the_case_figures(live):
    live.wf.create_case("mnr_bf", MARIAM)
    page = live.client("mariam.kabore").get("/pos/documents/depliants/government").text
    assert "Dossiers ouverts" in page and "<b>1</b>" in page


def test_presentation_mode_links_the_full_deck(live):
    page = live.client("mariam.kabore").get("/pos/presentation").text
    assert 'href="/pos/documents/presentation"' in page
