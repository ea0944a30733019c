"""`mno case export-person` after `mno case erase`: no free text is left in the referrals' items
(the best-interests findings copied into the child-protection referral, an immediate need's
reasons, needs rows' descriptions — tryout 4, G7), and an item is said with its form's labels,
option labels and dates, and the action that added it, in French and English."""

from __future__ import annotations

import json
import re

import pytest

from ..engine.copies import SECRETS, child_case
from ..engine.helpers import CW, SUP, close_now
from .test_cli__person_export import mno

WORDS = {
    "fr": {"erased": r"\[effacé le \d\d/\d\d/\d{4}\]", "findings": "Constats", "date": "Date de l'évaluation",
           "recommendation": "Recommandation", "reunification": "Réunification familiale (après recherche)",
           "added": "Ajouté par l'action", "bia": "Enregistrer l'évaluation de l'intérêt supérieur",
           "urgency": "Pourquoi cela ne peut pas attendre l'évaluation",
           "revision": "Valider la révision (référencements créés)"},
    "en": {"erased": r"\[erased on \d\d/\d\d/\d{4}\]", "findings": "Findings", "date": "Date of assessment",
           "recommendation": "Recommendation", "reunification": "Family reunification (after tracing)",
           "added": "Added by the action", "bia": "Record the best-interests assessment",
           "urgency": "Why this cannot wait for the assessment",
           "revision": "Approve the revision (referrals created)"},
}
RAW = ("assessed on", "assessed_on", "spawned by", "spawned_by", "family_reunification", "2025-06-02",
       "refer_immediately", "record_best_interests", "approve_revision")


def _export(db_url, tmp_path, ref: str, fmt: str, lang: str) -> str:
    out = tmp_path / f"personne-{lang}.{fmt}"
    r = mno(db_url, "--lang", lang, "case", "export-person", ref, "-o", str(out), "--format", fmt,
            "--as", "idrissa.sanou:supervisor")
    assert r.exit_code == 0, r.output
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_export_after_erasure_has_no_copied_free_text_and_items_in_words(wf, db_url, tmp_path, lang):
    ref = child_case(wf, CW, SUP)
    before = _export(db_url, tmp_path, ref, "json", lang)
    for secret in SECRETS:
        assert secret in before, secret
    close_now(wf, ref)  # erasure needs a closed case (tryout 9, L9)
    r = mno(db_url, "--lang", lang, "case", "erase", ref, "--reason", "Demande de la tante",
            "--as", "idrissa.sanou:supervisor")
    assert r.exit_code == 0, r.output
    w = WORDS[lang]
    text = _export(db_url, tmp_path, ref, "json", lang)
    html = _export(db_url, tmp_path, ref, "html", lang)
    for secret in SECRETS:
        assert secret not in text and secret not in html, secret
    record = json.loads(text)
    items = {x["key"]: {f["label"]: f["value"] for f in x["item"]["fields"]}
             for x in record["referrals"] if x["item"]}
    bia = items["child_protection"]
    assert bia[w["date"]] == "02/06/2025" and bia[w["recommendation"]] == w["reunification"]
    assert bia[w["added"]] == w["bia"]
    for value in (bia[w["findings"]], items["medical"][w["urgency"]], items["medical"]["Description"],
                  items["vocational_training"]["Description"], items["documentation"]["Description"]):
        assert re.fullmatch(w["erased"], value), value
    assert w["added"] not in items["vocational_training"]  # started by the plan, not added
    assert items["documentation"][w["added"]] == w["revision"]
    said = json.dumps([x["item"] for x in record["steps"] if x["item"]], ensure_ascii=False)
    for raw in RAW:
        assert raw not in said, raw
    html = html.replace("&#39;", "'")
    for word in (w["findings"], w["reunification"], w["added"], w["bia"]):
        assert word in html, word
    assert re.search(w["erased"], html)
