"""Lint of ``spawn:`` (issue 13): each wrong reference is reported with its code at the line and
column of the value written, in ``file:line:col`` form."""

from __future__ import annotations

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_text

from .test_docs import BASE_TEXT

EXTRA = """
  desk:
    label: {fr: Guichet, en: Desk}
    states:
      open:
        label: {fr: Ouvert, en: Open}
        initial: true
        lint: {allow: [W106, W109], reason: "ouvert tant que le dossier l'est / open while the case is"}
    transitions:
      - trigger: refer_now
        label: {fr: Référer, en: Refer}
        from: open
        internal: true
        by: [caseworker]
        form: intake
        spawn: {step: STEP, from: FROM}
"""


def sop_with(step: str, source: str) -> str:
    text = BASE_TEXT.replace("\nflow:\n", EXTRA.replace("STEP", step).replace("FROM", source) + "flow:\n"
                             "  - {after: intake.done, start: desk}\n", 1)
    assert "refer_now" in text
    return text


@pytest.mark.parametrize(("step", "source", "code", "col_of"), [
    ("refferal", "intake.needs", "E024", "refferal"),
    ("intake", "intake.needs", "E034", "intake,"),
    ("referral", "intake.name", "E034", "intake.name"),
    ("referral", "intak", "E022", "intak}"),
    ("referral", "intake.nedds", "E028", "intake.nedds"),
    ("referral", "referral", "E043", "referral}"),
])
def test_spawn_errors_point_at_the_value(step, source, code, col_of):
    text = sop_with(step, source)
    with pytest.raises(SOPError) as err:  # an error: the SOP does not load
        load_text(text, "spawn.yaml")
    found = [d for d in err.value.diagnostics if d.code == code]
    assert found, [d.format() for d in err.value.diagnostics]
    line_no = next(i + 1 for i, t in enumerate(text.split("\n")) if "spawn: {step:" in t)
    line = text.split("\n")[line_no - 1]
    d = found[0]
    assert (d.line, d.col) == (line_no, line.index(col_of) + 1)
    assert d.format().startswith(f"spawn.yaml:{line_no}:{d.col}: error {code}")


def test_the_valid_spawn_lints_without_error():
    assert [d for d in lint(load_text(sop_with("referral", "intake.needs"), "ok.yaml"))
            if d.severity == "error"] == []
