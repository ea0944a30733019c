"""The SOP workbench says a CEL syntax error as ``mno validate`` does (tryout 4, G2): in the page's
language, at the column inside the condition and at the line of the draft, never the parser's
English (« Failed to parse expression … token recognition error »)."""

from __future__ import annotations

import html
import re

from .conftest import csrf_of
from .workbench_helpers import author_and_version

PARSER = re.compile(r"Failed to parse|Syntax error|&lt;input&gt;|token recognition|mismatched|extraneous")


def test_the_workbench_says_a_cel_syntax_error_in_words(live, tmp_path):
    author_and_version(live, tmp_path)
    c = live.client("auteur.pos")
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf_of(home.text)})
    number = int(r.headers["location"].rsplit("/", 1)[1])
    page = c.get(f"/pos/atelier/brouillons/{number}")
    text = html.unescape(page.text.split('name="source"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0])
    lines = text.split("\n")
    n = next(i for i, line in enumerate(lines) if "open_instances.referral == 0 &&" in line)
    wrong = lines[n].replace("open_instances.referral == 0", "open_instances.referral = 0")
    broken = "\n".join(lines[:n] + [wrong] + lines[n + 1:])
    assert broken != text
    csrf = csrf_of(page.text)
    for lang, words in (("fr", "l'expression CEL ne se lit pas à la colonne 25 : « = » inattendu "
                               "(pour comparer, écrire « == »)"),
                        ("en", "the CEL expression cannot be read at column 25: '=' unexpected "
                               "(to compare, write '==')")):
        c.get(f"/langue/{lang}", params={"next": "/"})
        r = c.post(f"/pos/atelier/brouillons/{number}/verifier", data={"source": broken, "csrftoken": csrf},
                   headers={"x-csrftoken": csrf})
        assert r.status_code == 200
        col = lines[n].index("open_instances.referral") + 25  # the '=' itself (however the value is quoted)
        line_word = "ligne" if lang == "fr" else "line"
        assert re.search(rf'data-goto="{n + 1}">{line_word} {n + 1}, col {col}</a> · <strong>E027</strong>',
                         r.text), re.findall(r"data-goto=[^·]*· <strong>E\d+</strong>", r.text)
        assert html.escape(words, quote=False) in r.text or words in html.unescape(r.text), lang
        assert not PARSER.search(r.text), PARSER.search(r.text)
