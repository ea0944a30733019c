"""Form error messages for people, in French and English: a phone field's error gives an example
number of the SOP's country (its calendar's holidays code, else its time zone's country), never
Burkina Faso's in another country's SOP (tryout 3, F9); a form's error names the form and its
fields by their labels (F14)."""

from __future__ import annotations

from datetime import date

import pytest

from mno_workflow.engine.errors import FormInvalid
from mno_workflow.engine.forms import validate_form
from mno_workflow.sop.loader import load_text

from ..conftest import BF_SOP

BF_TEXT = BF_SOP.read_text(encoding="utf-8")


@pytest.mark.parametrize("calendar, example", [
    ("holidays: BF", "+226 70 12 34 56"),
    ("holidays: NE", "+227 93 12 34 56"),
    ("holidays: FR", "+33 6 12 34 56 78"),
])
def test_the_phone_example_is_of_the_sops_country(tmp_path, calendar, example):
    assert BF_TEXT.count("holidays: BF") == 1
    path = tmp_path / "mnr.yaml"
    for name in ("narrative.yaml",):  # the SOP's imported files, beside it
        (tmp_path / name).write_text((BF_SOP.parent / name).read_text(encoding="utf-8"), encoding="utf-8")
    sop = load_text(BF_TEXT.replace("holidays: BF", calendar), str(path)).model
    with pytest.raises(FormInvalid) as e:
        validate_form(sop, "identification", {"phone": "abc"}, context={}, today=date(2026, 12, 4))
    said = e.value.errors["phone"]
    assert said.text("fr") == f"Numéro de téléphone invalide (ex. {example})."
    assert said.text("en") == f"Invalid phone number (e.g. {example})."


def test_a_form_error_names_the_form_and_its_fields_as_people_read_them():
    """Tryout 3, F14: « Formulaire « Retrait du consentement » invalide — Date du retrait : Ce champ
    est obligatoire ; Exprimé par : … », not the ids « consent_withdrawal », « withdrawn_on », and
    no « obligatoire.; »; the per-field errors stay keyed by field id for API clients."""
    from mno_workflow.sop.loader import load_file

    sop = load_file(BF_SOP).model
    with pytest.raises(FormInvalid) as e:
        validate_form(sop, "consent_withdrawal", {}, context={}, today=date(2026, 12, 4))
    assert e.value.text("fr") == ("Formulaire « Retrait du consentement » invalide — Date du retrait : "
                                  "Ce champ est obligatoire ; Exprimé par : Ce champ est obligatoire")
    assert e.value.text("en") == ("Form 'Consent withdrawal' is invalid — Date of withdrawal: This field is "
                                  "required; Expressed by: This field is required")
    assert set(e.value.as_dict("en")["errors"]) == {"withdrawn_on", "expressed_by"}
