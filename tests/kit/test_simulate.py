"""``mno validate --simulate``: sample cases from the form definitions find what the linter cannot
(deadlines that cannot be armed, refused automatic triggers, conditions that raise or are constant
in practice, stuck states), each at its YAML line; the reference SOP has none."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.kit.simulate import case_strategy, record_strategy, samples, simulate
from mno_workflow.sop.loader import load_file, load_text

ROOT = Path(__file__).resolve().parents[2]
REQ = ("        options: priority\n", "        options: priority\n        required: true\n")
SERVE = "      - {trigger: serve, label: {fr: Servir, en: Serve}, from: pending, "
MINIMAL = (ROOT / "tests" / "fixtures" / "valid_sops" / "minimal.yaml").read_text(encoding="utf-8")
REFERENCE = ROOT / "sops" / "burkina_faso" / "mnr.yaml"


def line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, t in enumerate(text.split("\n")) if needle in t)


def findings(text: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in simulate(load_text(text, "x.yaml"))]


def test_reference_sop_has_no_finding():
    assert simulate(load_file(REFERENCE)) == []


def test_w120_deadline_by_a_field_filled_only_when_leaving_the_state():
    # minimal.yaml: intake.open (initial) chooses its deadline by intake.priority, a field of the form
    # submitted when *leaving* open: at case creation it is empty, the deadline cannot be armed.
    assert ("W120", line_of(MINIMAL, "within: {by: intake.priority")) in findings(MINIMAL)


def test_w120_deadline_by_an_optional_field_of_an_earlier_step():
    text = MINIMAL.replace("        deadline: {within: 10 days, on_expiry: {fire: lapse}}",
                           "        deadline: {within: {by: intake.priority, cases: {urgent: 1 day, "
                           "normal: 2 days}}, on_expiry: {fire: lapse}}")
    assert ("W120", line_of(text, "by: intake.priority, cases: {urgent: 1 day")) in findings(text)
    fixed = text.replace(*REQ, 1)
    assert not [c for c, _ in findings(fixed) if c == "W120" and _ > 60]


def test_w121_automatic_trigger_with_a_required_form():
    text = MINIMAL.replace("{trigger: lapse, label: {fr: Expirer, en: Lapse}, from: pending, to: lapsed, "
                           "by: [supervisor]}",
                           "{trigger: lapse, label: {fr: Expirer, en: Lapse}, from: pending, to: lapsed, "
                           "by: [supervisor], form: intake}")
    assert ("W121", line_of(text, "on_expiry: {fire: lapse}")) in findings(text)


def test_w121_automatic_trigger_refused_by_its_guard():
    text = MINIMAL.replace("{trigger: lapse, label: {fr: Expirer, en: Lapse}, from: pending, to: lapsed, "
                           "by: [supervisor]}",
                           "{trigger: lapse, label: {fr: Expirer, en: Lapse}, from: pending, to: lapsed, "
                           "by: [supervisor], when: \"intake.priority == 'urgent'\"}")
    assert ("W121", line_of(text, "on_expiry: {fire: lapse}")) in findings(text)


def test_w122_condition_that_raises_on_an_empty_optional_field():
    text = MINIMAL.replace("        when: intake.name != ''", "        when: intake.priority == 'urgent'")
    assert ("W122", line_of(text, "when: intake.priority")) in findings(text)
    guarded = text.replace("when: intake.priority == 'urgent'",
                           "when: \"!has(intake.priority) || intake.priority == 'urgent'\"")
    assert not [c for c, _ in findings(guarded) if c == "W122"]


def test_w123_condition_constant_on_every_sample():
    text = MINIMAL.replace("        when: intake.name != ''", "        when: size(intake.name) > 1000")
    assert ("W123", line_of(text, "when: size(intake.name)")) in findings(text)


def test_w124_stuck_state():
    text = MINIMAL.replace(SERVE + "to: served, by: [caseworker]}",
                           SERVE + "to: waiting, by: [caseworker]}\n"
                           "      - {trigger: done, label: {fr: Fait, en: Done}, from: waiting, to: waiting, "
                           "by: [caseworker]}")
    text = text.replace("      served:\n", "      waiting:\n        label: {fr: Attente, en: Waiting}\n"
                                          "      served:\n")
    assert ("W124", line_of(text, "      waiting:")) in findings(text)


@pytest.mark.parametrize("required", [True, False])
def test_samples_follow_the_form_definition(required):
    text = MINIMAL if not required else MINIMAL.replace(*REQ, 1)
    sop = load_text(text, "x.yaml").model
    drawn = samples(record_strategy(sop, sop.forms["intake"].fields), 40)
    assert all("name" in r for r in drawn)  # required
    assert all(r.get("priority") in (None, "urgent", "normal") for r in drawn)
    assert any("priority" not in r for r in drawn) is (not required)  # optional fields left empty
    cases = samples(case_strategy(sop, {"intake"}), 40)
    assert any(c["intake"] == {} for c in cases) and any(c["intake"] for c in cases)


def test_cli_validate_simulate_strict():
    ok = CliRunner().invoke(app, ["validate", "--simulate", "--strict", str(REFERENCE)])
    assert ok.exit_code == 0, ok.output
    path = ROOT / "tests" / "fixtures" / "valid_sops" / "minimal.yaml"
    plain = CliRunner().invoke(app, ["validate", str(path)])
    assert plain.exit_code == 0 and "W120" not in plain.output
    sim = CliRunner().invoke(app, ["validate", "--simulate", "--strict", str(path)])
    assert sim.exit_code == 1
    assert f"{path}:{line_of(MINIMAL, 'within: {by: intake.priority')}:11: erreur W120 " in sim.output
    assert "ne peut pas être armé : intake.priority peut être vide" in sim.output  # French words
    en = CliRunner().invoke(app, ["--lang", "en", "validate", "--simulate", "--strict", str(path)])
    assert "cannot be armed: intake.priority may be empty" in en.output and "but it is empty" not in en.output


def test_w122_in_for_each_where_and_flow_when():
    """Beyond transition guards: a for_each ``where`` reading an optional sub-field, and a flow rule's
    ``when`` reading an optional field, raise for some sample case."""
    text = MINIMAL.replace("    instances: {for_each: intake.needs, key: need}",
                           "    instances: {for_each: intake.needs, key: need, "
                           "where: \"item.need == 'medical'\"}")
    text = text.replace("  - {after: intake.done, start: service}",
                        "  - {after: intake.done, when: \"intake.priority == 'urgent'\", start: service}\n"
                        "  - {after: intake.done, "
                        "when: \"has(intake.priority) && intake.priority == 'normal'\", start: service}")
    got = findings(text)
    assert ("W122", line_of(text, "instances: {for_each")) in got
    assert ("W122", line_of(text, "when: \"intake.priority == 'urgent'\"")) in got
    assert ("W122", line_of(text, "has(intake.priority) && intake.priority")) not in got
