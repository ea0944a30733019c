"""A stale « Rectifier l'identification » (tryout 10, M8): two tabs open on the same version, the
second save answers the ordinary stale page (not « plus possible ») — the input kept in a form that
can be sent again, the values the first tab changed listed and kept (the field the second tab left
as it was takes the value now, so the second save does not undo the first) — in French and
English."""

from __future__ import annotations

import html
import re

import pytest

from mno_workflow.store import repository

from .conftest import csrf_of
from .helpers import IDENT, case_with_referrals
from .test_web__rectification import URL, _fields

WORDS = {
    "fr": ("Ce dossier a été modifié depuis que vous l'avez ouvert", "Vos saisies sont conservées",
           "Commune : — → Baskuy", "Rectifier l'identification</button>", "n'est plus possible"),
    "en": ("This case changed since you opened it", "Your input is kept below",
           "Commune: — → Baskuy", "Rectify identification</button>", "no longer possible"),
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_stale_rectification_can_be_saved_again_without_undoing_the_other(live, lang):
    ref = case_with_referrals(live.wf)
    cw = live.client("mariam.kabore")
    if lang == "en":
        cw.get("/langue/en")
    tab_a, tab_b = cw.get(URL.format(ref=ref)).text, cw.get(URL.format(ref=ref)).text
    a = {**_fields(tab_a), "csrftoken": csrf_of(tab_a), "commune": "Baskuy", "reason": "Motif A",
         "vulnerabilities": IDENT["vulnerabilities"]}
    assert cw.post(URL.format(ref=ref), data=a).status_code == 303
    b = {**_fields(tab_b), "csrftoken": csrf_of(tab_b), "last_name": "Sanou-Traoré", "reason": "Tab 2 motif",
         "vulnerabilities": IDENT["vulnerabilities"]}
    r = cw.post(URL.format(ref=ref), data=b)
    assert r.status_code == 409, r.text[:500]
    page = html.unescape(r.text)
    title, kept, change, button, gone = WORDS[lang]
    assert title in page and kept in page and gone not in page
    assert button in page  # a way to save again
    assert change in page  # what the other tab changed
    again = _fields(r.text)
    assert again["last_name"] == "Sanou-Traoré" and again["commune"] == "Baskuy"  # both kept
    assert re.search(r'<textarea[^>]*name="reason"[^>]*>\s*Tab 2 motif</textarea>', r.text)
    again["reason"] = "Tab 2 motif"
    r = cw.post(URL.format(ref=ref), data={**again, "csrftoken": csrf_of(r.text),
                                           "vulnerabilities": IDENT["vulnerabilities"]})
    assert r.status_code == 303, r.text[:800]
    with live.wf.sessions() as s:
        ident = repository.get_case(s, ref).data["identification"]
    assert ident["last_name"] == "Sanou-Traoré" and ident["commune"] == "Baskuy"


def test_a_field_both_tabs_changed_keeps_this_input(live):
    ref = case_with_referrals(live.wf)
    cw = live.client("mariam.kabore")
    tab_a, tab_b = cw.get(URL.format(ref=ref)).text, cw.get(URL.format(ref=ref)).text
    for tab, commune in ((tab_a, "Baskuy"), (tab_b, "Nongr-Massom")):
        r = cw.post(URL.format(ref=ref), data={**_fields(tab), "csrftoken": csrf_of(tab), "commune": commune,
                                               "reason": "x", "vulnerabilities": IDENT["vulnerabilities"]})
    assert r.status_code == 409 and _fields(r.text)["commune"] == "Nongr-Massom"
    assert "Commune : — → Baskuy" in html.unescape(r.text)
