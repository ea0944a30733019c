"""Keyed audit chain: a database writer without the key cannot rewrite a case or delete one unseen;
legacy (unkeyed) chains verify as legacy and are adopted by ``mno audit rekey``; purged values
keep the chain valid; ``audit verify`` replays events to the stored state."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.store.audit import (
    GENESIS,
    TOMBSTONE_KEY,
    canonical,
    keyed_text,
    legacy_digest,
    verify_all,
)
from mno_workflow.store.auditkey import audit_key, forget_keys
from mno_workflow.store.models import (
    AuditCheckpoint,
    AuditEvent,
    Case,
    Deadline,
    OutboxMessage,
    StepInstance,
)
from tests.cli.users import add_users

from ..engine.helpers import CW, to_referrals

runner = CliRunner()


def mno(db_url, *args):
    add_users(db_url)
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output, result.output
    return result


def mno_en(db_url, *args):
    """``mno --lang en …``: the problems read in English (the source text of their messages)."""
    return mno(db_url, "--lang", "en", *args)


def _case(s, ref):
    return s.scalar(select(Case).where(Case.reference == ref))


def _events(s, case):
    return list(s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq)))


def rewrite_actors_unkeyed(s, ref, *, downgrade: bool) -> None:
    """What a writer without the key can do: change the actors and recompute every hash."""
    case = _case(s, ref)
    prev = GENESIS
    for ev in _events(s, case):
        ev.actor, ev.prev_hash = "ghost.user", prev
        if downgrade:  # pretend the events predate keying, with a valid unkeyed chain
            ev.scheme = ev.key_id = ev.data_digests = ev.data_salts = None
            ev.hash = legacy_digest(ev, ref)
        else:
            ev.hash = hashlib.sha256(keyed_text(ev, ref).encode()).hexdigest()
        prev = ev.hash
    case.audit_head = prev


def delete_case(s, ref) -> None:
    case = _case(s, ref)
    for table in (OutboxMessage, Deadline, AuditEvent, StepInstance):
        s.execute(delete(table).where(table.case_id == case.id))
    s.delete(case)


@pytest.mark.parametrize("downgrade", [False, True], ids=["rehashed", "downgraded-to-legacy"])
def test_rewritten_case_and_deleted_case_are_both_reported(wf, db_url, tmp_path, downgrade):
    refs = [to_referrals(wf) for _ in range(3)]
    kept = tmp_path / "checkpoint.json"
    r = mno(db_url, "audit", "checkpoint", "-o", str(kept))
    assert r.exit_code == 0, r.output
    assert json.loads(kept.read_text())["heads"].keys() == set(refs)
    r = mno(db_url, "audit", "verify", "--checkpoint", str(kept))
    assert r.exit_code == 0, r.output
    with wf.sessions.begin() as s:
        rewrite_actors_unkeyed(s, refs[0], downgrade=downgrade)
        delete_case(s, refs[1])
    r = mno_en(db_url, "audit", "verify", "--checkpoint", str(kept))
    assert r.exit_code == 1
    if downgrade:  # legacy is never accepted silently
        assert f"(legacy unkeyed) in 1 case: {refs[0]}" in r.stderr
    else:
        assert f"{refs[0]} #1: content does not match its keyed hash" in r.stderr
    assert f"{refs[0]} #5: event 5 rewritten since the checkpoint" in r.stderr
    assert f"{refs[1]} #5: case deleted since the checkpoint" in r.stderr
    assert refs[2] not in r.stderr
    r = mno(db_url, "audit", "verify", "--checkpoint", str(kept))  # the same in French
    assert f"{refs[1]} #5 : dossier supprimé depuis le point de contrôle {kept.name} du " in r.stderr
    assert "since" not in r.stderr and "checkpoint" not in r.stderr.replace(kept.name, "")
    # The stored checkpoint sees the deletion too, without the kept file.
    r = mno_en(db_url, "audit", "verify")
    assert r.exit_code == 1 and f"{refs[1]} #5: case deleted since the checkpoint #1" in r.stderr


def test_deleting_the_stored_checkpoints_is_seen_with_the_kept_file(wf, db_url, tmp_path):
    refs = [to_referrals(wf) for _ in range(2)]
    kept = tmp_path / "cp.json"
    assert mno(db_url, "audit", "checkpoint", "-o", str(kept)).exit_code == 0
    assert mno(db_url, "audit", "checkpoint").exit_code == 0
    with wf.sessions.begin() as s:
        delete_case(s, refs[0])
        s.execute(delete(AuditCheckpoint))
    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0, r.output  # the writer erased every trace inside the database ...
    r = mno_en(db_url, "audit", "verify", "--checkpoint", str(kept))
    assert r.exit_code == 1 and f"{refs[0]} #5: case deleted since the checkpoint" in r.stderr  # ... not here


def test_a_forged_or_edited_checkpoint_file_is_refused(wf, db_url, tmp_path):
    to_referrals(wf)
    kept = tmp_path / "cp.json"
    assert mno(db_url, "audit", "checkpoint", "-o", str(kept)).exit_code == 0
    doc = json.loads(kept.read_text())
    doc["heads"] = {}
    kept.write_text(json.dumps(doc))
    r = mno_en(db_url, "audit", "verify", "--checkpoint", str(kept))
    assert r.exit_code == 1 and "signature does not match" in r.stderr
    kept.write_text("{not json")
    r = mno(db_url, "audit", "verify", "--checkpoint", str(kept))
    assert r.exit_code == 2 and "cp.json:1:2: ce n'est pas du JSON" in r.stderr
    r = mno_en(db_url, "audit", "verify", "--checkpoint", str(kept))
    assert r.exit_code == 2 and "cp.json:1:2: not JSON" in r.stderr


def test_stored_checkpoints_are_chained(wf, db_url):
    to_referrals(wf)
    for _ in range(3):
        assert mno(db_url, "audit", "checkpoint").exit_code == 0
    with wf.sessions.begin() as s:
        s.execute(delete(AuditCheckpoint).where(AuditCheckpoint.id == 2))
    r = mno_en(db_url, "audit", "verify")
    assert r.exit_code == 1 and "checkpoint #3 #0: link to the previous checkpoint broken" in r.stderr
    r = mno(db_url, "audit", "verify")
    assert "point de contrôle n°3 #0 : lien vers le point de contrôle précédent rompu" in r.stderr


def test_another_key_cannot_verify_and_says_so(wf, db_url, monkeypatch):
    to_referrals(wf)
    monkeypatch.setenv("MNO_AUDIT_KEY", "x" * 40)
    forget_keys()
    with wf.sessions() as s:
        problems = verify_all(s)[1]
    assert problems and all("signed with another key" in p.problem for p in problems)
    monkeypatch.setenv("MNO_AUDIT_KEY", "short")
    r = mno(db_url, "audit", "verify")  # the detail in the reader's language too
    assert r.exit_code == 1 and "la clé d'audit de $MNO_AUDIT_KEY est trop courte (5 caractères" in r.output
    r = mno(db_url, "--lang", "en", "audit", "verify")
    assert r.exit_code == 1 and "the audit key from $MNO_AUDIT_KEY is too short (5 characters" in r.output
    assert "trop courte" not in r.output


def test_key_file_is_created_with_mode_600_next_to_a_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    key = audit_key(url)
    path = tmp_path / "x.db.audit-key"
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert key.key_id == hashlib.sha256(path.read_text().strip().encode()).hexdigest()[:16]
    assert audit_key(url) is key


def _to_legacy(s, ref):
    case = _case(s, ref)
    prev = GENESIS
    for ev in _events(s, case):
        ev.scheme = ev.key_id = ev.data_digests = ev.data_salts = None
        ev.prev_hash = prev
        ev.hash = legacy_digest(ev, ref)
        prev = ev.hash
    case.audit_head = prev


def test_legacy_chains_are_reported_then_adopted_by_rekey(wf, db_url):
    good, broken = to_referrals(wf), to_referrals(wf)
    with wf.sessions.begin() as s:
        _to_legacy(s, good)
        _to_legacy(s, broken)
        ev = _events(s, _case(s, broken))[2]
        ev.actor = "someone.else"  # edited after the fact, old hash kept: the old chain is broken
    r = mno(db_url, "audit", "verify", "--no-replay")
    assert r.exit_code == 1
    assert "événements anciens non signés (legacy unkeyed) dans 2 dossiers" in r.stderr
    assert f"{broken} #3 : le contenu ne correspond pas à son empreinte (modifié)" in r.stderr
    r = mno_en(db_url, "audit", "verify", "--no-replay")
    assert f"{broken} #3: content does not match its hash (edited)" in r.stderr
    r = mno_en(db_url, "audit", "rekey")
    assert r.exit_code == 1
    assert "5 events of 1 case adopted" in r.stdout
    assert f"{broken} #3: content does not match its hash (edited) — not adopted" in r.stderr
    with wf.sessions() as s:
        found = {p.reference for p in verify_all(s)[1]}
        assert found == {broken}
        assert all(ev.scheme for ev in _events(s, _case(s, good)))


def test_a_legacy_event_after_keyed_ones_is_a_forgery(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, {"provider": "org-cfp", "priority": "normal", "referral_date": "2025-06-02",
                              "channel": "system"}, instance="referral:vocational_training")
    with wf.sessions.begin() as s:
        case = _case(s, ref)
        last = _events(s, case)[-1]
        last.scheme = last.key_id = None
        last.hash = legacy_digest(last, ref)
        case.audit_head = last.hash
        problems = verify_all(s)[1]
    assert [p.problem for p in problems] == ["unkeyed event after keyed ones (forged)"]


def test_personal_values_are_outside_the_keyed_text_and_purge_keeps_the_chain(wf):
    ref = to_referrals(wf)
    with wf.sessions.begin() as s:
        ev = _events(s, _case(s, ref))[1]  # register: identification form
        assert ev.data["identification"]["first_name"] == "Aminata"
        assert "Aminata" not in keyed_text(ev, ref) and "Sawadogo" not in keyed_text(ev, ref)
        # purge: tombstone and salt dropped -> still verifies
        data = json.loads(canonical(ev.data))
        salts = json.loads(canonical(ev.data_salts))
        data["identification"]["first_name"] = {TOMBSTONE_KEY: "2031-01-01T00:00:00+00:00"}
        del salts["identification"]["first_name"]
        ev.data, ev.data_salts = data, salts
    with wf.sessions() as s:
        assert verify_all(s)[1] == []
    with wf.sessions.begin() as s:
        ev = _events(s, _case(s, ref))[1]
        data = json.loads(canonical(ev.data))
        data["identification"]["last_name"] = "Ouédraogo"
        ev.data = data
    with wf.sessions() as s:
        assert [p.problem for p in verify_all(s)[1]] == [
            "value of 'identification.last_name' does not match its digest (edited)"]


def test_replay_detects_a_direct_sql_change_of_state_data_assignee_and_deadline(wf, db_url):
    ref = to_referrals(wf)
    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0, r.output
    with wf.sessions.begin() as s:
        case = _case(s, ref)
        s.execute(update(StepInstance).where(StepInstance.case_id == case.id,
                                             StepInstance.step == "consent").values(state="refused"))
        s.execute(update(Case).where(Case.id == case.id).values(assignee="ghost.user",
                                                                data={**case.data, "needs": {}}))
        dl = s.scalar(select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == "expiry",
                                             Deadline.status == "pending").order_by(Deadline.id.desc()))
        dl_key = f"{dl.instance.step}:{dl.instance.key}"
        dl.due_at = dl.due_at.replace(year=dl.due_at.year + 1)
    r = mno_en(db_url, "audit", "verify")
    assert r.exit_code == 1
    lines = [ln for ln in r.stderr.splitlines() if "replay" in ln]
    assert any("step consent:1: stored state 'refused', events say 'given'" in ln for ln in lines), lines
    assert any("assignee is 'ghost.user', events say 'mariam.kabore'" in ln for ln in lines), lines
    assert any("data of form 'needs' differ from the events" in ln for ln in lines), lines
    assert any(f"step {dl_key}: deadline due" in ln for ln in lines), lines
    assert mno(db_url, "audit", "verify", "--no-replay").exit_code == 0


def test_a_database_from_before_keyed_audit_upgrades_and_is_adopted(db_url, clock, bf_loaded):
    """Revision 0004 → head: old events (unkeyed) are reported as legacy, rekey adopts them."""
    from alembic import command

    from mno_workflow.engine.engine import WorkflowEngine
    from mno_workflow.store import migrate
    from mno_workflow.store.base import make_engine

    migrate.upgrade(db_url)
    db = make_engine(db_url)
    wf = WorkflowEngine(db, clock)
    wf.load_sop(bf_loaded)
    ref = to_referrals(wf)
    with wf.sessions.begin() as s:
        _to_legacy(s, ref)  # what revision 0004 wrote: unkeyed SHA-256 over the whole event
    db.dispose()
    with make_engine(db_url).begin() as conn:
        command.downgrade(migrate.alembic_config(db_url, conn), "0004")
    assert migrate.current(db_url) == "0004"
    r = mno(db_url, "audit", "verify", "--no-replay")  # the CLI upgrades the database first
    assert migrate.current(db_url) == migrate.head()
    assert r.exit_code == 1 and "5 événements non signés" in r.stdout, r.output
    assert mno(db_url, "audit", "verify", "--allow-legacy").exit_code == 0
    r = mno(db_url, "audit", "rekey")
    assert r.exit_code == 0 and "5 événements de 1 dossier adoptés" in r.stdout, r.output
    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0 and "non signé" not in r.stdout, r.output


COLUMNS = ["actor", "role", "organisation", "action", "trigger", "step", "instance_key", "from_state",
           "to_state", "sop_version", "via", "os_user"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.integers(1, 5), column=st.sampled_from(COLUMNS + ["at", "effects", "value"]),
       text=st.text(min_size=1, max_size=12))
def test_any_single_edit_of_any_event_is_reported(wf_one, seq, column, text):
    """Property: whatever one column of one event a writer changes, verify reports that event."""
    wf, ref = wf_one
    with wf.sessions.begin() as s:
        ev = _events(s, _case(s, ref))[seq - 1]
        saved = {c: getattr(ev, c) for c in COLUMNS + ["at", "effects", "data"]}
        if column == "at":
            ev.at = ev.at + timedelta(seconds=1 + len(text))
        elif column == "effects":
            ev.effects = [*ev.effects, {"started": text}]
        elif column == "value":
            data = json.loads(canonical(ev.data))
            data[text] = "ajouté"
            ev.data = data
        else:
            if getattr(ev, column) == text:
                return
            setattr(ev, column, text)
    try:
        with wf.sessions() as s:
            assert any(p.seq == seq for p in verify_all(s)[1])
    finally:
        with wf.sessions.begin() as s:
            ev = _events(s, _case(s, ref))[seq - 1]
            for c, v in saved.items():
                setattr(ev, c, v)
        with wf.sessions() as s:
            assert verify_all(s)[1] == []


@pytest.fixture
def wf_one(tmp_path, clock, bf_loaded):
    from mno_workflow.engine.engine import WorkflowEngine
    from mno_workflow.store import migrate
    from mno_workflow.store.base import make_engine
    url = f"sqlite:///{tmp_path / 'prop.db'}"
    migrate.upgrade(url)
    db = make_engine(url)
    wf = WorkflowEngine(db, clock)
    wf.load_sop(bf_loaded)
    yield wf, to_referrals(wf)
    db.dispose()


def test_periodic_checkpoints_are_taken_when_due_and_see_a_deleted_case(wf, db_url, clock):
    from mno_workflow.reminders.scheduler import make_scheduler
    from mno_workflow.store.checkpoint import checkpoint_if_due

    refs = [to_referrals(wf) for _ in range(2)]
    first = checkpoint_if_due(wf.sessions, clock.now(), 24)
    assert first is not None and set(first.heads) == set(refs)
    assert checkpoint_if_due(wf.sessions, clock.now() + timedelta(hours=23), 24) is None
    assert checkpoint_if_due(wf.sessions, clock.now() + timedelta(hours=24), 24) is not None
    with wf.sessions.begin() as s:
        delete_case(s, refs[0])
    r = mno_en(db_url, "audit", "verify")
    assert r.exit_code == 1 and f"{refs[0]} #5: case deleted since the checkpoint #2" in r.stderr
    jobs = {j.id for j in make_scheduler(wf, 60).get_jobs()}
    assert jobs == {"mno-sweep", "mno-audit-checkpoint"}
