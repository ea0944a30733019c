"""``mno --lang xx --help`` (a language ``mno`` does not accept) is refused with exit 2 and the list
of languages, as ``mno --lang xx validate`` is, instead of showing French help; and a bilingual help
text (« Texte. / Text. ») shows only the reader's half. Cheap on purpose: the help of every command
is checked in-process, and only four ``mno`` subprocesses run (the entry point patches Click's words
process-wide, so what it prints is checked in a child process)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mno_workflow.cli import COMMANDS, _load
from mno_workflow.i18n.cli import french_half, raw_lang

ENV = {**os.environ, "COLUMNS": "100", "MNO_LANG": ""}


def mno(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mno_workflow", *args], capture_output=True, text=True,
                          env=env or ENV, check=False)


@pytest.mark.parametrize("text, french", [
    ("Lister les versions de POS de la base. / List SOP versions.", "Lister les versions de POS de la base."),
    ("Sauvegarder (copie cohérente). / Back up SQLite.", "Sauvegarder (copie cohérente)."),
    ("Importer des soumissions KoboToolbox / ODK.", "Importer des soumissions KoboToolbox / ODK."),
    ("Afficher un dossier.", "Afficher un dossier."),
    ("Enregistrer une version de POS.\n\nRegister an SOP version.", "Enregistrer une version de POS."),
    ("Vérifier.\n\nExemple : mno validate x.yaml", "Vérifier.\n\nExemple : mno validate x.yaml"),
    ("Vérifier.\n\n``mno validate x.yaml``", "Vérifier.\n\n``mno validate x.yaml``"),
])
def test_french_half(text, french):
    assert french_half(text) == french


@pytest.mark.parametrize("argv, env, found", [
    (["--lang", "xx", "--help"], {}, ("--lang", "xx")),
    (["validate", "--lang=pt", "--help"], {}, ("--lang", "pt")),
    (["--help"], {"MNO_LANG": "xx"}, ("$MNO_LANG", "xx")),
    (["--", "--lang", "xx"], {}, None),
    (["--help"], {}, None),
])
def test_raw_lang(argv, env, found):
    assert raw_lang(argv, env) == found


def _helps(cmd, path=()):
    yield path, cmd.help or ""
    yield path, cmd.short_help or ""
    for p in cmd.params:
        yield path + (p.name,), getattr(p, "help", None) or ""
    for name, sub in (getattr(cmd, "commands", None) or {}).items():
        yield from _helps(sub, path + (name,))


def _raw(name: str):
    """The click command of ``name`` as Typer builds it (before :func:`localise`)."""
    import importlib

    import typer
    module, _, attr = COMMANDS[name][0].partition(":")
    obj = getattr(importlib.import_module(module), attr)
    if isinstance(obj, typer.Typer):
        return typer.main.get_group(obj)
    one = typer.Typer(add_completion=False)
    one.command(name)(obj)
    return typer.main.get_command(one)


def test_french_help_of_every_command_has_no_english_half():
    bilingual = []
    for name in COMMANDS:
        bilingual += [(p, t) for p, t in _helps(_raw(name), (name,)) if t != french_half(t)]
        shown = list(_helps(_load(name), (name,)))  # _load localises (French here)
        assert not [(p, t) for p, t in shown if t != french_half(t)], name
        assert not [(p, t) for p, t in shown if "Register an SOP version" in t or "List SOP versions" in t]
    assert len(bilingual) >= 20, bilingual  # the test can fail: such texts exist before localise


def test_unknown_lang_with_help_is_refused_like_a_command():
    for args in (["--lang", "xx", "--help"], ["--lang", "xx", "validate", "x.yaml"]):
        r = mno(*args)
        assert r.returncode == 2, r
        assert "« xx »" in r.stderr and "'fr', 'en'" in r.stderr and "Utilisation" not in r.stdout, r
    r = mno("--help", env={**ENV, "MNO_LANG": "xx"})
    assert r.returncode == 2 and "MNO_LANG='xx'" in r.stderr and r.stdout == "", r


def test_help_in_english_and_french_shows_one_half():
    fr = mno("case", "show", "--help")
    en = mno("--lang", "en", "case", "show", "--help")
    assert fr.returncode == en.returncode == 0, (fr, en)
    assert "Afficher un dossier" in fr.stdout and "Show a case" not in fr.stdout, fr.stdout
    assert "Show a case" in en.stdout and "Afficher" not in en.stdout, en.stdout
