"""``form: [a, b]`` in what readers see: the handbook (both forms in the transition table and in the
step's forms), the SOP document, diagram labels (Graphviz and Mermaid), the blank paper sheet of the
action with both forms, ``mno sop diff`` and ``mno validate --simulate`` (a required field of the
second form on an automatic trigger)."""

from __future__ import annotations

import copy
import json
import shutil

import pytest

from mno_workflow.kit.simulate import simulate
from mno_workflow.render import diagrams as d
from mno_workflow.render import handbook as hb
from mno_workflow.render.paper_actions import blank_action_html, multi_form_actions
from mno_workflow.render.sop_document import step_facts
from mno_workflow.sop.diff import diff_sops
from mno_workflow.sop.loader import load_text
from tests.conftest import BF_SOP
from tests.engine.multiform_sop import sop_text, two_forms
from tests.engine.sop_variants import dump, parse

BASE = parse(BF_SOP.read_text(encoding="utf-8"))
DOC = copy.deepcopy(BASE)
two_forms(DOC)
LOADED = load_text(dump(DOC), "two_forms.yaml")
SOP = LOADED.model
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def test_handbook_names_both_forms() -> None:
    md = hb.render_handbook_md(SOP, "fr")
    assert "Fiche de référencement + Rendez-vous" in md
    step = hb.handbook_context(SOP, "en", svg=False)
    referral = next(s for s in step["steps"] if s["id"] == "referral")
    assert [f["title"] for f in referral["forms_used"]][:2] == ["Referral form", "Appointment"]
    send = next(t for t in referral["transitions"] if t["trigger"] == "send")
    assert send["form"] == "Referral form + Appointment"
    assert "Referral form + Appointment" in hb.render_handbook_html(SOP, "en", svg=False)


def test_sop_document_names_both_forms() -> None:
    facts = step_facts(SOP, "referral", "fr")
    assert any(h["form"] == "Fiche de référencement + Rendez-vous" for h in facts["happens"])


def test_diagram_labels_name_both_forms() -> None:
    assert "Fiche de référencement + Rendez-vous" in d.step_mermaid(SOP, "referral", "fr")
    dot = " ".join(d.step_dot(SOP, "referral", "en").replace("<BR/>", " ").split())
    assert "form: Referral form + Appointment" in dot


@needs_dot
def test_diagram_svg_renders_both_forms() -> None:
    svg = d.render_bytes(d.step_dot(SOP, "referral", "fr"), "svg").decode()
    assert "fiche : Fiche de référencement +" in svg and "Rendez&#45;vous" in svg


def test_blank_sheet_of_the_action_has_both_forms_in_order() -> None:
    # the BF SOP's own two-form action (2026.9: identification + the rectification's reason)
    assert list(multi_form_actions(SOP)) == ["rectify_identification", "send"]
    html = blank_action_html(SOP, "send", "fr")
    assert html.index("<h2>Fiche de référencement</h2>") < html.index("<h2>Rendez-vous</h2>")
    assert html.index("Prestataire de services") < html.index("Date du rendez-vous")
    with pytest.raises(KeyError):
        blank_action_html(SOP, "accept", "fr")


def test_diff_shows_the_forms_of_the_transition() -> None:
    diff = diff_sops(load_text(dump(BASE), "base.yaml").model, SOP)
    changed = [c for c in diff.changes if "send" in c.where and c.action == "changed"]
    assert changed and any("referral + appointment" in x for c in changed for x in c.details)


def test_simulate_flags_an_automatic_trigger_whose_second_form_is_required() -> None:
    doc = json.loads(sop_text())  # the docs' example SOP with its two-form send
    doc["forms"]["remark"] = {"title": {"fr": "Remarque", "en": "Remark"}, "fields": [
        {"id": "remark_text", "type": "text", "label": {"fr": "Remarque", "en": "Remark"}}]}
    doc["forms"]["note"] = {"title": {"fr": "Note", "en": "Note"}, "fields": [
        {"id": "note_text", "type": "text", "required": True, "label": {"fr": "Note", "en": "Note"}}]}
    ref = doc["steps"]["referral"]
    ref["states"]["sent"]["deadline"]["on_expiry"] = {"fire": "lapse"}
    ref["transitions"].append({"trigger": "lapse", "label": {"fr": "Expirer", "en": "Lapse"}, "from": "sent",
                               "to": "declined", "by": ["supervisor"], "form": ["remark", "note"]})
    diags = simulate(load_text(json.dumps(doc), "auto.yaml"))
    w121 = [x.message for x in diags if x.code == "W121"]
    assert any("'note'" in m for m in w121), w121
