"""``mno case fire … rectify_identification`` that changes the case's region (tryout 10, M9): a
line says the reassignment to do (fr, en), the new region's supervisor is told through the outbox
and the case's region and its deadlines' copy follow. Real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import OutboxMessage

from ..conftest import BF_SOP, TEST_DIRECTORY
from ..engine.helpers import IDENT, to_referrals
from .test_cli__bf_2026_9 import mno
from .users import PEOPLE, add_users

SAID = {"fr": "Région du dossier changée : Kadiogo (Ouagadougou) → Yaadga (Ouahigouya). Il reste attribué "
              "à mariam.kabore, gestionnaire de cas de Kadiogo (Ouagadougou)",
        "en": "Case region changed: Kadiogo (Ouagadougou) → Yaadga (Ouahigouya). It is still assigned to "
              "mariam.kabore, case manager of Kadiogo (Ouagadougou)"}


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_cli_says_the_reassignment_to_do(db_url, tmp_path, lang):
    add_users(db_url, [*PEOPLE, ("salif.zongo", "supervisor", None, "yaadga")])
    db = make_engine(db_url)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)), **TEST_DIRECTORY)
    wf.load_sop(load_text(BF_SOP.read_text(encoding="utf-8"), "mnr.yaml"))
    ref = to_referrals(wf)
    payload = tmp_path / "rectif.json"
    payload.write_text(json.dumps({"identification": {**IDENT, "region": "yaadga"},
                                   "rectification": {"reason": "changement de région"}}), encoding="utf-8")
    r = mno(db_url, "--lang", lang, "case", "fire", ref, "rectify_identification", "--json", str(payload),
            "--as", "mariam.kabore:caseworker")
    assert r.exit_code == 0, r.output
    assert SAID[lang] in r.output, r.output
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        deadlines = s.execute(text("SELECT DISTINCT region FROM deadlines WHERE case_id = :c "
                                   "AND kind = 'expiry'"), {"c": case.id}).scalars().all()
        assert case.region == "yaadga" and deadlines == ["yaadga"]
        told = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "region_moved")).all()
        # the new region's supervisor (and those without region, who see every region), not Kadiogo's
        assert "salif.zongo" in {m.recipient_user for m in told}
        assert "idrissa.sanou" not in {m.recipient_user for m in told}
    db.dispose()
    r = mno(db_url, "audit", "verify")  # the event with its notice effect verifies and replays
    assert r.exit_code == 0, r.output
