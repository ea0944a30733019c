"""A deadline's duration chosen by a field (``within: {by: form.field, cases: …}``) that names an
unknown field (E028) or a field that is not a choice (E033): the error stands at the line and
column of the ``by:`` value — also inside ``within: {from_directory: …, default: {by, cases}}`` —
and its hint lists only the choice fields whose options are codes of ``cases`` (the most first,
the nearest name first among equals), not every field of the SOP; in French and English (tryout 6
leftover of I11, which limited the hint of ``start:`` to date fields)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_file, load_text
from mno_workflow.sop.schema import FieldType

BF = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
RISK = "by: needs_assessment.risk_level"  # follow-up's first deadline: high / moderate / low
PRIORITY = "by: referral.priority"  # the referral's directory default: emergency / urgent / normal


def _diag(old: str, new: str, code: str):
    text = BF.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new, 1)
    with pytest.raises(SOPError) as err:
        load_text(text, "mnr.yaml")
    found = [d for d in err.value.diagnostics if d.code == code]
    assert len(found) == 1, [d.format() for d in err.value.diagnostics]
    lines = text.split("\n")
    n = next(i for i, t in enumerate(lines) if new in t)
    return found[0], (n + 1, lines[n].index(new) + len("by: ") + 1)


def _listed(en: str) -> list[str]:
    return en.rsplit("): ", 1)[1].rstrip(")").split(", ")


@pytest.mark.parametrize(("old", "new", "code", "codes", "first"), [
    (RISK, "by: needs_assessment.risk_levle", "E028", "high, low, moderate", "needs_assessment.risk_level"),
    (RISK, "by: needs_assessment.assessed_on", "E033", "high, low, moderate", "needs_assessment.risk_level"),
    (PRIORITY, "by: referral.priorty", "E028", "emergency, normal, urgent", "referral.priority"),
])
def test_a_wrong_by_field_is_said_at_its_value_with_the_choice_fields_keyed_by_its_cases(
        old, new, code, codes, first):
    d, (line, col) = _diag(old, new, code)
    assert (d.line, d.col) == (line, col), d.format()
    en, fr = d.format("en"), d.format("fr")
    assert en.startswith(f"mnr.yaml:{line}:{col}: error {code} "), en
    assert fr.startswith(f"mnr.yaml:{line}:{col}: erreur {code} "), fr
    names = _listed(en)
    assert names[0] == first, en
    sop = load_file(BF).model
    fields = {f"{fid}.{f.id}": f for fid, form in sop.forms.items() for f in form.fields}
    for name in names:  # choice fields whose options hold the codes of cases, nothing else
        f = fields.get(name)
        assert f is not None and f.type == FieldType.choice, name
        assert set(sop.options[f.options]) & set(codes.split(", ")), name
    assert len(names) < 5 and "intake.first_name" not in en and "needs_assessment.assessed_on" not in names
    assert (f"point 'by' at a choice field whose options are codes of 'cases' ({codes}): "
            f"{', '.join(names)}") in en
    assert (f"faire pointer « by » vers un champ à choix dont les options sont des codes de « cases » "
            f"({codes}) : {', '.join(names)}") in fr, fr
    assert "point 'by'" not in fr and "use one of" not in en


def test_cases_no_choice_field_holds_list_every_choice_field_nearest_first():
    """``cases`` on codes no option list has (a typo in every code): every choice field may be
    the one meant, the nearest to ``by`` first; still no text, date or number field."""
    text = BF.read_text(encoding="utf-8").replace(
        "              high: 2 working days\n              moderate: 5 working days\n"
        "              low: 10 working days\n",
        "              hihg: 2 working days\n              moderatte: 5 working days\n"
        "              loww: 10 working days\n", 1)
    text = text.replace(RISK, "by: needs_assessment.risk_levle", 1)
    with pytest.raises(SOPError) as err:
        load_text(text, "mnr.yaml")
    d = next(x for x in err.value.diagnostics if x.code == "E028")
    en, fr = d.format("en"), d.format("fr")
    names = en.split("key 'cases' on its options: ", 1)[1].rstrip(")").split(", ")
    assert names[0] == "needs_assessment.risk_level", en
    sop = load_file(BF).model
    kinds = {f"{fid}.{f.id}": f.type for fid, form in sop.forms.items() for f in form.fields}
    assert all(kinds.get(n, FieldType.choice) == FieldType.choice for n in names), en
    assert "referral.priority" in names and "intake.first_name" not in names
    assert "écrire « cases » avec ses options : needs_assessment.risk_level, " in fr, fr
