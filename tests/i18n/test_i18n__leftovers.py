"""Texts that were still in code (issue 18, « translations in catalogues, not code »): the lint
codes' meanings, E028's step-start message, W127/W128, ``mno publish``'s warnings, the label
separator, the person-data page's words; and E046, the narrative file's own code. Each test
failed before the texts moved to the catalogues."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.step_start import step_start_problem
from mno_workflow.i18n import colon
from mno_workflow.protection.view_words import channel_label, role_name, what_label
from mno_workflow.sop.diagnostics import Said
from mno_workflow.sop.lint import CODES, lint, meaning
from mno_workflow.sop.loader import load_file, load_text

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "valid_sops" / "minimal.yaml"
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
FRENCH = re.compile(r"[éèàùêçô«»]|\b(le|la|les|des|du|une|et|ou|sans|dans|à|fichier|récit)\b", re.I)


# -- 1. lint codes: severity in code, meaning in the catalogues -----------------------------------
@pytest.mark.parametrize("code, severity, fr, en", [
    ("E000", "error", "fichier illisible", "file cannot be read"),
    ("E043", "error", "spawn sans le champ clé des instances", "spawn lacks the instance key field"),
    ("E046", "error", "fichier de récit illisible ou mal formé",
     "narrative file cannot be read or is malformed"),
    ("W109", "info", "état sans responsable où un dossier peut rester indéfiniment",
     "state without owner where a case can sit forever"),
    ("W127", "warning", "récit de la POS trouvé par son nom, non déclaré",
     "narrative found by name, not declared"),
])
def test_lint_code_meanings_come_from_the_catalogues(code, severity, fr, en):
    assert CODES[code][0] == severity
    assert (meaning(code, "fr"), meaning(code, "en"), meaning(code)) == (fr, en, en)


def test_lint_module_holds_no_french_meaning():
    source = (ROOT / "mno_workflow" / "sop" / "lint.py").read_text(encoding="utf-8")
    table = source[source.index("CODES:"):source.index("def meaning")]
    assert not FRENCH.search(re.sub(r"#.*", "", table)), "French text in CODES: put it in fr/…/messages.po"
    assert all(len(v) == 2 for v in CODES.values())  # (severity, message)


# -- 2. E028 (deadline start at a step), W127, W128: catalogue messages ---------------------------
def test_step_start_problem_is_a_catalogue_message():
    sop = load_file(MINIMAL).model
    assert step_start_problem(sop, "steps.intake.open") is None
    for start, fr in (("steps.nope.open", "nomme l'étape 'nope', qui n'existe pas (étapes : "),
                      ("steps.intake.nope",
                       "nomme l'état 'nope', qui n'est pas un état de l'étape 'intake'")):
        why = step_start_problem(sop, start)
        assert isinstance(why, Said), why
        assert fr in why.text("fr") and not FRENCH.search(why.text("en").replace(start, "")), why.text("en")


def test_e028_step_start_in_mno_validate_both_languages(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "within: {by: intake.priority, cases: {urgent: 1 working day, normal: 5 working days}}",
        "within: {by: intake.priority, cases: {urgent: 1 working day, normal: 5 working days}}\n"
        "          start: steps.nowhere.open")
    path = tmp_path / "sop.yaml"
    path.write_text(text, encoding="utf-8")
    fr = CliRunner().invoke(app, ["validate", str(path)])
    en = CliRunner().invoke(app, ["--lang", "en", "validate", str(path)])
    assert fr.exit_code == en.exit_code == 1
    assert "E028 'steps.nowhere.open' nomme l'étape 'nowhere', qui n'existe pas" in fr.output, fr.output
    assert "E028 'steps.nowhere.open' names step 'nowhere', which does not exist" in en.output, en.output


@pytest.fixture
def companion(tmp_path: Path) -> Path:
    shutil.copy(MINIMAL, tmp_path / "sop.yaml")
    (tmp_path / "narrative.yaml").write_text(
        "narrative:\n  chapters:\n    - id: context\n      title: {fr: Contexte, en: Context}\n"
        "      text: {fr: Le contexte., en: The context.}\n", encoding="utf-8")
    return tmp_path


def test_w127_and_w128_in_the_readers_language(companion: Path):
    [w127] = [d for d in lint(load_file(companion / "sop.yaml")) if d.code == "W127"]
    assert ("avertissement W127 le récit vient de narrative.yaml à côté de la POS, trouvé par son nom "
            "(obsolète) : le déclarer sous narrative:") in w127.format("fr"), w127.format("fr")
    assert " / " not in w127.format("fr") and " / " not in w127.format("en")
    assert "ajouter « narrative: [narrative.yaml] » à la POS" in w127.format("fr")
    assert "add 'narrative: [narrative.yaml]' to the SOP" in w127.format("en")
    assert not FRENCH.search(re.sub(r"'[^']*'", "", w127.format("en").split(": warning", 1)[1]))
    text = (companion / "sop.yaml").read_text(encoding="utf-8").replace(
        'version: "1"\n', 'version: "1"\nnarrative: [narrative.yaml, absent.yaml]\n')
    [w128] = [d for d in lint(load_text(text, str(companion / "sop.yaml"))) if d.code == "W128"]
    assert "le fichier de récit 'absent.yaml' n'existe pas (à côté de sop.yaml)" in w128.format("fr")
    assert "donner un chemin relatif au fichier de la POS" in w128.format("fr")
    assert "narrative file 'absent.yaml' does not exist (beside sop.yaml)" in w128.format("en")
    assert " / " not in w128.format("fr") + w128.format("en")


def test_publish_warnings_in_one_language(companion: Path, tmp_path_factory):
    from mno_workflow.render import diagrams
    from mno_workflow.render.publish import publish
    from mno_workflow.sop.diagnostics import text_in

    if not diagrams.dot_available():
        pytest.skip("Graphviz dot is not installed")
    out = tmp_path_factory.mktemp("pub")
    report = publish(load_file(companion / "sop.yaml").model, out, companion / "sop.yaml", langs=["fr"],
                     pdf=False, only=("sop-document",).__contains__)
    [w127] = [w for w in report.warnings if str(w).startswith("W127")]
    assert str(w127) == ("W127 narrative.yaml : récit trouvé à côté de la POS par son nom (obsolète), à "
                         "déclarer (« narrative: [narrative.yaml] »)")
    assert text_in(w127, "en") == ("W127 narrative.yaml: narrative found by name beside the SOP "
                                   "(deprecated): declare it ('narrative: [narrative.yaml]')")
    for w in report.warnings:
        assert " / " not in str(w) and not re.search(r"[éèàùêç«»]", text_in(w, "en")), w


@pytest.mark.parametrize("lang, sep", [("fr", " : "), ("en", ": "), ("xx", " : ")])
def test_label_separator_is_a_catalogue_entry(lang, sep):
    assert colon(lang) == sep


def test_no_fixed_french_colon_in_templates_or_presenters():
    """« Libellé : valeur » is ``{{ colon(lang) }}`` (English has no space before the colon)."""
    found = []
    for path in sorted((ROOT / "mno_workflow" / "web" / "templates").glob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(</strong>|</b>|\}\}) : ", line):
                found.append(f"{path.name}:{n}")
    presenters = (ROOT / "mno_workflow" / "web" / "presenters.py").read_text(encoding="utf-8")
    assert found == [] and 'lang == "en"' not in presenters, found


# -- 6. the case-view log in words --------------------------------------------------------------
@pytest.mark.parametrize("lang, role, channel, what", [
    ("fr", "Gestionnaire de cas", "Mon travail", "données détenues sur la personne"),
    ("en", "Case manager", "My work", "data held about the person"),
])
def test_view_log_words(lang, role, channel, what):
    assert role_name("caseworker", lang) == role and channel_label("work", lang) == channel
    assert what_label("export-person", None, lang) == what
    assert role_name("nobody", lang) == "nobody" and channel_label("carrier-pigeon", lang) == "carrier-pigeon"
    sop = load_file(BF).model
    label = what_label("referral:cash", sop, lang)
    assert label.startswith(sop.label(sop.steps["referral"].label, lang) + " — ") and "cash" not in label


# -- word tables of the printed documents, the dashboard's dates --------------------------------
def test_word_tables_come_from_the_catalogues():
    from mno_workflow.i18n import N_, Words
    from mno_workflow.render.diagram_words import TEXT

    words = Words({"yes": N_("Oui"), "state": N_("État")})
    assert words["fr"] == {"yes": "Oui", "state": "État"}
    assert words["en"]["yes"] == "Yes" and words.get("xx", {}) == words["fr"]  # no catalogue: French
    assert "en" in words and "xx" not in words and list(words)[0] == "fr"
    assert (TEXT["fr"]["start"], TEXT["en"]["start"], TEXT["fr"]["colon"], TEXT["en"]["colon"]) == (
        "Début", "Start", " : ", ": ")


@pytest.mark.parametrize("text, html", [
    ("2025Q2, 2025-04, 2025 ou 2025-04-01..2025-06-30",
     '2025Q2, <span class="when">2025-04</span>, 2025 ou <span class="when">2025-04-01..2025-06-30</span>'),
    ("le 08/01/2025 à 10:30", 'le <span class="when">08/01/2025</span> à <span class="when">10:30</span>'),
    ("<b>MNR-BF-000007</b>", '&lt;b&gt;<span class="nowrap">MNR-BF-000007</span>&lt;/b&gt;'),  # issue 18
])
def test_nobreak_keeps_dates_on_one_line(text, html):
    from mno_workflow.web.nobreak import nobreak

    assert str(nobreak(text)) == html


def test_what_labels_puts_each_value_in_words_once(monkeypatch):
    """The access log and the person-data record label each distinct ``what`` once per page
    (:func:`what_labels`), the same words as :func:`what_label`; a second referral of a need is
    « … (2) », the only instance of a step the step alone."""
    from mno_workflow.protection import view_words

    sop = load_file(BF).model
    calls = []
    real = view_words.instance_words
    monkeypatch.setattr(view_words, "instance_words", lambda *a: calls.append(a) or real(*a))
    label = view_words.what_labels(sop, "fr")
    rows = ["referral:cash", "export-person", "referral:cash", None, "referral:cash-2", "referral:cash"]
    words = [label(x) for x in rows]
    assert len(calls) == 2, calls  # referral:cash and referral:cash-2, once each
    assert words == [view_words.what_label(x, sop, "fr") for x in rows]
    cash = sop.label(sop.options["need"]["cash"], "fr")
    step = sop.label(sop.steps["referral"].label, "fr")
    assert words[0] == f"{step} — {cash}" and words[4] == f"{step} — {cash} (2)", words
    assert label("nowhere:1") == "nowhere:1" and words[3] == ""
