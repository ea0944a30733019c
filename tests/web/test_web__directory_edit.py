"""Service directory editing: the coordination edits status, fees, eligibility, ages and capacity
(audited in ``dir_audit`` through directory/edit.py) and marks a service verified; everyone else
reads only (403 on every post); the "À vérifier" list and the audit history of a service."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from mno_workflow import directory
from mno_workflow.directory.tables import DirAudit

SVC = "svc-oim-transit"


def post(c, url: str, **data):
    return c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), **data})


def audit(wf) -> list[DirAudit]:
    with wf.sessions() as s:
        return list(s.scalars(select(DirAudit).order_by(DirAudit.id)))


def current(wf, svc: str = SVC) -> dict:
    with wf.sessions() as s:
        t = directory.TABLES["service"]
        return dict(s.execute(select(t).where(t.c.id == svc)).mappings().one())


def base_form(wf) -> dict[str, str]:
    row = current(wf)
    return {
        k: "" if row[k] is None else str(row[k])
        for k in (
            "status",
            "fees_description",
            "eligibility_description",
            "interpretation_services",
            "minimum_age",
            "maximum_age",
        )
    } | {"cap.cap-oim-transit": "12"}


def test_coordinator_edits_a_service_and_the_edit_is_audited(live):
    wf = live.wf
    coord = live.client("coord.mnr")
    page = coord.get(f"/repertoire/services/{SVC}").text
    assert 'id="service-form"' in page and "Marquer vérifié" in page
    data = base_form(wf) | {
        "status": "temporarily closed",
        "fees_description": "Gratuit pour les personnes de retour",
        "cap.cap-oim-transit": "3",
    }
    r = post(coord, f"/repertoire/services/{SVC}", **data)
    assert r.status_code == 303, r.text
    rows = audit(wf)
    by_obj = {(a.object_type, a.object_id): a for a in rows}
    svc = by_obj[("service", SVC)]
    assert svc.actor == "coord.mnr" and svc.action == "update"
    assert svc.diff["status"][1] == "temporarily closed"
    assert svc.diff["fees_description"][1] == "Gratuit pour les personnes de retour"
    assert by_obj[("service_capacity", "cap-oim-transit")].diff["available"] == [12, 3]
    page = coord.get(f"/repertoire/services/{SVC}").text
    assert "Historique des modifications" in page and "fermé temporairement" in page
    assert "Gratuit pour les personnes de retour" in page
    # the history in words (issue 18): fields, objects and actions, never column names
    history = html.unescape(page.split('id="history"')[1].split("</table>")[0])
    assert "Frais (description)" in history and "Places disponibles" in history and "Statut" in history
    assert "mise à jour Service " in history
    # a capacity by its service and unit, never its id (tryout 5, H6: the 409 list shows it too)
    assert re.search(r"mise à jour Capacité [^<]*transit[^<]* — ", history)
    assert "cap-oim-transit" not in history
    for raw in ("fees_description", "available", "status :", "update ", "service_capacity:"):
        assert raw not in history, raw
    coord.get("/langue/en")
    history = html.unescape(coord.get(f"/repertoire/services/{SVC}").text.split('id="history"')[1])
    assert "Fees (description)" in history and "Places available" in history and "update Capacity" in history
    coord.get("/langue/fr")
    # mark verified today (the server's clock: 2 June 2025)
    r = post(coord, f"/repertoire/services/{SVC}/verifier")
    assert r.status_code == 303
    assert str(current(wf)["assured_date"]) == "2025-06-02"
    assert audit(wf)[-1].diff["assured_date"][1] == "2025-06-02"


def test_errors_per_field_with_input_kept_and_nothing_written(live):
    wf = live.wf
    before = len(audit(wf))
    coord = live.client("coord.mnr")
    data = base_form(wf) | {
        "minimum_age": "40",
        "maximum_age": "18",
        "fees_description": "Texte gardé",
        "cap.cap-oim-transit": "dix",
    }
    r = post(coord, f"/repertoire/services/{SVC}", **data)
    assert r.status_code == 422
    assert 'id="cap-cap-oim-transit-error"' in r.text and "Nombre entier attendu." in r.text
    assert "Texte gardé</textarea>" in r.text and 'value="dix"' in r.text
    data["cap.cap-oim-transit"] = "99"  # above the maximum (40)
    r = post(coord, f"/repertoire/services/{SVC}", **data)
    assert r.status_code == 422
    assert 'id="svc-maximum_age-error"' in r.text and 'id="cap-cap-oim-transit-error"' in r.text
    assert 'value="40"' in r.text and 'value="18"' in r.text
    assert len(audit(wf)) == before


def test_others_read_only_and_refused(live):
    wf = live.wf
    before = len(audit(wf))
    for user in ("mariam.kabore", "idrissa.sanou", "focal.oim", "formateur", "suivi.evaluation"):
        c = live.client(user)
        page = c.get(f"/repertoire/services/{SVC}")
        assert page.status_code == 200
        assert 'id="service-form"' not in page.text and "Lecture seule" in page.text
        assert (
            post(c, f"/repertoire/services/{SVC}", **(base_form(wf) | {"status": "defunct"})).status_code
            == 403
        )
        assert post(c, f"/repertoire/services/{SVC}/verifier").status_code == 403
    assert len(audit(wf)) == before
    assert current(wf)["status"] == "active"


def test_to_verify_list(live):
    wf = live.wf
    with wf.sessions.begin() as s:
        directory.update_service(s, SVC, {"assured_date": "2024-01-15"}, "test")
    c = live.client("coord.mnr")
    page = c.get("/repertoire/a-verifier").text
    assert f"/repertoire/services/{SVC}" in page and "15/01/2024" in page
    post(c, f"/repertoire/services/{SVC}/verifier")
    assert f"/repertoire/services/{SVC}" not in c.get("/repertoire/a-verifier").text
    assert c.get("/repertoire/services/nope").status_code == 404


def test_the_age_error_is_in_the_readers_language(live):
    """« âge maximum 18 inférieur à l'âge minimum 40 » was French on an English page."""
    coord = live.client("coord.mnr")
    for lang, words in (("fr", "âge maximum 18 inférieur à l'âge minimum 40"),
                        ("en", "maximum age 18 below the minimum age 40")):
        coord.get(f"/langue/{lang}")
        r = post(coord, f"/repertoire/services/{SVC}",
                 **(base_form(live.wf) | {"minimum_age": "40", "maximum_age": "18"}))
        error = html.unescape(r.text.split('id="svc-maximum_age-error"', 1)[1].split("</p>", 1)[0])
        assert r.status_code == 422 and words in error, (lang, error)


def test_a_negative_age_is_told_its_bound(live):
    """-3 is an integer: the error says the bound, not « Nombre entier attendu » (tryout 2, finding 29)."""
    coord = live.client("coord.mnr")
    for lang, words in (("fr", "L'âge doit être 0 ou plus."), ("en", "The age must be 0 or more.")):
        coord.get(f"/langue/{lang}")
        r = post(coord, f"/repertoire/services/{SVC}", **(base_form(live.wf) | {"maximum_age": "-3"}))
        error = html.unescape(r.text.split('id="svc-maximum_age-error"', 1)[1].split("</p>", 1)[0])
        assert r.status_code == 422 and words in error, (lang, error)
