"""Tryout findings 5, 6 and 7: error pages in the reader's language. A form field over the 1 MB
limit of Starlette's form parser gets a 413 page that explains it with a way back to the form;
every path that only receives forms (POST) answers GET with a redirect to the page holding the
form (found by walking the app's routes); a refusal of the engine has words as its heading."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from .helpers import case_with_referrals

BIG = "x" * (1024 * 1024 + 10)  # over Starlette's max_part_size (1024 KB)


def heading(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)).split())


@pytest.mark.parametrize(("lang", "title", "back"), [("en", "Form too large", "Back to the form"),
                                                      ("fr", "Formulaire trop volumineux",
                                                       "Revenir au formulaire")])
def test_field_over_the_form_limit__413_in_the_readers_language(live, lang, title, back):
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    r = c.post("/dossiers/nouveau", data={"csrftoken": c.cookies.get("csrftoken"), "last_name": BIG,
                                          "first_name": "Aminata"},
               headers={"Referer": f"{live.url}/dossiers/nouveau"})
    assert r.status_code == 413
    assert heading(r.text) == f"{title} (413)"
    # Starlette's « Part exceeded maximum size of 1024KB » is not shown (a size in KB; the page's
    # random CSRF token may hold the letters "KB")
    assert "exceeded" not in r.text and not re.search(r"[0-9] ?KB\b", r.text)
    assert f'<a href="/dossiers/nouveau" data-history-back>{back}</a>' in r.text
    assert f'<html lang="{lang}"' in r.text


def test_field_over_the_limit_in_a_multipart_form(live):
    ref = case_with_referrals(live.wf)
    c = live.client("mariam.kabore")
    c.get("/langue/en")
    r = c.post(f"/dossiers/{ref}/pieces/referral:cash",
               data={"csrftoken": c.cookies.get("csrftoken"), "description": BIG},
               files={"file": ("a.txt", b"hello", "text/plain")},
               headers={"Referer": f"{live.url}/dossiers/{ref}"})
    assert r.status_code == 413 and heading(r.text) == "Form too large (413)"
    assert "Part exceeded" not in r.text and f'href="/dossiers/{ref}" data-history-back' in r.text


def test_a_foreign_referer_gives_no_back_link(live):
    c = live.client("mariam.kabore")
    r = c.post("/dossiers/nouveau", data={"csrftoken": c.cookies.get("csrftoken"), "last_name": BIG},
               headers={"Referer": "https://evil.example//evil.example/x"})
    assert r.status_code == 413 and "data-history-back" not in r.text


def _routes(routes):
    for r in routes:
        inner = getattr(r, "original_router", None)  # an included router (FastAPI)
        if inner is not None:
            yield from _routes(inner.routes)
        elif isinstance(r, Route):
            yield r


def shape(path: str) -> tuple[str, ...]:
    return tuple("{}" if x.startswith("{") else x for x in path.strip("/").split("/"))


def test_every_post_only_path_answers_get(live):
    ref = case_with_referrals(live.wf)
    app = live.server.config.app
    routes = list(_routes(app.routes))
    gets = {shape(r.path) for r in routes if "GET" in r.methods and not r.name.endswith("_get")}
    post_only = sorted({r.path for r in routes if "POST" in r.methods and shape(r.path) not in gets})
    assert "/dossiers/{reference}/delais/{instance}/prolonger" in post_only and "/logout" in post_only
    sup = live.client("idrissa.sanou")
    got = {}
    for path in post_only:
        url = path.replace("{reference}", ref).replace("{service_id}", "svc-oim-cash")
        url = url.replace("{uid}", "mariam.kabore")
        url = re.sub(r"\{[a-z_]+(:[a-z]+)?\}", "1", url)
        r = sup.get(url)
        assert r.status_code == 303, (path, r.status_code)
        got[path] = r.headers["location"].replace(ref, "{reference}")
        landing = sup.get(r.headers["location"])
        assert landing.status_code in (200, 303, 403), (path, r.headers["location"], landing.status_code)
    assert got["/dossiers/{reference}/delais/{instance}/prolonger"] == "/dossiers/{reference}"
    assert got["/dossiers/{reference}/reattribuer"] == "/dossiers/{reference}"
    assert got["/dossiers/reattribuer"] == "/dossiers"
    assert got["/travail/relancer/{reference}/{instance}"] == "/travail"
    assert got["/logout"] == "/"
    assert got["/mon-compte/jetons"] == "/mon-compte/acces"
    assert "/dossiers/{reference}/pieces/{instance}" not in got  # GET: the download of a piece
    assert got["/repertoire/services/{service_id}/verifier"] == "/repertoire/services/svc-oim-cash"


@pytest.mark.parametrize(("lang", "words"), [("en", "Request not accepted at this address"),
                                              ("fr", "Demande non acceptée à cette adresse")])
def test_405_and_404_pages_in_the_readers_language(live, lang, words):
    c = live.client("idrissa.sanou")
    c.get(f"/langue/{lang}")
    r = c.post("/travail", data={"csrftoken": c.cookies.get("csrftoken")})
    assert r.status_code == 405 and heading(r.text) == f"{words} (405)"
    assert "Method Not Allowed" not in r.text
    r = c.get("/nulle-part")
    assert r.status_code == 404 and "Not Found" not in r.text
    assert heading(r.text) == ("Page not found (404)" if lang == "en" else "Page introuvable (404)")


@pytest.mark.parametrize(("lang", "words"), [("en", "Access denied"), ("fr", "Accès refusé")])
def test_refusal_heading_is_words_not_a_code(live, lang, words):
    ref = case_with_referrals(live.wf)
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    r = c.get(f"/dossiers/{ref}/actions/referral:cash/accept")
    assert r.status_code == 403
    assert heading(r.text) == f"{words} (403)" and "role_not_allowed" not in r.text


def test_engine_refusal_headings_by_status():
    from mno_workflow.web.error_pages import engine_title

    for status in (400, 403, 404, 409, 410, 422, 423, 500):
        for lang in ("fr", "en"):
            title = engine_title(status, lang)
            assert title and "_" not in title and not title.isdigit()
    assert engine_title(409, "en") == "Action not possible"


@pytest.mark.parametrize(("lang", "words"), [("en", "The form expired"), ("fr", "Le formulaire a expiré")])
def test_csrf_refusal_in_the_readers_language(live, lang, words):
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    r = c.post("/logout", data={"csrftoken": "forged"})
    assert r.status_code == 403 and words in r.text and f'<html lang="{lang}"' in r.text
    anonymous = live.client()
    anonymous.get("/login")
    r = anonymous.post("/login", data={"csrftoken": "forged"})
    assert r.status_code == 403 and '<html lang="fr"' in r.text


def test_too_many_fields_in_words_of_the_catalogue(live):
    ref = case_with_referrals(live.wf)
    c = live.client("mariam.kabore")
    c.get("/langue/en")
    r = c.post(f"/dossiers/{ref}/pieces/referral:cash",
               data={"csrftoken": c.cookies.get("csrftoken"), **{f"f{i}": "x" for i in range(20)}},
               files={"file": ("a.txt", b"hello", "text/plain")})
    assert r.status_code == 400 and heading(r.text) == "Error (400)"
    assert "The request could not be processed." in r.text and "Too many" not in r.text
