"""The new-user tryout of issue 18, on the pages' HTML (every role, French and English):
organisations by their names (never a key like ``org-csps``), a refused action naming the SOP's
label of its trigger, notification counters and group headings, and « Libellé : valeur » with the
reader's own colon (« : » in French, ": " in English)."""

from __future__ import annotations

import html
import re

import pytest

from .helpers import case_with_referrals, provider

USERS = {"caseworker": "mariam.kabore", "supervisor": "idrissa.sanou", "coordinator": "coord.mnr",
         "provider": "focal.masn", "first_responder": "agent.fds", "trainer": "formateur",
         "me_officer": "suivi.evaluation"}
ORG_KEY = re.compile(r"\borg-[a-z]+\b")


def visible(page: str) -> str:
    """The text of a page as read (no tags, attributes, scripts or styles)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def world(live_module):
    """A case whose cash referral org-masn accepted, with a note from the provider."""
    wf = live_module.wf
    ref = case_with_referrals(wf)
    wf.fire(ref, "accept", provider("org-masn"), instance="referral:cash")
    return live_module, ref


def _pages(ref: str) -> tuple[str, ...]:
    return ("/", "/travail", f"/dossiers/{ref}", "/dossiers", "/notifications", "/prestataire",
            f"/prestataire/{ref}/referral:cash", "/journal-acces", "/tableau-de-bord",
            "/repertoire?need=cash&region=kadiogo", "/repertoire/services", "/repertoire/a-verifier",
            "/repertoire/services/svc-masn-kadiogo-cash", "/repertoire/accords", "/signalements",
            "/mon-compte/acces")


@pytest.mark.parametrize("role", USERS)
def test_pages_name_organisations_never_by_their_key(world, role: str) -> None:
    live, ref = world
    c = live.client(USERS[role])
    seen = 0
    for path in _pages(ref):
        r = c.get(path, follow_redirects=True)
        if r.status_code != 200:
            continue
        seen += 1
        keys = ORG_KEY.findall(visible(r.text))
        assert not keys, (role, path, sorted(set(keys)))
    assert seen >= 2, role
