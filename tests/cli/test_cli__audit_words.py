"""``mno case show``: a deadline extension and a reassignment in words in French and English —
names, not logins; instants in the SOP's time zone, not ISO; no True/False; labels, not the
stored keys (tryout 2, finding 15). ``--format json`` keeps the keys for scripts."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from .users import add_users

runner = CliRunner()
pytestmark = pytest.mark.migrated


def _case(wf, db_url) -> str:
    from sqlalchemy import update

    from mno_workflow.store.base import make_engine
    from mno_workflow.store.models import User

    from ..engine.helpers import CW, SUP, to_referrals
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, {"provider": "org-cfp", "priority": "normal", "referral_date": "2025-06-02",
                              "channel": "system"}, instance="referral:vocational_training")
    wf.extend_deadline(ref, "referral:vocational_training", "5 working days", "Personne en déplacement",
                       SUP, from_due=True)
    add_users(db_url)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        for uid, name in (("mariam.kabore", "Mariam Kaboré"), ("awa", "Awa Ouédraogo"),
                          ("idrissa.sanou", "Idrissa Sanou")):
            conn.execute(update(User).where(User.id == uid).values(display_name=name))
        # a case of Kadiogo goes to a case manager of Kadiogo (tryout 8, K2)
        conn.execute(update(User).where(User.id == "awa").values(region="kadiogo"))
    engine.dispose()
    assert wf.reassign([ref], "awa", SUP, "Charge de travail") == [ref]
    return ref


def test_case_show_says_extension_and_reassignment_in_words(wf, db_url):
    ref = _case(wf, db_url)
    for args, words in (
            (["case", "show", ref],
             ("Réattribution — Mariam Kaboré → Awa Ouédraogo — Motif : Charge de travail",
              "Délai prolongé Référencement — Formation professionnelle — 5 jours ouvrables (",
              ", depuis l'échéance) — Motif : Personne en déplacement")),
            (["--lang", "en", "case", "show", ref],
             ("Reassignment — Mariam Kaboré → Awa Ouédraogo — Reason: Charge de travail",
              "5 working days (", ", from the due date) — Reason: Personne en déplacement"))):
        r = runner.invoke(app, ["--db", db_url, *args])
        assert r.exit_code == 0, r.output
        for w in words:
            assert w in r.output, (w, r.output)
        trail = r.output[r.output.index("Journal d'audit" if "--lang" not in args else "Audit trail"):]
        for raw in ("mariam.kabore", ": awa", "→ awa", "True", "False", "old_due_at", "from_due",
                    "reason:", "by:", "from:", "to:"):
            assert raw not in trail, (raw, trail)
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d", trail), trail
        assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2} → \d{2}/\d{2}/\d{4} \d{2}:\d{2}", trail), trail
    # the JSON keeps the stored keys for scripts
    r = runner.invoke(app, ["--db", db_url, "case", "show", ref, "--format", "json"])
    assert r.exit_code == 0, r.output
    audit = json.loads(r.output)["audit"]
    (moved,) = [e for e in audit if e["action"] == "reassign"]
    assert moved["data"] == {"from": "mariam.kabore", "to": "awa", "reason": "Charge de travail"}
    (ext,) = [e for e in audit if e["action"] == "extend_deadline"]
    assert ext["data"]["from_due"] is True and ext["data"]["by"] == "5 working days"
