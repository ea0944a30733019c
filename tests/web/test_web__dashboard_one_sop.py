"""The dashboard counts its own SOP's cases: a second SOP loaded on the same server (another
country's procedure) is not counted in the first one's headline, charts or ``GET /api/v1/stats``
(tryout 4, G12: a Mali case raised the Burkina Faso « Dossiers : N ouverts »)."""

from __future__ import annotations

from pathlib import Path

from mno_workflow.sop.loader import load_text
from mno_workflow.web import ops_stats

from .conftest import PASSWORD
from .helpers import IDENT, MARIAM

BF = Path(__file__).resolve().parents[2] / "sops/burkina_faso/mnr.yaml"


def test_another_sops_cases_are_not_counted(live):
    wf = live.wf
    for _ in range(5):
        ref = wf.create_case("mnr_bf", MARIAM)
        wf.fire(ref, "register", MARIAM, IDENT)
    other = BF.read_text(encoding="utf-8").replace("sop: mnr_bf", "sop: mnr_autre", 1)
    wf.load_sop(load_text(other, "autre.yaml"))
    for _ in range(7):
        wf.create_case("mnr_autre", MARIAM)
    with wf.sessions() as s:
        assert ops_stats.dashboard_counts(s, live.clock.now(), sop_id="mnr_bf")["totals"] == {"open": 5}
        assert ops_stats.dashboard_counts(s, live.clock.now(), sop_id="mnr_autre")["totals"] == {"open": 7}
    c = live.client("coord.mnr")
    token = c.post("/api/v1/auth/token", json={"username": "coord.mnr", "password": PASSWORD}).json()["token"]
    stats = c.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"}).json()
    assert stats["totals"] == {"open": 5}, stats
    page = c.get("/tableau-de-bord").text
    assert "5 ouverts" in page and "12 ouverts" not in page
