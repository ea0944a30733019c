"""The provider's view of a referral's item holds for every field of any SOP, not only the Burkina
Faso one (tryout 8, K1): a small SOP of its own whose referral step is fed both by a ``for_each``
need row and by a ``spawn:`` of a whole form (``urgent``: a reason in category ``needs``, a date
in category ``safety``, a personal note without category). Each value is judged by its own form's
definition; a value shown when the consent and the agreement both cover its category, else listed
masked with the reason that withholds it (consent, override, agreement, no category)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from mno_workflow.protection.consent import ConsentInForce
from mno_workflow.protection.disclosure import Decision
from mno_workflow.protection.provider import ProviderView
from mno_workflow.sop.loader import load_text
from mno_workflow.web import access
from mno_workflow.web.presenters import item_block

from ..sop.test_docs import BASE_TEXT

URGENT_FORM = """  urgent:
    title: {fr: Urgence, en: Emergency}
    fields:
      - {id: need, type: choice, options: need, required: true, label: {fr: Besoin urgent, en: Urgent need}}
      - {id: why, type: text, classification: sensitive, category: needs,
         label: {fr: Motif de l'urgence, en: Reason it is urgent}}
      - {id: danger_at, type: datetime, classification: sensitive, category: safety,
         label: {fr: Date du danger, en: Date of the danger}}
      - {id: note, type: text, classification: personal, label: {fr: Note libre, en: Free note}}
  referral:
"""
SPAWN = """      - {trigger: register, label: {fr: Enregistrer, en: Register}, from: open, to: done,
         by: [caseworker], form: intake}
      - {trigger: refer_now, label: {fr: Référer en urgence, en: Refer now}, from: done, internal: true,
         by: [caseworker], form: urgent, spawn: {step: referral, from: urgent}}
"""
TEXT = (BASE_TEXT.replace("  referral:\n    title:", URGENT_FORM + "    title:", 1)
        .replace("""      - {trigger: register, label: {fr: Enregistrer, en: Register}, from: open, to: done,
         by: [caseworker], form: intake}
""", SPAWN, 1))
SOP = load_text(TEXT, "petite.yaml").model
ITEM = {"need": "housing", "why": "Dehors ce soir", "danger_at": "2026-12-05T06:00:00Z",
        "note": "Appeler après 18 h", "spawned_by": "refer_now"}
ROW = {"need": "medical", "refer": True}  # a need row of intake.needs: no category, not personal


def _view(consented: set[str], agreed: set[str] | None, status: str = "given") -> ProviderView:
    cats = frozenset(consented) & frozenset(agreed) if agreed is not None else frozenset(consented)
    consent = ConsentInForce(status, frozenset(consented), today=date(2026, 12, 5))
    return ProviderView(Decision(True, "consent.given", {}, None), cats, consent,
                        frozenset(consented), None if agreed is None else frozenset(agreed))


INST = SimpleNamespace(step="referral", item=ITEM)
CASE = SimpleNamespace(data={})


@pytest.mark.parametrize(("view", "shown", "masked"), [
    (_view({"needs", "safety"}, {"needs", "safety"}), {"need", "why", "danger_at"},
     {"note": "uncategorised"}),
    (_view({"needs", "safety"}, {"needs"}), {"need", "why"},
     {"danger_at": "agreement", "note": "uncategorised"}),
    (_view({"needs"}, {"needs", "safety"}), {"need", "why"},
     {"danger_at": "consent", "note": "uncategorised"}),
    (_view({"needs"}, None, "overridden"), {"need", "why"},
     {"danger_at": "override", "note": "uncategorised"}),
])
def test_every_field_of_a_spawned_item_shown_or_masked_with_why(view, shown, masked):
    cats = access.consent_categories(view)
    assert set(access.filter_item(SOP, INST, cats)) == shown  # API, CLI
    listed = {m["field"]: m["reason"] for m in access.masked_fields(SOP, view, CASE, INST, {})}
    # the start form's personal field without category too, whatever the form is named (M6)
    assert listed == {"intake.name": "uncategorised", **{f"item.{k}": v for k, v in masked.items()}}
    hidden = access.hidden_paths(SOP, view, INST)  # a deadline counted from item.danger_at
    assert hidden("item.danger_at") is ("danger_at" in masked) and not hidden("item.why")
    for lang, words in (("fr", ("Urgence", "Motif de l'urgence", "masqué (")),
                        ("en", ("Emergency", "Reason it is urgent", "hidden ("))):
        block = item_block(SOP, INST, lang, cats, view)  # the referral page
        assert block["title"] == words[0]
        assert words[1] in [label for label, _v in block["rows"]]
        said = {labels: why for labels, why in block["masked"]}
        assert all(why.startswith(words[2]) for why in said.values())
        assert len(block["hidden"]) == len(masked)


def test_a_for_each_row_keeps_its_own_definitions():
    inst = SimpleNamespace(step="referral", item=ROW)
    view = _view({"needs"}, {"needs"})
    assert access.filter_item(SOP, inst, access.consent_categories(view)) == ROW  # not personal
    # nothing of the row; the start form's uncategorised name only (tryout 10, M6)
    assert [m["field"] for m in access.masked_fields(SOP, view, CASE, inst, {})] == ["intake.name"]
    assert item_block(SOP, inst, "fr", access.consent_categories(view), view)["title"] == "Besoins"
