"""A form rule of the SOP that cannot be evaluated (here: a consent checked without the
identification it reads) is refused with a sentence in the reader's language, never the
expression evaluator's English (« Undefined variable or function: 'identification' »)."""

from __future__ import annotations

from datetime import date

import pytest

from mno_workflow.engine.errors import FormInvalid
from mno_workflow.engine.forms import validate_form
from mno_workflow.sop.loader import load_file

from ..conftest import BF_SOP

CONSENT = {"given": True, "given_by": "self", "consent_date": "2025-06-02", "channel": "written",
           "data_categories": ["identity"], "share_with": ["government"], "purposes": ["referral"]}


def test_a_rule_that_cannot_be_evaluated_is_said_in_words():
    sop = load_file(BF_SOP).model
    with pytest.raises(FormInvalid) as caught:
        validate_form(sop, "consent", CONSENT, context={}, today=date(2025, 6, 3))
    said = caught.value.errors["given_by"]
    assert said.text("fr") == ("Une règle de la POS n'a pas pu être vérifiée : prévenez le coordinateur "
                               "(détail dans le journal du serveur).")
    assert said.text("en") == ("A rule of the SOP could not be checked: tell the coordinator (detail in "
                               "the server log).")
    assert "Undefined" not in said.text("en") and "identification" not in said.text("fr")
