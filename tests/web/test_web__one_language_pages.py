"""Pages that stayed French in English or showed both languages (« Journal des accès / Access
log »): menu items, titles and the channels page go through gettext, one language per page; the
login subtitle is the SOP's title in the page's language (issue 18 tryout)."""

from __future__ import annotations

import html
import re

import pytest

from mno_workflow import i18n as catalogues
from mno_workflow.i18n import jinja as jinja_i18n

PAGES = ["/journal-acces", "/admin/acces", "/mon-compte/acces", "/mon-compte/notifications",
         "/messages-annules"]
MENU = ["Journal des accès", "Accès des utilisateurs", "Mes accès", "Mes canaux", "Messages annulés"]
BILINGUAL = ["/ Access log", "/ Users' access", "/ My access", "/ My notification channels",
             "/ Messages not sent", "Enregistrer / Save", "Par SMS / By SMS", "/ API tokens",
             "/ Open sessions", "Tous / All", "/ Tokens not revoked", "/ End sessions", "Dossier / Case"]


@pytest.fixture
def marked(monkeypatch):
    """English template strings marked « EN[…] », so a text that skips gettext shows unmarked."""
    real = jinja_i18n.gettext
    def mark(msg, lang, **kw):
        return f"EN[{real(msg, lang, **kw)}]" if lang == "en" else real(msg, lang, **kw)

    monkeypatch.setattr(jinja_i18n, "gettext", mark)


@pytest.mark.parametrize("url", PAGES)
def test_english_page_speaks_one_language(live, marked, url):
    c = live.client("coord.mnr")
    c.get(f"/langue/en?next={url}")
    text = html.unescape(c.get(url).text)
    h1 = re.search(r"<h1>(.*?)</h1>", text, re.S).group(1)
    assert h1.startswith("EN[") and "/" not in h1, h1
    for fr in MENU:
        assert f">{fr}</a>" not in text, fr
        assert f">EN[{catalogues.gettext(fr, 'en')}]</a>" in text, fr  # through gettext, in English
    for both in BILINGUAL:
        assert both not in text


def test_french_pages_stay_french(live):
    c = live.client("coord.mnr")
    text = html.unescape(c.get("/mon-compte/notifications").text)
    assert "<h1>Mes canaux de notification</h1>" in text and "By SMS" not in text and "/ My" not in text


@pytest.mark.parametrize(("lang", "title"), [("fr", "Mécanisme national de référencement — Burkina Faso"),
                                             ("en", "National referral mechanism — Burkina Faso")])
def test_login_subtitle_is_the_sop_title_in_the_page_language(live, lang, title):
    c = live.client()
    c.get(f"/langue/{lang}")
    text = html.unescape(c.get("/login").text)
    assert title in text
    other = "National referral" if lang == "fr" else "Mécanisme national"
    assert other not in text


def test_access_pages_show_role_labels_and_dates_as_elsewhere(live):
    from .helpers import case_with_referrals

    ref = case_with_referrals(live.wf, send=False)
    live.client("mariam.kabore").get(f"/dossiers/{ref}")
    c = live.client("coord.mnr")
    log = html.unescape(c.get("/journal-acces?utilisateur=mariam.kabore").text)
    assert "Gestionnaire de cas" in log and "<td>caseworker</td>" not in log
    assert re.search(r'<span class="when">\d\d/\d\d/\d{4} \d\d:\d\d</span>', log)
    admin = html.unescape(c.get("/admin/acces").text)
    assert "<td>caseworker</td>" not in admin and "Gestionnaire de cas" in admin
    own = html.unescape(c.get("/mon-compte/acces").text)
    assert re.search(r'<td class="when">\d\d/\d\d/\d{4} \d\d:\d\d</td>', own)
    assert not re.search(r"<td>\d{4}-\d\d-\d\d", own)


def test_header_names_the_organisation_and_case_names_its_caseworker(live):
    from mno_workflow.web.core import Web

    from .helpers import case_with_referrals

    with live.wf.sessions() as s:
        name = Web.organisations(s)["org-oim"]
    page = html.unescape(live.client("focal.oim").get("/prestataire").text)
    who = re.search(r'<div class="who">\s*<span>(.*?)</span>', page, re.S).group(1)
    assert name in who and "org-oim" not in who, who
    ref = case_with_referrals(live.wf, send=False)
    case = html.unescape(live.client("idrissa.sanou").get(f"/dossiers/{ref}").text)
    assert re.search(r"Gestionnaire[^:]*: Mariam Kaboré", case)


def test_provider_sees_the_referrers_name_and_phone_in_inbox_and_referral(live):
    from .helpers import case_with_referrals

    ref = case_with_referrals(live.wf)  # cash sent to org-masn by Mariam Kaboré
    c = live.client("focal.masn")
    inbox = html.unescape(c.get("/prestataire").text)
    cell = re.search(rf"<tr><td>{ref}</td>.*?</tr>", inbox, re.S).group(0)
    who = re.search(r'class="referrer">(.*?)</td>', cell, re.S).group(1)
    assert "Mariam Kaboré" in who and "+22670102031" in who, who
    page = html.unescape(c.get(f"/prestataire/{ref}/referral:cash").text)
    line = re.search(r'<p class="referrer">(.*?)</p>', page, re.S).group(1)
    assert "Mariam Kaboré" in line and "+22670102031" in line, line


@pytest.mark.parametrize(("lang", "sep"), [("fr", " : "), ("en", ": ")])
def test_colon_spacing_follows_the_language(live, lang, sep):
    from .helpers import case_with_referrals

    ref = case_with_referrals(live.wf, send=False)
    c = live.client("idrissa.sanou")
    c.get(f"/langue/{lang}")
    head = html.unescape(re.search(r'<header class="case-head">.*?<p class="meta">(.*?)</p>',
                                   c.get(f"/dossiers/{ref}").text, re.S).group(1))
    word = "Gestionnaire" if lang == "fr" else "Case manager"
    assert re.search(rf"{word}[^:<]*?{re.escape(sep)}Idrissa|{word}[^:<]*?{re.escape(sep)}Mariam", head), head
    if lang == "en":
        assert " : " not in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", head))


def test_work_groups_have_distinct_names(live):
    from .helpers import case_with_referrals

    case_with_referrals(live.wf, send=False)
    page = html.unescape(live.client("idrissa.sanou").get("/travail").text)
    names = re.findall(r'<a href="#work-[a-z_]+">([^<]+?) <span class="count">', page)
    assert "Escaladés" not in names and "Mes échéances escaladées" in names, names
    assert len(set(names)) == len(names), names


def test_agreements_register_in_one_language(live):
    """/repertoire/accords (tryout item 4): English page without the French words, dates as
    dd/mm/yyyy, organisation types by their label (not un_agency/ngo)."""
    c = live.client("coord.mnr")
    fr = c.get("/repertoire/accords").text
    assert "Accords de partage de données" in fr and "/ Data-sharing" not in fr
    assert "un_agency" not in fr.split('id="agreements"')[1] and "ngo</td>" not in fr
    c.get("/langue/en")
    en = c.get("/repertoire/accords").text
    assert "Data-sharing agreements" in en and "Record an agreement" in en
    for word in ("Accords de partage", "aucun accord", "Signé le", "Courriel du point focal", "loi 001"):
        assert word not in en, word


@pytest.mark.parametrize(("lang", "words", "codes"),
                         [("fr", ("lecture", "lecture et écriture"), ("read", "write")),
                          ("en", ("read", "read and write"), ("lecture",))])
def test_token_scopes_and_states_are_words_of_the_page(live, lang, words, codes):
    """« Mes accès »: the scope choices and a token's scope and state in the page's language (the
    codes read / write, active are the API's)."""
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    r = c.post("/mon-compte/jetons", data={"csrftoken": c.cookies.get("csrftoken"), "label": "Téléphone",
                                           "scope": "write", "days": "30"}, follow_redirects=True)
    page = html.unescape(c.get("/mon-compte/acces").text)
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]*)</option>',
                         page.split('name="scope"', 1)[1].split("</select>", 1)[0])
    assert options == [("read", words[0]), ("write", words[1])], options
    cells = re.findall(r"<td>([^<]*)</td>", page.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
    assert "Téléphone" in cells and words[1] in cells, (r.status_code, cells)
    assert ("actif" if lang == "fr" else "active") in cells, cells
    for code in codes:
        assert code not in cells, (code, cells)


@pytest.mark.parametrize(("accept", "lang"), [
    ("en-US,en;q=0.9", "en"), ("de, en-GB;q=0.8, fr;q=0.5", "en"), ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
    ("de", "fr"), (None, "fr")])
def test_the_login_page_follows_the_browsers_language_until_one_is_chosen(live, accept, lang):
    """Tryout 3, F29: signed out, with no language chosen, the login page speaks the browser's
    preferred language that has a catalogue (French otherwise); a choice made on the page wins."""
    c = live.client()
    headers = {"Accept-Language": accept} if accept else {}
    text = html.unescape(c.get("/login", headers=headers).text)
    assert f'<html lang="{lang}"' in text, text[:200]
    assert ("National referral" in text) is (lang == "en")
    assert ("Mécanisme national" in text) is (lang == "fr")
    other = "fr" if lang == "en" else "en"
    c.get(f"/langue/{other}", headers=headers)
    assert f'<html lang="{other}"' in c.get("/login", headers=headers).text
