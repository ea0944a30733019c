"""What the forms say back (tryout of 4 December 2026, findings 4, 10, 18 and 21), against a real
server: the data-sharing agreement form refuses nonsense per field and saves a sound agreement
that then shows in the list; the dashboard's period errors are in the reader's language; an empty
note, an empty login and an attachment with no file say what is missing; a referral sent to a
service the directory does not link to its need is sent with a visible warning."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from mno_workflow.directory.tables import TABLES

from .conftest import PASSWORD, csrf_of
from .helpers import case_with_referrals, referral

NONSENSE = {"organization_id": "org-liens", "signed_on": "01/01/2099", "expires_on": "01/01/2000",
            "agreement_version": "<script>alert(9)</script>", "data_categories": ["blabla"],
            "purposes": ["zzz"], "focal_point_email": "not-an-email"}


@pytest.fixture(scope="module")
def live(live_module):
    return live_module


def post(c, url: str, data: dict, **kw):
    return c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), **data}, **kw)


def english(c):
    c.get("/langue/en", params={"next": "/"})
    return c


def agreements(live) -> list:
    with live.wf.sessions() as s:
        return list(s.execute(select(TABLES["sharing_agreement"])))


def summary_links(html: str) -> list[str]:
    """The field ids the page's error summaries link to (asserting there is exactly one)."""
    assert html.count('class="error-summary"') == 1, html
    box = html[html.index('class="error-summary"'):]
    box = box[:box.index("</div>")]
    return re.findall(r'href="#([^"]+)"', box)


def test_agreement_form_refuses_nonsense_per_field_in_words(live):
    coord = live.client("coord.mnr")
    page = coord.get("/repertoire/accords").text
    assert 'type="date"' not in page and 'data-date="dmy"' in page  # the app's dd/mm/yyyy field
    assert 'type="checkbox" name="data_categories" value="identity"' in page and "Identité" in page
    assert "codes" not in page.lower()
    before = len(agreements(live))
    r = post(coord, "/repertoire/accords", NONSENSE)
    assert r.status_code == 422
    errors = dict(re.findall(r'<p class="error" id="f-(\w+)-error">([^<]+)</p>', r.text))
    assert set(errors) == {"signed_on", "expires_on", "agreement_version", "data_categories", "purposes",
                           "focal_point_email"}, errors
    assert "avenir" in errors["signed_on"] and "après la date de signature" in errors["expires_on"]
    assert errors["focal_point_email"] == "Adresse e-mail invalide : écrivez-la comme nom@exemple.org."
    assert "^[" not in r.text and "mal formée" not in r.text
    assert set(summary_links(r.text)) == {f"f-{k}" for k in errors}
    assert all(f'id="f-{k}"' in r.text for k in errors)  # each link lands on its field
    assert "Le formulaire contient des erreurs" not in r.text  # one summary, no second banner
    assert "&lt;script&gt;alert(9)&lt;/script&gt;" in r.text  # the input kept, escaped
    assert len(agreements(live)) == before  # nothing written
    en = english(live.client("coord.mnr"))
    r = post(en, "/repertoire/accords", {**NONSENSE, "signed_on": "31/02/2025"})
    assert r.status_code == 422 and "Identity" in r.text and "Date invalide" not in r.text
    assert "There is a problem" in r.text


def test_a_sound_agreement_is_saved_with_a_safe_id_and_listed(live):
    coord = live.client("coord.mnr")
    r = post(coord, "/repertoire/accords", {
        "organization_id": "org-petitspas", "signed_on": "15/05/2025", "expires_on": "14/05/2027",
        "agreement_version": "2025 v2.1", "data_categories": ["identity", "needs"],
        "purposes": ["referral", "follow_up"], "focal_point_name": "Awa Kiemtoré",
        "focal_point_email": "awa@petitspas.example"})
    assert r.status_code == 303, r.text
    (row,) = [a for a in agreements(live) if a.organization_id == "org-petitspas"]
    assert row.id == "agr-petitspas-2025-v2-1" and re.fullmatch(r"agr-[a-z0-9-]+", row.id)
    assert (row.data_categories, row.purposes) == ("identity needs", "referral follow_up")
    page = coord.get("/repertoire/accords").text
    listed = re.search(r'<tr data-org="org-petitspas".*?</tr>', page, re.S)[0]
    assert "2025 v2.1" in listed and "en vigueur" in listed and "14/05/2027" in listed
    assert ("Accord enregistré : Centre d'accueil et crèche Les Petits Pas (fictif), version 2025 v2.1."
            in html.unescape(page))
    r = post(coord, "/repertoire/accords", {  # the same version again: said on the version field
        "organization_id": "org-petitspas", "signed_on": "16/05/2025", "agreement_version": "2025 v2.1",
        "data_categories": ["identity"], "purposes": ["referral"]})
    assert r.status_code == 422 and "déjà un accord de cette version" in r.text
    assert summary_links(r.text) == ["f-agreement_version"]


@pytest.mark.parametrize(("period", "english_words", "french_words"), [
    ("abc", "is not a period", "n'est pas une période"),
    ("31/02/2026..01/03/2026", "does not exist", "n'existe pas"),
    ("02/03/2026..01/03/2026", "is before the start", "est avant le début"),
])
def test_dashboard_period_errors_in_the_readers_language(live, period, english_words, french_words):
    fr = live.client("suivi.evaluation")
    en = english(live.client("suivi.evaluation"))
    page_fr = fr.get("/tableau-de-bord", params={"periode": period}).text
    page_en = en.get("/tableau-de-bord", params={"periode": period}).text
    said_fr, said_en = (html.unescape(re.sub(r"<[^>]+>", "", re.search(
        r'<p class="error" role="alert">(.*?)</p>', page, re.S)[1])) for page in (page_fr, page_en))
    assert french_words in said_fr and english_words in said_en, (said_fr, said_en)
    for said in (said_fr, said_en):
        assert "out of range" not in said and "'" + period not in said
    for french in ("période", "inconnue", "fin avant", "date invalide", "n'existe"):
        assert french not in said_en


def test_provider_empty_note_said_at_the_field_with_the_box_kept_open(live):
    """On the provider's referral page as on the case page: the empty note is said at its field,
    the notes box open, the page again (was a flash at the top of the page after a reload)."""
    ref = case_with_referrals(live.wf)
    focal = live.client("focal.masn")
    focal.get(f"/prestataire/{ref}/referral:cash")
    r = post(focal, f"/dossiers/{ref}/notes/referral:cash", {"text": "   "})
    assert r.status_code == 422
    said = html.unescape(r.text)
    assert '<p class="error" id="notes-referral-text-error">Écrivez une note avant d\'envoyer.</p>' in said
    assert '<details class="tool notes-box" id="notes-referral" open>' in said
    assert 'aria-describedby="notes-referral-text-error"' in said
    assert 'class="flash' not in said and "à répondre avant le" in said  # the referral page itself
    focal.get("/langue/en")
    said = html.unescape(post(focal, f"/dossiers/{ref}/notes/referral:cash", {"text": ""}).text)
    assert '<p class="error" id="notes-referral-text-error">Write a note before sending.</p>' in said
    long = "y" * 1001
    said = html.unescape(post(focal, f"/dossiers/{ref}/notes/referral:cash", {"text": long}).text)
    assert "The note is too long" in said and f">{long}</textarea>" in said


def test_empty_note_empty_login_and_no_file_say_what_is_missing(live, tmp_path, monkeypatch):
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path / "data"))
    ref = case_with_referrals(live.wf)
    cw = live.client("mariam.kabore")
    r = post(cw, f"/dossiers/{ref}/notes/referral:cash", {"text": "   "})
    # tryout 2 #19: said at the field, the referral's notes box kept open (was a reload, box closed)
    assert r.status_code == 422
    said = html.unescape(r.text)
    error = '<p class="error" id="notes-referral-cash-text-error">Écrivez une note avant d\'envoyer.</p>'
    assert error in said
    assert '<details class="tool notes-box" id="notes-referral-cash" open>' in said
    assert 'aria-describedby="notes-referral-cash-text-error"' in said and 'class="flash"' not in said
    cw.get("/langue/en")
    said = html.unescape(post(cw, f"/dossiers/{ref}/notes/referral:cash", {"text": ""}).text)
    assert "Write a note before sending." in said
    long = "x" * 1001  # too long: said at the field too, the text kept
    said = html.unescape(post(cw, f"/dossiers/{ref}/notes/referral:cash", {"text": long}).text)
    assert "The note is too long" in said and f">{long}</textarea>" in said
    cw.get("/langue/fr")
    r = cw.post(f"/dossiers/{ref}/pieces/referral:cash", data={"csrftoken": cw.cookies.get("csrftoken")},
                files={"file": ("", b"", "application/octet-stream")})  # what a browser sends
    assert r.status_code == 303
    page = cw.get(r.headers["location"]).text
    assert "Choisissez un fichier." in page and "Le fichier est vide" not in page
    anon = live.client()
    anon.get("/login")
    r = post(anon, "/login", {"username": " ", "password": ""})
    assert r.status_code == 422
    assert '<p class="error" id="username-error">Saisissez votre identifiant</p>' in r.text
    assert '<p class="error" id="password-error">Saisissez votre mot de passe</p>' in r.text
    assert "incorrect" not in r.text and summary_links(r.text) == ["username", "password"]
    r = post(anon, "/login", {"username": "mariam.kabore", "password": ""})
    assert summary_links(r.text) == ["password"] and 'value="mariam.kabore"' in r.text


def test_a_referral_to_a_service_not_for_the_need_is_sent_with_a_warning(live):
    ref = case_with_referrals(live.wf, send=False)
    cw = live.client("mariam.kabore")
    url = f"/dossiers/{ref}/actions/referral:cash/send"
    form = cw.get(url).text
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', form, re.S)
    unrelated = next(body for label, body in groups if label.startswith("Services qui ne proposent pas"))
    assert 'value="svc-ecoute-psy"' in unrelated and 'value="svc-masn-kadiogo-cash"' not in unrelated
    version = re.search(r'name="version" value="(\d+)"', form)[1]
    data = {"provider": "org-ecoute", "service_id": "svc-ecoute-psy", "priority": "normal",
            "referral_date": "02/06/2025", "channel": "system", "reason": "Soutien", "version": version,
            "csrftoken": csrf_of(form)}
    r = cw.post(url, data=data, follow_redirects=True)
    assert r.status_code == 200, r.text
    warning = re.search(r'<p class="flash flash-warning" role="alert"[^>]*>(.*?)</p>', r.text, re.S)[1]
    assert "« Écoute et soutien psychosocial » ne propose pas ce besoin (Assistance en espèces)" in warning
    ok = case_with_referrals(live.wf, send=False)  # the directory's own cash service: no warning
    url = f"/dossiers/{ok}/actions/referral:cash/send"
    form = cw.get(url).text
    version = re.search(r'name="version" value="(\d+)"', form)[1]
    r = cw.post(url, data={**data, "provider": "org-masn", "service_id": "svc-masn-kadiogo-cash",
                           "version": version, "csrftoken": csrf_of(form)}, follow_redirects=True)
    assert r.status_code == 200 and "flash-warning" not in r.text


def test_the_need_warning_holds_on_the_api_and_the_command_line(live):
    """The same warning as the page: in ``warnings`` of ``POST /api/v1/cases/{ref}/fire`` (in the
    request's Accept-Language), and on the error stream of ``mno case fire``; none for a service
    that offers the need."""
    from typer.testing import CliRunner

    from mno_workflow.cli import app

    cw = live.client("mariam.kabore")
    auth = {"Authorization": "Bearer " + cw.post(
        "/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]}
    body = {"trigger": "send", "instance": "referral:cash",
            "payload": {**referral("org-ecoute"), "service_id": "svc-ecoute-psy"}}
    ref = case_with_referrals(live.wf, send=False)
    r = cw.post(f"/api/v1/cases/{ref}/fire", json=body, headers={**auth, "Accept-Language": "en"})
    assert r.status_code == 200, r.text
    [warning] = r.json()["warnings"]
    assert "“Listening and psychosocial support” does not offer this need (Cash assistance)" in warning
    ref = case_with_referrals(live.wf, send=False)
    r = cw.post(f"/api/v1/cases/{ref}/fire", headers={**auth, "Accept-Language": "en"}, json={
        **body, "payload": {**referral("org-masn"), "service_id": "svc-masn-kadiogo-cash"}})
    assert r.status_code == 200 and r.json()["warnings"] == [], r.text
    ref = case_with_referrals(live.wf, send=False)
    url = str(live.wf.db.url.render_as_string(hide_password=False))
    data = {**referral("org-ecoute"), "service_id": "svc-ecoute-psy"}
    out = CliRunner().invoke(app, ["--db", url, "--lang", "fr", "case", "fire", ref, "send",
                                   "--as", "mariam.kabore:caseworker", "--instance", "referral:cash",
                                   *[a for k, v in data.items() for a in ("--data", f"{k}={v}")]])
    assert out.exit_code == 0, out.output
    assert "« Écoute et soutien psychosocial » ne propose pas ce besoin (Assistance en espèces)" in out.stderr
