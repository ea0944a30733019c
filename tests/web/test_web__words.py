"""Issue 18, the new-user tryout's « words, not keys »: printed documents, pages and notifications
show names and dd/mm/yyyy dates, never a directory id (``svc-…``), a post's key
(``fds-poste-…``), an ISO date, a raw HSDS status or a JSON record — in French and in English."""

from __future__ import annotations

import html
import re

import pytest

from .helpers import MARIAM, case_with_referrals, provider, referral

ISO = re.compile(r"\b20\d\d-\d\d-\d\d\b")
SERVICE = "svc-masn-kadiogo-cash"
SERVICE_NAMES = ("Assistance sociale d'urgence — Kadiogo", "Emergency social assistance — Kadiogo")


def visible(page: str) -> str:
    """The text of a page as read (no tags, attributes, scripts or styles)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


@pytest.fixture(scope="module")
def world(live_module):
    """A case whose cash referral (to org-masn) names its directory service, and whose medical
    referral org-csps declined with « Autre » and its précisions."""
    wf = live_module.wf
    ref = case_with_referrals(wf, send=False)
    wf.fire(ref, "send", MARIAM, {**referral("org-masn"), "service_id": SERVICE}, instance="referral:cash")
    wf.fire(ref, "send", MARIAM, referral("org-csps"), instance="referral:medical")
    wf.fire(ref, "decline", provider("org-csps"),
            {"reason": "other", "details": "Le centre est fermé pour travaux jusqu'en juillet"},
            instance="referral:medical")
    return live_module, ref


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_printed_referral_names_the_service_and_writes_dates_day_first(world, lang: str) -> None:
    live, ref = world
    for user in ("mariam.kabore", "focal.masn"):
        c = live.client(user)
        c.get(f"/langue/{lang}")
        url = f"/dossiers/{ref}/imprimer/referencement/referral:cash"
        r = c.get(url)
        assert r.status_code == 200, (user, r.status_code)
        pdf = c.get(url + "?format=pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        for text in (visible(r.text), re.sub(r"\s+", " ", pdf_text(pdf.content))):
            assert "svc-" not in text, (user, lang, text[:2000])
            assert not ISO.search(text), (user, lang, ISO.findall(text))
            assert "02/06/2025" in text, (user, lang)  # the referral's date and the consent's
        assert any(name in visible(r.text) for name in SERVICE_NAMES), (user, lang)


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ("Motif du refus : Autre", "Précisions")),
    ("en", ("Reason for declining: Other", "Details")),
])
def test_the_decline_notification_carries_the_coded_answer_never_the_providers_words(
        world, lang: str, words) -> None:
    """The case manager's notification says why in the SOP's words (« Motif du refus : Autre »),
    never what the provider typed: free text can name a diagnosis or a family situation, and a
    notification names the reference and step, never case data (tryout 3, F21). The words stay on
    the case page."""
    live, ref = world
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    text = re.sub(r"\s+", " ", visible(c.get("/notifications").text))
    lines = [x for x in re.split(r"(?=À faire|To do)", text) if ref in x and words[0] in x]
    assert lines, (lang, text[:3000])
    assert words[1] not in lines[0], (lang, lines[0][:500])
    assert "fermé pour travaux" not in text, (lang, text[:3000])
    assert "fermé pour travaux" in visible(c.get(f"/dossiers/{ref}").text)


SVC = "svc-oim-transit"
STATUS_WORDS = {"fr": ("fermé temporairement", "actif", "Import de l'annuaire d'exemple", "Coordination MNR"),
                "en": ("temporarily closed", "active", "Sample directory import", "Coordination MNR")}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_directory_service_page_in_words(world, lang: str) -> None:
    """The header names the service (no id), its status and history are words of the reader's
    language, dates dd/mm/yyyy, the authors a person's name or « Import de l'annuaire d'exemple »."""
    live, _ = world
    c = live.client("coord.mnr")
    c.get(f"/langue/{lang}")
    url = f"/repertoire/services/{SVC}"
    page = c.get(url).text
    r = c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), "status": "temporarily closed",
                          "fees_description": "", "eligibility_description": "",
                          "interpretation_services": "", "minimum_age": "", "maximum_age": "",
                          "cap.cap-oim-transit": "4"})
    assert r.status_code == 303, r.text[-2000:]
    c.post(url + "/verifier", data={"csrftoken": c.cookies.get("csrftoken")})
    page = c.get(url).text
    head = visible(re.search(r"<h1>.*?</p>", page, re.S).group(0))
    assert SVC not in head, head
    history = re.sub(r"\s+", " ", visible(re.search(r'<table class="data" id="history">.*?</table>',
                                                      page, re.S).group(0)))
    closed, active, sample, coord = STATUS_WORDS[lang]
    assert f"{active} → {closed}" in history, history[:1500]
    assert sample in history and coord in history, history[:1500]
    assert not re.search(r"\bsample\b|\bcoord\.mnr\b", history), history[:1500]
    assert not ISO.search(history), ISO.findall(history)
    for raw in ("active", "inactive", "defunct", "temporarily closed"):
        if lang == "fr":
            assert f" {raw} " not in f" {visible(page)} ".replace("\n", " "), raw
    c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), "status": "active",
                      "fees_description": "", "eligibility_description": "",
                      "interpretation_services": "", "minimum_age": "", "maximum_age": "",
                      "cap.cap-oim-transit": "4"})


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ("Fiche de référencement imprimée", "Étape : Référencement — Assistance en espèces",
            "Format : pdf", "Tableau de bord (CSV)", "Région : ")),
    ("en", ("Referral form printed", "Step: Referral — Cash assistance", "Format: pdf",
            "Dashboard (CSV)", "Region: ")),
])
def test_access_log_shows_an_exports_details_as_words_not_json(world, lang: str, words) -> None:
    live, ref = world
    c = live.client("coord.mnr")
    assert c.get(f"/dossiers/{ref}/imprimer/referencement/referral:cash?format=pdf").status_code == 200
    assert c.get("/tableau-de-bord/export.csv?region=kadiogo").status_code in (200, 404)
    c.get(f"/langue/{lang}")
    page = c.get("/journal-acces").text
    table = re.sub(r"\s+", " ", visible(re.search(r'<table class="data" id="exports">.*?</table>',
                                                    page, re.S).group(0)))
    assert "{" not in table and '"' not in table, table[:1500]
    for w in words[:3]:
        assert w in table, (w, table[:2000])
    case_pair = {"fr": f"Dossier : {ref}", "en": f"Case: {ref}"}[lang]
    assert case_pair in table, table[:2000]


@pytest.mark.parametrize(("lang", "title"), [("fr", "Mécanisme national de référencement"),
                                              ("en", "National referral mechanism")])
def test_sop_document_and_workbench_write_dates_day_first_and_the_sop_by_title(world, lang, title) -> None:
    live, _ = world
    c = live.client("coord.mnr")
    c.get(f"/langue/{lang}")
    doc = c.get("/pos/documents/document")
    assert doc.status_code == 200
    register = re.search(r"<table[^>]*>(?:(?!</table>).)*?(?:fictif|fictitious).*?</table>", doc.text, re.S)
    text = visible(doc.text)
    assert not ISO.search(text), ISO.findall(text)[:5]
    assert register and re.search(r"\b\d\d/\d\d/20\d\d\b", visible(register.group(0)))
    home = c.get("/pos/atelier").text
    if 'href="/pos/atelier/brouillons/' not in home:
        r = c.post("/pos/atelier/brouillons",
                   data={"csrftoken": c.cookies.get("csrftoken"), "sop_id": "mnr_bf"})
        assert r.status_code == 303, r.text[-500:]
        home = c.get("/pos/atelier").text
    number = re.search(r'href="/pos/atelier/brouillons/(\d+)"', home).group(1)
    for page in (home, c.get(f"/pos/atelier/brouillons/{number}").text,
                 c.get(f"/pos/atelier/brouillons/{number}/publier").text):
        # the YAML source, and the diagram (its « mnr_bf · 2026.2 » line under the title, small)
        shown = visible(re.sub(r"<(textarea|pre|code|svg)\b.*?</\1>", " ", page, flags=re.S))
        assert title in shown, shown[:1500]
        assert "mnr_bf" not in shown and not ISO.search(shown), (ISO.findall(shown), "mnr_bf" in shown)
        assert not re.search(r"\bcoord\.mnr\b", shown), "an author by name"


MASN = ("Direction régionale de la solidarité et de l'action humanitaire (illustrative)",
        "Regional directorate of solidarity and humanitarian action (illustrative)")


@pytest.mark.parametrize("user", ["coord.mnr", "mariam.kabore", "focal.masn", "suivi.evaluation"])
def test_organisations_by_their_english_name_on_english_pages(world, user: str) -> None:
    """The directory's translations give the organisation's English name: English pages, the
    printed slip and the M&E report use it, French pages the French one."""
    live, ref = world
    c = live.client(user)
    paths = ("/", f"/dossiers/{ref}", "/prestataire", f"/prestataire/{ref}/referral:cash",
             "/repertoire?need=cash&region=kadiogo", "/repertoire/services",
             "/repertoire/services/svc-masn-kadiogo-cash", "/rapport",
             f"/dossiers/{ref}/imprimer/referencement/referral:cash")
    seen = {"fr": 0, "en": 0}
    for lang in ("fr", "en"):
        c.get(f"/langue/{lang}")
        for path in paths:
            r = c.get(path, follow_redirects=True)
            if r.status_code != 200:
                continue
            text = visible(r.text)
            french, english = MASN
            if lang == "en":
                assert french not in text, (user, path)
                seen["en"] += english in text
            else:
                assert english not in text, (user, path)
                seen["fr"] += french in text
    assert seen["en"] >= 1 and seen["en"] == seen["fr"], (user, seen)


def test_a_posts_key_is_named_by_its_account_in_the_case_summary(world) -> None:
    """An alert filed by the FDS post (organisation ``fds-poste-seytenga``, not in the directory):
    the case's summary and its person-data record name the post by its account, never its key."""
    from mno_workflow.engine.alerts import file_alert
    from mno_workflow.engine.engine import Actor
    from mno_workflow.store import repository
    from mno_workflow.views import names_for

    live, _ = world
    fds = Actor("agent.fds", "first_responder", "fds-poste-seytenga")
    ref = file_alert(live.wf, "mnr_bf", fds, {
        "first_name": "Adama", "last_name": "Tapsoba", "sex": "male", "estimated_age": 27,
        "region": "kadiogo", "place": "Gare routière", "met_on": "2025-06-02",
        "contact_way": ["phone"], "phone": "+226 70 00 00 09", "contact_agreed": True}).reference
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        names = names_for(s, case, repository.trail(s, case))
    assert names.org("fds-poste-seytenga") == "Agent FDS, poste de Seytenga"
