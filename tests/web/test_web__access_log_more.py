"""The coordinator's access log (``/journal-acces``) beyond case views and case exports: reads of
the directory's staff contacts through ``/hsds`` (full form: logged like the other sensitive reads,
by session cookie and by bearer token, list, ndjson and one object; the public form and answers
without a contact person are not), and the practice sandbox resets (``web_sandbox_resets``,
revision 0028), listed again, filtered by user."""

from __future__ import annotations

import html

from sqlalchemy import select

from mno_workflow.web.models import ExportLog

from .conftest import PASSWORD, csrf_of


def hsds_logs(live) -> list[tuple[str, str, str, int, bool, dict]]:
    with live.wf.sessions() as s:
        rows = s.scalars(select(ExportLog).where(ExportLog.what.like("hsds.%")).order_by(ExportLog.id))
        return [(e.user_id, e.role, e.what, e.row_count, e.names, e.filters) for e in rows]


def test_full_hsds_reads_of_staff_contacts_are_logged(live) -> None:
    anon = live.client()
    assert anon.get("/hsds/organizations/org-oim").headers["x-directory-view"] == "public"
    responder = live.client("agent.fds")
    assert responder.get("/hsds/organizations?per_page=500").headers["x-directory-view"] == "public"
    assert hsds_logs(live) == []  # the public form holds no contact: nothing to log

    coord = live.client("coord.mnr")
    assert coord.get("/hsds/organizations/org-oim").headers["x-directory-view"] == "full"
    assert coord.get("/hsds/taxonomies").status_code == 200  # no contact in a taxonomy
    assert coord.get("/hsds/services?minimal=true").status_code == 200  # ids and dates only
    logged = hsds_logs(live)
    assert [(u, r, w, n, names) for u, r, w, n, names, _f in logged] == [
        ("coord.mnr", "coordinator", "hsds.organization", 1, True)]
    assert logged[0][5]["path"] == "/hsds/organizations/org-oim" and logged[0][5]["contacts"] >= 1

    token = anon.post("/api/v1/auth/token", json={"username": "focal.oim", "password": PASSWORD}).json()
    head = {"Authorization": f"Bearer {token['token']}"}
    listed = anon.get("/hsds/services", params={"search": "transit", "per_page": 5}, headers=head)
    streamed = anon.get("/hsds/organizations", params={"format": "ndjson"}, headers=head)
    assert listed.status_code == streamed.status_code == 200
    logged = hsds_logs(live)[1:]
    assert [(u, w) for u, _r, w, *_ in logged] == [("focal.oim", "hsds.service"),
                                                   ("focal.oim", "hsds.organization")]
    assert logged[0][5]["search"] == "transit" and logged[1][5]["format"] == "ndjson"
    assert logged[1][3] == len(streamed.text.splitlines())

    page = coord.get("/journal-acces?utilisateur=focal.oim")
    assert page.status_code == 200
    # what was read in words (web/log_words.py), not the stored key « hsds.service »
    text = html.unescape(page.text)
    assert text.count("Répertoire au format HSDS") == 2 and "hsds." not in text and "coord.mnr" not in text


def test_sandbox_resets_are_listed_on_the_access_log(live) -> None:
    trainer = live.client("formateur")
    form = trainer.get("/pos/bac-a-sable").text
    done = trainer.post("/pos/bac-a-sable/reinitialiser",
                        data={"confirmer": "oui", "csrftoken": csrf_of(form)})
    assert done.status_code == 303
    coord = live.client("coord.mnr")
    page = coord.get("/journal-acces").text
    assert 'id="sandbox-resets"' in page
    row = page.split('id="sandbox-resets"', 1)[1].split("</table>", 1)[0]
    # the user and the role by their names, not their codes (issue 18; the user's id small, for
    # auditors): nothing removed, cases created
    assert ('title="formateur">Aïcha Traoré (formatrice)</span> <small class="muted user-id">formateur'
            '</small></td><td>Formateur</td><td>0</td>') in html.unescape(row), row
    assert row.count("<tr><td>") == 1
    assert 'id="sandbox-resets"' in coord.get("/journal-acces?utilisateur=formateur").text
    assert 'id="sandbox-resets"' not in coord.get("/journal-acces?utilisateur=coord.mnr").text
    assert "Réinitialisations du bac à sable" not in html.unescape(
        coord.get("/journal-acces?dossier=MNR-BF-000001").text)  # a reset names no case
