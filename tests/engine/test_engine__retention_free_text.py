"""Retention and erasure also remove free text — long text fields whatever their classification
(notes, comments, services already given), the typed reasons of extension, pause and reopening
events, the reopening reasons of the closure history and paused deadlines' notes — while the audit
chain and its replay still verify and anonymous statistics do not change (issue 11), on SQLite and
PostgreSQL. A short text (``referral.provider``) and an explicitly shareable long text stay."""

from __future__ import annotations

import json

from sqlalchemy import select

from mno_workflow.engine.retention import erase_case
from mno_workflow.engine.retention_text import FREE_TEXT_MIN, free_text_spec, is_free_text
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.audit import TOMBSTONE_KEY, verify_all
from mno_workflow.store.models import Deadline

from ..conftest import BF_SOP
from .helpers import CONSENT, CW, NEEDS, SUP, close_now, to_referrals
from .test_engine__retention import close_case, mno, statistics


def everything(wf, ref) -> str:
    """Case data, step instances, audit events and deadline notes of ``ref`` as one text."""
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        parts = [case.data, [(i.data, i.item) for i in case.instances],
                 [ev.data for ev in repository.trail(s, case)],
                 list(s.scalars(select(Deadline.note).where(Deadline.case_id == case.id)))]
        return json.dumps(parts, ensure_ascii=False, default=str)


def test_erasure_removes_free_text_of_forms_events_and_deadlines(wf, db_url):
    needs = json.loads(json.dumps(NEEDS))
    needs["needs"][0]["description"] = "Ancienne couturière SECRET-DESC"
    ref = to_referrals(wf, CONSENT, needs)
    wf.fire(ref, "send", CW, {"provider": "ong_a", "priority": "urgent", "referral_date": "2025-06-02",
                              "channel": "system", "reason": "Motif SECRET-REASON",
                              "services_already_given": "Kit remis à Mme SECRET-GIVEN"},
            instance="psychosocial")
    wf.extend_deadline(ref, "referral:psychosocial", "2 working days", "Mme SECRET-EXT hospitalisée", SUP)
    wf.pause_deadline(ref, "referral:psychosocial", "SECRET-PAUSE à l'hôpital Yalgado", SUP)
    text = everything(wf, ref)
    for secret in ("SECRET-DESC", "SECRET-REASON", "SECRET-GIVEN", "SECRET-EXT", "SECRET-PAUSE"):
        assert secret in text
    close_now(wf, ref)  # erasure needs a closed case (tryout 9, L9)
    before = statistics(wf, wf.clock.now())

    erase_case(wf, ref, SUP, "demande écrite de la personne")

    text = everything(wf, ref)
    assert "SECRET" not in text, text
    assert '"provider": "ong_a"' in text  # a short identifier is not free text: kept
    assert "demande écrite de la personne" in text  # the erasure's own reason is its legal trace
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.key == "psychosocial")
        assert TOMBSTONE_KEY in inst.data["referral"]["services_already_given"]
        extend = next(ev for ev in repository.trail(s, case) if ev.action == "extend_deadline")
        assert TOMBSTONE_KEY in extend.data["reason"] and extend.data["by"] == "2 working days"
        assert verify_all(s) == (1, [])
    assert statistics(wf, wf.clock.now()) == before
    r = mno(db_url, "audit", "verify")  # chains and replay
    assert r.exit_code == 0, r.output


def test_reopening_reasons_are_erased_and_replay_still_verifies(wf, db_url):
    ref = close_case(wf)
    wf.reopen(ref, SUP, "Mme SECRET-REOPEN revient avec son frère")
    assert "SECRET-REOPEN" in everything(wf, ref)
    close_now(wf, ref)
    before = statistics(wf, wf.clock.now())
    erase_case(wf, ref, SUP, "demande de la personne")
    text = everything(wf, ref)
    assert "SECRET-REOPEN" not in text
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert TOMBSTONE_KEY in case.data["_closures"][0]["reason"]
    assert statistics(wf, wf.clock.now()) == before
    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0, r.output


def test_free_text_spec_of_the_bf_sop(bf_loaded):
    spec = free_text_spec(bf_loaded.model)
    assert spec["screening_out"]["note"] is True and spec["closure"]["summary"] is True
    assert spec["referral"]["services_already_given"] is True
    assert "provider" not in spec["referral"] and "nationality" not in spec.get("identification", {})


def test_an_explicitly_shareable_long_text_is_kept(bf_loaded):
    text = BF_SOP.read_text(encoding="utf-8")
    marker = "      - id: services_already_given\n        type: text\n"
    assert marker in text
    sop = load_text(text.replace(marker, marker + "        classification: shareable\n"), "x.yaml").model
    field = next(f for f in sop.forms["referral"].fields if f.id == "services_already_given")
    assert field.max_length >= FREE_TEXT_MIN and not is_free_text(field)
    assert "services_already_given" not in free_text_spec(sop).get("referral", {})
