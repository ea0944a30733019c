"""A label left empty in the YAML (``en:`` with nothing after it) is said « rien (vide) » /
"nothing (empty)", never Python's ``None`` (tryout 4, G2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_text

BF = Path(__file__).resolve().parents[2] / "sops/burkina_faso/mnr.yaml"


def test_an_empty_english_title_is_said_empty():
    text = BF.read_text(encoding="utf-8")
    broken = text.replace("  en: National referral mechanism — Burkina Faso\n", "  en:\n", 1)
    assert broken != text
    with pytest.raises(SOPError) as e:
        load_text(broken, "mnr.yaml")
    fr = "\n".join(d.format("fr") for d in e.value.diagnostics)
    en = "\n".join(d.format("en") for d in e.value.diagnostics)
    assert "rien (vide)" in fr and "None" not in fr, fr
    assert "nothing (empty)" in en and "None" not in en, en
