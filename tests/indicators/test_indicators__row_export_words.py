"""The dashboard's row export (``/tableau-de-bord/export.csv``, tryout finding 15): the open steps
in words (the SOP's step and state labels) in the « Étapes en cours » column, their codes
(``step.state``) in the ``codes_etapes`` column next to it; headers and labels in the reader's
language like the indicators CSV, code columns with the same names and values in every language."""

from __future__ import annotations

import pytest

from mno_workflow.web import queries

from ..engine.helpers import to_referrals


@pytest.mark.parametrize("lang, head, words", [
    ("fr", "Étapes en cours", ["Consentement éclairé : Consentement donné, "]),
    ("en", "Open steps", ["Informed consent: Consent given, "]),
])
def test_open_steps_in_words_and_their_codes_in_their_own_column(wf, lang, head, words):
    ref = to_referrals(wf)
    with wf.sessions() as s:
        rows = list(queries.export_rows(s, secret="s" * 32, with_names=True, lang=lang))
    header = rows[0]
    (row,) = [r for r in rows[1:] if r[0] == ref]
    cell = dict(zip(header, row, strict=True))
    assert header.index("codes_etapes") == header.index(head) + 1
    for word in words:
        assert word in cell[head], cell[head]
    assert "consent.given" not in cell[head] and ";" not in cell[head]  # « ; » separates the cells
    codes = cell["codes_etapes"].split(" ")
    assert "consent.given" in codes and all("." in c and " " not in c for c in codes), codes
    assert cell["code_statut"] == "open" and cell["code_region"] == "kadiogo"  # codes in every language
    assert "Clos le" in header if lang == "fr" else "Closed on" in header
