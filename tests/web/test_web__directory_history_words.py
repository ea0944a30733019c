"""The directory's history shows stored values in words, in the page's language (and in ``mno
directory history``'s): codes by their words (yes/no, an organisation type, a referral channel,
a schedule's days and frequency, a response time), ids by names (a unit, a location, a person),
dates as dd/mm/yyyy — never ``unit-place``, ``yes``, ``WEEKLY``, ``MO,TU`` or ``2026-10-15``."""

from __future__ import annotations

import html

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory import SAMPLE_DIR
from mno_workflow.directory.audit_words import value_text
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import User

SVC = "svc-oim-transit"


def test_the_service_page_history_names_the_unit_and_shows_dates(live):
    coord = live.client("coord.mnr")
    history = html.unescape(coord.get(f"/repertoire/services/{SVC}").text.split('id="history"')[1]
                            .split("</table>")[0])
    assert "Unité : — → lit (couchage)" in history and "Mise à jour : — → 15/10/2026" in history, history
    for raw in ("unit-place", "unit-lit", "org-oim", "2026-"):
        assert raw not in history, raw
    coord.get("/langue/en")
    history = html.unescape(coord.get(f"/repertoire/services/{SVC}").text.split('id="history"')[1]
                            .split("</table>")[0])
    assert "Unit: — → " in history and "unit-lit" not in history, history
    coord.get("/langue/fr")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('hist')}/h.db"
    r = CliRunner().invoke(app, ["--db", db, "directory", "import", str(SAMPLE_DIR)])
    assert r.exit_code == 0, r.output
    with Session(make_engine(db)) as s, s.begin():
        s.add(User(id="focal.droits", display_name="Salif Ouédraogo", role="provider",
                   organisation="org-droits"))
    return db


def history(db: str, lang: str, *args: str) -> str:
    r = CliRunner().invoke(app, ["--lang", lang, "--db", db, "directory", "history", *args])
    assert r.exit_code == 0, r.output
    return r.output


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Canal d'orientation : — → par courriel", "Point focal : — → Salif Ouédraogo",
            "Délai de réponse (normal) : — → 15 jours ouvrables"]),
    ("en", ["Referral channel: — → by email", "Focal point: — → Salif Ouédraogo",
            "Response time (normal): — → 15 working days"])])
def test_cli_history_of_a_referral(sample_db, lang, words):
    out = history(sample_db, lang, "ref-droits-bobo", "--type", "service_referral")
    for w in words:
        assert w in out, out
    for raw in ("focal.droits", "→ email", "working days" if lang == "fr" else "jours"):
        assert raw not in out, out


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Fréquence : — → chaque semaine", "Jours : — → lundi, mardi, mercredi, jeudi, vendredi"]),
    ("en", ["Frequency: — → every week", "Days: — → Monday, Tuesday, Wednesday, Thursday, Friday"])])
def test_cli_history_of_a_schedule(sample_db, lang, words):
    out = history(sample_db, lang, "sch-csps-soins", "--type", "schedule")
    for w in words:
        assert w in out, out
    assert "WEEKLY" not in out and "MO,TU" not in out
    assert "sal-csps-soins" not in out  # the service at its location, by their names


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Type d'organisation : — → Agence des Nations Unies", "Utilise la plateforme : — → Oui"]),
    ("en", ["Organisation type: — → UN agency", "Uses the platform: — → Yes"])])
def test_cli_history_of_an_organisation(sample_db, lang, words):
    out = history(sample_db, lang, "org-oim", "--type", "organization")
    for w in words:
        assert w in out, out
    assert "un_agency" not in out and "→ yes" not in out


def test_booleans_lists_and_extension_objects_in_words():
    assert value_text("open", True, "fr") == "Oui" and value_text("open", False, "en") == "No"
    assert value_text("byday", ["MO", "FR"], "fr") == "lundi, vendredi"
    assert value_text("extensions", {"verified": True, "updated": "2026-10-15"}, "en") == \
        "verified: Yes, Updated: 15/10/2026"


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Catégories de données : — → Identité, Coordonnées, Besoins et plan, Santé",
            "Finalités : — → Référencement, Prestation de services, Suivi"]),
    ("en", ["Data categories: — → Identity, Contact details, Needs and plan, Health",
            "Purposes: — → Referral, Service delivery, Follow-up"])])
def test_cli_history_of_an_agreement_names_the_sops_codes(sample_db, lang, words):
    from tests.conftest import BF_SOP
    assert CliRunner().invoke(app, ["--db", sample_db, "sop", "load", str(BF_SOP)]).exit_code == 0
    out = history(sample_db, lang, "agr-csps", "--type", "sharing_agreement")
    for w in words:
        assert w in out, out
    assert "identity contact" not in out and "follow_up" not in out
