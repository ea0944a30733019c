"""W126: conditions shown to people need words (``when_label``, ``relevant_label``), issue 19.

The corpus files ``tests/fixtures/invalid_sops/w126_*.yaml`` check file:line:col and ``--strict``;
here: a label silences the warning, shapes the documents can say need none, the labels are
checked for languages (E025), the documents print them, and the Burkina Faso SOP labels all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.render.plain import (
    cap_condition,
    field_condition,
    relevant_words,
    rule_words,
    transition_condition,
    where_words,
)
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
    "w126_flow_rule_without_words.yaml", "w126_closure_rule_without_words.yaml",
    "w126_where_without_words.yaml", "w126_cap_without_words.yaml"])
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


# Tryout 5, H20: the § 1 example of docs/sop-language.md (a bare yes/no field as a guard, ``has(x) && x``
# as a for-each ``where``) is said in words by the documents, and whatever they cannot say is W126
# in ``mno validate`` (so ``--strict`` fails) and in ``mno publish``: one test, theirs.
DOCS_EXAMPLE = re.search(r"## 1\..*?```yaml\n(.*?)```",
                         (ROOT / "docs" / "sop-language.md").read_text(encoding="utf-8"), re.S).group(1)


def test_the_docs_example_is_said_in_words_and_clean_under_strict(tmp_path: Path) -> None:
    sop = load_text(DOCS_EXAMPLE, "x.yaml").model
    assert w126(DOCS_EXAMPLE) == []
    send = next(t for t in sop.steps["referral"].transitions if t.trigger == "send")
    fe = sop.steps["referral"].instances
    assert transition_condition(sop, send, "fr") == "« Consentement au partage » : oui"
    assert transition_condition(sop, send, "en") == "“Consent to sharing”: yes"
    assert where_words(sop, fe, "fr") == "« À référer » : oui"
    assert where_words(sop, fe, "en") == "“To refer”: yes"
    path = tmp_path / "example.yaml"
    path.write_text(DOCS_EXAMPLE, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--strict", str(path)])
    # nothing but W117 (no data_protection, said in § 1 right after the example; tryout 7, J10)
    # and W119 (only the provider answers, said there too; tryout 8, K12)
    assert [line.split(" erreur ")[1][:4] for line in result.output.splitlines()
            if " erreur " in line] == ["W117", "W119"], result.output


@pytest.mark.parametrize("expr, fr, en", [
    ("intake.consent", "« Consentement au partage » : oui", "“Consent to sharing”: yes"),
    ("!intake.consent", "« Consentement au partage » : non", "“Consent to sharing”: no"),
    ("has(intake.consent) && intake.consent", "« Consentement au partage » : oui",
     "“Consent to sharing”: yes"),
    ("intake.consent == true", "« Consentement au partage » : oui", "“Consent to sharing”: yes"),
    ("intake.consent == false", "« Consentement au partage » : non", "“Consent to sharing”: no"),
])
def test_a_yes_no_field_is_said_without_a_label(expr: str, fr: str, en: str) -> None:
    text = DOCS_EXAMPLE.replace("when: intake.consent,", f'when: "{expr}",')
    assert text != DOCS_EXAMPLE
    sop = load_text(text, "x.yaml").model
    send = next(t for t in sop.steps["referral"].transitions if t.trigger == "send")
    assert (transition_condition(sop, send, "fr"), transition_condition(sop, send, "en")) == (fr, en)
    assert w126(text) == []


@pytest.mark.parametrize("name, old, new", [
    ("w126_where_without_words.yaml", "key: need}",
     "key: need, where_label: {fr: à référer (plusieurs besoins), en: to refer (several needs)}}"),
    ("w126_cap_without_words.yaml", 'when: "size(intake.needs) > 2"}',
     'when: "size(intake.needs) > 2", when_label: {fr: plus de deux besoins, en: more than two needs}}'),
])
def test_a_where_or_cap_without_words_is_warned_a_label_silences_it(name: str, old: str, new: str) -> None:
    """Before H20 neither was looked at: documents printed « dans certains cas », validate said nothing."""
    text = corpus_text(name)
    assert len(w126(text)) == 1
    assert old in text
    labelled = text.replace(old, new)
    assert w126(labelled) == []
    sop = load_text(labelled, "x.yaml").model
    if "where" in name:
        fe = sop.steps["referral"].instances
        assert where_words(sop, fe, "fr") == "à référer (plusieurs besoins)"
        assert where_words(sop, fe, "en") == "to refer (several needs)"
    else:
        cap = sop.steps["referral"].states["draft"].deadline.no_later_than[0]
        assert cap_condition(sop, cap, "fr") == "plus de deux besoins"
        assert cap_condition(sop, cap, "en") == "more than two needs"
    with pytest.raises(SOPError) as info:  # a label in one language only: E025
        load_text(text.replace(old, new.replace(", en: to refer (several needs)", "")
                               .replace(", en: more than two needs", "")), "x.yaml")
    assert "E025" in {d.code for d in info.value.diagnostics}


@pytest.mark.parametrize("lang, words", [("fr", "dans certains cas"), ("en", "in some cases")])
def test_validate_and_publish_warn_about_the_same_conditions(tmp_path: Path, lang: str, words: str) -> None:
    """``mno publish`` warns (W126) about exactly the conditions ``mno validate`` does, in the
    reader's language: before H20 it named only transitions, as W125, and never a ``where``."""
    from mno_workflow.render.publish import publish

    for name in ("w126_where_without_words.yaml", "w126_cap_without_words.yaml",
                 "w126_flow_rule_without_words.yaml", "w126_relevant_without_words.yaml"):
        loaded = load_text(corpus_text(name), "x.yaml")
        report = publish(loaded.model, tmp_path / name, pdf=False, only=lambda _name: False)
        shown = [w.text(lang) for w in report.warnings if w.startswith("W126")]
        said_by_lint = [d for d in lint(loaded) if d.code == "W126"]
        assert len(shown) == len(said_by_lint) == 1, (name, shown)
        assert words in shown[0] and "W125" not in shown[0]
        assert ("ajouter" in shown[0]) == (lang == "fr")
