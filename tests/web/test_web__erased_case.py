"""A case whose personal fields were erased (retention or a person's request) still shows on every
web path — case page, API, dashboard export — without a personal value and without error."""

from __future__ import annotations

import re

from mno_workflow.engine.retention import erase_case

from ..engine.helpers import erase_while_open
from .conftest import PASSWORD
from .helpers import IDRISSA, case_with_referrals, closed_case


def test_erased_cases_render_on_pages_api_and_export(live):
    open_ref = case_with_referrals(live.wf)
    closed_ref = closed_case(live.wf)
    # an open case erased before erasure required a closed one (tryout 9, L9), and a closed one
    assert erase_while_open(live.wf, open_ref, IDRISSA, "demande de la personne") > 0
    assert erase_case(live.wf, closed_ref, IDRISSA, "demande de la personne") > 0
    sup = live.client("idrissa.sanou")
    login = {"username": "idrissa.sanou", "password": PASSWORD}
    tok = sup.post("/api/v1/auth/token", json=login).json()["token"]
    for ref in (open_ref, closed_ref):
        page = sup.get(f"/dossiers/{ref}")
        assert page.status_code == 200, page.text[:500]
        assert "Aminata" not in page.text and "70 00 00 01" not in page.text
        # tryout 3, F31: the day as every date of the page, the rule in words, a title and a banner
        assert "[effacé le 02/06/2025]" in page.text and "2025-06-02]" not in page.text
        timeline = "Données personnelles effacées à la demande de la personne — demande de la personne"
        assert timeline in page.text
        assert "(erasure)" not in page.text and "— —" not in page.text
        assert f"<title>{ref} — Données personnelles effacées" in page.text
        assert (f'<h1>{ref} <span class="muted">— Données personnelles effacées</span></h1>') in page.text
        banner = re.search(r'<p class="notice erased-banner" role="status">(.*?)</p>', page.text)[1]
        assert re.sub(r"<[^>]+>", "", banner) == (
            "Les données personnelles de cette personne ont été effacées le 02/06/2025, à la demande de la "
            "personne.")
        api = sup.get(f"/api/v1/cases/{ref}", headers={"Authorization": f"Bearer {tok}"})
        assert api.status_code == 200, api.text[:300]
        assert "Aminata" not in api.text and "$purged" in api.text
        erasure = api.json()["erasure"]
        assert erasure["rule"] == "erasure" and erasure["at"].startswith("2025-06-02")
        assert erasure["text"].startswith("Les données personnelles de cette personne ont été effacées le")
        en = sup.get(f"/api/v1/cases/{ref}",
                     headers={"Authorization": f"Bearer {tok}", "Accept-Language": "en"}).json()
        assert en["erasure"]["text"] == ("This person's personal data were erased on 02/06/2025, at the "
                                         "person's request.")
    listing = sup.get("/dossiers").text
    assert listing.count('<span class="muted erased">Données personnelles effacées</span>') >= 2
    doc = sup.get(f"/dossiers/{open_ref}/donnees-personne").text
    assert "[effacé le 02/06/2025]" in doc and "2025-06-02]" not in doc
    assert "effacées le 02/06/2025, à la demande de la personne." in doc
    sup.get("/langue/en")
    page = sup.get(f"/dossiers/{open_ref}").text
    assert "[erased on 02/06/2025]" in page and "(erasure)" not in page
    assert "Personal data erased at the person&#39;s request — demande de la personne" in page
    banner = re.search(r'<p class="notice erased-banner" role="status">(.*?)</p>', page)[1]
    assert re.sub(r"<[^>]+>", "", banner) == ("This person&#39;s personal data were erased on 02/06/2025, "
                                              "at the person&#39;s request.")
    assert "effacé" not in page
    coord = live.client("coord.mnr")
    csv = coord.get("/tableau-de-bord/export.csv?noms=true")
    # erased: counted in the aggregates, never a row of an export (tryout 4, G19)
    assert csv.status_code == 200 and "Aminata" not in csv.text and open_ref not in csv.text
    assert coord.get("/tableau-de-bord").status_code == 200


def test_access_request_page_for_supervisors_and_coordinators_only(live):
    ref = case_with_referrals(live.wf)
    url = f"/dossiers/{ref}/donnees-personne"
    sup = live.client("idrissa.sanou")
    assert url in sup.get(f"/dossiers/{ref}").text  # linked from the case page
    page = sup.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f"Données détenues sur une personne — Dossier {ref}" in page.text and "Aminata" in page.text
    assert "<script" not in page.text
    data = live.client("coord.mnr").get(url + "?format=json").json()
    assert data["case"]["reference"] == ref
    assert [a["user"] for a in data["access"]][-1] == "idrissa.sanou"  # the first request was logged
    cw = live.client("mariam.kabore")  # the case manager of the case
    assert url not in cw.get(f"/dossiers/{ref}").text
    assert cw.get(url).status_code == 403
    assert live.client("salif.zongo").get(url).status_code == 404  # supervisor of another region
    assert live.client("focal.oim").get(url).status_code == 403
    # the views are told in words, the user by name (issue 18: « mariam.kabore (caseworker) · work »)
    cw.get("/travail")
    page = sup.get(url).text
    assert "Mariam Kaboré (Gestionnaire de cas)" in page and "<td>Mon travail</td>" in page, page[-1500:]
    assert "<td>page du dossier</td>" in page and "(caseworker" not in page and "<td>work</td>" not in page
    sup.get("/langue/en")
    page = sup.get(url).text
    assert "Mariam Kaboré (Case manager)" in page and "<td>My work</td>" in page
    assert "<td>case page</td>" in page
