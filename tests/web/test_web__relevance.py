"""The SOP's relevant: conditions translated for the browser (web/relevance.py) and dates typed
day/month/year (web/forms.py); the translation agrees with the server's evaluation."""

from __future__ import annotations

import json

import pytest

from mno_workflow.sop.expr import compile_expr
from mno_workflow.sop.loader import load_file
from mno_workflow.web.forms import _date_in
from mno_workflow.web.relevance import to_js

SOP = load_file("sops/burkina_faso/mnr.yaml").model


def js_holds(tree, values: dict) -> bool:
    """The evaluation app.js does, in Python (same rules: empty field outside has() → false)."""

    class Err(Exception):
        pass

    def ev(n):
        op = n[0]
        if op == "or":
            return ev(n[1]) is True or ev(n[2]) is True
        if op == "and":
            return ev(n[1]) is True and ev(n[2]) is True
        if op == "not":
            x = ev(n[1])
            if not isinstance(x, bool):
                raise Err
            return not x
        if op in ("eq", "ne"):
            return (ev(n[1]) == ev(n[2])) == (op == "eq")
        if op == "has":
            return values.get(n[1]) not in (None, [], "")
        if op == "lit":
            return n[1]
        if op == "field":
            v = values.get(n[1])
            if v in (None, [], ""):
                raise Err
            return v
        if op == "exists_eq":
            v = values.get(n[1])
            if not isinstance(v, list):
                raise Err
            return n[2] in v
        raise Err

    try:
        return ev(tree) is True
    except Err:
        return False


CASES = [
    ("identification", "estimated_age", [{}, {"birth_date": "2001-03-14"}]),
    ("identification", "caregiver_name", [{}, {"vulnerabilities": ["separated_child"]},
                                          {"vulnerabilities": ["single_headed_household"]}]),
    ("decline", "reason", [{}, {"reason": "other"}, {"reason": "capacity"}]),
    ("follow_up", "services_received", [{}, {"services_received": True}, {"services_received": False}]),
]


@pytest.mark.parametrize(("form_id", "_key", "samples"), CASES)
def test_every_bf_condition_translates_and_agrees_with_the_server(form_id, _key, samples):
    form = SOP.forms[form_id]
    conds = [f for f in form.fields if f.relevant]
    assert conds
    for f in conds:
        tree = to_js(f.relevant, form_id, form.fields)
        assert tree is not None, f.relevant
        for values in samples:
            server = compile_expr(f.relevant).holds({form_id: values})
            assert js_holds(json.loads(tree), values) == server, (f.relevant, values)


def test_outside_the_subset_no_translation():
    fields = SOP.forms["identification"].fields
    assert to_js("size(identification.vulnerabilities) > 2", "identification", fields) is None
    assert to_js("consent.given == true", "identification", fields) is None  # another form
    assert to_js("identification.nope == 'x'", "identification", fields) is None


@pytest.mark.parametrize(("typed", "stored"), [
    ("15/01/2025", "2025-01-15"), ("2/12/2025", "2025-12-02"), ("02.12.2025", "2025-12-02"),
    ("2025-12-02", "2025-12-02"), ("31/02/2025", "31/02/2025"), ("demain", "demain"),
])
def test_dates_are_typed_day_month_year(typed, stored):
    assert _date_in(typed) == stored


def test_a_rows_condition_reads_the_field_of_its_row_and_agrees_with_the_server():
    """Tryout 9, L3: ``item.need`` of a repeat group's row is translated (app.js reads it in the
    row of the field it shows), with the same result as the server's evaluation of that row."""
    from ..item_relevant_sop import item_sop

    sop = item_sop().model
    group = next(f for f in sop.forms["needs_assessment"].fields if f.id == "needs")
    sub = next(f for f in group.fields if f.id == "incident_on")
    tree = json.loads(to_js(sub.relevant, "needs_assessment", sop.forms["needs_assessment"].fields,
                            group.fields))
    assert tree == ["eq", ["field", "item.need", "choice"], ["lit", "gbv_services"]]
    for row in ({}, {"need": "gbv_services"}, {"need": "psychosocial"}):
        server = compile_expr(sub.relevant).holds({"item": row})
        assert js_holds(tree, {f"item.{k}": v for k, v in row.items()}) == server, row
    # outside a row (no item fields given), no translation: the field stays shown
    assert to_js(sub.relevant, "needs_assessment", sop.forms["needs_assessment"].fields) is None
