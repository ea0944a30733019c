"""``mno validate`` diagnostics (messages and hints) follow ``--lang``: broken SOPs reaching each
checks module rewritten for the catalogues (owner, notify, spawn, traps, the schema's validators,
the loader's schema errors, indicators) print English with ``--lang en`` and French by default."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).parents[1] / "fixtures" / "invalid_sops" / "e021_unknown_owner.yaml"
SERVE = "{trigger: serve, label: {fr: Servir, en: Serve}, from: pending, to: served, by: [caseworker]"
INDICATORS = ("indicators:\n  list:\n    - code: X1\n      label: {fr: X, en: X}\n      count: cases\n"
              "      events: {step: nowhere, to: [done]}\n")

def _ok(sop: str) -> str:
    """The base SOP without its own error (an unknown owner role)."""
    return sop.replace("owner: manager", "owner: caseworker")


#: name -> (change of the base SOP, the code expected)
BROKEN = {
    "owner": (lambda s: s, "E021"),
    "notify": (lambda s: s.replace(SERVE, SERVE + ", notify: [nobody]"), "E021"),
    "spawn": (lambda s: s.replace(SERVE, SERVE + ", spawn: {step: nowhere, from: intake.needs}"), "E024"),
    "traps": (lambda s: _ok(s).replace("  - {after: service.all_final, close_case: true}\n", ""), "W115"),
    "traps_w116": (lambda s: _ok(s).replace("service.all_final, close_case", "service.served, close_case"),
                   "W116"),
    "schema_duration": (lambda s: s.replace("within: 10 days", "within: 10 dayz"), "E012"),
    "schema_reminder": (lambda s: s.replace("remind: [50%]", "remind: [tomorrow]"), "E012"),
    "loader_key": (lambda s: s.replace("initial: true\n        owner: manager",
                                       "initial: true\n        ownr: x"), "E010"),
    "indicators": (lambda s: _ok(s) + INDICATORS, "E070"),
}

#: French words an English diagnostic must not show (quoted values and paths aside)
FRENCH = re.compile(r"\b(le|la|les|des|du|une|un|pour|avec|dans|et|ou|aucune?|inconnue?|conseil|"
                    r"étape|utiliser|ajouter|rien|jamais|règle|dossier)\b|[éèêàù]", re.I)
#: English words a French diagnostic must not show
ENGLISH = re.compile(r"\b(the|of|is|has|use|unknown|hint|nothing|write|add|never|with|rule|step|"
                     r"missing|invalid|value|should)\b", re.I)


def _bare(line: str, path: Path) -> str:
    """The line without its path, quoted values and SOP words (codes, keys, YAML snippets)."""
    line = line.replace(str(path), "")
    return re.sub(r"'[^']*'|«[^»]*»|\{[^}]*\}|[a-z_]+\.[a-z_.]+|\b(error|warning) [EW]\d+\b", "", line)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validate_follows_lang(tmp_path, name):
    change, code = BROKEN[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(change(BASE.read_text(encoding="utf-8").split("\n", 1)[1]), encoding="utf-8")
    env = {**os.environ, "MNO_LANG": ""}
    out = {lang: subprocess.run([sys.executable, "-m", "mno_workflow", *(["--lang", lang] if lang else []),
                                 "validate", str(path)], capture_output=True, text=True, env=env,
                                check=False).stdout for lang in ("", "en")}
    fr = [line for line in out[""].splitlines() if f" {code} " in line]
    en = [line for line in out["en"].splitlines() if f" {code} " in line]
    assert fr and en and len(fr) == len(en), out
    for line in en:
        assert not FRENCH.search(_bare(line, path)), line
        assert "(hint: " in line, line
    for line in fr:
        assert not ENGLISH.search(_bare(line, path)), line
        assert "(conseil : " in line, line
    assert fr != en
