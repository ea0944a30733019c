"""Deactivating a case manager who holds open cases (tryout 5, H26): « Désactiver » on
/admin/acces first shows how many open cases stay assigned to the account and links to their bulk
reassignment (the case list of that case manager, with the reassignment form) — or, when the
coordination may not reassign under the cases' SOP (the BF one fires none of its transitions:
tryout 8, K3), to that list for their supervisor, with no form; only the
confirmation deactivates. Afterwards the case page and the case list mark the inactive assignee
« (désactivé) » / "(deactivated)". In French and English."""

from __future__ import annotations

import html

import pytest

from mno_workflow.store.models import User

from .conftest import csrf_of
from .helpers import IDENT, MARIAM

WORDS = {
    "fr": ("Mariam Kaboré est encore gestionnaire de 2 dossiers ouverts", "Désactiver quand même",
           "demandez à leur superviseur de les réattribuer", "Dossiers attribués à Mariam Kaboré",
           "(désactivé)"),
    "en": ("Mariam Kaboré is still the case manager of 2 open cases", "Deactivate anyway",
           "ask their supervisor to reassign them", "Cases assigned to Mariam Kaboré", "(deactivated)"),
}


def active(live, uid: str) -> bool:
    with live.wf.sessions() as s:
        return s.get(User, uid).active


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_deactivation_asks_first_and_the_case_page_marks_the_inactive_assignee(live, lang):
    held, closed_words, link_words, list_words, mark = WORDS[lang]
    wf = live.wf
    refs = []
    for _ in range(2):
        refs.append(wf.create_case("mnr_bf", MARIAM))
        wf.fire(refs[-1], "register", MARIAM, IDENT)
    with wf.sessions.begin() as s:
        s.get(User, "coord.mnr").language = lang
    coord = live.client("coord.mnr")
    token = csrf_of(coord.get("/admin/acces").text)
    asked = coord.post("/admin/acces/mariam.kabore/desactiver", data={"csrftoken": token})
    page = html.unescape(asked.text)
    assert asked.status_code == 200 and held in page and closed_words in page and link_words in page, page
    assert active(live, "mariam.kabore")  # nothing done before the confirmation
    assert 'href="/dossiers?assigned_to=mariam.kabore"' in asked.text
    listed = html.unescape(coord.get("/dossiers?assigned_to=mariam.kabore").text)
    # the coordination of this SOP fires none of its transitions: no reassignment offered, the
    # list is for their supervisor (tryout 8, K3)
    assert 'id="reassign-link"' not in asked.text
    assert all(r in listed for r in refs) and list_words in listed and 'id="bulk-form"' not in listed
    done = coord.post("/admin/acces/mariam.kabore/desactiver", data={"csrftoken": token, "confirme": "1"})
    assert done.status_code == 303 and not active(live, "mariam.kabore")
    case_page = html.unescape(coord.get(f"/dossiers/{refs[0]}").text)
    assert f"Mariam Kaboré <span class=\"muted inactive\" id=\"assignee-inactive\">{mark}</span>" in case_page
    assert mark in html.unescape(coord.get("/dossiers").text)


def test_an_account_without_open_cases_is_deactivated_at_once(live):
    coord = live.client("coord.mnr")
    token = csrf_of(coord.get("/admin/acces").text)
    r = coord.post("/admin/acces/focal.masn/desactiver", data={"csrftoken": token})
    assert r.status_code == 303 and not active(live, "focal.masn")
