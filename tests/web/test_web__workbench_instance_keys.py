"""The SOP workbench's checker knows ``instance_keys`` and ``rows_from`` (issue 18, F18): the BF
SOP's draft, which uses both on the follow-up form, checks clean; a misspelt step after
``instance_keys.`` or in ``rows_from`` is reported at its line with its code, as ``mno validate``
does."""

from __future__ import annotations

import html
import re

from .conftest import csrf_of
from .workbench_helpers import author_and_version


def test_the_workbench_checks_instance_keys_and_rows_from(live, tmp_path):
    author_and_version(live, tmp_path)
    c = live.client("auteur.pos")
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf_of(home.text)})
    number = int(r.headers["location"].rsplit("/", 1)[1])
    page = c.get(f"/pos/atelier/brouillons/{number}")
    assert 'id="diagnostics-ok"' in page.text  # the BF SOP uses both: it checks clean
    text = html.unescape(page.text.split('name="source"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0])
    assert "instance_keys.referral" in text and "rows_from" in text
    csrf = csrf_of(page.text)
    lines = text.split("\n")
    for needle, wrong, code in (("instance_keys.referral", "instance_keys.referal", "E039"),
                                ("step: referral", "step: referal", "E024")):
        n = next(i for i, line in enumerate(lines) if needle in line
                 and (code != "E024" or "rows_from" in lines[i - 1]))
        broken = "\n".join(lines[:n] + [lines[n].replace(needle, wrong)] + lines[n + 1:])
        r = c.post(f"/pos/atelier/brouillons/{number}/verifier", data={"source": broken, "csrftoken": csrf},
                   headers={"x-csrftoken": csrf})
        assert r.status_code == 200
        assert re.search(rf'data-goto="{n + 1}">ligne {n + 1}, col \d+</a> · <strong>{code}</strong> erreur',
                         r.text), (code, re.findall(r"<strong>E\d+</strong>", r.text))
