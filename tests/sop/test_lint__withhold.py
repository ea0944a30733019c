"""W117: an SOP written from docs/sop-language.md § 1 (a ``recipient`` step, ``disclosure``, no
``data_protection``) is told that the provider keeps the person's data after a decline, at the
step's ``recipient:`` key, in French and in English; ``withhold_in_states`` naming one of the
step's states silences it (tryout 7, J10)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_text

from .test_docs import BASE_TEXT, BLOCKS, document

RECIPIENT_LINE = BASE_TEXT.split("\n").index("    recipient: referral.provider") + 1
#: § 12's part: § 1 plus a consent step and ``data_protection`` with ``withhold_in_states``
PROTECTED = next(document(body, line) for kind, _, body, line in BLOCKS
                 if kind == "sop-part" and "withhold_in_states: [declined]" in body)


def test_section_1_example_is_warned_at_its_recipient_key() -> None:
    [w] = [d for d in lint(load_text(BASE_TEXT, "base.yaml")) if d.code == "W117"]
    assert (w.severity, w.line, w.col) == ("warning", RECIPIENT_LINE, 5)
    assert "'referral'" in w.message and "accepted, declined" in w.message
    assert "withhold_in_states: [declined]" in w.hint


def test_withhold_in_states_silences_it_and_an_empty_list_does_not() -> None:
    assert "W117" not in {d.code for d in lint(load_text(PROTECTED, "protected.yaml"))}
    empty = PROTECTED.replace('"withhold_in_states": [\n   "declined"\n  ]', '"withhold_in_states": []')
    assert empty != PROTECTED
    [w] = [d for d in lint(load_text(empty, "empty.yaml")) if d.code == "W117"]
    assert "withhold_in_states" in w.message and w.severity == "warning"


def test_mno_validate_says_it_in_french_and_english(tmp_path: Path) -> None:
    path = tmp_path / "exemple.yaml"
    path.write_text(BASE_TEXT, encoding="utf-8")
    fr = CliRunner().invoke(app, ["validate", str(path)])
    en = CliRunner().invoke(app, ["--lang", "en", "validate", str(path)])
    assert fr.exit_code == 0 and en.exit_code == 0, (fr.output, en.output)
    [fr_line] = [x for x in fr.output.splitlines() if " W117 " in x]
    [en_line] = [x for x in en.output.splitlines() if " W117 " in x]
    assert fr_line.startswith(f"{path}:{RECIPIENT_LINE}:5: avertissement W117 ")
    assert en_line.startswith(f"{path}:{RECIPIENT_LINE}:5: warning W117 ")
    assert "garde l'accès" in fr_line and "refus" in fr_line and "(conseil : " in fr_line
    assert "keeps access" in en_line and "decline" in en_line and "(hint: " in en_line
    assert not re.search(r"\b(the|keeps|provider|states)\b", fr_line.split("W117", 1)[1])
    strict = CliRunner().invoke(app, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1 and f":{RECIPIENT_LINE}:5: erreur W117 " in strict.output
