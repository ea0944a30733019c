"""The SOP workbench on a draft saved with errors: « Lancer les scénarios » and « Comparer » are
disabled, the reason said next to them (French and English); fixed and saved, they are enabled
again. No empty box: the results card appears only with results, and the comparison has no
empty code block."""

from __future__ import annotations

import html
import re

from .conftest import csrf_of
from .workbench_helpers import author_and_version

HTMX = {"hx-request": "true"}  # as htmx posts: the card alone (a plain post gets the whole page)


def _new_draft(c) -> int:
    page = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf_of(page.text)})
    assert r.status_code == 303
    return int(r.headers["location"].rsplit("/", 1)[1])


def _button(page: str, ident: str) -> str:
    return re.search(rf'<button[^>]* id="{ident}"[^>]*>', page)[0]


def test_scenarios_and_compare_disabled_with_the_reason_while_the_saved_draft_has_errors(live, tmp_path):
    author_and_version(live, tmp_path)
    c = live.client("auteur.pos")
    number = _new_draft(c)
    page = c.get(f"/pos/atelier/brouillons/{number}").text
    assert " disabled" not in _button(page, "run-scenarios") and " disabled" not in _button(page, "compare")
    assert 'id="why-no-run"' not in page
    assert '<section id="draft-results" aria-live="polite"></section>' in page  # no empty card
    text = html.unescape(page.split('name="source"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0])
    csrf = csrf_of(page)
    r = c.post(f"/pos/atelier/brouillons/{number}/comparer", headers=HTMX | {"x-csrftoken": csrf})
    assert '<div class="card">' in r.text and re.search(r'<pre id="diff">\S', r.text)

    broken = text.replace("to: sent\n", "to: sentt\n", 1)
    assert broken != text
    c.post(f"/pos/atelier/brouillons/{number}/enregistrer", data={"source": broken, "csrftoken": csrf})
    page = c.get(f"/pos/atelier/brouillons/{number}").text
    for ident in ("run-scenarios", "compare"):
        assert ' disabled aria-describedby="why-no-run"' in _button(page, ident)
    why = re.search(r'<span id="why-no-run" class="error">([^<]*)</span>', page)[1]
    assert why == ("Scénarios et comparaison indisponibles : le brouillon enregistré a 1 erreur, "
                   "corrigez-la puis enregistrez."), why
    c.get("/langue/en", params={"next": "/"})
    page = c.get(f"/pos/atelier/brouillons/{number}").text
    why = re.search(r'<span id="why-no-run" class="error">([^<]*)</span>', page)[1]
    assert why == "Scenarios and comparison unavailable: the saved draft has 1 error; fix it, then save.", why
    # the comparison of a draft with errors says so, without an empty code block
    r = c.post(f"/pos/atelier/brouillons/{number}/comparer", headers=HTMX | {"x-csrftoken": csrf})
    assert r.status_code == 200 and "<pre" not in r.text

    c.post(f"/pos/atelier/brouillons/{number}/enregistrer", data={"source": text, "csrftoken": csrf_of(page)})
    page = c.get(f"/pos/atelier/brouillons/{number}").text
    assert " disabled" not in _button(page, "run-scenarios") and 'id="why-no-run"' not in page
