"""The linter on SOP ``entries`` (issue 13, item 5): each way an entry cannot work is refused with
its code and the line of the faulty key (E021, E022, E024, E028, E044), a ``scope: reporter``
role on any other transition is E044, and the entry's step counts as started (no W114)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_text

BF = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
TEXT = BF.read_text(encoding="utf-8")
ENTRY = "    assign: {region: alert.region, to: caseworker, fallback: supervisor}\n"


CHOICES = ("        vulnerabilities:\n          source: alert.urgency\n"
           "          options: {child_alone: [unaccompanied_child], gbv_recent: [gbv_survivor]}\n")


def assign(region: str = "alert.region", to: str = "caseworker") -> str:
    return f"    assign: {{region: {region}, to: {to}, fallback: supervisor}}\n"


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("old, new, code, at", [
    ("    by: [first_responder]\n    start: alert\n", "    by: [first_responder, relais]\n    start: alert\n",
     "E021", "relais]"),
    ("    start: alert\n    trigger: file\n", "    start: alerte\n    trigger: file\n", "E024", "alerte"),
    ("    trigger: file\n", "    trigger: take_up\n", "E044", "trigger: take_up"),
    ("    trigger: file\n", "    trigger: nothing\n", "E044", "trigger: nothing"),
    (ENTRY, assign(region="alert.place"), "E044", "alert.place"),
    (ENTRY, assign(region="alert.regio"), "E028", "alert.regio"),
    (ENTRY, assign(to="casewerker"), "E021", "casewerker"),
    ("        sex: alert.sex\n", "        sex: alert.urgency\n", "E044", "alert.urgency"),
    ("        sex: alert.sex\n", "        sexe: alert.sex\n", "E028", "sexe: alert.sex"),
    ("      identification:\n        first_name: alert.first_name\n",
     "      identificaton:\n        first_name: alert.first_name\n", "E022", "identificaton:"),
    ("    name: [alert.first_name, alert.last_name]\n", "    name: [alert.prenom]\n", "E028", "alert.prenom"),
    # prefill_choices (tryout 7, J8): each side a choice/multi field, each option in its list
    (CHOICES, CHOICES.replace("child_alone:", "child_lone:"), "E044", "child_lone:"),
    (CHOICES, CHOICES.replace("[unaccompanied_child]", "[unaccompanied]"), "E044", "unaccompanied]"),
    (CHOICES, CHOICES.replace("source: alert.urgency", "source: alert.place"), "E044", "source: alert.place"),
    (CHOICES, CHOICES.replace("source: alert.urgency", "source: alert.urgence"), "E028", "alert.urgence"),
    (CHOICES, CHOICES.replace("        vulnerabilities:\n", "        vulnerability:\n"), "E028",
     "        vulnerability:\n          source"),
])
def test_entry_mistakes_are_refused_at_their_line(old, new, code, at):
    assert TEXT.count(old) == 1, old
    text = TEXT.replace(old, new)
    with pytest.raises(SOPError) as e:
        load_text(text, "mnr.yaml")
    found = [(d.code, d.line) for d in e.value.diagnostics]
    assert (code, line_of(text, at)) in found, found


def test_a_reporter_role_on_another_transition_is_refused():
    old = "        by: [caseworker, supervisor]\n        form: alert_contact\n"
    assert TEXT.count(old) == 1
    new = "        by: [caseworker, supervisor, first_responder]\n        form: alert_contact\n"
    text = TEXT.replace(old, new)
    with pytest.raises(SOPError) as e:
        load_text(text, "mnr.yaml")
    assert "E044" in {d.code for d in e.value.diagnostics}
    assert any("scope 'reporter'" in d.message for d in e.value.diagnostics)


def test_the_reference_sop_entry_lints_clean_and_its_step_counts_as_started():
    diags = lint(load_text(TEXT, str(BF)))  # beside its narrative file
    assert [d for d in diags if d.severity in ("error", "warning")] == []
    start, end = TEXT.index("entries:\n  alert:\n"), TEXT.index("\nreopen:")
    without = TEXT[:start] + TEXT[end:]  # no entry (and a plain role): nothing starts the alert step
    without = without.replace("    scope: reporter ", "    scope: all ")
    codes = {(d.code, d.message.split(":")[0]) for d in lint(load_text(without, str(BF)))}
    assert ("W114", "step 'alert' can never start") in codes, codes


def test_prefill_choices_field_type_said_in_french_and_english():
    """Tryout 7, J8: a prefill_choices side that is not a choice/multi field, said in both languages."""
    text = TEXT.replace(CHOICES, CHOICES.replace("source: alert.urgency", "source: alert.place"))
    with pytest.raises(SOPError) as e:
        load_text(text, "mnr.yaml")
    d = next(d for d in e.value.diagnostics if d.code == "E044")
    assert d.message.text("fr") == "'place' n'est pas un champ à choix (choice ou multi)"
    assert d.message.text("en") == "'place' is not a choice or multi field"
    assert "de chaque côté" in d.hint.text("fr") and "on both sides" in d.hint.text("en")
