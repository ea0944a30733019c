"""The new-user tryout of issue 18, on the pages' HTML (every role, French and English):
organisations and services by their names (never a key like ``org-csps``, ``svc-…`` or a
first responders' post ``fds-poste-…``), a refused action naming the SOP's
label of its trigger, notification counters and group headings, and « Libellé : valeur » with the
reader's own colon (« : » in French, ": " in English)."""

from __future__ import annotations

import html
import re

import pytest

from .conftest import PASSWORD
from .helpers import MARIAM, case_with_referrals, provider, referral

USERS = {"caseworker": "mariam.kabore", "supervisor": "idrissa.sanou", "coordinator": "coord.mnr",
         "provider": "focal.masn", "first_responder": "agent.fds", "trainer": "formateur",
         "me_officer": "suivi.evaluation"}
# an organisation's, a directory service's, a data-sharing agreement's or a first responders' post's
# key (not in the directory)
ORG_KEY = re.compile(r"\b(?:org|svc|agr|fds-poste)-[a-z-]+\b")


def visible(page: str) -> str:
    """The text of a page as read (no tags, attributes, scripts or styles)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def world(live_module):
    """A case whose cash referral (to org-masn, naming its directory service) org-masn accepted,
    with a note from the provider."""
    wf = live_module.wf
    ref = case_with_referrals(wf, send=False)
    wf.fire(ref, "send", MARIAM, {**referral("org-masn"), "service_id": "svc-masn-kadiogo-cash"},
            instance="referral:cash")
    wf.fire(ref, "send", MARIAM, referral("org-csps"), instance="referral:medical")
    wf.fire(ref, "accept", provider("org-masn"), instance="referral:cash")
    c = live_module.client("focal.masn")
    c.post(f"/dossiers/{ref}/notes/referral:cash",
           data={"csrftoken": c.cookies.get("csrftoken"), "text": "Rendez-vous pris"})
    # the agreements' data focal points read: a line of the access log naming the agreements
    assert live_module.client("coord.mnr").get("/repertoire/accords").status_code == 200
    return live_module, ref


def _pages(ref: str) -> tuple[str, ...]:
    return ("/", "/travail", f"/dossiers/{ref}", "/dossiers", "/notifications", "/prestataire",
            f"/prestataire/{ref}/referral:cash", "/journal-acces", "/tableau-de-bord",
            "/repertoire?need=cash&region=kadiogo", "/repertoire/services", "/repertoire/a-verifier",
            "/repertoire/services/svc-masn-kadiogo-cash", "/repertoire/accords", "/signalements",
            "/mon-compte/acces")


def _action_pages(c, ref: str) -> list[str]:
    """The action forms (« Fiche de référencement » and the other data shown beside them) the
    case page and the provider's referral page link to, for this client."""
    found = []
    for page in (f"/dossiers/{ref}", f"/prestataire/{ref}/referral:cash"):
        r = c.get(page)
        if r.status_code == 200:
            found += re.findall(rf'href="(/dossiers/{ref}/actions/[^"#?]+)"', r.text)
    return list(dict.fromkeys(found))


def _all_pages(c, ref: str) -> list[str]:
    return [*_pages(ref), *_action_pages(c, ref)]


@pytest.mark.parametrize("role", USERS)
def test_pages_name_organisations_never_by_their_key(world, role: str) -> None:
    live, ref = world
    c = live.client(USERS[role])
    seen = 0
    for path in _all_pages(c, ref):
        r = c.get(path, follow_redirects=True)
        if r.status_code != 200:
            continue
        seen += 1
        keys = ORG_KEY.findall(visible(r.text))
        assert not keys, (role, path, sorted(set(keys)))
    assert seen >= 2, role
    if role == "coordinator":  # the agreements read are named as agreements, not as people
        log = visible(c.get("/journal-acces").text)
        assert "Accords dont le point focal données a été lu" in log and "Accord avec " in log, log[-3000:]
    if role in ("caseworker", "supervisor"):  # the referral's action forms were read too
        assert any("/actions/referral:cash/" in p for p in _action_pages(c, ref)), role


# where a login may be read: the access log names each user and prints the id small under the
# name (auditors filter by it); a user's own account page. Everywhere else: names.
LOGIN_SHOWN = ("/journal-acces",)


def _logins(live) -> re.Pattern:
    from sqlalchemy import select

    from mno_workflow.store.models import User
    with live.wf.sessions() as s:
        ids = [i for i in s.scalars(select(User.id)) if "." in i]
    return re.compile(r"(?<![\w.@])(?:" + "|".join(map(re.escape, sorted(ids, key=len, reverse=True)))
                      + r")(?![\w.@])")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("role", USERS)
def test_pages_name_people_never_by_their_login(world, role: str, lang: str) -> None:
    """Case header, « En attente de », timeline, note authors, Mon travail, the reassign list,
    action forms: a person by name (« Mariam Kaboré »), never by login (mariam.kabore)."""
    live, ref = world
    c = live.client(USERS[role])
    c.get(f"/langue/{lang}")
    logins, found = _logins(live), {}
    for path in _all_pages(c, ref):
        if path in LOGIN_SHOWN:
            continue
        r = c.get(path, follow_redirects=True)
        if r.status_code == 200:
            hits = logins.findall(visible(r.text))
            if hits:
                found[path] = sorted(set(hits))
            if role == "caseworker" and path == f"/dossiers/{ref}":  # a note, its author by name
                assert "Rendez-vous pris" in r.text and "Point focal DRSAH" in r.text, lang
    assert found == {}, (role, lang, found)


ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
# a day and time without its year (« à répondre avant le 07/12 10:38 »): dates carry their year
NO_YEAR = re.compile(r"\b\d\d/\d\d(?![/\d])\s+\d\d:\d\d\b")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("role", USERS)
def test_pages_write_dates_day_first_never_iso(world, role: str, lang: str) -> None:
    """No ISO date (2025-06-02) in what a page shows, nor a day without its year (07/12 10:38): dates
    read dd/mm/yyyy in both languages
    (i18n/dates.py); machine attributes (value=, datetime=, href) are not text and may keep it."""
    live, ref = world
    c = live.client(USERS[role])
    c.get(f"/langue/{lang}")
    found = {}
    for path in (*_all_pages(c, ref), "/pos/manuel", "/pos/documents", "/pos", "/mon-compte/notifications",
                 "/pos/atelier", "/pos/documents/document"):
        r = c.get(path, follow_redirects=True)
        if r.status_code == 200:
            text = visible(re.sub(r"<(textarea|pre|code)\b.*?</\1>", " ", r.text, flags=re.S))
            hits = ISO_DATE.findall(text) + NO_YEAR.findall(text)
            if hits:
                found[path] = sorted(set(hits))[:3]
    assert found == {}, (role, lang, found)


def _refusals(wf, ref: str):
    """(case, actor, trigger, instance) of four refusals, each naming the trigger in its text."""
    from mno_workflow.engine.engine import Actor

    from .helpers import MARIAM
    return [
        (MARIAM, "accept", "referral:medical"),                  # a provider's action: role not allowed
        (provider("org-masn"), "approve_plan", "referral:cash"),  # another role's action, by a provider
        (MARIAM, "approve_plan", None),                           # not possible in the case's state
        (Actor("focal.oim", "provider", "org-oim"), "accept", "referral:medical"),  # not its referral
    ]


LABELS = {"accept": ("Accepter", "Accept"), "approve_plan": ("Valider le plan", "Approve the plan")}


def test_refusals_name_the_action_by_its_label_in_the_readers_language(world) -> None:
    from mno_workflow.engine.errors import EngineError

    live, _ = world
    ref = case_with_referrals(live.wf)  # medical sent to org-csps
    for actor, trigger, instance in _refusals(live.wf, ref):
        with pytest.raises(EngineError) as e:
            live.wf.fire(ref, trigger, actor, {}, instance=instance)
        fr, en = e.value.message.text("fr"), e.value.message.text("en")
        assert LABELS[trigger][0] in fr and LABELS[trigger][1] in en, (trigger, fr, en)
        for text in (fr, en):
            assert not re.search(rf"\b{trigger}\b", text), (trigger, text)
        assert not re.search(r"[«'‘“] ?(caseworker|provider)\b", fr + en), (fr, en)  # roles: labels


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_refused_action_page_and_api_name_its_label(world, lang: str) -> None:
    live, _ = world
    ref = case_with_referrals(live.wf)
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    r = c.post(f"/dossiers/{ref}/actions/referral:medical/accept",
               data={"csrftoken": c.cookies.get("csrftoken"), "version": "1"})
    assert r.status_code == 403, r.status_code
    text = visible(r.text)
    assert LABELS["accept"][lang == "en"] in text and "« accept »" not in text, text[-800:]
    token = live.client().post("/api/v1/auth/token",
                               json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    r = live.client().post(f"/api/v1/cases/{ref}/fire",
                           headers={"Authorization": f"Bearer {token}", "Accept-Language": lang},
                           json={"trigger": "accept", "instance": "referral:medical", "payload": {}})
    assert r.status_code == 403 and LABELS["accept"][lang == "en"] in r.json()["message"], r.text
    assert not re.search(r"\baccept\b", r.json()["message"]), r.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_notification_counters_say_unread_with_the_plural_of_the_language(world, lang: str) -> None:
    live, _ = world
    case_with_referrals(live.wf)  # tasks for the caseworker and the recipient providers
    words = {"fr": ("non lu", "non lus"), "en": ("unread", "unread")}[lang]
    seen = set()
    for user in ("mariam.kabore", "focal.masn", "focal.csps"):
        c = live.client(user)
        c.get(f"/langue/{lang}")
        nav = re.search(r'<nav class="counts".*?</nav>', c.get("/notifications").text, re.S).group(0)
        counts = re.findall(r'<span class="count">([^<]*)</span>', nav)
        assert len(counts) == 6, counts  # « Tous » and the five groups, each with its counter
        for text in counts:
            n = int(re.fullmatch(r"\((\d+) [^)]+\)", text).group(1))
            assert text == f"({n} {words[n > 1]})", (user, text)
            seen.add(n > 1)
    assert seen == {False, True}, "both forms met"


FRENCH_COLON = re.compile(r"[\w)»”] :(?=\s|$)")


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "coordinator", "provider", "trainer"])
def test_english_pages_glue_labels_with_the_english_colon(world, role: str) -> None:
    """« Label : value » is French typography: an English page says "Label: value" (colon(lang)),
    the directory's match reasons included (catalogue messages, French on the API and CLI)."""
    live, ref = world
    c = live.client(USERS[role])
    c.get("/langue/en")
    found = {}
    for path in (*_pages(ref), "/pos/manuel", "/pos/documents", "/mon-compte/notifications"):
        r = c.get(path, follow_redirects=True)
        if r.status_code == 200:
            text = re.sub(r"\s+", " ", visible(r.text))
            hits = [text[max(0, m.start() - 40):m.end() + 20] for m in FRENCH_COLON.finditer(text)]
            if hits:
                found[path] = hits[:3]
    assert found == {}, (role, found)


def _french_directory_names(live) -> list[str]:
    """The directory's names (organisations, services, the languages services are offered in)
    whose English translation differs: none may be read on an English page."""
    from sqlalchemy import select

    from mno_workflow.directory.tables import TABLES
    from mno_workflow.render.directory_data import read_translations
    from mno_workflow.resources import sample_directory

    english = read_translations(sample_directory(), "en")
    with live.wf.sessions() as s:
        names = {n for t in ("organization", "service", "language")
                 for n in s.scalars(select(TABLES[t].c.name))}
    return sorted(n for n in names if n in english and english[n] != n)


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "coordinator"])
def test_english_pages_name_the_directory_in_english(world, role: str) -> None:
    """Organisations, services and languages by their English names on English pages: the send
    form's service list and proposed providers, the service page's languages, the agreements."""
    live, ref = world
    fresh = case_with_referrals(live.wf, send=False)  # a referral still to send: its send form
    c = live.client(USERS[role])
    c.get("/langue/en")
    french, found, seen = _french_directory_names(live), {}, 0
    assert "Français" in french and len(french) > 30
    for path in (*_all_pages(c, ref), *_action_pages(c, fresh), "/repertoire/services/svc-oim-cash"):
        r = c.get(path, follow_redirects=True)
        if r.status_code != 200:
            continue
        seen += "/send" in path
        page = re.sub(r'<a [^>]*lang="fr"[^>]*>.*?</a>', " ", r.text)  # « Français »: the language switch
        # data being edited, and a service's history (the values as they were written, a record)
        page = re.sub(r'<table class="data" id="history">.*?</table>', " ", page, flags=re.S)
        text = visible(re.sub(r"<(textarea)\b.*?</\1>", " ", page, flags=re.S))
        hits = [f for f in french if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)]
        if hits:
            found[path] = hits[:4]
    assert found == {}, (role, found)
    assert seen or role != "caseworker", "the send form was read"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("role", ["trainer", "coordinator", "caseworker"])
def test_sop_pages_say_conditions_in_words_and_name_the_sop_by_its_title(world, role: str, lang: str) -> None:
    """The handbook and the SOP document: a condition in words (its label, else the expression put
    into words), never CEL (« steps.consent != 'refused' || … »), except as code under a words
    heading for a condition no words can say; the SOP by its title, never its id (« mnr_bf · 2026.3 »,
    the flow diagram's line under the title). The diagrams' hover titles (SVG <title>) are left out."""
    from mno_workflow.render.plain import software_words

    live, _ = world
    c = live.client(USERS[role])
    c.get(f"/langue/{lang}")
    found, seen = {}, 0
    for path in ("/pos/manuel", "/pos/documents/document", "/pos"):
        r = c.get(path, follow_redirects=True)
        if r.status_code != 200:
            continue
        seen += 1
        from mno_workflow.render.plain import WORDS
        unsaid = WORDS[lang]["some_cases"]
        for cell in re.findall(r"<td>((?:(?!</td>).)*?<code>(?:(?!</td>).)*)</td>", r.text, flags=re.S):
            words = cell.split("<code>", 1)[0]  # an expression shown only under « in some cases »
            code = html.unescape(cell.split("<code>", 1)[1])
            if software_words(code) and unsaid not in html.unescape(words):
                found.setdefault(path, []).append(visible(cell)[:120])
        page = re.sub(r"<(code|pre|textarea|title)\b.*?</\1>", " ", r.text, flags=re.S)
        text = visible(page)
        hits = software_words(text) + re.findall(r"\bmnr_bf\b", text)
        if hits:
            found.setdefault(path, []).extend(sorted(set(hits))[:6])
    assert seen >= 1 and found == {}, (role, lang, found)
