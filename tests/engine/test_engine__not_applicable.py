"""A value given in a field whose ``relevant:`` does not hold is refused per field, with the
condition in words, at the top level and in every row of a repeat group (``item.…``) alike: never
dropped without a word (tryout 9, L3: « incident_at » of a psychosocial need vanished from the
stored data). A field whose relevance cannot be decided (it reads a value that did not parse) gets
no such message."""

from __future__ import annotations

from datetime import date

import pytest

from mno_workflow.engine.errors import FormInvalid
from mno_workflow.engine.forms import validate_form
from mno_workflow.sop.loader import load_file

from ..conftest import BF_SOP
from ..item_relevant_sop import item_sop

TODAY = date(2025, 6, 2)
IDENT = {"first_name": "Awa", "last_name": "Barry", "sex": "female", "return_date": "2025-05-29",
         "region": "kadiogo"}
CONTEXT = {"steps": {"consent": "given"}, "identification": IDENT}


def row(need: str, dimension: str = "social", **more) -> dict:
    return {"dimension": dimension, "need": need, "referral_needed": True, **more}


def assessment(*rows: dict) -> dict:
    return {"assessed_on": "2025-06-02", "risk_level": "high", "needs": list(rows)}


def refused(sop, form_id: str, payload: dict, context: dict | None = None) -> FormInvalid:
    with pytest.raises(FormInvalid) as e:
        validate_form(sop, form_id, payload, context=context or {}, today=TODAY)
    return e.value


def test_a_value_in_a_row_where_the_field_does_not_apply_is_refused_with_its_condition():
    sop = item_sop().model
    e = refused(sop, "needs_assessment",
                assessment(row("gbv_services", incident_on="01/06/2025"),
                           row("psychosocial", "psychosocial", incident_on="01/06/2025")), CONTEXT)
    assert set(e.errors) == {"needs.1.incident_on"}  # row 0 is a GBV need: asked there
    said = e.errors["needs.1.incident_on"]
    assert said.text("fr") == ("Ce champ ne s'applique pas ici : il n'est demandé que si le besoin est "
                               "« Services VBG ». Laissez-le vide.")
    assert said.text("en") == ("This field does not apply here: it is asked only if the need is GBV "
                               "services. Leave it empty.")


def test_the_row_where_it_applies_keeps_its_value_and_an_empty_one_is_left_out():
    sop = item_sop().model
    data = validate_form(sop, "needs_assessment",
                         assessment(row("gbv_services", incident_on="01/06/2025"),
                                    row("psychosocial", "psychosocial", incident_on="")),
                         context=CONTEXT, today=TODAY)
    assert data["needs"][0]["incident_on"] == "01/06/2025"
    assert "incident_on" not in data["needs"][1]


def test_a_top_level_field_that_does_not_apply_is_refused_too():
    sop = load_file(BF_SOP).model
    e = refused(sop, "identification", dict(IDENT, birth_date="2001-03-14", estimated_age=24))
    assert set(e.errors) == {"estimated_age"}
    assert e.errors["estimated_age"].text("fr").startswith("Ce champ ne s'applique pas ici : il n'est "
                                                           "demandé que si ")
    assert e.errors["estimated_age"].text("en").startswith("This field does not apply here: it is "
                                                           "asked only if ")


def test_undecided_relevance_gives_only_the_error_of_the_value_it_reads():
    sop = load_file(BF_SOP).model
    e = refused(sop, "identification", dict(IDENT, birth_date="31/02/2001", estimated_age=24))
    assert set(e.errors) == {"birth_date"}


def test_the_forms_rules_are_still_checked_beside_a_field_that_does_not_apply():
    """Scenario 17 of the BF SOP: a child « consenting » alone with the child's assent typed in is
    told both that a child does not consent alone (the rule) and that the assent is not asked."""
    sop = load_file(BF_SOP).model
    child = dict(IDENT, estimated_age=10, vulnerabilities=["unaccompanied_child"])
    e = refused(sop, "consent", {
        "given": True, "given_by": "self", "consent_date": "2025-06-02", "channel": "verbal",
        "child_assent": "given", "data_categories": ["identity"], "share_with": ["government"],
        "purposes": ["referral"]}, {"identification": child})
    assert "child_assent" in e.errors and "moins de 18 ans" in e.errors["given_by"].text("fr")


def test_a_condition_without_words_is_not_quoted_as_some_cases():
    """A condition the documents cannot put into words (lint W126) gives a message without it,
    never « il n'est demandé que si dans certains cas (voir l'annexe) »."""
    from mno_workflow.sop.loader import load_text

    from ..item_relevant_sop import item_text

    text = item_text().replace("relevant: \"item.need == 'gbv_services'\"",
                               "relevant: \"size(item.need) == 99\"", 1)
    text = text.replace('            relevant_label:\n              fr: "le besoin est « Services VBG »"\n'
                        '              en: "the need is GBV services"\n', "", 1)
    sop = load_text(text, str(BF_SOP.parent / "mnr_it.yaml")).model
    e = refused(sop, "needs_assessment",
                assessment(row("psychosocial", "psychosocial", incident_on="01/06/2025")), CONTEXT)
    said = e.errors["needs.0.incident_on"]
    assert said.text("fr") == "Ce champ ne s'applique pas dans ce cas : laissez-le vide."
    assert said.text("en") == "This field does not apply in this case: leave it empty."
