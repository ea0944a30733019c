"""Printed and exported documents of an erased case say an erased value as the pages do —
« [effacé le 02/06/2025] » / "[erased on 02/06/2025]" — never the tombstone's structure
(``{'$purged': …}``, tryout 9, L13): the referral slip (the child's representative in the
caregiver row), the consent sheet, the person-data page and the CSV export with names."""

from __future__ import annotations

import pytest

from mno_workflow.engine.retention import erase_case

from ..engine.helpers import close_now
from .helpers import CONSENT, IDENT, IDRISSA, case_with_referrals

#: a child (12) whose aunt consented: the slip's caregiver row is the consent's representative
CHILD = {**IDENT, "birth_date": "2013-03-14"}
AUNT = {**CONSENT, "given_by": "caregiver", "representative_name": "Salimata Zongo",
        "representative_relationship": "Tante", "representative_contact": "+226 70 00 00 09",
        "child_assent": "given"}

ERASED = {"fr": "[effacé le 02/06/2025]", "en": "[erased on 02/06/2025]"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_slip_consent_sheet_person_data_and_export_of_an_erased_case(live, lang):
    ref = case_with_referrals(live.wf, CHILD, AUNT)
    sup = live.client("idrissa.sanou")
    slip = f"/dossiers/{ref}/imprimer/referencement/referral:cash"
    assert "Salimata Zongo" in sup.get(slip).text  # the aunt who consented, in the caregiver row
    assert "Tante" in sup.get(slip).text
    assert erase_case(live.wf, close_now(live.wf, ref), IDRISSA, "demande de la tante") > 0
    sup.get(f"/langue/{lang}")
    pages = {path: sup.get(path) for path in (slip, f"/dossiers/{ref}/imprimer/consentement",
                                              f"/dossiers/{ref}/donnees-personne",
                                              "/tableau-de-bord/export.csv?noms=1")}
    for path, r in pages.items():
        assert r.status_code == 200, (path, r.status_code)
        assert "$purged" not in r.text and "purged" not in r.text, path
        assert "Salimata Zongo" not in r.text, path
    for path in list(pages)[:3]:
        assert ERASED[lang] in pages[path].text, path
    row = pages[slip].text.split("Donneur de soins" if lang == "fr" else "Caregiver")[1][:400]
    assert ERASED[lang] in row
