"""A case whose personal fields were erased (retention or a person's request) still shows on every
web path — case page, API, dashboard export — without a personal value and without error."""

from __future__ import annotations

from mno_workflow.engine.retention import erase_case

from .conftest import PASSWORD
from .helpers import IDRISSA, case_with_referrals, closed_case


def test_erased_cases_render_on_pages_api_and_export(live):
    open_ref = case_with_referrals(live.wf)
    closed_ref = closed_case(live.wf)
    for ref in (open_ref, closed_ref):
        assert erase_case(live.wf, ref, IDRISSA, "demande de la personne") > 0
    sup = live.client("idrissa.sanou")
    login = {"username": "idrissa.sanou", "password": PASSWORD}
    tok = sup.post("/api/v1/auth/token", json=login).json()["token"]
    for ref in (open_ref, closed_ref):
        page = sup.get(f"/dossiers/{ref}")
        assert page.status_code == 200, page.text[:500]
        assert "Aminata" not in page.text and "70 00 00 01" not in page.text
        assert "[effacé le 2025-06-02]" in page.text
        assert "Données personnelles effacées (erasure) — demande de la personne" in page.text  # timeline
        api = sup.get(f"/api/v1/cases/{ref}", headers={"Authorization": f"Bearer {tok}"})
        assert api.status_code == 200, api.text[:300]
        assert "Aminata" not in api.text and "$purged" in api.text
    coord = live.client("coord.mnr")
    csv = coord.get("/tableau-de-bord/export.csv?noms=true")
    assert csv.status_code == 200 and "Aminata" not in csv.text and open_ref in csv.text
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
