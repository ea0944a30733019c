"""The SOP document: narrative + generated chapters, in plain words (no CEL, state id or software
word outside the authors' annex), for the BF SOP and a smaller SOP; the narrative from the SOP,
an import, or the companion file; the data-protection chapter and the glossary from the SOP."""

from __future__ import annotations

import html as htmllib
import re
import shutil
from pathlib import Path

import pytest

from mno_workflow.render.narrative_text import NarrativeError, find_narrative, load_narrative_file
from mno_workflow.render.plain import software_words
from mno_workflow.render.sop_document import render_sop_document
from mno_workflow.sop.checks.condition_labels import conditions_needing_words
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
BF_DIR = BF.parent / "directory"
SMALL = ROOT / "tests" / "fixtures" / "render" / "mini_mnr.yaml"


def visible_text(page: str, cut_at: str = '<div id="annex-authors">') -> str:
    """The text a reader sees before the authors' annex (tags and the head removed)."""
    body = page.split("<body>", 1)[1].split(cut_at, 1)[0]
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)))


def all_state_ids(sop) -> set[str]:
    return {st for step in sop.steps.values() for st in step.states}


@pytest.fixture(scope="module")
def bf():
    return load_file(BF).model


@pytest.fixture(scope="module", params=["fr", "en"])
def bf_doc(request, bf):
    return request.param, render_sop_document(bf, request.param, BF, BF_DIR, svg=False)


def test_bf_document_has_narrative_generated_chapters_and_no_software_words(bf, bf_doc):
    lang, page = bf_doc
    text = visible_text(page)
    assert software_words(text, all_state_ids(bf)) == []
    for cel in ("has(", "steps.", "!has", "=="):
        assert cel not in text
    expected = {
        "fr": [
            "Contexte",
            "Cadre juridique",
            "001-2021/AN",
            "Principes directeurs",
            "Mécanisme de plaintes",
            "Protection des données personnelles",
            "Glossaire",
            "5 ans après la clôture",
            "Registre des accords de partage de données",
            "seulement si",
            "Urgence vitale",
        ],
        "en": [
            "Context",
            "Legal framework",
            "Guiding principles",
            "Complaints mechanism",
            "Personal data protection",
            "Glossary",
            "5 years after",
            "Register of data-sharing",
        ],
    }
    for words in expected[lang]:
        assert words in text, words
    # the authors' annex keeps the expressions
    annex = page.split('<div id="annex-authors">', 1)[1]
    assert "steps.consent" in htmllib.unescape(annex)


def test_conditions_are_printed_as_their_when_label(bf):
    text = visible_text(render_sop_document(bf, "fr", BF, BF_DIR, svg=False))
    labelled = [t for s in bf.steps.values() for t in s.transitions if t.when and t.when_label]
    assert labelled
    for t in labelled:
        assert t.when_label["fr"] in text


def test_register_lists_every_agreement_of_the_directory(bf):
    page = render_sop_document(bf, "fr", BF, BF_DIR, svg=False)
    rows = (BF_DIR / "sharing_agreement.csv").read_text(encoding="utf-8").strip().splitlines()[1:]
    section = page.split('id="data-protection"', 1)[1].split("</section>", 1)[0]
    assert section.count("<tr><td data-label=") >= len(rows) > 0  # card rows on a phone (issue 18)
    assert "31/12/2028" in section and "2028-12-31" not in section and "Identité" in section  # dd/mm/yyyy


def test_smaller_sop_document_builds_without_narrative():
    sop = load_file(SMALL).model
    page = render_sop_document(sop, "fr", SMALL, None, svg=False)
    text = visible_text(page)
    assert sop.label(sop.title, "fr") in text
    assert software_words(text, all_state_ids(sop)) == []
    assert "Glossaire" not in text  # no narrative glossary: none printed (no glossary in code)
    # « !consent.given » is said « … : non »: a condition with words needs no when_label (H20)
    assert list(conditions_needing_words(sop)) == []


def test_only_conditions_without_words_are_listed(bf):
    """W126 (mno validate and mno publish alike) names a transition whose condition has no when_label
    **and** cannot be put into words (printed « dans certains cas »), never a plain one such as a
    boolean field (tryout 5, H20)."""
    text = SMALL.read_text(encoding="utf-8").replace('when: "!consent.given"',
                                                     'when: "identification.household_size > 8"')
    from mno_workflow.sop.loader import load_text
    sop = load_text(text, str(SMALL)).model
    assert [(path, expr) for path, expr, _what, _key in conditions_needing_words(sop)] == [
        (("steps", "identification", "transitions", 2, "when"), "identification.household_size > 8")]


def test_glossary_comes_from_the_narrative(tmp_path, bf):
    folder = tmp_path / "bf"
    shutil.copytree(BF.parent, folder, ignore=shutil.ignore_patterns("scenarios", "examples"))
    narrative = folder / "narrative.yaml"
    narrative.write_text(
        narrative.read_text(encoding="utf-8").replace(
            "term: {fr: suivi, en: follow-up}", "term: {fr: suivi individualisé, en: follow-up}"
        ),
        encoding="utf-8",
    )
    # issue 14: the narrative is read with the SOP (and stored with its version), not by the
    # renderer from the folder it is given: the SOP is loaded from the changed folder
    copy = load_file(folder / "mnr.yaml").model
    assert bf == copy  # the same SOP content: only its narrative file differs
    text = visible_text(render_sop_document(copy, "fr", folder / "mnr.yaml", None, svg=False))
    assert "suivi individualisé" in text


def test_narrative_can_be_imported_by_the_sop(tmp_path):
    shutil.copy(BF.parent / "narrative.yaml", tmp_path / "chapters.yaml")
    text = SMALL.read_text(encoding="utf-8")
    (tmp_path / "sop.yaml").write_text(
        text.replace("languages:", "imports: [chapters.yaml]\nlanguages:", 1), encoding="utf-8"
    )
    sop = load_file(tmp_path / "sop.yaml").model
    assert sop.narrative is not None and sop.narrative.chapters[0].id == "context"
    assert find_narrative(sop) is sop.narrative


def test_a_broken_narrative_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "narrative.yaml"
    bad.write_text(
        "narrative:\n  chapters:\n    - id: Bad Id\n      title: {fr: x}\n      text: {fr: y}\n",
        encoding="utf-8",
    )
    with pytest.raises(NarrativeError, match=r"narrative\.chapters\.0\.id"):
        load_narrative_file(bad)


def test_markdown_cannot_inject_markup(tmp_path):
    (tmp_path / "narrative.yaml").write_text(
        "narrative:\n  chapters:\n    - id: context\n      title: {fr: Contexte}\n"
        '      text: {fr: "<script>alert(1)</script> **gras**"}\n',
        encoding="utf-8",
    )
    shutil.copy(SMALL, tmp_path / "sop.yaml")
    sop = load_file(tmp_path / "sop.yaml").model
    page = render_sop_document(sop, "fr", tmp_path / "sop.yaml", None, svg=False)
    assert "<script>" not in page and "<strong>gras</strong>" in page


def test_the_software_word_check_can_fail(bf):
    """The check used above finds CEL and state ids. The handbook no longer prints a condition's
    expression beside its words (tryout finding 13), nor « instance » (issue 19): both are checked
    on sentences of the old handbook."""
    old_guard = "Le consentement doit être donné (expression : has(consent.given) && consent.given)"
    found = software_words(old_guard, all_state_ids(bf))
    assert "has(" in found
    old = "Étape en parallèle\u00a0: une instance par élément de « Besoins » — clé\u00a0: need"
    assert [w.lower() for w in software_words(old)] == ["instance", "clé\u00a0:"]


@pytest.mark.parametrize("name, expr", [
    ("w126_where_without_words.yaml", "has(item.refer) && item.refer && size(intake.needs) > 1"),
    ("w126_cap_without_words.yaml", "size(intake.needs) > 2"),
    ("w126_flow_rule_without_words.yaml", "size(intake.needs) > 0"),
])
@pytest.mark.parametrize("lang, some_cases", [("fr", "dans certains cas (voir l'annexe)"),
                                              ("en", "in some cases (see the annex)")])
def test_every_condition_said_in_some_cases_is_in_the_authors_annex(name: str, expr: str, lang: str,
                                                                    some_cases: str) -> None:
    """« voir l'annexe » holds for a for-each step's items, a deadline cap and a flow rule too (the
    annex listed only guards and fields; tryout 5, H20)."""
    path = ROOT / "tests" / "fixtures" / "invalid_sops" / name
    sop = load_file(path).model
    page = render_sop_document(sop, lang, path, None, svg=False)
    annex = htmllib.unescape(re.sub(r"<[^>]+>", " ", page.split('<div id="annex-authors">', 1)[1]))
    row = re.sub(r"\s+", " ", annex)
    assert f"{some_cases} {expr}" in row, row[:1500]


@pytest.mark.parametrize("lang, words", [
    ("fr", "Une dérogation ne couvre que les catégories de données et les destinataires qu'elle nomme"),
    ("en", "An override covers only the data categories and the recipients it names")])
def test_the_chapter_says_an_override_covers_only_its_recipients(bf, lang, words):
    """BF SOP 2026.8 (tryout 7, J4): the override form names its recipients (``share_with``), and
    the data-protection chapter says so; an SOP whose override form has no such field does not."""
    from mno_workflow.render.data_protection_doc import data_protection_chapter

    assert words in " ".join(data_protection_chapter(bf, lang)["rules"])
    form = bf.forms["consent_override"]
    older = bf.model_copy(update={"forms": {**bf.forms, "consent_override": form.model_copy(update={
        "fields": [f for f in form.fields if f.id != "share_with"]})}})
    assert words not in " ".join(data_protection_chapter(older, lang)["rules"])
