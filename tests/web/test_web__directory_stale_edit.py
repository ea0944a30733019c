"""Directory edits carry the version they were opened at (tryout 5, H6): a second coordinator saving a
stale service page (or « Marquer vérifié », or ending an agreement from a stale register) is refused
with 409 — nothing written, the typed values kept, and the changes made meanwhile listed old → new
in the reader's language; saved again from the refreshed form, it goes through."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from mno_workflow import directory
from mno_workflow.directory.tables import DirAudit
from mno_workflow.store.models import User
from mno_workflow.web.security import hash_password

from .conftest import PASSWORD

SVC = "svc-oim-transit"
FIELDS = ("status", "fees_description", "eligibility_description", "interpretation_services",
          "minimum_age", "maximum_age")


@pytest.fixture
def two(live):
    """A second coordinator beside coord.mnr, each signed in with the page language ``lang``."""
    with live.wf.sessions.begin() as s:
        s.add(User(id="coord.deux", display_name="Aïcha Traoré", role="coordinator", language="fr",
                   password_hash=hash_password(PASSWORD), active=True))
    return live.client("coord.mnr"), live.client("coord.deux")


def post(c, url: str, **data):
    return c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), **data})


def form_values(page: str, marker: str = 'id="service-form"') -> dict[str, str]:
    """The form after ``marker`` as the page shows it: every input, textarea and selected option."""
    form = page.split(marker)[1].split("</form>")[0]
    inputs = re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    values = {n: html.unescape(v) for n, v in inputs}
    values |= {n: html.unescape(v) for n, v in re.findall(r'name="([^"]+)"[^>]*>([^<]*)</textarea>', form)}
    values |= dict(re.findall(r'<select[^>]*name="([^"]+)".*?<option value="([^"]+)" selected', form, re.S))
    values.pop("csrftoken", None)
    return values


def opened(c, url: str, marker: str = 'id="service-form"') -> dict[str, str]:
    return form_values(c.get(url).text, marker)


def row(wf, svc: str = SVC) -> dict:
    with wf.sessions() as s:
        t = directory.TABLES["service"]
        return dict(s.execute(select(t).where(t.c.id == svc)).mappings().one())


def audits(wf) -> int:
    with wf.sessions() as s:
        return len(list(s.scalars(select(DirAudit.id))))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_stale_service_save_is_refused_and_nothing_is_lost(live, two, lang):
    a, b = two
    for c in (a, b):
        c.get(f"/langue/{lang}")
    url = f"/repertoire/services/{SVC}"
    form_a, form_b = opened(a, url), opened(b, url)
    assert form_a["version"] == form_b["version"] and form_a["version"].isdigit()
    before = row(live.wf)
    # A changes the fees and saves first
    assert post(a, url, **(form_a | {"fees_description": "Gratuit (édition A)"})).status_code == 303
    n = audits(live.wf)
    # B, on the old page, changes only the eligibility and the capacity: refused, nothing written
    r = post(b, url, **(form_b | {"eligibility_description": "Adultes seulement (édition B)",
                                  "cap.cap-oim-transit": "7"}))
    assert r.status_code == 409
    after = row(live.wf)
    assert after["fees_description"] == "Gratuit (édition A)"  # A's change not reverted
    assert after["eligibility_description"] == before["eligibility_description"]  # no partial write
    assert audits(live.wf) == n
    page = html.unescape(r.text)
    stale = page.split('id="stale"')[1].split("</div>")[0]
    if lang == "fr":
        assert "Ce service a été modifié depuis que vous l'avez ouvert" in stale
        assert "Vos saisies sont conservées ci-dessous" in stale
        assert "Frais (description)" in stale and "Coordination MNR" in stale
    else:
        assert "This service has been changed since you opened it" in stale
        assert "Your input is kept below" in stale
        assert "Fees (description)" in stale and "Coordination MNR" in stale
    assert f"{before['fees_description'] or '—'} → Gratuit (édition A)" in stale
    assert "fees_description" not in stale and "coord.mnr" not in stale
    # B's typed values kept in the form, which now carries the current version
    kept = form_values(r.text)
    assert kept["eligibility_description"] == "Adultes seulement (édition B)"
    assert kept["cap.cap-oim-transit"] == "7"
    assert kept["fees_description"] == form_b["fees_description"]  # what B had: B decides again
    assert int(kept["version"]) > int(form_b["version"])
    # B keeps A's fees and saves again from the refreshed form: accepted, both changes kept
    assert post(b, url, **(kept | {"fees_description": "Gratuit (édition A)"})).status_code == 303
    final = row(live.wf)
    assert final["fees_description"] == "Gratuit (édition A)"
    assert final["eligibility_description"] == "Adultes seulement (édition B)"


def test_a_capacity_changed_meanwhile_makes_the_service_form_stale(live, two):
    a, b = two
    url = f"/repertoire/services/{SVC}"
    form_a, form_b = opened(a, url), opened(b, url)
    assert post(a, url, **(form_a | {"cap.cap-oim-transit": "5"})).status_code == 303
    r = post(b, url, **(form_b | {"status": "temporarily closed"}))
    assert r.status_code == 409 and row(live.wf)["status"] == "active"
    stale = html.unescape(r.text.split('id="stale"')[1].split("</div>")[0])
    assert "Places disponibles" in stale and "→ 5" in stale


def test_mark_verified_from_a_stale_page_is_refused(live, two):
    """« Marquer vérifié » vouches for the values the page showed: not for values changed since."""
    a, b = two
    url = f"/repertoire/services/{SVC}"
    form_a, version_b = opened(a, url), opened(b, url, 'id="verify-form"')["version"]
    checked = row(live.wf)["assured_date"]
    assert post(a, url, **(form_a | {"fees_description": "Payant"})).status_code == 303
    r = post(b, f"{url}/verifier", version=version_b)
    assert r.status_code == 409 and row(live.wf)["assured_date"] == checked
    assert "Rien n'a été enregistré" in html.unescape(r.text) and "Payant" in r.text
    fresh = opened(b, url, 'id="verify-form"')["version"]
    assert post(b, f"{url}/verifier", version=fresh).status_code == 303
    assert row(live.wf)["assured_date"] != checked  # today, by the server's clock


def test_a_save_without_a_version_is_still_accepted(live, two):
    """A client that sends no version (as the case forms): no comparison, the edit is written."""
    a, _ = two
    url = f"/repertoire/services/{SVC}"
    form = opened(a, url)
    form.pop("version")
    assert post(a, url, **(form | {"fees_description": "Sans version"})).status_code == 303
    assert row(live.wf)["fees_description"] == "Sans version"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_ending_an_agreement_from_a_stale_register_is_refused(live, two, lang):
    a, b = two
    for c in (a, b):
        c.get(f"/langue/{lang}")
    form_a = opened(a, "/repertoire/accords", 'data-org="org-ecoute"')
    form_b = opened(b, "/repertoire/accords", 'data-org="org-ecoute"')
    assert form_a["version"] == form_b["version"]
    assert post(a, "/repertoire/accords/agr-ecoute/fin",
                **(form_a | {"expires_on": "31/12/2026"})).status_code == 303
    r = post(b, "/repertoire/accords/agr-ecoute/fin", **(form_b | {"expires_on": "30/06/2026"}))
    assert r.status_code == 409
    agr = directory.TABLES["sharing_agreement"]
    with live.wf.sessions() as s:
        assert str(s.scalar(select(agr.c.expires_on).where(agr.c.id == "agr-ecoute"))) == "2026-12-31"
    page = html.unescape(r.text)
    stale = page.split('id="stale"')[1].split("</div>")[0]
    words = ("Cet accord a été modifié depuis que vous l'avez ouvert" if lang == "fr"
             else "This agreement has been changed since you opened it")
    assert words in stale and "31/12/2026" in stale
    assert re.search(r'<tr data-org="org-ecoute".*?value="30/06/2026"', page, re.S)  # typed day kept
    again = form_values(r.text, 'data-org="org-ecoute"')
    r = post(b, "/repertoire/accords/agr-ecoute/fin", **(again | {"expires_on": "30/06/2026"}))
    assert r.status_code == 303


def test_a_form_error_keeps_the_version_opened(live, two):
    """A 422 (a field to correct) re-shows the form at the version the user opened, not the newer
    one: once corrected, the save is still checked against what the user saw."""
    a, b = two
    url = f"/repertoire/services/{SVC}"
    form_a, form_b = opened(a, url), opened(b, url)
    assert post(a, url, **(form_a | {"fees_description": "Gratuit (édition A)"})).status_code == 303
    r = post(b, url, **(form_b | {"minimum_age": "dix"}))  # the field checked first: 422
    assert r.status_code == 422
    again = form_values(r.text)
    assert again["version"] == form_b["version"] and again["minimum_age"] == "dix"
    r = post(b, url, **(again | {"minimum_age": "10"}))
    assert r.status_code == 409
    assert row(live.wf)["fees_description"] == "Gratuit (édition A)"


def test_an_agreement_date_error_keeps_the_version_opened(live, two):
    a, b = two
    form_a = opened(a, "/repertoire/accords", 'data-org="org-ecoute"')
    form_b = opened(b, "/repertoire/accords", 'data-org="org-ecoute"')
    r = post(a, "/repertoire/accords/agr-ecoute/fin", **(form_a | {"expires_on": "31/12/2026"}))
    assert r.status_code == 303
    r = post(b, "/repertoire/accords/agr-ecoute/fin", **(form_b | {"expires_on": "31/02/2026"}))
    assert r.status_code == 422
    assert form_values(r.text, 'data-org="org-ecoute"')["version"] == form_b["version"]
