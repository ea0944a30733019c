"""Erasure and retention also erase the copies of form data held in referral items (tryout 4,
G7): a best-interests assessment's findings in the child-protection referral it spawns, an
immediate need's reasons, a needs row's and a revision row's description — each by the field
definition of the form it was copied from — and the count said is the number of values replaced."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select, update

from mno_workflow.engine.item_source import item_fields, item_sources, item_spec
from mno_workflow.engine.retention import erase_case, personal_spec
from mno_workflow.engine.retention_text import free_text_spec, merged
from mno_workflow.store import repository
from mno_workflow.store.audit import TOMBSTONE_KEY, verify_all
from mno_workflow.store.models import AuditEvent, Case

from .copies import SECRETS, child_case, items_of
from .helpers import CW, SUP, close_now
from .test_engine__retention import mno
from .test_engine__retention_free_text import everything


def _purge_event(wf, ref) -> AuditEvent:
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return next(ev for ev in repository.trail(s, case) if ev.action == "purge")


def test_erasure_erases_every_copy_in_referral_items_and_counts_them(wf):
    ref = child_case(wf, CW, SUP)
    items = items_of(wf, ref)
    copied = json.dumps(items, ensure_ascii=False)
    for secret in SECRETS:
        assert secret in copied, secret

    n = erase_case(wf, close_now(wf, ref), SUP, "demande de la tante")

    text = everything(wf, ref)
    for secret in SECRETS:
        assert secret not in text, secret
    items = items_of(wf, ref)
    cp = items["referral:child_protection"]
    assert TOMBSTONE_KEY in cp["findings"]
    # what is not personal stays: the need (statistics, the referral's name), the recommendation
    assert cp["need"] == "child_protection" and cp["recommendation"] == "family_reunification"
    assert cp["spawned_by"] == "record_best_interests"
    immediate = items["referral:medical"]
    assert TOMBSTONE_KEY in immediate["urgency"] and TOMBSTONE_KEY in immediate["description"]
    assert TOMBSTONE_KEY in items["referral:vocational_training"]["description"]
    assert TOMBSTONE_KEY in items["referral:documentation"]["description"]
    # honest count: every value replaced, the copies included, and as many as the tombstones left
    assert n == text.count(f'"{TOMBSTONE_KEY}"'), (n, text.count(f'"{TOMBSTONE_KEY}"'))
    assert _purge_event(wf, ref).data["fields"] == n
    with wf.sessions() as s:
        assert verify_all(s)[1] == []
    assert erase_case(wf, ref, SUP, "encore") == 0  # nothing left to erase: no second event


def test_retention_sweeper_erases_the_same_copies(wf, db_url):
    ref = child_case(wf, CW, SUP)
    with wf.sessions.begin() as s:  # closed five years ago (the closure path is not the subject)
        s.execute(update(Case).where(Case.reference == ref).values(
            status="closed", closed_at=datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    r = mno(db_url, "retention", "run", "--dry-run", "--now", "2030-06-03T08:00:00Z")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "retention", "run", "--now", "2030-06-03T08:00:00Z")
    assert r.exit_code == 0 and "1 dossier purgé" in r.stdout, r.output
    text = everything(wf, ref)
    for secret in SECRETS:
        assert secret not in text, secret
    n = _purge_event(wf, ref).data["fields"]
    assert n == text.count(f'"{TOMBSTONE_KEY}"')
    with wf.sessions() as s:
        case = s.scalars(select(Case).where(Case.reference == ref)).one()
        assert case.purged_at is not None


def test_a_copied_field_keeps_its_forms_definition(bf_loaded):
    bf = bf_loaded.model
    spec = merged(personal_spec(bf), free_text_spec(bf))
    bia = {"assessed_on": "2025-06-02", "findings": "x", "need": "child_protection",
           "spawned_by": "record_best_interests"}
    assert item_sources(bf, "referral", bia) == [("best_interests", "")]
    assert [f.id for f in item_fields(bf, "referral", bia)][:3] == ["assessed_on", "recommendation",
                                                                   "findings"]
    assert item_spec(bf, "referral", bia, spec) == {"findings": True}
    row = {"need": "cash", "description": "x"}  # started by the plan's flow rule
    assert item_sources(bf, "referral", row) == [("needs_assessment", "needs")]
    assert item_spec(bf, "referral", row, spec) == {"description": True}
    revision = dict(row, spawned_by="approve_revision")
    assert item_sources(bf, "referral", revision) == [("plan_revision", "needs")]
    immediate = {"need": "medical", "urgency": "x", "spawned_by": "refer_immediately"}
    assert item_spec(bf, "referral", immediate, spec) == {
        "urgency": True, "incident_at": True, "description": True}
    # a trigger the case's SOP version no longer has: every source that can feed the step
    unknown = {"need": "medical", "findings": "x", "spawned_by": "gone"}
    assert ("best_interests", "") in item_sources(bf, "referral", unknown)
    assert item_spec(bf, "referral", unknown, spec)["findings"] is True
