"""XLSForm of the SOP's forms: every Burkina Faso form converts with pyxform (the official XLSForm
converter) to an XForm without errors; labels fr/en, types, required, relevant translated from CEL,
constraints; untranslatable conditions are refused with a clear message; the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.interop.cel_xpath import Scope, Untranslatable, translate
from mno_workflow.interop.xlsform import FR, XLSFormError, build
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
SOP = load_file(BF).model


@pytest.mark.parametrize("form_id", list(SOP.forms))
def test_every_bf_form_converts_with_pyxform(form_id: str, tmp_path: Path) -> None:
    path = build(SOP, form_id).save(tmp_path / f"{form_id}.xlsx")
    result = convert(xlsform=str(path))
    assert "<h:html" in result.xform and f'id="{SOP.sop}_{form_id}"' in result.xform
    assert not [w for w in result.warnings if "error" in w.lower()]
    for f in SOP.forms[form_id].fields:
        assert f"/{f.id}" in result.xform, f.id


def _survey(form_id: str) -> dict[str, dict]:
    return {r["name"]: r for r in build(SOP, form_id).survey if r.get("type") != "end_repeat"}


def test_identification_types_labels_relevant_and_constraints() -> None:
    rows = _survey("identification")
    assert rows["first_name"]["type"] == "text" and rows["first_name"]["required"] == "yes"
    assert rows["first_name"][f"label::{FR}"] == "Prénoms"
    assert rows["first_name"]["label::English (en)"] == "First names"
    assert rows["first_name"]["constraint"] == "string-length(.) <= 100"
    assert rows["sex"]["type"] == "select_one sex"
    assert rows["vulnerabilities"]["type"] == "select_multiple vulnerability"
    assert rows["estimated_age"]["type"] == "integer"
    assert rows["estimated_age"]["constraint"] == ". >= 0 and . <= 120"
    assert rows["estimated_age"]["relevant"] == "not(${birth_date} != '')"
    assert rows["caregiver_name"]["relevant"] == (
        "count-selected(${vulnerabilities}) > 0 and (selected(${vulnerabilities}, 'separated_child'))"
    )
    assert rows["phone"]["type"] == "text" and rows["phone"]["constraint"].startswith("regex(., ")
    assert rows["birth_date"]["constraint"] == ". <= today()"


def test_choices_and_settings() -> None:
    x = build(SOP, "identification")
    sexes = [c for c in x.choices if c["list_name"] == "sex"]
    assert [(c["name"], c[f"label::{FR}"]) for c in sexes] == [("female", "Féminin"), ("male", "Masculin")]
    assert x.settings["form_id"] == "mnr_bf_identification" and x.settings["default_language"] == FR


def test_repeat_groups_and_booleans() -> None:
    x = build(SOP, "needs_assessment")
    types = [r["type"] for r in x.survey]
    assert "begin_repeat" in types and "end_repeat" in types
    rows = _survey("needs_assessment")
    assert rows["referral_needed"]["type"] == "select_one yes_no"
    assert {c["name"] for c in x.choices if c["list_name"] == "yes_no"} == {"true", "false"}
    assert any("nombre d'éléments" in w for w in x.warnings)


def test_boolean_negation_and_choice_equality() -> None:
    assert _survey("decline")["details"]["relevant"] == "${reason} = 'other'"
    follow = {f.id: f for f in SOP.forms["follow_up"].fields}
    relevant_fields = [k for k, f in follow.items() if f.relevant]
    assert _survey("follow_up")[relevant_fields[0]]["relevant"].endswith("= 'false'")


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("identification.sex == 'female'", "autre formulaire"),
        ("decline.nope == 'x'", "champ inconnu"),
        ("decline.reason.startsWith('o')", "sans équivalent"),
        ("matches(decline.reason, 'o')", "sans équivalent"),
    ],
)
def test_untranslatable_conditions_are_refused(expr: str, reason: str) -> None:
    scope = Scope("decline", {"reason": "choice", "details": "text"})
    with pytest.raises(Untranslatable, match=reason):
        translate(expr, scope)


def test_form_with_untranslatable_relevant_is_refused() -> None:
    sop = SOP.model_copy(deep=True)
    details = sop.forms["decline"].fields[1]
    object.__setattr__(details, "relevant", "referral.priority == 'emergency'")
    with pytest.raises(XLSFormError, match=r"decline.details : condition relevant .* intraduisible"):
        build(sop, "decline")


def test_cli_one_form_and_all(tmp_path: Path) -> None:
    runner = CliRunner()
    target = str(tmp_path / "id.xlsx")
    one = runner.invoke(app, ["xlsform", str(BF), "--form", "identification", "-o", target])
    assert one.exit_code == 0, one.output
    assert load_workbook(tmp_path / "id.xlsx").sheetnames == ["survey", "choices", "settings"]
    every = runner.invoke(app, ["xlsform", str(BF), "--all", "-o", str(tmp_path / "all")])
    assert every.exit_code == 0, every.output
    assert sorted(p.stem for p in (tmp_path / "all").glob("*.xlsx")) == sorted(SOP.forms)
    bad = runner.invoke(app, ["xlsform", str(BF), "--form", "nope", "-o", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 1 and "formulaire inconnu « nope »" in bad.output
    neither = runner.invoke(app, ["xlsform", str(BF), "-o", str(tmp_path / "x.xlsx")])
    assert neither.exit_code == 1


@pytest.mark.parametrize("calendar, example", [
    ("holidays: BF", "+226 70 12 34 56"),
    ("holidays: NE", "+227 93 12 34 56"),
    ("timezone: Africa/Niamey", "+227 93 12 34 56"),  # no holidays code: the zone's country
])
def test_the_phone_hint_gives_a_number_of_the_sops_country(tmp_path: Path, calendar: str,
                                                            example: str) -> None:
    """The XLSForm's phone constraint message gives an example of the SOP's country (its calendar's
    holidays code, else its time zone's country), as the web form's error does: a Niger SOP's
    form no longer says « ex. +226 … »."""
    from mno_workflow.sop.loader import load_text
    text = BF.read_text(encoding="utf-8")
    if calendar.startswith("timezone"):
        assert "timezone: Africa/Ouagadougou\n  holidays: BF\n" in text
        text = text.replace("timezone: Africa/Ouagadougou\n  holidays: BF\n", calendar + "\n")
    else:
        text = text.replace("holidays: BF", calendar)
    (tmp_path / "narrative.yaml").write_text((BF.parent / "narrative.yaml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    sop = load_text(text, str(tmp_path / "mnr.yaml")).model
    [phone] = [r for r in build(sop, "identification").survey if r.get("name") == "phone"]
    assert phone[f"constraint_message::{FR}"] == f"Numéro de téléphone, ex. {example}"
    assert phone["constraint_message::English (en)"] == f"Phone number, e.g. {example}"
