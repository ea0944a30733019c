"""The web language survives signing in (tryout 5, H2): the choice made while signed in is the
user's (kept for the next sign-in, in another browser too), and an account that never chose gets
the language its login page was shown in (the browser's), not French."""

from __future__ import annotations

import httpx

from .conftest import PASSWORD


def _login(live, user: str, accept: str) -> httpx.Client:
    c = httpx.Client(base_url=live.url, follow_redirects=False, timeout=60,
                     headers={"Accept-Language": accept})
    c.get("/login")
    r = c.post("/login", data={"username": user, "password": PASSWORD,
                               "csrftoken": c.cookies.get("csrftoken")})
    assert r.status_code == 303, r.text
    return c


def test_an_english_browser_keeps_english_after_signing_in(live):
    c = _login(live, "focal.masn", "en-GB,en;q=0.9")
    page = c.get("/prestataire").text
    assert 'lang="en"' in page, page[:300]


def test_the_language_chosen_while_signed_in_is_kept_for_the_next_sign_in(live):
    c = _login(live, "focal.masn", "fr-FR,fr;q=0.9")
    assert 'lang="fr"' in c.get("/prestataire").text
    c.get("/langue/en", params={"next": "/prestataire"})
    c.post("/logout", data={"csrftoken": c.cookies.get("csrftoken")})
    other = _login(live, "focal.masn", "fr-FR,fr;q=0.9")  # another browser, French
    assert 'lang="en"' in other.get("/prestataire").text
    other.get("/langue/fr", params={"next": "/prestataire"})
    third = _login(live, "focal.masn", "fr-FR,fr;q=0.9")
    assert 'lang="fr"' in third.get("/prestataire").text
