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


# --- The rules of sop/lint*.py, lint_protection.py, checks/entries.py, checks/calendar.py -------------
# In-process (no subprocess per case): the same Diagnostic.format(lang) that ``mno validate`` prints.

FIXTURES = Path(__file__).parents[1] / "fixtures"
BF = Path(__file__).parents[2] / "sops" / "burkina_faso" / "mnr.yaml"

#: fixture file (under tests/fixtures) -> code its diagnostics must include
LINT_FIXTURES = {
    "invalid_sops/e021_calendar_managed_by_unknown_role.yaml": "E021",
    "invalid_sops/e024_unknown_top_start.yaml": "E024",
    "invalid_sops/e025_missing_en.yaml": "E025",
    "invalid_sops/e025_extra_language.yaml": "E025",
    "invalid_sops/e026_two_initial.yaml": "E026",
    "invalid_sops/e028_for_each_bad_key.yaml": "E028",
    "invalid_sops/e030_no_french.yaml": "E030",
    "invalid_sops/e031_duplicate_field_id.yaml": "E031",
    "invalid_sops/e032_text_with_options.yaml": "E032",
    "invalid_sops/e032_repeat_without_fields.yaml": "E032",
    "invalid_sops/e032_choice_without_options.yaml": "E032",
    "invalid_sops/e033_deadline_missing_choice.yaml": "E033",
    "invalid_sops/e033_deadline_extra_choice.yaml": "E033",
    "invalid_sops/e034_for_each_not_repeat.yaml": "E034",
    "invalid_sops/e035_no_disclosure.yaml": "E035",
    "invalid_sops/e035_send_without_when.yaml": "E035",
    "invalid_sops/e036_unknown_form_field.yaml": "E036",
    "invalid_sops/e036_item_unknown.yaml": "E036",
    "invalid_sops/e036_item_outside_for_each.yaml": "E036",
    "invalid_sops/e038_bad_timezone.yaml": "E038",
    "invalid_sops/e038_unknown_country.yaml": "E038",
    "invalid_sops/e038_bad_subdivision.yaml": "E038",
    **{f"lint/{p.name}": p.name[:4].upper() for p in sorted((FIXTURES / "lint").glob("w1*.yaml"))},
}

#: change of the Burkina Faso SOP -> code (data protection and entries rules)
BF_CHANGES = {
    "E042": ("        category: identity\n", "        category: identiti\n"),
    # the override's recipients from another option list than the consent's (BF SOP 2026.8, J4)
    "E042o": ("        options: recipient_kind\n        required: true\n        label: {fr: Destinataires (",
              "        options: data_category\n        required: true\n        label: {fr: Destinataires ("),
    "E044": ("    trigger: file\n", "    trigger: nothing\n"),
    "E044r": ("        by: [caseworker, supervisor]\n        form: alert_contact\n",
              "        by: [caseworker, supervisor, first_responder]\n        form: alert_contact\n"),
    "E021": ("    by: [first_responder]\n    start: alert\n",
             "    by: [first_responder, relais]\n    start: alert\n"),
}


def _diagnostics(text: str, path: str) -> list:
    from mno_workflow.sop.diagnostics import SOPError
    from mno_workflow.sop.lint import lint
    from mno_workflow.sop.loader import load_text
    try:
        return lint(load_text(text, path))
    except SOPError as e:
        return e.diagnostics


def _check_both_languages(diags: list, code: str) -> None:
    mine = [d for d in diags if d.code == code]
    assert mine, [d.format() for d in diags]
    for d in mine:
        fr, en = d.format("fr"), d.format("en")  # mno validate passes its --lang (French by default)
        bare = Path(d.path)
        assert not FRENCH.search(_bare(en, bare)), en
        assert not ENGLISH.search(_bare(fr, bare)), fr
        assert fr != en, fr
        if d.hint:
            assert "(hint: " in en and "(conseil : " in fr, (fr, en)


@pytest.mark.parametrize("name", sorted(LINT_FIXTURES))
def test_lint_rules_follow_lang(name):
    path = FIXTURES / name
    _check_both_languages(_diagnostics(path.read_text(encoding="utf-8"), str(path)), LINT_FIXTURES[name])


@pytest.mark.parametrize("key", sorted(BF_CHANGES))
def test_protection_and_entries_rules_follow_lang(key):
    old, new = BF_CHANGES[key]
    text = BF.read_text(encoding="utf-8")
    assert old in text, old
    _check_both_languages(_diagnostics(text.replace(old, new, 1), "mnr.yaml"), key[:4])
