"""The workbench runs a draft's scenarios as ``mno test`` does (tryout 4, G20): every error of a
scenario file in one run (an impossible instant no longer hides the unknown role and action of the
same file), in the page's language, without pydantic's English."""

from __future__ import annotations

import html
import re

from ..kit.test_kit__errors_at_once import ENGLISH
from .conftest import csrf_of
from .test_web__workbench_scenarios import _published_with_scenario, _run

BROKEN = """\
scenario: Essai
sop: ../mnr.yaml
start: 2025-06-31T08:00:00Z
steps:
  - create: {as: m:casewoker}
  - fire: regster
    as: m:caseworker
  - expect:
      deadline: {instance: identification, due: "2026-02-30"}
"""


def test_the_workbench_says_every_error_of_a_scenario_at_once(live, tmp_path):
    _published_with_scenario(live, tmp_path)
    c = live.client("auteur.pos")
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf_of(home.text)})
    number = int(r.headers["location"].rsplit("/", 1)[1])
    csrf = csrf_of(c.get(f"/pos/atelier/brouillons/{number}").text)
    r = c.post(f"/pos/atelier/brouillons/{number}/scenario",
               data={"name": "essai.yaml", "text": BROKEN, "csrftoken": csrf})
    assert r.status_code == 303
    for lang, words in (("fr", ["date impossible « 2025-06-31T08:00:00Z »", "rôle inconnu « casewoker »",
                                "action inconnue « regster »", "'2026-02-30' n'est pas une date qui existe"]),
                        ("en", ["impossible date '2025-06-31T08:00:00Z'", "unknown role 'casewoker'",
                                "unknown action 'regster'", "'2026-02-30' is not a date that exists"])):
        c.get(f"/langue/{lang}", params={"next": "/"})
        out = html.unescape(_run(c, number, csrf))
        for w in words:
            assert w in out, (lang, w)
        assert not ENGLISH.search(out), ENGLISH.search(out)
        assert len(re.findall(r"valid list|liste est attendue|list is expected", out)) == 0
