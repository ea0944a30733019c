"""Erasure at the person's request on the web and the API (tryout 9, L6, L9, L12): the roles of
the SOP's ``retention.erase_by`` get « Effacer les données de la personne » on the case page and
``POST /api/v1/cases/{reference}/erase``, by the rule of ``mno case erase``: an open case is
refused with the way to close it (nothing written), a closed one is erased (reason required, a
confirmation naming what goes), an erased one is not reopened and takes no attachment any more.
Other roles: no tool, 403 (their role) or 404 (a case out of their reach)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mno_workflow.store import repository
from mno_workflow.store.models import AuditEvent

from .conftest import PASSWORD
from .helpers import case_with_referrals, closed_case, yaadga_case

PDF = b"%PDF-1.4\n" + b"x" * 200


def post(c, url: str, **data):
    return c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), **data})


def case_of(wf, ref: str):
    with wf.sessions() as s:
        return repository.get_case(s, ref)


def purges(wf, ref: str) -> list[AuditEvent]:
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return list(s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                       AuditEvent.action == "purge")))


def token(live, user: str) -> dict:
    r = live.client().post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_open_case__tool_says_how_to_close__post_refused_nothing_written(live, lang):
    ref = case_with_referrals(live.wf)
    sup = live.client("idrissa.sanou")
    sup.get(f"/langue/{lang}")
    page = sup.get(f"/dossiers/{ref}").text
    assert 'id="tool-erase"' in page and f'action="/dossiers/{ref}/effacer"' not in page
    words = {"fr": ("est encore ouvert : clôturez-le d&#39;abord (étape « Clôture du dossier » : Proposer "
                    "la clôture (Gestionnaire de cas) → Approuver la clôture (Superviseur))"),
             "en": ("is still open: close it first (step &#39;Case closure&#39;: Propose closure (Case "
                    "manager) → Approve closure (Supervisor))")}[lang]
    assert words in page
    before = case_of(live.wf, ref).version
    r = post(sup, f"/dossiers/{ref}/effacer", reason="Demande écrite", confirm="1", version=str(before))
    assert r.status_code == 409 and words in r.text
    case = case_of(live.wf, ref)
    assert case.version == before and case.purged_at is None and case.display_name
    api = live.client().post(f"/api/v1/cases/{ref}/erase", json={"reason": "Demande écrite"},
                             headers={**token(live, "idrissa.sanou"), "Accept-Language": lang})
    assert api.status_code == 409 and api.json()["code"] == "case_open"
    assert words.replace("&#39;", "'") in api.json()["message"]
    assert case_of(live.wf, ref).version == before and purges(live.wf, ref) == []


def test_closed_case__confirmation_names_what_goes__errors_keep_input__then_erased(live):
    ref = closed_case(live.wf)
    sup = live.client("idrissa.sanou")
    page = sup.get(f"/dossiers/{ref}").text
    assert f'action="/dossiers/{ref}/effacer"' in page
    what = page.split("data-erase-what>")[1].split("</ul>")[0]
    assert "Prénoms" in what and "Date de naissance" in what and "journal d&#39;audit" in what
    assert "Effacer les données de la personne" in page
    url, version = f"/dossiers/{ref}/effacer", str(case_of(live.wf, ref).version)
    r = post(sup, url, reason="", version=version)  # neither reason nor confirmation: both said
    assert r.status_code == 422
    assert 'id="erase-reason-error"' in r.text and 'id="erase-confirm-error"' in r.text
    assert "Cochez la case pour confirmer l&#39;effacement." in r.text
    r = post(sup, url, reason="Demande écrite de la personne", version=version)
    assert r.status_code == 422 and "Demande écrite de la personne</textarea>" in r.text
    assert 'id="erase-reason-error"' not in r.text
    r = post(sup, url, reason="Demande écrite de la personne", confirm="1", version="1")  # stale
    assert r.status_code == 409 and "Demande écrite de la personne</textarea>" in r.text
    assert purges(live.wf, ref) == []
    r = post(sup, url, reason="Demande écrite de la personne", confirm="1", version=version)
    assert r.status_code == 303, r.text
    page = sup.get(r.headers["location"]).text
    assert "valeurs effacées." in page and "Données personnelles effacées" in page
    (ev,) = purges(live.wf, ref)
    assert (ev.actor, ev.via, ev.data["rule"], ev.data["reason"]) == \
        ("idrissa.sanou", "web", "erasure", "Demande écrite de la personne")
    # already erased: said; a second erasure finds nothing more; no reopening
    page = sup.get(f"/dossiers/{ref}").text
    assert "data-erase-done" in page and f'action="/dossiers/{ref}/rouvrir"' not in page
    assert f'action="/dossiers/{ref}/effacer"' not in page  # no erase form any more (tryout 10, M10)
    r = post(sup, url, reason="encore", confirm="1", version=str(case_of(live.wf, ref).version))
    assert r.status_code == 303
    assert "0 valeur effacée." in sup.get(f"/dossiers/{ref}").text and len(purges(live.wf, ref)) == 1
    r = post(sup, f"/dossiers/{ref}/rouvrir", reason="La personne revient")
    assert r.status_code == 409 and "ne peut plus être rouvert" in r.text


def test_other_roles__no_tool__403_or_404__and_csrf(live):
    ref, far = closed_case(live.wf), yaadga_case(live.wf)
    cw = live.client("mariam.kabore")
    page = cw.get(f"/dossiers/{ref}").text
    assert 'id="tool-erase"' not in page
    r = post(cw, f"/dossiers/{ref}/effacer", reason="x", confirm="1")
    assert r.status_code == 403
    assert "Le rôle « Gestionnaire de cas » ne peut pas effacer les données d&#39;une personne (rôles : " \
           "Superviseur, Coordination nationale du MNR)." in r.text
    provider = live.client("focal.masn")
    assert post(provider, f"/dossiers/{ref}/effacer", reason="x", confirm="1").status_code == 403
    sup = live.client("idrissa.sanou")  # Kadiogo's supervisor; the Yaadga case is out of reach
    assert post(sup, f"/dossiers/{far}/effacer", reason="x", confirm="1").status_code == 404
    r = sup.post(f"/dossiers/{ref}/effacer", data={"reason": "x", "confirm": "1"})  # no CSRF token
    assert r.status_code == 403
    api = live.client()
    r = api.post(f"/api/v1/cases/{ref}/erase", json={"reason": "x"},
                 headers={**token(live, "mariam.kabore"), "Accept-Language": "en"})
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    assert r.json()["message"] == "Role 'Case manager' may not erase a person's data (roles: " \
                                  "Supervisor, National referral coordination)."
    r = api.post(f"/api/v1/cases/{far}/erase", json={"reason": "x"}, headers=token(live, "idrissa.sanou"))
    assert r.status_code == 404
    r = api.post(f"/api/v1/cases/{ref}/erase", json={"reason": "x"}, headers=token(live, "focal.masn"))
    assert r.status_code == 403
    assert purges(live.wf, ref) == [] and purges(live.wf, far) == []


def test_api_erases_a_closed_case__then_no_attachment_with_the_real_reason(live):
    ref = closed_case(live.wf)
    api = live.client()
    sup = token(live, "coord.mnr")
    r = api.post(f"/api/v1/cases/{ref}/erase", json={"reason": " "}, headers=sup)
    assert r.status_code == 422 and r.json()["errors"] == {"reason": "Ce champ est obligatoire."}
    r = api.post(f"/api/v1/cases/{ref}/erase", json={"reason": "Demande écrite"}, headers=sup)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reference"] == ref and body["erased"] > 0
    assert body["version"] == case_of(live.wf, ref).version
    (ev,) = purges(live.wf, ref)
    assert (ev.actor, ev.via, ev.data["fields"]) == ("coord.mnr", "api", body["erased"])
    r = api.post(f"/api/v1/cases/{ref}/erase", json={"reason": "encore"}, headers=sup)
    assert r.status_code == 200 and r.json()["erased"] == 0
    # tryout 9, L12: the real reason, not « Accès refusé pour ce rôle. »
    cw = token(live, "mariam.kabore")
    for lang, words in (("fr", "Les données de cette personne ont été effacées : aucune pièce jointe ne "
                               "peut plus être ajoutée à ce dossier."),
                        ("en", "This person's data were erased: no attachment can be added to this case "
                               "any more.")):
        r = api.post(f"/api/v1/cases/{ref}/attachments/consent:1", headers={**cw, "Accept-Language": lang},
                     files={"file": ("scan.pdf", PDF, "application/pdf")})
        assert r.status_code == 409 and r.json() == {"code": "case_erased", "message": words}
    page = live.client("mariam.kabore")
    r = page.post(f"/dossiers/{ref}/pieces/consent:1",
                  data={"csrftoken": page.cookies.get("csrftoken"), "instance": "consent:1"},
                  files={"file": ("scan.pdf", PDF, "application/pdf")})
    assert r.status_code == 303
    assert "aucune pièce jointe ne peut plus être ajoutée" in page.get(r.headers["location"]).text
    with live.wf.sessions() as s:
        from mno_workflow.store.models import Attachment
        assert s.scalars(select(Attachment)).all() == []


def test_case_erased_while_open_is_no_task_for_its_provider(live):
    """An open case erased by an older version (tryout 9, L9): not « à traiter » in the provider's
    inbox, no Accept / Decline on its referral page, the reason said; the API lists no action."""
    from ..engine.helpers import erase_while_open
    from .helpers import IDRISSA
    kept, erased = case_with_referrals(live.wf), case_with_referrals(live.wf)
    assert erase_while_open(live.wf, erased, IDRISSA, "demande de la personne") > 0
    focal = live.client("focal.masn")
    page = focal.get("/prestataire").text
    todo = page[page.index('id="to-process"'):page.index('id="history"')]
    assert kept in todo and erased not in todo
    assert erased in page[page.index('id="history"'):]
    page = focal.get(f"/prestataire/{erased}/referral:cash").text
    assert "ce référencement est retiré" in page
    assert f"/dossiers/{erased}/actions/referral:cash/accept" not in page
    other = focal.get(f"/prestataire/{kept}/referral:cash").text
    assert f"/dossiers/{kept}/actions/referral:cash/accept" in other
    r = post(focal, f"/dossiers/{erased}/actions/referral:cash/accept", version="1")
    assert r.status_code in (403, 404, 409)
    assert case_of(live.wf, erased).instances and next(
        i for i in case_of(live.wf, erased).instances if i.label_key == "referral:cash").state == "sent"
