"""A state renamed with a changed deadline shows both rules in the comparison (`mno sop diff`,
the workbench): the removed state with its old deadline, the added one with its new deadline
(tryout 5, H8), French and English."""

from __future__ import annotations

from pathlib import Path

from mno_workflow.sop.diff import diff_sops
from mno_workflow.sop.loader import load_text

BF = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"


def _renamed() -> str:
    t = BF.read_text(encoding="utf-8")
    t = t.replace("      sent:\n        owner: provider", "      transmitted:\n        owner: provider")
    t = t.replace("urgent: 72 hours\n                normal", "urgent: 48 hours\n                normal")
    pairs = (("to: sent", "to: transmitted"), ("from: sent", "from: transmitted"),
             ("[sent,", "[transmitted,"), (", sent]", ", transmitted]"), (", sent,", ", transmitted,"),
             ("to: [sent]", "to: [transmitted]"))
    for a, b in pairs:
        t = t.replace(a, b)
    return t


def test_a_renamed_state_shows_its_old_and_new_deadline():
    old = load_text(BF.read_text(encoding="utf-8"), "a.yaml").model
    new = load_text(_renamed(), "b.yaml").model
    fr = diff_sops(old, new, "fr").text("fr")
    en = diff_sops(old, new, "en").text("en")
    removed = next(line for line in fr.splitlines() if "suppression : referral.sent" in line)
    added = next(line for line in fr.splitlines() if "ajout : referral.transmitted" in line)
    assert "urgent 72 hours" in removed and "urgent 48 hours" in added, (removed, added)
    assert "responsable : provider" in added
    assert any("added: referral.transmitted" in line and "urgent 48 hours" in line
               for line in en.splitlines()), en
