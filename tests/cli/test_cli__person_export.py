"""`mno case export-person`: a person's access request as printable HTML (fr, en) and JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.retention import erase_case
from mno_workflow.store import repository
from mno_workflow.web.models import CaseView

from ..engine.helpers import CW, SUP, close_now, to_referrals
from .users import add_users

runner = CliRunner()


def mno(db_url, *args):
    add_users(db_url)
    r = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in r.output, r.output
    return r


def _case_with_a_view(wf) -> str:
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, {"provider": "org-cfp", "priority": "normal", "referral_date": "2025-06-02",
                              "channel": "system"}, instance="referral:vocational_training")
    with wf.sessions.begin() as s:
        case = repository.get_case(s, ref)
        s.add(CaseView(case_id=case.id, user_id="focal.cfp", role="provider", organisation="org-cfp",
                       channel="referral", instance="referral:vocational_training", at=wf.clock.now()))
    return ref


def _with_names(db_url) -> None:
    """The sample directory (organisation names) and the users' display names in the database."""
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from mno_workflow.directory import load_sample
    from mno_workflow.directory.tables import TABLES
    from mno_workflow.store.base import make_engine
    from mno_workflow.store.models import User
    engine = make_engine(db_url)
    TABLES["organization"].metadata.create_all(engine)  # the wf fixture's tables have no directory
    with Session(engine) as s, s.begin():
        load_sample(s)
        s.execute(update(User).where(User.id == "focal.cfp").values(display_name="Rasmané Sanou"))
        s.execute(update(User).where(User.id == "mariam").values(display_name="Mariam Kaboré"))
    engine.dispose()


def test_html_in_french_and_english(wf, db_url, tmp_path):
    ref = _case_with_a_view(wf)
    add_users(db_url)
    _with_names(db_url)
    out = tmp_path / "personne.html"
    r = mno(db_url, "case", "export-person", ref, "-o", str(out), "--as", "idrissa.sanou:supervisor")
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    for text in (f"Données détenues sur une personne — Dossier {ref}", "Aminata", "Sawadogo",
                 "14/03/2001",                                  # birth date as a date, in words
                 "Formation professionnelle",                   # option label, not the code
                 "Enregistrer le dossier",                      # trigger label in the trail
                 "Référencement — Formation professionnelle — Centre de formation professionnelle de "
                 "Bobo-Dioulasso (illustratif) — Envoyé",
                 "Rasmané Sanou (Point focal du prestataire @ Centre de formation professionnelle de "
                 "Bobo-Dioulasso (illustratif))", "Consultations du dossier",
                 "page du référencement (prestataire)", "Référencement — Formation professionnelle"):
        assert text in page, text
    out_en = tmp_path / "person.html"
    r = mno(db_url, "--lang", "en", "case", "export-person", ref, "-o", str(out_en),
            "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output
    page = out_en.read_text(encoding="utf-8")
    assert "Data held about a person — Case" in page and "Vocational training" in page
    assert "Who viewed the case" in page and "data held about the person" in page  # the first export
    assert "Rasmané Sanou (Provider focal point @ Centre de formation" in page
    assert "referral page (provider)" in page
    assert "export-person" not in page and "(provider @" not in page  # words, not codes (issue 18)
    for page in (out.read_text(encoding="utf-8"), out_en.read_text(encoding="utf-8")):
        _no_raw_keys(page)


def _no_raw_keys(page: str) -> None:
    """No code of the SOP or of the database in the text a person reads (issue 18): step and
    instance keys, organisation and user ids, form and option codes, event value names."""
    import re
    text = re.sub(r"<[^>]+>", " ", page.split("</style>", 1)[1])  # the words, not the markup
    for key in ("vocational_training", "[1]", "org-cfp", "focal.cfp", "mnr_bf", "referral:", "svc-",
                "old_due_at", "instance_key", "assisted_voluntary", "single_headed_household", "[cli",
                "[web", "consent_date", "referral_date"):
        assert key not in text, (key, text[max(0, text.find(key) - 200):text.find(key) + 100])


def test_json_lists_everything_and_refuses_scoped_roles(wf, db_url, tmp_path):
    ref = _case_with_a_view(wf)
    out = tmp_path / "p.json"
    r = mno(db_url, "case", "export-person", ref, "-o", str(out), "--format", "json",
            "--as", "awa:caseworker")
    assert r.exit_code == 1 and "ne peut pas produire les données" in r.stderr and not out.exists()
    assert "role_not_allowed" not in r.stderr
    r = mno(db_url, "case", "export-person", ref, "-o", str(out), "--format", "json",
            "--as", "idrissa.sanou:supervisor")
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    with wf.sessions() as s:
        n_events = len(repository.trail(s, repository.get_case(s, ref)))
    assert [e["seq"] for e in doc["trail"]] == list(range(1, n_events + 1))
    assert {s["key"] for s in doc["referrals"]} == {"psychosocial", "vocational_training"}
    assert doc["access"][0]["user"] == "focal.cfp"
    titles = [f["title"] for f in doc["data"]]
    assert "Fiche d'identification et d'enregistrement" in titles
    r = mno(db_url, "case", "export-person", "MNR-BF-999999", "-o", str(out), "--as", "coord:coordinator")
    assert r.exit_code == 1 and "Dossier introuvable : MNR-BF-999999" in r.stderr
    assert "case_not_found" not in r.stderr


def test_after_erasure_the_export_says_erased(wf, db_url, tmp_path):
    ref = _case_with_a_view(wf)
    erase_case(wf, close_now(wf, ref), SUP, "demande de la personne")
    out = tmp_path / "p.html"
    r = mno(db_url, "case", "export-person", ref, "-o", str(out), "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    # tryout 3, F31: the day as every date of the document, the rule and the when in words
    assert "Aminata" not in page and "[effacé le 02/06/2025]" in page and "2025-06-02]" not in page
    assert "Effacement des données personnelles" in page
    assert "effacées le 02/06/2025, à la demande de la personne." in page
    assert "erasure" not in page
