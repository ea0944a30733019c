"""The Core write path of ``fire`` (``engine/corewrite.py``) on both back ends: the case and its
instances read as the ORM reads them, the optimistic version check of the write-back (409, nothing
written), and a savepoint that puts the plain objects back when the block fails."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mno_workflow.engine import corewrite
from mno_workflow.engine.errors import StaleVersion
from mno_workflow.store.models import Case, StepInstance
from mno_workflow.store.repository import get_case

from ..conftest import snapshot
from .helpers import to_referrals


def test_load_reads_the_case_and_its_instances_like_the_orm(wf):
    ref = to_referrals(wf)  # several referral instances, deadlines, data
    with wf.sessions() as s:
        orm = get_case(s, ref)
        expected_case = {c.key: getattr(orm, c.key) for c in Case.__table__.columns}
        expected_insts = [{c.key: getattr(i, c.key) for c in StepInstance.__table__.columns}
                          for i in orm.instances]
    with wf.sessions.begin() as s:
        case = corewrite.load_for_change(s, ref)
        assert corewrite.load_for_change(s, "MNR-BF-999999") is None
    assert {k: getattr(case, k) for k in expected_case} == expected_case
    got = [{k: getattr(i, k) for k in expected_insts[0]} for i in case.instances]
    assert got == expected_insts and len(got) > 3  # in id order, every column
    assert [i.label_key for i in case.instances] == [f"{i['step']}:{i['key']}" for i in expected_insts]


def test_write_back_refuses_a_case_whose_version_moved(wf):
    ref = to_referrals(wf)
    before = snapshot(wf)
    with pytest.raises(StaleVersion) as err, wf.sessions.begin() as s:
        case = corewrite.load_for_change(s, ref)
        case.assignee, case.version = "someone.else", case.version + 1
        # another writer (here: the same transaction, behind the carrier's back) moved the version
        s.connection().execute(text("UPDATE cases SET version = version + 1 WHERE id = :i"), {"i": case.id})
        corewrite.write_back(s, case)
    assert err.value.http_status == 409
    assert snapshot(wf) == before  # the transaction rolled back: nothing written


def test_write_back_writes_only_what_changed(wf):
    ref = to_referrals(wf)
    with wf.sessions.begin() as s:
        case = corewrite.load_for_change(s, ref)
        inst = case.instances[-1]
        case.assignee, case.version = "awa.ouedraogo", case.version + 1
        inst.data = {"note": {"text": "x"}}
        corewrite.write_back(s, case)
    with wf.sessions() as s:
        orm = get_case(s, ref)
        assert orm.assignee == "awa.ouedraogo" and orm.version == case.version
        assert orm.instances[-1].data == {"note": {"text": "x"}}
        assert [i.data for i in orm.instances[:-1]] == [i.data for i in case.instances[:-1]]


def test_savepoint_puts_the_carrier_back_when_the_block_fails(wf):
    ref = to_referrals(wf)
    with wf.sessions.begin() as s:
        case = corewrite.load_for_change(s, ref)
        states = [(i.id, i.state, i.version) for i in case.instances]
        version, n = case.version, len(case.instances)
        with pytest.raises(RuntimeError), corewrite.savepoint(s, case):
            case.version += 5
            case.instances[0].state = "nowhere"
            case.instances.append(StepInstance(step="x", key="1", state="s"))
            case.new_outbox.append({"kind": "task"})
            raise RuntimeError("refused")
        assert case.version == version and len(case.instances) == n and case.new_outbox == []
        assert [(i.id, i.state, i.version) for i in case.instances] == states
        with corewrite.savepoint(s, case):  # a block that succeeds keeps its changes
            case.instances[0].state = "kept"
        assert case.instances[0].state == "kept"
