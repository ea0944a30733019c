"""W126: conditions shown to people need words (``when_label``, ``relevant_label``), issue 19.

The corpus files ``tests/fixtures/invalid_sops/w126_*.yaml`` check file:line:col and ``--strict``;
here: a label silences the warning, shapes the documents can say need none, the labels are
checked for languages (E025), the documents print them, and the Burkina Faso SOP labels all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mno_workflow.render.plain import field_condition, relevant_words, rule_words
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_file, load_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "invalid_sops"
REFERENCE = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
MINIMAL = (ROOT / "tests" / "fixtures" / "valid_sops" / "minimal.yaml").read_text(encoding="utf-8")


def w126(text: str) -> list[tuple[int, int]]:
    return [(d.line, d.col) for d in lint(load_text(text, "x.yaml")) if d.code == "W126"]


def corpus_text(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name, anchor, label", [
    ("w126_guard_without_words.yaml",
     "        when: \"size(intake.name) > 2 || intake.priority == 'urgent'\"\n",
     "        when_label: {fr: le nom est long ou le cas urgent, en: the name is long or the case urgent}\n"),
    ("w126_relevant_without_words.yaml", "        relevant: \"size(intake.name) > 20\"\n",
     "        relevant_label: {fr: le nom est long, en: the name is long}\n"),
])
def test_a_label_silences_the_warning(name: str, anchor: str, label: str) -> None:
    text = corpus_text(name)
    assert len(w126(text)) == 1
    assert anchor in text
    assert w126(text.replace(anchor, anchor + label)) == []


@pytest.mark.parametrize("name, old, new", [
    ("w126_flow_rule_without_words.yaml", 'when: "size(intake.needs) > 0",',
     'when: "size(intake.needs) > 0", when_label: {fr: au moins un besoin, en: at least one need},'),
    ("w126_closure_rule_without_words.yaml", 'when: "size(intake.needs) < 3",',
     'when: "size(intake.needs) < 3", when_label: {fr: moins de trois besoins, en: fewer than three needs},'),
])
def test_a_flow_rule_label_silences_the_warning(name: str, old: str, new: str) -> None:
    text = corpus_text(name)
    assert len(w126(text)) == 1
    assert w126(text.replace(old, new)) == []


@pytest.mark.parametrize("expr", [
    "intake.name != ''", "has(intake.priority)", "!has(intake.priority)", "intake.priority == 'urgent'",
    "has(intake.priority) && intake.priority != 'normal'",
])
def test_conditions_the_documents_can_say_need_no_label(expr: str) -> None:
    assert w126(MINIMAL.replace("when: intake.name != ''", f'when: "{expr}"')) == []


def test_an_unsayable_guard_is_warned_at_the_condition() -> None:
    text = MINIMAL.replace("when: intake.name != ''", 'when: "size(intake.name) > 3"')
    line = text.split("\n").index('        when: "size(intake.name) > 3"') + 1
    assert w126(text) == [(line, 15)]


def test_labels_need_every_language() -> None:
    text = corpus_text("w126_relevant_without_words.yaml").replace(
        '        relevant: "size(intake.name) > 20"\n',
        '        relevant: "size(intake.name) > 20"\n        relevant_label: {fr: le nom est long}\n')
    with pytest.raises(SOPError) as info:
        load_text(text, "x.yaml")
    assert "E025" in {d.code for d in info.value.diagnostics}
    text = corpus_text("w126_flow_rule_without_words.yaml").replace(
        'when: "size(intake.needs) > 0",', 'when: "size(intake.needs) > 0", when_label: {en: needs},')
    with pytest.raises(SOPError) as info:
        load_text(text, "x.yaml")
    assert "E025" in {d.code for d in info.value.diagnostics}


def test_documents_print_the_labels() -> None:
    text = corpus_text("w126_relevant_without_words.yaml").replace(
        '        relevant: "size(intake.name) > 20"\n',
        '        relevant: "size(intake.name) > 20"\n'
        '        relevant_label: {fr: le nom est long, en: the name is long}\n')
    sop = load_text(text, "x.yaml").model
    reason = next(f for f in sop.forms["intake"].fields if f.id == "reason")
    assert field_condition(sop, reason, "fr") == "si le nom est long"
    assert field_condition(sop, reason, "en") == "if the name is long"
    unlabelled = load_text(corpus_text("w126_relevant_without_words.yaml"), "x.yaml").model
    reason = next(f for f in unlabelled.forms["intake"].fields if f.id == "reason")
    assert relevant_words(unlabelled, reason, "fr") == "dans certains cas (voir l'annexe)"


def test_burkina_faso_sop_labels_every_condition_shown_to_people() -> None:
    loaded = load_file(REFERENCE)
    sop = loaded.model
    assert [d for d in lint(loaded) if d.code == "W126"] == []
    unlabelled = [f"{fid}.{f.id}" for fid, form in sop.forms.items() for f in form.fields
                  if f.relevant and not f.relevant_label]
    unlabelled += [f"{sid}.{t.trigger}" for sid, step in sop.steps.items() for t in step.transitions
                   if t.when and not t.when_label]
    unlabelled += [f"flow {r.after}" for r in sop.flow if r.when and not r.when_label]
    assert unlabelled == []
    child_rule = next(r for r in sop.flow if r.start == "best_interests")
    assert rule_words(sop, child_rule, "fr") == "la personne est un enfant non accompagné ou séparé"


@pytest.mark.parametrize("name", [
    "w126_guard_without_words.yaml", "w126_relevant_without_words.yaml",
    "w126_flow_rule_without_words.yaml", "w126_closure_rule_without_words.yaml"])
def test_the_warning_is_said_in_one_language(name: str) -> None:
    """Tryout 3, F2: W126's message and hint are French in French (no English half) and English
    in English (no French half), for every kind of condition."""
    (d,) = [d for d in lint(load_text(corpus_text(name), "x.yaml")) if d.code == "W126"]
    fr, en = d.message.text("fr") + " " + d.hint.text("fr"), d.message.text("en") + " " + d.hint.text("en")
    assert "la condition" in fr and "dans certains cas" in fr and "langage courant" in fr, fr
    for english in ("condition of", "under which", "has no words", "saying", "in plain words", " add "):
        assert english not in fr, (english, fr)
    assert "the condition" in en and "in some cases" in en and "plain words" in en, en
    for french in ("la condition", "dans certains cas", "ajouter", "langage courant"):
        assert french not in en, (french, en)
