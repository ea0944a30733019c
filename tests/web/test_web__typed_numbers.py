"""Numbers and dates as a French user types them on the web (issue 18 tryout): « 2,5 » is 2.5 for
a decimal field and refused (never 25) for an integer; the date message names JJ/MM/AAAA on the
page while the API keeps ISO; a conditional field whose condition reads an unparsed value is not
required."""

from __future__ import annotations

from datetime import date

import pytest

from mno_workflow.engine.errors import FormInvalid, Message
from mno_workflow.engine.forms import DATE_ERROR, validate_form
from mno_workflow.sop.loader import load_file
from mno_workflow.sop.schema import FieldType, FormField
from mno_workflow.web.forms import _text_in, _web_text

from .conftest import ROOT


@pytest.mark.parametrize(("typed", "sent"), [
    ("2,5", "2.5"), (" 12,75 ", "12.75"), ("-0,5", "-0.5"), ("2.5", "2.5"),
    ("1,2,3", "1,2,3"), ("abc", "abc"),
])
def test_decimal_comma_of_a_number_field(typed, sent):
    f = FormField(id="weight", type=FieldType.number, label={"fr": "Poids", "en": "Weight"})
    assert _text_in(f, typed) == sent


def test_integer_keeps_its_text_so_the_engine_refuses_it():
    f = FormField(id="n", type=FieldType.integer, label={"fr": "N", "en": "N"})
    assert _text_in(f, "12,5") == "12,5"


def test_web_date_message_names_the_typed_format_api_keeps_iso():
    m = Message.t(DATE_ERROR)
    assert "AAAA-MM-JJ" in m.text("fr")  # the API and CLI speak ISO
    web = _web_text(m, "fr")
    assert "JJ/MM/AAAA" in web and "28/02/2025" in web and "AAAA-MM-JJ" not in web


def test_condition_on_an_unparsed_date_does_not_make_the_field_required():
    sop = load_file(ROOT / "sops" / "burkina_faso" / "mnr.yaml").model
    payload = {"first_name": "A", "last_name": "B", "sex": "male", "birth_date": "31/02/2000",
               "return_date": "2025-05-01", "region": "kadiogo"}
    with pytest.raises(FormInvalid) as e:
        validate_form(sop, "identification", payload, context={}, today=date(2025, 6, 1))
    assert "birth_date" in e.value.errors and "estimated_age" not in e.value.errors
    payload.pop("birth_date")  # no birth date at all: the age is required, as before
    with pytest.raises(FormInvalid) as e:
        validate_form(sop, "identification", payload, context={}, today=date(2025, 6, 1))
    assert "estimated_age" in e.value.errors
