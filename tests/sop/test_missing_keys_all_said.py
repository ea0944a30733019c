"""Every mandatory key missing from one mapping is said in one run, each at its file:line:col, in
French and English (tryout 4, G3: ``sop: x`` + ``version: 1`` named ``title`` only, so the author
fixed one key at a time: the other missing keys shared its position and were dropped as
duplicates). The same in a step, a state, a form and a field."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_text

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "invalid_sops" / "e011_missing_label.yaml"


def _missing(text: str) -> dict[str, tuple[int, int, str, str]]:
    """``{key: (line, col, French line, English line)}`` of the E011 diagnostics of ``text``."""
    with pytest.raises(SOPError) as e:
        load_text(text, "pos.yaml")
    out = {}
    for d in e.value.diagnostics:
        if d.code == "E011":
            key = d.message.split("'")[1]
            assert key not in out, f"{key} said twice"
            out[key] = (d.line, d.col, d.format("fr"), d.format("en"))
    return out


def test_every_missing_top_level_key_is_said_at_once():
    found = _missing("sop: x\nversion: 1\n")
    assert set(found) == {"title", "languages", "roles", "start", "steps"}, found
    for key, (line, col, fr, en) in found.items():
        assert (line, col) == (1, 1)
        assert fr.startswith("pos.yaml:1:1: erreur E011 ")
        assert f"clé obligatoire manquante '{key}' à la racine" in fr, fr
        assert f"ajouter « {key}: » à ce dictionnaire" in fr, fr
        assert en.startswith("pos.yaml:1:1: error E011 ")
        assert f"missing required key '{key}' at top level" in en, en


def test_every_missing_key_of_a_step_a_state_a_form_and_a_field_is_said():
    text = MINI.read_text(encoding="utf-8")
    broken = (text
              .replace("  intake:\n    label: {fr: Accueil, en: Intake}\n    states:",
                       "  intake:\n    states:", 1)                       # step: no label
              .replace("      done:\n        final: true", "      done:\n        owner: caseworker", 1)
              .replace("    title: {fr: Accueil, en: Intake}\n    fields:\n      - id: name\n"
                       "        type: text\n        required: true\n        label: {fr: Nom, en: Name}",
                       "    fields:\n      - required: true", 1))          # form: no title; field: nothing
    assert broken.count("\n") == text.count("\n") - 5  # every replacement was made
    lines = broken.splitlines()
    said = _said(broken)
    keys = {(key, where) for key, where, *_ in said}
    assert keys == {("title", "forms.intake"), ("id", "forms.intake.fields.0"),
                    ("type", "forms.intake.fields.0"), ("label", "forms.intake.fields.0"),
                    ("label", "steps.intake"), ("label", "steps.intake.states.done")}, said
    first_key = {"forms.intake": "fields:", "forms.intake.fields.0": "required: true",
                 "steps.intake": "states:", "steps.intake.states.done": "owner: caseworker"}
    for key, where, line, col, fr, en in said:
        assert lines[line - 1][col - 1:].startswith(first_key[where]), (key, where, line, col)
        assert f"erreur E011 clé obligatoire manquante '{key}' à {where} " in fr, fr
        assert f"error E011 missing required key '{key}' at {where} " in en, en


def _said(text: str) -> list[tuple[str, str, int, int, str, str]]:
    """Every key said missing: (key, where, line, col, French, English)."""
    with pytest.raises(SOPError) as e:
        load_text(text, "pos.yaml")
    out = []
    for d in e.value.diagnostics:
        if d.code == "E011":
            out.append((d.message.split("'")[1], d.message.split(" at ")[-1], d.line, d.col,
                        d.format("fr"), d.format("en")))
    assert len(out) == len({(k, w) for k, w, *_ in out}), out  # each once
    return out


@pytest.mark.parametrize("lang, words", [("fr", "clé obligatoire manquante"), ("en", "missing required key")])
def test_mno_validate_lists_them_all(tmp_path, lang, words):
    path = tmp_path / "pos.yaml"
    path.write_text("sop: x\nversion: 1\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["--lang", lang, "validate", str(path)])
    assert r.exit_code == 1
    out = r.output
    for key in ("title", "languages", "roles", "start", "steps"):
        assert f"{path}:1:1: " in out and f"{words} '{key}'" in out, out
