"""The provider's inbox says a referral's priority as the field that chooses its deadline
(``within: {by: form.field}``), wherever the SOP puts that field (tryout 6, I5: « Priorité — »
for a Niger SOP whose priority is given at intake, not on the referral form)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mno_workflow.sop.loader import load_text
from mno_workflow.web.duewords import priority_words

from ..conftest import BF_SOP


def sop_with(text: str):
    return load_text(text, "mnr.yaml").model


@pytest.fixture(scope="module")
def bf():
    return sop_with(BF_SOP.read_text(encoding="utf-8"))


def referral(data: dict) -> SimpleNamespace:
    return SimpleNamespace(step="referral", data=data, item={"need": "cash"})


@pytest.mark.parametrize("lang, words", [("fr", "Urgence vitale"), ("en", "Emergency")])
def test_the_referral_forms_priority(bf, lang, words):
    case = SimpleNamespace(data={})
    assert priority_words(bf, case, referral({"referral": {"priority": "emergency"}}), lang) == words


@pytest.mark.parametrize("lang, words", [("fr", "Urgent"), ("en", "Urgent")])
def test_a_priority_kept_on_the_case_is_read_there(bf, lang, words):
    """The field that chooses the deadline is read from the case's data when the referral's own
    data does not hold it (an SOP that asks the priority once, at intake)."""
    case = SimpleNamespace(data={"referral": {"priority": "urgent"}})
    assert priority_words(bf, case, referral({}), lang) == words


def test_no_priority_no_words(bf):
    assert priority_words(bf, SimpleNamespace(data={}), referral({}), "fr") == ""
    assert priority_words(bf, SimpleNamespace(data={}), SimpleNamespace(step="nowhere", data={}), "fr") == ""
