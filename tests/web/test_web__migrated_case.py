"""A migrated case on the web (issue 14, failures 1 and 5): the case diagram of a state renamed by
the migration answers 200 (it was a 500), drawn per version; the case page's timeline keeps the
old version's labels and names the migration in words."""

from __future__ import annotations

import re

from mno_workflow.engine.engine import Actor
from mno_workflow.engine.versions import migrate_cases

from ..conftest import BF_SOP
from ..engine.sop_variants import parse, rename_state, variant
from .helpers import case_with_referrals

COORD = Actor("coord.mnr", "coordinator")


def _transmitted(doc):
    rename_state(doc, "referral", "sent", "transmitted")
    doc["steps"]["referral"]["states"]["transmitted"]["label"] = {"fr": "Transmis", "en": "Transmitted"}


def test_diagram_and_timeline_of_a_case_migrated_after_a_rename(live):
    ref = case_with_referrals(live.wf)  # referral:cash sent
    text = BF_SOP.read_text(encoding="utf-8")
    old = f"mnr_bf@{parse(text)['version']}"
    live.wf.load_sop(variant(text, "2099.9", _transmitted))
    migrate_cases(live.wf, old, "mnr_bf@2099.9", {"referral.sent": "transmitted"}, COORD)

    c = live.client("mariam.kabore")
    r = c.get(f"/dossiers/{ref}/schema/referral:cash.svg")
    assert r.status_code == 200, r.text[:500]
    svg = r.text
    assert svg.count("<svg") == 3  # the old version's drawing, then the new one's, in one image
    assert "Migration" in svg and "Envoyé au prestataire → Transmis" in svg
    assert svg.index("Envoyé au prestataire") < svg.index("Transmis")
    # Each other instance draws too (one never migrated out of its state, one not started).
    for inst in ("referral:medical", "consent:1", "identification:1"):
        assert c.get(f"/dossiers/{ref}/schema/{inst}.svg").status_code == 200

    page = c.get(f"/dossiers/{ref}")
    assert page.status_code == 200
    html = re.sub(r"\s+", " ", page.text)
    assert "À envoyer → Envoyé au prestataire" in html  # the send, in the words of its version
    assert "Migré de " + old in html and "Transmis" in html
    assert "None" not in html.split("Migré de", 1)[1][:300]
