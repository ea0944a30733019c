"""The workbench runs the draft's own scenarios on the draft's text (issue 14): a new draft carries
a copy of the scenarios next to the published file; a state renamed in the draft makes the copied
scenario fail (it runs on the draft, not on the published file); the author fixes the draft's
scenario on the page and it passes; a scenario added to the draft runs too; bad names refused."""

from __future__ import annotations

import html
import re

import pytest

from mno_workflow.sop.loader import load_file
from mno_workflow.web.demo_data import DemoUser, create_users

from ..conftest import BF_SOP
from ..engine.sop_variants import dump, parse, rename_state
from .conftest import csrf_of

SCENARIO = (BF_SOP.parent / "scenarios" / "06_non_eligible.yaml").read_text(encoding="utf-8")



@pytest.fixture
def live(live_any):
    """The workbench on SQLite and on PostgreSQL (tests/web/conftest.py ``live_any``)."""
    return live_any

def _published_with_scenario(live, tmp_path) -> None:
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS", "sop_author")])
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    doc["version"] = "2099.1"
    (tmp_path / "pos" / "scenarios").mkdir(parents=True)
    (tmp_path / "pos" / "mnr.yaml").write_text(dump(doc), encoding="utf-8")
    (tmp_path / "pos" / "scenarios" / "06_non_eligible.yaml").write_text(SCENARIO, encoding="utf-8")
    live.wf.load_sop(load_file(tmp_path / "pos" / "mnr.yaml"))


def _run(c, number: int, csrf: str) -> str:
    r = c.post(f"/pos/atelier/brouillons/{number}/scenarios", data={"csrftoken": csrf},
               headers={"x-csrftoken": csrf})
    assert r.status_code == 200
    return r.text


def _textarea(page: str, name: str) -> str:
    return html.unescape(page.split(f'name="{name}"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0])


def test_scenarios_run_on_the_draft_and_the_draft_carries_its_own(live, tmp_path):
    _published_with_scenario(live, tmp_path)
    c = live.client("auteur.pos")
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf_of(home.text)})
    number = int(r.headers["location"].rsplit("/", 1)[1])
    page = c.get(f"/pos/atelier/brouillons/{number}")
    csrf = csrf_of(page.text)
    assert "<summary>06_non_eligible.yaml</summary>" in page.text        # copied into the draft
    assert 'id="scenarios-summary" class="ok">1/1' in _run(c, number, csrf)

    # The draft renames the state the scenario expects: the scenario now fails on the draft.
    doc = parse(_textarea(page.text, "source"))
    rename_state(doc, "identification", "not_eligible", "ineligible")
    r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": dump(doc), "revision": "1", "csrftoken": csrf})
    assert r.status_code == 303
    out = _run(c, number, csrf)
    assert 'id="scenarios-summary" class="error">0/1' in out and "not_eligible" in out

    # The author fixes the draft's own copy of the scenario: it passes; the published file is unchanged.
    fixed = SCENARIO.replace("not_eligible", "ineligible")
    r = c.post(f"/pos/atelier/brouillons/{number}/scenario",
               data={"name": "06_non_eligible.yaml", "text": fixed, "csrftoken": csrf})
    assert r.status_code == 303
    assert 'id="scenarios-summary" class="ok">1/1' in _run(c, number, csrf)
    assert "not_eligible" in (tmp_path / "pos" / "scenarios" / "06_non_eligible.yaml").read_text("utf-8")

    # A scenario of the draft's own, failing on purpose, is run too; a bad name is refused.
    own = SCENARIO.replace("not_eligible", "ineligible").replace("case: closed", "case: open")
    c.post(f"/pos/atelier/brouillons/{number}/scenario",
           data={"name": "mien.yaml", "text": own, "csrftoken": csrf})
    out = _run(c, number, csrf)
    assert 'class="error">1/2' in out
    r = c.post(f"/pos/atelier/brouillons/{number}/scenario",
               data={"name": "../evil.yaml", "text": own, "csrftoken": csrf}, follow_redirects=True)
    assert "Nom de scénario invalide" in r.text
    page = c.get(f"/pos/atelier/brouillons/{number}")
    assert re.findall(r"<summary>([^<]+)</summary>", page.text) == ["06_non_eligible.yaml", "mien.yaml"]
    # an empty text removes the draft's scenario
    c.post(f"/pos/atelier/brouillons/{number}/scenario",
           data={"name": "mien.yaml", "text": "", "csrftoken": csrf})
    assert 'class="ok">1/1' in _run(c, number, csrf)


def test_scenarios_fixed_in_a_draft_are_kept_with_the_version_it_publishes(live, tmp_path):
    """Tryout 6, I10: the scenario corrected in draft 1 is published with 2099.2; draft 2 (from
    2099.2) gets that corrected scenario, not the old one of the folder next to 2099.1's file,
    and it passes on the published text, so publication is not blocked."""
    _published_with_scenario(live, tmp_path)
    c = live.client("auteur.pos")
    csrf = csrf_of(c.get("/pos/atelier").text)
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf})
    first = int(r.headers["location"].rsplit("/", 1)[1])
    page = c.get(f"/pos/atelier/brouillons/{first}").text
    doc = parse(_textarea(page, "source"))
    doc["version"] = "2099.2"
    rename_state(doc, "identification", "not_eligible", "ineligible")
    assert c.post(f"/pos/atelier/brouillons/{first}/enregistrer",
                  data={"source": dump(doc), "csrftoken": csrf}).status_code == 303
    fixed = SCENARIO.replace("not_eligible", "ineligible")
    c.post(f"/pos/atelier/brouillons/{first}/scenario",
           data={"name": "06_non_eligible.yaml", "text": fixed, "csrftoken": csrf})
    assert 'class="ok">1/1' in _run(c, first, csrf)
    r = c.post(f"/pos/atelier/brouillons/{first}/publier", data={"go": "publish", "csrftoken": csrf})
    assert r.status_code == 303, r.text[:3000]

    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf})
    second = int(r.headers["location"].rsplit("/", 1)[1])
    page = c.get(f"/pos/atelier/brouillons/{second}").text
    assert "<summary>06_non_eligible.yaml</summary>" in page
    kept = _textarea(page, "text")
    assert "ineligible" in kept and "not_eligible" not in kept, kept
    assert 'class="ok">1/1' in _run(c, second, csrf)
    # the folder next to 2099.1's file still holds the old scenario: the version's own won
    assert "not_eligible" in (tmp_path / "pos" / "scenarios" / "06_non_eligible.yaml").read_text("utf-8")
    doc = parse(_textarea(page, "source"))
    doc["version"] = "2099.3"
    doc["title"] = {"fr": "MNR (libellé changé)", "en": "NRM (label changed)"}
    assert c.post(f"/pos/atelier/brouillons/{second}/enregistrer",
                  data={"source": dump(doc), "csrftoken": csrf}).status_code == 303
    for lang, failing in (("fr", "des scénarios échouent"), ("en", "some scenarios fail")):
        c.get(f"/langue/{lang}", params={"next": "/"})
        r = c.post(f"/pos/atelier/brouillons/{second}/publier", data={"go": "preview", "csrftoken": csrf})
        assert r.status_code == 200 and 'id="dry-run"' in r.text and failing not in r.text, r.text[:3000]
    c.get("/langue/fr", params={"next": "/"})
