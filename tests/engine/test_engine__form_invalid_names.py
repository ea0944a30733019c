"""A form's 422 names the form and its fields as people read them, for every form (tryout 5, G22):
the SOP's forms by the SOP's labels on every path that checks them (an alert that nobody in its
region can receive kept « Form 'alert' is invalid — met_on: … »), and the application's own action
forms (reopen, extension, reassign…) from the catalogues — « Réouverture du dossier », « Motif »,
« Niveau de risque … : Élevé, Modéré, Faible », never « reopen », « risk_level », « high »."""

from __future__ import annotations

import pytest

from mno_workflow.engine.alerts import file_alert
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import FormInvalid

from .helpers import CW, SUP

FDS = Actor("agent.fds", "first_responder", "fds-poste-seytenga")
WORDS = {
    "fr": ("Formulaire « Réouverture du dossier » invalide", "Niveau de risque : Valeur « extreme » inconnue",
           "valeurs possibles : Élevé, Modéré, Faible"),
    "en": ("Form 'Reopening of the case' is invalid", "Risk level: ",
           "High, Moderate, Low"),
}


def _screened_out(wf) -> str:
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "screen_out", CW, {"reason": "already_assisted"})
    return ref


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reopen_names_its_form_its_fields_and_the_codes_labels(wf, lang):
    ref = _screened_out(wf)
    with pytest.raises(FormInvalid) as bad:
        wf.reopen(ref, SUP, "Erreur", values={"risk_level": "extreme"})
    text = bad.value.text(lang)
    for words in WORDS[lang]:
        assert words in text, (words, text)
    for code in ("reopen", "risk_level", "high", "moderate"):
        assert code not in text, (code, text)
    assert set(bad.value.as_dict(lang)["errors"]) == {"risk_level"}  # keys stay the ids, for programs
    with pytest.raises(FormInvalid) as empty:
        wf.reopen(ref, SUP, "  ")
    said = empty.value.text(lang)
    assert ("— Motif :" if lang == "fr" else "— Reason:") in said and "reason:" not in said, said


@pytest.mark.parametrize("lang, words", [
    ("fr", ("Formulaire « Signalement » invalide", "Date de la rencontre", "Région :")),
    ("en", ("Form 'Alert' is invalid", "Date met", "Region:")),
])
def test_an_alert_nobody_can_receive_names_its_form_and_fields(wf, lang, words):
    """No case manager in the region (the re-raised error once carried the form's id only)."""
    with pytest.raises(FormInvalid) as bad:
        file_alert(wf, "mnr_bf", FDS, {"first_name": "Adama", "sex": "male", "region": "kadiogo",
                                       "place": "Gare", "contact_way": ["phone"], "phone": "+22670000009",
                                       "contact_agreed": True})
    text = bad.value.text(lang)
    assert {"met_on", "region"} <= set(bad.value.errors)
    for w in words:
        assert w in text, (w, text)
    for code in ("'alert'", "« alert »", "met_on", "; region", "— region"):
        assert code not in text, (code, text)
