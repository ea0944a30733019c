"""The SOP choice of ``mno user add`` on its own (:mod:`mno_workflow.user_sops`, tryout 5, H24):
a region of one SOP chooses it, of several asks for ``--sop``, of none is left to the region
check; a SOP without a region list (Senegal's trial SOP) refuses ``--region``; titles in French and
English, « toutes les POS » / "every SOP" for an account without SOP."""

from __future__ import annotations

import pytest

from mno_workflow.user_sops import (
    SopInfo,
    regions_of,
    sop_for_region,
    sop_label,
    sop_problem,
    sop_region_problem,
)

BF = SopInfo("mnr_bf", {"fr": "MNR — Burkina Faso", "en": "NRM — Burkina Faso"},
             frozenset({"kadiogo", "liptako"}))
SN = SopInfo("mnr_sn", {"fr": "MNR — Sénégal", "en": "NRM — Senegal"}, frozenset())
ML = SopInfo("mnr_ml", {"fr": "MNR — Mali", "en": "NRM — Mali"}, frozenset({"kayes", "liptako"}))
SOPS = {s.sop_id: s for s in (BF, SN, ML)}


def test_the_region_chooses_the_sop():
    assert sop_for_region("kadiogo", SOPS) == ("mnr_bf", None)
    assert sop_for_region("kayes", SOPS) == ("mnr_ml", None)
    assert sop_for_region("dakar", SOPS) == (None, None)  # in no SOP: the region check names it
    assert sop_for_region(None, SOPS) == (None, None)
    assert sop_for_region("kadiogo", {"mnr_bf": BF}) == (None, None)  # one SOP: every SOP, as before
    sop, asked = sop_for_region("liptako", SOPS)
    assert sop is None
    assert asked.text("fr") == ("La région « liptako » existe dans plusieurs POS (MNR — Burkina Faso "
                                "(mnr_bf) ; MNR — Mali (mnr_ml)) : précisez laquelle avec --sop.")
    assert asked.text("en") == ("The region “liptako” exists in several SOPs (NRM — Burkina Faso "
                                "(mnr_bf) ; NRM — Mali (mnr_ml)): say which one with --sop.")


def test_the_regions_checked_are_the_sops():
    assert regions_of("mnr_bf", SOPS) == {"kadiogo", "liptako"}
    assert regions_of(None, SOPS) == {"kadiogo", "liptako", "kayes"}


@pytest.mark.parametrize("lang, said", [
    ("fr", "La POS « MNR — Sénégal » n'a pas de liste de régions : créez le compte sans --region."),
    ("en", "The SOP “NRM — Senegal” has no region list: create the account without --region."),
])
def test_a_sop_without_regions_refuses_a_region(lang, said):
    assert sop_region_problem("dakar", "mnr_sn", SOPS).text(lang) == said
    assert sop_region_problem(None, "mnr_sn", SOPS) is None
    assert sop_region_problem("kadiogo", "mnr_bf", SOPS) is None


@pytest.mark.parametrize("lang, words", [("fr", ("POS inconnue « xx »", "toutes les POS")),
                                         ("en", ("Unknown SOP “xx”", "every SOP"))])
def test_unknown_sop_and_labels(lang, words):
    assert words[0] in sop_problem("xx", SOPS).text(lang)
    assert sop_problem("mnr_sn", SOPS) is None and sop_problem(None, SOPS) is None
    assert sop_label(None, SOPS, lang) == words[1]
    assert sop_label("mnr_sn", SOPS, lang) == SN.title[lang]
