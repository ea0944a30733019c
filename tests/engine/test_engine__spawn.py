"""``spawn:`` on a transition adds instances to a ``for_each`` step (the docs' example): before the
flow rule starts it, while it runs, refused when an open instance holds the key (nothing written),
and left out of the plan's instances when the flow rule starts the step later."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.errors import FormInvalid
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_text, parse_yaml
from mno_workflow.store.models import AuditEvent, Base, Case

from ..sop.test_docs import BASE_TEXT, TEXT, merge

PART = re.search(r"### Ajouter des instances.*?<!-- sop-part -->\n```yaml\n(.*?)```", TEXT, re.S)[1]
CW = Actor("mariam", "caseworker")


def sop_text(extra: dict | None = None) -> str:
    base, _ = parse_yaml(BASE_TEXT, "base")
    data, _ = parse_yaml(PART, "part")
    # the intake's register starts the desk only; the referral step starts from a second step
    merged = merge(base, data)
    if extra:
        merged = merge(merged, extra)
    return json.dumps(merged, ensure_ascii=False)


@pytest.fixture
def wf(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    engine = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    engine.load_sop(load_text(sop_text(), "spawn.yaml"))
    yield engine
    db.dispose()


def states(wf, ref):
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == ref))
        return {i.label_key: i.state for i in case.instances}


def test_docs_example_lints_clean():
    assert [d for d in lint(load_text(sop_text(), "spawn.yaml")) if d.severity == "error"] == []


def test_spawned_referral_joins_and_plan_leaves_its_need_out(wf):
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "register", CW, {"name": "Awa", "priority": "urgent", "consent": True,
                                   "needs": [{"need": "housing", "refer": True},
                                             {"need": "medical", "refer": True}]})
    # register started referral (housing, medical) and the desk: medical is open, so refused
    assert states(wf, ref)["referral:medical"] == "draft"
    with pytest.raises(FormInvalid) as err:
        wf.fire(ref, "refer_now", CW, {"need": "medical"})
    assert set(err.value.errors) == {"need"}
    assert "déjà en cours" in err.value.errors["need"].fr
    with wf.sessions() as s:  # nothing written by the refusal
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.trigger == "refer_now")) == 0
    wf.fire(ref, "send", CW, {"provider": "ong_a"}, instance="referral:medical")
    wf.fire(ref, "decline", Actor("focal", "provider", "ong_a"), instance="referral:medical")
    # medical is final now: a new one may be spawned, with a suffixed key, while the step runs
    wf.fire(ref, "refer_now", CW, {"need": "medical"})
    st = states(wf, ref)
    assert st["referral:medical"] == "declined" and st["referral:medical-2"] == "draft"
    with wf.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.trigger == "refer_now")).one()
        assert {"started": "referral:medical-2", "spawned_by": "refer_now"} in ev.effects


def test_spawn_before_the_flow_rule_then_plan_skips_that_need(db_url):
    # the referral starts only from a later step (the plan), as in the Burkina Faso SOP
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    extra = {
        "forms": {"plan": {"title": {"fr": "Plan", "en": "Plan"}, "fields": [
            {"id": "needs", "type": "repeat", "label": {"fr": "Besoins", "en": "Needs"}, "fields": [
                {"id": "need", "type": "choice", "options": "need", "required": True,
                 "label": {"fr": "Besoin", "en": "Need"}},
                {"id": "refer", "type": "boolean", "label": {"fr": "À référer", "en": "To refer"}}]}]}},
        "steps": {"planning": {"label": {"fr": "Plan", "en": "Plan"}, "states": {
            "open": {"label": {"fr": "À faire", "en": "To do"}, "initial": True, "owner": "caseworker",
                     "deadline": {"within": "5 days", "on_expiry": {"escalate": "supervisor"}}},
            "done": {"label": {"fr": "Fait", "en": "Done"}, "final": True}},
            "transitions": [{"trigger": "approve", "label": {"fr": "Valider", "en": "Approve"},
                             "from": "open", "to": "done", "by": ["caseworker"], "form": "plan"}]},
            "referral": {"instances": {"for_each": "plan.needs", "where": "has(item.refer) && item.refer",
                                       "key": "need"}}},
        "flow": [{"after": "intake.done", "start": "desk"}, {"after": "intake.done", "start": "planning"},
                 {"after": "planning.done", "start": "referral"},
                 {"after": "referral.all_final", "close_case": True}],
    }
    wf.load_sop(load_text(sop_text(extra), "spawn2.yaml"))
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "register", CW, {"name": "Awa", "priority": "urgent", "consent": True,
                                   "needs": [{"need": "housing"}]})
    wf.fire(ref, "refer_now", CW, {"need": "medical"})
    assert states(wf, ref)["referral:medical"] == "draft"
    wf.fire(ref, "approve", CW, {"needs": [{"need": "medical", "refer": True},
                                          {"need": "housing", "refer": True}]})
    st = states(wf, ref)
    # the plan's medical need is the spawned referral (no medical-2); housing is new
    assert st["referral:housing"] == "draft" and "referral:medical-2" not in st
    assert st["referral:medical"] == "draft"
    db.dispose()
