"""Lint of ``rows_from`` on a repeat field and of ``instance_keys`` in CEL (issue 18, F18): each
wrong reference is reported with its code at the line and column of the value written
(``file:line:col``); a sound use loads and lints clean."""

from __future__ import annotations

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_text

from .test_docs import BASE_TEXT

FORM = """
  outcome:
    title: {fr: Suivi, en: Follow-up}
    fields:
      - id: lines
        type: TYPE
        rows_from: {step: STEP, key: KEY}
        label: {fr: Lignes, en: Lines}
        fields:
          - {id: need, type: choice, options: need, label: {fr: Besoin, en: Need}}
          - {id: note, type: text, label: {fr: Note, en: Note}}
    rules:
      - check: "!has(outcome.lines) || outcome.lines.all(l, l.need in instance_keys.KEYS)"
        field: lines
        message: {fr: Besoin non référé., en: Need not referred.}
"""


def sop_with(step: str = "referral", key: str = "need", type_: str = "repeat", keys: str = "referral") -> str:
    form = FORM.replace("TYPE", type_).replace("STEP", step).replace("KEY", key, 1).replace("KEYS", keys)
    text = BASE_TEXT.replace("\nstart: intake\n", form + "start: intake\n", 1)
    assert "rows_from" in text
    if type_ != "repeat":  # the sub-fields go with the repeat type
        text = text.replace("        fields:\n          - {id: need, type: choice, options: need, "
                            "label: {fr: Besoin, en: Need}}\n          - {id: note, type: text, "
                            "label: {fr: Note, en: Note}}\n", "")
    return text


def test_a_sound_rows_from_and_instance_keys_lint_clean():
    loaded = load_text(sop_with(), "rows.yaml")
    # § 1's base: no data_protection (J10), only the provider answers (K12)
    assert [d.code for d in lint(loaded)] == ["W117", "W119"]
    field = loaded.model.forms["outcome"].fields[0]
    assert (field.rows_from.step, field.rows_from.key) == ("referral", "need")


@pytest.mark.parametrize(("args", "code", "line_of", "col_of"), [
    ({"step": "refferal"}, "E024", "rows_from:", "refferal"),
    ({"step": "intake"}, "E034", "rows_from:", "intake"),
    ({"key": "nede"}, "E028", "rows_from:", "nede"),
    ({"key": "note"}, "E032", "rows_from:", "note"),
    ({"type_": "text"}, "E032", "rows_from:", "{step"),
    ({"keys": "referal"}, "E039", "instance_keys", "referal"),
    ({"keys": "intake"}, "E039", "instance_keys", "intake"),
])
def test_rows_from_and_instance_keys_errors_point_at_the_value(args, code, line_of, col_of):
    text = sop_with(**args)
    with pytest.raises(SOPError) as err:  # an error: the SOP does not load
        load_text(text, "rows.yaml")
    found = [d for d in err.value.diagnostics if d.code == code]
    assert found, [d.format() for d in err.value.diagnostics]
    line_no = next(i + 1 for i, t in enumerate(text.split("\n")) if line_of in t)
    line = text.split("\n")[line_no - 1]
    d = found[0]
    assert (d.line, d.col) == (line_no, line.index(col_of) + 1), d.format()
    assert d.format().startswith(f"rows.yaml:{line_no}:{d.col}: error {code}")
    assert d.format("fr") != d.format("en")  # the message is in the catalogue, in both languages


def test_instance_keys_is_a_known_cel_name():
    """Without ``instance_keys`` among the names CEL conditions may read, the sound SOP above would
    be refused (E027 unknown name); a typo of the name itself still is."""
    text = sop_with().replace("l.need in instance_keys.referral", "l.need in instance_kyes.referral")
    with pytest.raises(SOPError) as err:
        load_text(text, "rows.yaml")
    assert any(d.code == "E027" and "instance_kyes" in d.format("en") for d in err.value.diagnostics)
