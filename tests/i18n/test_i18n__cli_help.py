"""``mno --lang en <command> --help`` is English and ``mno <command> --help`` French, for every
command and sub-command, Click's own words included (« Usage », « Options », « Show this message
and exit », « Error: Missing argument »); ``--lang`` accepts the languages that have a catalogue
(or that a shipped SOP declares) and refuses others with the list."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mno_workflow.cli import COMMANDS

PROBE = Path(__file__).with_name("help_probe.py")
ENV = {**os.environ, "COLUMNS": "100", "MNO_LANG": ""}
#: French words that an English help must not show (quoted examples such as '3 jours ouvrés' aside)
FRENCH = re.compile(r"\b(le|la|les|des|du|une|pour|avec|sans|dans|et|ou|Utilisation|Afficher|défaut|"
                    r"obligatoire|dossiers?|étapes?|fichier|Commandes|Erreur|Essayez)\b|[éèêàù]", re.I)
ENGLISH = re.compile(r"Usage:|Show this message|\[required\]|\[default:|^Options:|^Commands:|"
                     r"^Arguments:|Error:", re.M)


def mno(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mno_workflow", *args], capture_output=True, text=True,
                          env=ENV, check=False)


@pytest.fixture(scope="module")
def helps() -> dict[str, dict[str, str]]:
    out = {}
    for lang in ("fr", "en"):
        run = subprocess.run([sys.executable, str(PROBE), lang], capture_output=True, text=True, env=ENV,
                             check=True)
        out[lang] = json.loads(run.stdout)
    return out


def test_every_command_has_a_help_in_both_languages(helps):
    for name in COMMANDS:
        assert helps["fr"][name].startswith(f"Utilisation : mno {name}"), name
        assert helps["en"][name].startswith(f"Usage: mno {name}"), name
    assert set(helps["fr"]) == set(helps["en"])
    assert len(helps["en"]) > len(COMMANDS)  # sub-commands too (case show, user add, sop migrate…)


def test_english_help_has_no_french_words(helps):
    found = []
    for cmd, text in helps["en"].items():
        for line in text.splitlines():
            unquoted = re.sub(r"'[^']*'|«[^»]*»", "", line)
            if FRENCH.search(unquoted):
                found.append((cmd, line))
        assert "Show this message and exit." in text, cmd
    assert found == []


def test_french_help_has_no_click_english(helps):
    for cmd, text in helps["fr"].items():
        assert not ENGLISH.search(text), (cmd, ENGLISH.search(text))
        assert "Afficher ce message et quitter." in text and "Options :" in text, cmd
        assert text != helps["en"][cmd], cmd


@pytest.mark.parametrize("lang, expected", [
    ("fr", ["Utilisation : mno case show [OPTIONS] {reference}",
            "Essayez « mno case show --help » pour l'aide.",
            "Erreur : Argument manquant 'reference'."]),
    ("en", ["Usage: mno case show [OPTIONS] {reference}", "Try 'mno case show --help' for help.",
            "Error: Missing argument 'reference'."]),
])
def test_usage_errors_follow_lang(lang, expected):
    r = mno(*(["--lang", lang] if lang != "fr" else []), "case", "show")
    assert r.returncode == 2
    assert [line for line in r.stderr.splitlines() if line.strip()] == expected


def test_unknown_option_and_value_follow_lang():
    fr, en = mno("case", "--nope"), mno("--lang", "en", "case", "--nope")
    assert fr.returncode == en.returncode == 2
    assert "Erreur : Option inconnue : --nope" in fr.stderr
    assert "Error: No such option: --nope" in en.stderr
    bad = mno("--lang", "en", "validate", "--format", "xml", "x.yaml")
    assert "Error: Invalid value for '--format'" in bad.stderr


def test_lang_refuses_a_language_without_catalogue_and_lists_the_others():
    r = mno("--lang", "pt", "demo")
    assert r.returncode == 2
    assert "langue « pt » inconnue ; langues disponibles : 'fr', 'en'" in r.stderr
    assert "available languages" not in r.stderr  # one language: the reader's, not both


def test_an_unknown_lang_is_refused_in_the_readers_language_only():
    r = subprocess.run([sys.executable, "-m", "mno_workflow", "--lang", "pt", "demo"], capture_output=True,
                       text=True, env={**ENV, "MNO_LANG": "en"}, check=False)
    assert r.returncode == 2
    assert "unknown language « pt »; available languages: 'fr', 'en'" in r.stderr, r.stderr
    assert "langue" not in r.stderr and "Erreur" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "mno_workflow", "--lang", "pt", "demo", "--help"],
                       capture_output=True, text=True, env={**ENV, "MNO_LANG": "en"}, check=False)
    assert r.returncode == 2 and "available languages" in r.stderr and "Usage" not in r.stdout
    r = subprocess.run([sys.executable, "-m", "mno_workflow", "sop", "list"], capture_output=True,
                       text=True, env={**ENV, "MNO_LANG": "xx"}, check=False)
    assert r.returncode == 2 and "MNO_LANG='xx' : valeurs acceptées fr, en" in r.stderr
    assert mno("--lang", "en-GB", "--help").stdout.startswith("Usage: mno")  # a region: its language


def test_lang_accepts_every_catalogue_and_the_sops_languages(tmp_path, monkeypatch):
    import mno_workflow.i18n as i18n
    import mno_workflow.resources as resources
    from mno_workflow.commands.common import accepted_languages, check_lang
    for lang in ("fr", "en", "pt"):
        (tmp_path / "locale" / lang / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / "locale" / lang / "LC_MESSAGES" / "messages.po").write_text('msgid ""\nmsgstr ""\n')
    (tmp_path / "sops" / "niger").mkdir(parents=True)
    (tmp_path / "sops" / "niger" / "mnr.yaml").write_text("sop: x\nlanguages: [fr, ha]\n")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setattr(resources, "sops_dir", lambda: tmp_path / "sops")
    i18n.clear_cache()
    try:
        assert accepted_languages() == ["fr", "en", "pt", "ha"]
        assert check_lang("pt") == "pt" and check_lang("ha") == "ha" and check_lang("pt-BR") == "pt"
        with pytest.raises(Exception, match="'fr', 'en', 'pt', 'ha'"):
            check_lang("de")
    finally:
        i18n.clear_cache()


def test_views_words_and_api_field_errors_come_from_the_catalogues():
    from mno_workflow.views import _t
    from mno_workflow.web.api_models import FIELD_MESSAGES, field_error
    assert _t("fr")["trail"] == "Journal d'audit" and _t("en")["trail"] == "Audit trail"
    assert _t("en")["status"] == {"open": "open", "closed": "closed"}
    assert field_error("missing", "Field required", "fr") == "Ce champ est obligatoire."
    # a sentence as a form's, never pydantic's own « Field required » (tryout 5, G22)
    assert field_error("missing", "Field required", "en") == "This field is required."
    assert field_error("uuid_type", "UUID expected", "en") == "UUID expected"  # not listed
    assert field_error("uuid_type", "UUID expected", "fr") == "Valeur invalide."  # never English
    assert set(FIELD_MESSAGES) >= {"missing", "json_invalid", "extra_forbidden"}


def test_sop_export_help_names_the_narrative_files_it_writes(helps):
    """``mno sop export`` writes the files listed under ``narrative:`` (``narrative.yaml`` beside
    ``mnr.yaml``) as well as the imported ones: its help says so, in each language."""
    # Rich wraps the help at the terminal's width: compare with the line breaks folded.
    fr, en = (" ".join(helps[lang]["sop export"].replace("│", " ").split()) for lang in ("fr", "en"))
    assert "narrative.yaml" in fr and "fichier de récit" in fr and "récit à côté" in fr, fr
    assert "narrative.yaml" in en and "every narrative file" in en and "narrative files beside" in en, en
    assert "Écrire" not in en and " / " not in fr  # one language each, no bilingual half left


@pytest.mark.parametrize("lang, words", [("fr", {"<texte>", "<entier>", "<chemin>", "<nombre>"}),
                                         ("en", {"<text>", "<integer>", "<path>", "<number>"})])
def test_value_types_are_words_never_python_types(helps, lang, words):
    """Typer shows each value's type (``<str>``, ``<list[Path]>``, ``<int range>``): in help they
    are words of the reader's language (tryout C6: « --map <list[str]> »)."""
    shown = {m for text in helps[lang].values() for m in re.findall(r"<[^>\n]*>", text)}
    assert words <= shown
    python = {m for m in shown if re.search(r"\[|\]| range|\b(str|int|float|Path)\b", m)}
    assert python == set()
    both = {"<texte>", "<entier>", "<chemin>", "<nombre>", "<text>", "<integer>", "<path>", "<number>"}
    other = words ^ both
    assert not (shown & other), shown & other  # no French type in English help, nor the reverse


@pytest.mark.parametrize("lang, extra, needs", [
    ("fr", "En trop sur la ligne de commande : mnr_bf", "L'option '--as' attend une valeur."),
    ("en", "Not expected on the command line: mnr_bf", "Option '--as' needs a value.")])
def test_click_usage_sentences_in_the_lang_language(lang, extra, needs):
    """Click's own usage errors (an extra argument, an option without its value) are said in the
    --lang language (« Erreur : Got unexpected extra argument(s) (mnr_bf) » on a French screen)."""
    flag = ["--lang", lang] if lang != "fr" else []
    r = mno(*flag, "case", "create", "mnr_bf")
    assert r.returncode == 2 and extra in r.stderr and "Got unexpected" not in r.stderr, r.stderr
    r = mno(*flag, "case", "fire", "MNR-X", "t", "--as")
    assert r.returncode == 2 and needs in r.stderr and "requires an argument" not in r.stderr, r.stderr


def test_no_help_shows_rest_markup(helps):
    """Tryout 5, G18: « mno calendar set --help » showed « ``calendar.managed_by`` » (a docstring's
    reST markup); every help quotes such names as its language does."""
    shown = [(lang, cmd, line.strip()) for lang, texts in helps.items() for cmd, text in texts.items()
             for line in text.splitlines() if "``" in line or re.search(r":(func|class|mod|meth):`", line)]
    assert shown == []
    assert "« calendar.managed_by »" in re.sub(r"\s+", " ", helps["fr"]["calendar set"])
    assert "“calendar.managed_by”" in re.sub(r"\s+", " ", helps["en"]["calendar set"])
