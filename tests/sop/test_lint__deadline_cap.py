"""``no_later_than`` (tryout 4, G23) and ``item.field`` starts in the SOP language: each wrong
reference is an error at the line and column of the value, in French and English; the cap is said
in the diagrams' and handbook's words and in the version comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from mno_workflow.render.diagram_words import deadline_words
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.diff import diff_sops
from mno_workflow.sop.loader import load_text

BF = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
CAP = "no_later_than: {within: 72 hours, start: item.incident_at}"


def _text(replacement: str, count: int = 1) -> str:
    text = BF.read_text(encoding="utf-8")
    assert CAP in text
    return text.replace(CAP, replacement, count)


def _errors(text: str, code: str):
    with pytest.raises(SOPError) as err:
        load_text(text, "mnr.yaml")
    found = [d for d in err.value.diagnostics if d.code == code]
    assert found, [d.format() for d in err.value.diagnostics]
    return found


def _at(text: str, needle: str) -> tuple[int, int]:
    lines = text.split("\n")
    n = next(i for i, t in enumerate(lines) if needle in t)
    return n + 1, lines[n].index(needle) + 1


@pytest.mark.parametrize(("start", "words_fr", "words_en"), [
    ("item.incident_ta", "champ inconnu", "unknown field"),
    ("item.urgency", "n'est pas un champ date", "is not a date field"),
    ("immediate_referral.incidnet_at", "champ inconnu", "unknown field"),
])
def test_a_wrong_cap_start_is_an_error_at_its_value(start, words_fr, words_en):
    text = _text(f"no_later_than: {{within: 72 hours, start: {start}}}")
    d = _errors(text, "E028")[0]
    line, col = _at(text, f"start: {start}")
    assert (d.line, d.col) == (line, col + len("start: "))
    assert words_fr in d.format("fr") and words_en in d.format("en")


def test_an_item_start_of_the_main_deadline_is_checked_too():
    text = _text("start: item.nedd\n          " + CAP)
    assert "start: item.nedd" in text
    d = _errors(text, "E028")[0]
    line, col = _at(text, "start: item.nedd")
    assert (d.line, d.col) == (line, col + len("start: "))
    assert "item.incident_at" in d.format("en")  # the hint lists the item's date fields among others


def test_a_form_date_and_an_item_date_both_load():
    for start in ("immediate_referral.incident_at", "item.incident_at"):
        load_text(_text(f"no_later_than: {{within: 72 hours, start: {start}}}"), "mnr.yaml")


def test_a_cap_cannot_go_with_wait_for():
    text = _text(CAP + "\n          wait_for: \"steps.consent == 'given'\"")
    with pytest.raises(SOPError) as err:
        load_text(text, "mnr.yaml")
    said = [d for d in err.value.diagnostics if "wait_for" in d.format("en")]
    assert said, [d.format() for d in err.value.diagnostics]
    assert "ne va pas avec « wait_for »" in said[0].format("fr")


def test_the_cap_is_said_in_words():
    sop = load_text(BF.read_text(encoding="utf-8"), str(BF)).model
    dl = sop.steps["referral"].states["draft"].deadline
    assert deadline_words(sop, dl, "fr") == ("3 jours ouvrables, au plus tard 72 heures après Date et heure "
                                             "de l'incident ; au plus tard 24 heures si besoin immédiat")
    assert deadline_words(sop, dl, "en") == ("3 working days, no later than 72 hours after Date and time of "
                                             "the incident; no later than 24 hours if immediate need")


def test_the_comparison_of_versions_shows_a_new_cap():
    old = load_text(BF.read_text(encoding="utf-8").replace("\n          " + CAP, ""), "old.yaml").model
    new = load_text(BF.read_text(encoding="utf-8"), "new.yaml").model
    fr, en = diff_sops(old, new, "fr").text("fr"), diff_sops(old, new, "en").text("en")
    assert "referral.accepted — plafond : — → au plus tard 72 hours après item.incident_at" in fr
    assert "referral.accepted — no later than: — → no later than 72 hours after item.incident_at" in en


@pytest.mark.parametrize(("when", "code"), [
    ("has(item.urgnecy)", "E036"),  # no item of the referral step holds that field
    ("has(item.urgency) &&", "E027"),  # does not compile
])
def test_a_wrong_cap_condition_is_an_error(when, code):
    text = BF.read_text(encoding="utf-8").replace("when: has(item.urgency)", f"when: '{when}'", 1)
    assert when in text
    d = _errors(text, code)[0]
    assert d.line == _at(text, when)[0]


def test_a_cap_condition_may_read_any_item_field_of_the_step():
    # ``urgency`` comes from the immediate_referral form (a spawn), not from the plan's rows
    load_text(BF.read_text(encoding="utf-8"), "mnr.yaml")


@pytest.mark.parametrize(("start", "first"), [
    ("item.incident", "item.incident_at"),                    # a cap's start (tryout 6, I11)
    ("immediate_referral.incidnet_at", "immediate_referral.incident_at"),
    ("item.urgency", None),                                   # a field that is not a date
])
def test_a_wrong_start_hint_lists_the_date_fields_only_nearest_first(start, first):
    """Tryout 6, I11: the hint names what a ``start`` may name (date and datetime fields of the
    forms and of the step's item, or a step's state), not every field of the SOP."""
    from mno_workflow.sop.loader import load_file
    from mno_workflow.sop.schema import FieldType
    sop = load_file(BF).model
    kinds = {f"{fid}.{f.id}": f.type for fid, form in sop.forms.items() for f in form.fields}
    d = _errors(_text(f"no_later_than: {{within: 72 hours, start: {start}}}"), "E028")[0]
    fr, en = d.format("fr"), d.format("en")
    names = en.split("datetime field: ", 1)[1].split(";", 1)[0].split(", ")
    assert "item.incident_at" in names and "item.assessed_on" in names, en
    forms = [n for n in names if not n.startswith("item.")]
    assert all(kinds[n] in (FieldType.date, FieldType.datetime) for n in forms), en
    assert "item.urgency" not in names and "intake.needs" not in names and "item.details" not in names
    if first:
        assert names[0] == first, en
    assert "steps.<step>.<state>" in en and "or on a step's state" in en
    assert f"faire partir le délai d'un champ date ou date et heure : {', '.join(names)} ; ou de l'état " \
           "d'une étape (steps.<étape>.<état>)" in fr, fr
    assert "start a deadline" not in fr and "conseil" in fr
