"""The workbench's scenario results as the author knows the files (tryout 5, H9): a failure is
named « 06_non_eligible.yaml:12 » (its name under « Scénarios du brouillon »), never the temporary
folder the draft ran in; the coverage is written as ``mno test`` writes it, with the language's
decimal sign (« 87,5 % », "87.5%"); without JavaScript « Lancer les scénarios » and « Comparer »
are plain form posts whose answer is the draft's page with the results in place."""

from __future__ import annotations

import html
import re

from .conftest import csrf_of
from .test_web__workbench_scenarios import SCENARIO, _published_with_scenario

HTMX = {"hx-request": "true"}


def _draft_with_failing_scenario(live, tmp_path):
    """A draft of the BF SOP with the copied scenario (passes, covers part of the SOP) and one of
    its own that fails at an ``expect`` line."""
    _published_with_scenario(live, tmp_path)
    c = live.client("auteur.pos")
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf_of(home.text)})
    number = int(r.headers["location"].rsplit("/", 1)[1])
    csrf = csrf_of(c.get(f"/pos/atelier/brouillons/{number}").text)
    r = c.post(f"/pos/atelier/brouillons/{number}/scenario",
               data={"name": "mien.yaml", "text": SCENARIO.replace("case: closed", "case: open"),
                     "csrftoken": csrf})
    assert r.status_code == 303
    return c, number, csrf


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_results_name_the_scenario_and_say_the_percentages_in_the_language(live, tmp_path):
    c, number, csrf = _draft_with_failing_scenario(live, tmp_path)
    for lang, decimal, other in (("fr", ",", "."), ("en", ".", ",")):
        c.get(f"/langue/{lang}", params={"next": "/"})
        out = c.post(f"/pos/atelier/brouillons/{number}/scenarios", data={"csrftoken": csrf},
                     headers={"x-csrftoken": csrf, **HTMX})
        assert out.status_code == 200
        text = _text(out.text)
        assert re.search(r"(?<![\w/])mien\.yaml:\d+ ", text), text
        assert "/tmp" not in text and "mno-draft-" not in text and "scenarios/" not in text, text
        (coverage,) = re.findall(r'<p class="coverage">(.*?)</p>', out.text)
        percents = re.findall(r"(\d+[.,]\d) ?\u202f?%", html.unescape(coverage))
        assert len(percents) == 2 and all(decimal in p and other not in p for p in percents), coverage
        assert "%%" not in coverage and " % %" not in coverage
        if lang == "fr":
            assert re.search(r"\d,\d\u202f% des états", html.unescape(coverage)), coverage
        else:
            assert re.search(r"\d\.\d% of states", html.unescape(coverage)), coverage


def test_without_javascript_the_buttons_post_the_form_and_the_page_shows_the_results(live, tmp_path):
    c, number, csrf = _draft_with_failing_scenario(live, tmp_path)
    page = c.get(f"/pos/atelier/brouillons/{number}").text
    for ident, path in (("run-scenarios", "scenarios"), ("compare", "comparer")):
        button = re.search(rf'<button[^>]*id="{ident}"[^>]*>', page).group(0)
        assert 'type="submit"' in button and f'formaction="/pos/atelier/brouillons/{number}/{path}' in button
        assert re.search(r'<form method="post" action="[^"]+/enregistrer" id="draft-form"', page)
    # a plain post (no HX-Request): the whole draft page, the results in « #draft-results »
    r = c.post(f"/pos/atelier/brouillons/{number}/scenarios", data={"csrftoken": csrf, "source": "ignored"})
    assert r.status_code == 200
    assert 'id="draft-form"' in r.text and 'id="source"' in r.text  # the editor is still there
    results = r.text.split('id="draft-results"', 1)[1].split("</section>", 1)[0]
    assert 'id="scenarios-summary" class="error">1/2' in results
    r = c.post(f"/pos/atelier/brouillons/{number}/comparer", data={"csrftoken": csrf})
    assert r.status_code == 200 and 'id="draft-form"' in r.text
    results = r.text.split('id="draft-results"', 1)[1].split("</section>", 1)[0]
    assert "Comparaison avec la version publiée" in results
    # htmx still gets the card alone
    r = c.post(f"/pos/atelier/brouillons/{number}/scenarios", data={"csrftoken": csrf},
               headers={"x-csrftoken": csrf, **HTMX})
    assert 'id="draft-form"' not in r.text and 'id="scenarios-summary"' in r.text
    # « Publier… » is a link to its own page, which works without JavaScript
    assert c.get(f"/pos/atelier/brouillons/{number}/publier").status_code == 200


def test_a_file_named_in_a_message_is_named_as_in_the_draft_in_both_languages():
    """« POS invalide : autre.yaml », never « /tmp/mno-draft-…/autre.yaml », at « essai.yaml:2 »."""
    from pathlib import Path

    from mno_workflow.store.models import SopDraft
    from mno_workflow.web.workbench import run_scenarios

    mini = Path(__file__).resolve().parents[1] / "fixtures" / "render" / "mini_mnr.yaml"
    source = mini.read_text(encoding="utf-8")
    scenario = ("scenario: Essai\nsop: ../autre.yaml\nstart: 2025-06-02T08:00:00Z\n"
                "steps:\n  - create: {as: m:caseworker}\n")
    run = run_scenarios(SopDraft(source=source, files={"scenarios/essai.yaml": scenario}), "pos/mnr.yaml")
    (result,) = run["results"]
    assert result["path"] == "essai.yaml"
    first = result["failures"][0]
    assert (first["path"], first["line"]) == ("essai.yaml", 2)
    assert first["message"].text("fr") == first["message"] == "POS invalide : autre.yaml"
    assert first["message"].text("en") == "invalid SOP: autre.yaml"
    assert all("mno-draft-" not in f["message"].text(lang) and f["path"] in ("essai.yaml", "autre.yaml")
               for f in result["failures"] for lang in ("fr", "en"))
