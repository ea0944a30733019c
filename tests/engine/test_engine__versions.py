"""SOP versions: a new version never alters running cases; migration needs a valid state mapping."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mno_workflow.engine.engine import Actor
from mno_workflow.engine.versions import MigrationRefused, migrate_cases
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.models import AuditEvent, Deadline

from ..conftest import BF_SOP, BF_VERSION, snapshot
from .helpers import CW, referral, to_referrals

COORD = Actor("coord.mnr", "coordinator")


def v2_text() -> str:
    """Version 2025.2: the referral state `sent` is renamed `transmitted`."""
    text = BF_SOP.read_text(encoding="utf-8").replace(f'version: "{BF_VERSION}"', 'version: "2025.2"')
    text = text.replace("      sent:\n        owner: provider", "      transmitted:\n        owner: provider")
    for old, new in (("to: sent\n", "to: transmitted\n"), ("from: sent\n", "from: transmitted\n"),
                     ("to: [sent]}", "to: [transmitted]}")):  # indicators name the state too
        text = text.replace(old, new)
    return text


def states(wf, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return case.sop_version.version, {i.label_key: i.state for i in case.instances}


def test_new_version_leaves_running_cases_alone_and_migration_needs_a_mapping(wf):
    provider = Actor("focal.ong_a", "provider", "ong_a")
    waiting = to_referrals(wf)
    wf.fire(waiting, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
    accepted = to_referrals(wf)
    wf.fire(accepted, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
    wf.fire(accepted, "accept", provider)

    wf.load_sop(load_text(v2_text(), "mnr-2025.2.yaml"))
    assert states(wf, waiting) == (BF_VERSION, states(wf, waiting)[1])
    assert states(wf, waiting)[1]["referral:psychosocial"] == "sent"  # loading changed nothing
    newer = wf.create_case("mnr_bf", CW)
    assert states(wf, newer)[0] == "2025.2"

    before = snapshot(wf)
    with pytest.raises(MigrationRefused) as info:
        migrate_cases(wf, f"mnr_bf@{BF_VERSION}", "mnr_bf@2025.2", {}, COORD)
    said = [p.text("en") for p in info.value.details["problems"]]
    assert any(waiting in p and "--map referral.sent=<state>" in p for p in said), said
    assert any(waiting in p and "--map referral.sent=<état>" in p  # French too (the CLI's default)
               for p in info.value.as_dict("fr")["problems"]), info.value.as_dict("fr")
    with pytest.raises(MigrationRefused):
        migrate_cases(wf, f"mnr_bf@{BF_VERSION}", "mnr_bf@2025.2", {"referral.sent": "nowhere"}, COORD)
    plan = migrate_cases(wf, f"mnr_bf@{BF_VERSION}", "mnr_bf@2025.2", {"referral.sent": "transmitted"}, COORD,
                         dry_run=True)
    assert ("referral:psychosocial", "sent", "transmitted") in plan.moves[waiting]
    assert set(plan.moves) == {waiting, accepted}
    assert snapshot(wf) == before  # refusals and the dry run wrote nothing

    migrate_cases(wf, f"mnr_bf@{BF_VERSION}", "mnr_bf@2025.2", {"referral.sent": "transmitted"}, COORD)
    assert states(wf, waiting)[0] == states(wf, accepted)[0] == "2025.2"
    assert states(wf, waiting)[1]["referral:psychosocial"] == "transmitted"
    assert states(wf, accepted)[1]["referral:psychosocial"] == "accepted"
    with wf.sessions() as s:
        case = repository.get_case(s, waiting)
        ev = repository.trail(s, case)[-1]
        assert (ev.action, ev.actor, ev.data["from"], ev.data["to"]) == (
            "migrate", "coord.mnr", f"mnr_bf@{BF_VERSION}", "mnr_bf@2025.2")
        assert {"instance": "referral:psychosocial", "from": "sent", "to": "transmitted"} in ev.data["states"]
        armed = s.scalars(select(Deadline).where(Deadline.case_id == case.id, Deadline.status == "pending",
                                                 Deadline.state == "transmitted")).all()
        assert armed
        assert verify_all(s)[1] == []
        newer_case = repository.get_case(s, newer)
        assert [e.action for e in repository.trail(s, newer_case)] == ["create"]
        assert s.scalar(select(AuditEvent.id).where(AuditEvent.action == "migrate",
                                                    AuditEvent.case_id == newer_case.id)) is None
    # The migrated case goes on under the new version's names.
    wf.fire(waiting, "accept", provider)
    assert states(wf, waiting)[1]["referral:psychosocial"] == "accepted"


def test_unknown_versions_are_refused(wf):
    with pytest.raises(MigrationRefused):
        migrate_cases(wf, "mnr_bf@1999", f"mnr_bf@{BF_VERSION}", {}, COORD)
