"""An extension and a reassignment as the case page's timeline and the person-data document
(access request, handed to the person) say them, in French and in English: names, not logins;
instants in the SOP's time zone, not ISO; « Oui »/"Yes", not True; labels, not the stored keys
(tryout 2, findings 7 and 30; engine/event_words.py)."""

from __future__ import annotations

import re
from html import unescape

from mno_workflow.store.models import User

from .helpers import IDRISSA, case_with_referrals

RAW = ("mariam.kabore", "ali.kone", "idrissa.sanou", "True", "False", "old_due_at", "new_due_at",
       "from_due", "reason:", "by:", "working days")


def _words(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _assert_in_words(text: str) -> None:
    for raw in RAW:
        assert raw not in text, (raw, text[max(0, text.find(raw) - 200):text.find(raw) + 100])
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d", text), text


def _case(live) -> str:
    ref = case_with_referrals(live.wf)
    with live.wf.sessions.begin() as s:
        s.add(User(id="ali.kone", display_name="Ali Koné", role="caseworker", region="kadiogo"))
    live.wf.extend_deadline(ref, "referral:cash", "5 working days", "Personne en déplacement", IDRISSA,
                            from_due=True)
    assert live.wf.reassign([ref], "ali.kone", IDRISSA, "Charge de travail") == [ref]
    return ref


def test_timeline_says_extension_and_reassignment_in_words(live):
    ref = _case(live)
    for lang, words in (("fr", ("Réattribué : Mariam Kaboré → Ali Koné — Charge de travail",
                                "Délai prolongé : Personne en déplacement — 5 jours ouvrables (",
                                ", depuis l'échéance)")),
                        ("en", ("Mariam Kaboré → Ali Koné", "Personne en déplacement — 5 working",
                                ", from the due date)"))):
        sup = live.client("idrissa.sanou")
        sup.get(f"/langue/{lang}")
        page = sup.get(f"/dossiers/{ref}").text
        box = page[page.index('class="timeline"'):]
        text = " ".join(_words(box[:box.index("</ol>")]).split())
        for w in words:
            assert w in text, (w, text)
        if lang == "en":  # the English words, not the French ones
            assert "Réattribué" not in text and "ouvrables" not in text and " : " not in text
            text = text.replace("5 working days (", "")  # the duration in words: allowed here
        _assert_in_words(text)


def test_person_data_document_says_extension_and_reassignment_in_words(live):
    ref = _case(live)
    for lang, words in (("fr", ("Ancien gestionnaire", "Mariam Kaboré", "Nouveau gestionnaire", "Ali Koné",
                                "Depuis l'échéance", "Oui", "5 jours ouvrables", "Ancienne échéance")),
                        ("en", ("Previous case manager", "Mariam Kaboré", "New case manager", "Ali Koné",
                                "Yes", "5 working days", "Former due date"))):
        sup = live.client("idrissa.sanou")
        sup.get(f"/langue/{lang}")
        r = sup.get(f"/dossiers/{ref}/donnees-personne")
        assert r.status_code == 200, r.text
        text = " ".join(_words(r.text.split("</style>", 1)[1]).split())
        for w in words:
            assert w in text, (w, text)
        if lang == "en":
            text = text.replace("5 working days", "")
        _assert_in_words(text)
        # the due dates in the SOP's time zone, day first
        assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", text)
