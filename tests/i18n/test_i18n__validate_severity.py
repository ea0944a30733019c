"""``mno validate`` prints the severity word in the ``--lang`` language (« erreur », « avertissement »,
« info » in French, the default; ``error``, ``warning``, ``info`` in English), while ``--format
json`` keeps the English keys in ``severity`` whatever the language (docs/sop-language.md §16)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
BF = Path(__file__).parents[2] / "sops" / "burkina_faso" / "mnr.yaml"

#: file -> (code, English key, French word) of one of its diagnostics
CASES = {
    "error": (FIXTURES / "invalid_sops" / "e021_unknown_owner.yaml", "E021", "erreur"),
    "warning": (FIXTURES / "lint" / "w106_no_way_out.yaml", "W106", "avertissement"),
    "info": (BF, "W106", "info"),  # a warning the SOP accepts with a reason (lint: allow)
}


def _validate(path: Path, *args: str, lang: str = "") -> str:
    env = {**os.environ, "MNO_LANG": ""}
    return subprocess.run([sys.executable, "-m", "mno_workflow", *(["--lang", lang] if lang else []),
                           "validate", *args, str(path)], capture_output=True, text=True, env=env,
                          check=False).stdout


@pytest.mark.parametrize("key", sorted(CASES))
def test_severity_word_follows_lang(key):
    path, code, word = CASES[key]
    line = re.compile(rf"^{re.escape(str(path))}:\d+:\d+: (\S+) {code} ", re.M)
    fr = set(line.findall(_validate(path)))
    en = set(line.findall(_validate(path, lang="en")))
    assert fr == {word}, fr  # was the English key: « info W106 l'état … »
    assert en == {key}, en
    report = json.loads(_validate(path, "--format", "json"))
    assert {d["severity"] for d in report[0]["diagnostics"] if d["code"] == code} == {key}


def test_diagnostic_format_without_lang_keeps_the_key():
    """``str(SOPError)`` and code comparing lines (``format()`` without a language) are unchanged."""
    from mno_workflow.sop.diagnostics import Diagnostic, severity_word
    d = Diagnostic("a.yaml", 1, 2, "warning", "W101", "m")
    assert d.format() == "a.yaml:1:2: warning W101 m"
    assert d.format("fr") == "a.yaml:1:2: avertissement W101 m"
    assert [severity_word(s, "en") for s in ("error", "warning", "info")] == ["error", "warning", "info"]


def test_an_unreadable_directory_translations_file_follows_lang_too(tmp_path):
    """A folder's ``translations.<lang>.yaml`` that cannot be read was « error E001 <Python's
    text> » whatever ``--lang``: now E000 with the reason in words, or E001 for bad YAML."""
    folder = tmp_path / "pos"
    folder.mkdir()
    (folder / "mnr.yaml").write_text(CASES["warning"][0].read_text(encoding="utf-8"), encoding="utf-8")
    latin1 = folder / "translations.en.yaml"
    latin1.write_bytes("translations:\n  \"Été\": Summer\n".encode("latin-1"))
    bad_yaml = folder / "translations.pt.yaml"
    bad_yaml.write_text("translations: [unclosed\n", encoding="utf-8")
    fr, en = _validate(folder), _validate(folder, lang="en")
    assert f"{latin1}:1:1: erreur E000 {latin1} n'est pas un texte UTF-8" in fr, fr
    assert f"{latin1}:1:1: error E000 {latin1} is not UTF-8 text" in en, en
    assert f"{bad_yaml}:1:15: erreur E001 erreur de syntaxe YAML : une liste [ … ]" in fr  # where it opens
    assert f"{bad_yaml}:1:15: error E001 YAML syntax error: a list [ … ]" in en
