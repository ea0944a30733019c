"""An organisation whose directory row has no ``uses_platform`` value is *not* taken to use the
platform: its referrals are « suivi par le gestionnaire » and the caseworker records its answers as
ordinary actions — on the case page (French and English), in the API (``steps[].off_platform``) and
in ``mno case show`` (text and JSON). Only ``yes`` puts an organisation on the platform."""

from __future__ import annotations

import json

from sqlalchemy import update
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory.tables import TABLES

from .conftest import PASSWORD
from .helpers import case_with_referrals
from .test_web__case_page_consent import box, page


def _set(live, org: str, value: str | None) -> None:
    with live.wf.sessions.begin() as s:
        s.execute(update(TABLES["organization"]).where(TABLES["organization"].c.id == org)
                  .values(uses_platform=value))


def test_no_uses_platform_value_is_the_off_platform_path_on_page_api_and_cli(live):
    ref = case_with_referrals(live.wf)  # cash → org-masn, medical → org-csps (uses_platform: no)
    _set(live, "org-masn", None)  # was yes in the sample directory: now nobody says
    for lang, words in (("fr", "suivi par le gestionnaire"), ("en", "followed up by the case manager")):
        cash = box(page(live, ref, lang), "step-referral-cash")
        assert "data-off-platform" in cash and words in cash, lang
        # the caseworker records its answers as ordinary actions, not set apart as exceptional
        assert 'data-action="record_acceptance"' in cash and "data-on-behalf" not in cash

    c = live.client()
    token = c.post("/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    steps = c.get(f"/api/v1/cases/{ref}", headers=bearer).json()["steps"]
    off = {f"{x['step']}:{x['key']}": x["off_platform"] for x in steps}
    assert off["referral:cash"] is True and off["referral:medical"] is True and off["consent:1"] is None

    db = str(live.wf.db.url)
    shown = CliRunner().invoke(app, ["--db", db, "case", "show", ref])
    assert shown.exit_code == 0, shown.output
    line = next(x for x in shown.output.splitlines() if "Assistance en espèces" in x and "→" in x)
    # the line goes on with the referral's deadline (« — échéance … »), which follows the clock
    assert "(suivi par le gestionnaire)" in line, line
    shown = CliRunner().invoke(app, ["--db", db, "case", "show", ref, "--format", "json"])
    assert {f"{x['step']}:{x['key']}": x["off_platform"] for x in json.loads(shown.output)["steps"]
            if x["recipient"]} == {"referral:cash": True, "referral:medical": True}

    _set(live, "org-masn", "yes")  # said to use the platform: its own inbox, answers set apart
    cash = box(page(live, ref, "fr"), "step-referral-cash")
    assert "data-off-platform" not in cash and "data-on-behalf" in cash
    shown = CliRunner().invoke(app, ["--db", db, "case", "show", ref, "--format", "json"])
    assert {f"{x['step']}:{x['key']}": x["off_platform"] for x in json.loads(shown.output)["steps"]
            if x["recipient"]} == {"referral:cash": False, "referral:medical": True}
