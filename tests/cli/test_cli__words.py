"""Issue 18 on the command line: words in the ``--lang`` language, never keys, ids or exception
class names — a malformed ``--as`` on every command that takes it (French and English), ``mno
directory`` under ``--lang en``, ``mno case show`` naming people and organisations, the cancelled
messages' reasons, the directory's change history, and the language of one in-process run not
leaking into the next."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.commands.common import state
from mno_workflow.i18n import current

from .users import add_users

runner = CliRunner()
pytestmark = pytest.mark.migrated

#: Every command that takes ``--as``, with the arguments it needs before ``--as`` is read.
AS_COMMANDS = [
    ["case", "create"],
    ["case", "fire", "MNR-X", "register"],
    ["case", "prefill", "MNR-X", "register"],
    ["case", "extend", "MNR-X", "identification", "--by", "3 jours", "--reason", "r"],
    ["case", "pause", "MNR-X", "identification", "--reason", "r"],
    ["case", "resume", "MNR-X", "identification"],
    ["case", "reassign", "MNR-X", "--to", "awa", "--reason", "r"],
    ["case", "reopen", "MNR-X", "--reason", "r"],
    ["case", "correct", "MNR-X", "--step", "identification", "--state", "registered", "--reason", "r"],
    ["case", "erase", "MNR-X", "--reason", "r"],
    ["case", "export-person", "MNR-X", "-o", "x.json"],
    ["alert", "create"],
    ["alert", "list"],
    ["sop", "migrate", "mnr_bf@1", "mnr_bf@2"],
    ["calendar", "set", "2025-12-25", "--name", "Noël"],
    ["intake", "kobo", "x.csv"],
    ["directory", "search", "--need", "housing", "--region", "Centre"],
]


def _run(db_url: str, *args: str):
    add_users(db_url)
    r = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in r.output, r.output
    return r


@pytest.mark.parametrize("command", AS_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_malformed_as_is_said_in_the_language_of_the_run(db_url, tmp_path, command):
    """``--as awa`` (no role): one line in French by default, in English with ``--lang en``; never
    the exception's class name, never the other language."""
    fr = _run(db_url, *command, "--as", "awa")
    en = _run(db_url, "--lang", "en", *command, "--as", "awa")
    for r in (fr, en):
        assert r.exit_code in (1, 2), r.output
        assert "ValueError" not in r.output and "Traceback" not in r.output
    assert "attendu UTILISATEUR:ROLE ou UTILISATEUR:ROLE@ORGANISATION, reçu « awa »" in fr.output, fr.output
    assert "expected" not in fr.output
    assert "expected USER:ROLE or USER:ROLE@ORGANISATION, got “awa”" in en.output, en.output
    assert "attendu" not in en.output and "reçu" not in en.output


def test_directory_commands_speak_english_under_lang_en(db_url, tmp_path):
    """``mno --lang en directory …``: reasons, errors and counts in English (plurals by ngettext)."""
    from mno_workflow.directory import SAMPLE_DIR
    assert _run(db_url, "directory", "import", str(SAMPLE_DIR)).exit_code == 0
    found = _run(db_url, "--lang", "en", "directory", "search", "--need", "psychosocial",
                 "--region", "Centre", "--age", "24", "--sex", "f")
    assert found.exit_code == 0, found.output
    for french in ("Zone :", "Coût :", "Type de service", "région du dossier", "point focal :", "masqué",
                   "gratuit", "éligible", "principal pour ce besoin"):
        assert french not in found.output, (french, found.output)
    assert "Area:" in found.output and "Cost:" in found.output and "Service type:" in found.output
    assert "focal point:" in found.output and "hidden" in found.stderr
    fr = _run(db_url, "directory", "search", "--need", "psychosocial", "--region", "Centre")
    assert "Zone :" in fr.output and "Area:" not in fr.output
    bad = _run(db_url, "--lang", "en", "directory", "search", "--need", "haircut", "--region", "Centre")
    assert bad.exit_code == 1 and bad.output.startswith("error: unknown need “haircut”"), bad.output
    bad = _run(db_url, "--lang", "en", "directory", "search", "--need", "housing", "--region", "Atlantide")
    assert bad.output.strip() == "error: unknown region “Atlantide”", bad.output
    bad = _run(db_url, "--lang", "en", "directory", "search", "--need", "housing", "--region", "Centre",
               "--format", "xml")
    assert "error: unknown format “xml”; formats: table, json" in bad.output
    stale = _run(db_url, "--lang", "en", "directory", "stale", "--today", "2040-01-01")
    assert "services not verified for 6 months on 2040-01-01" in stale.output, stale.output
    assert "jamais" not in stale.output and "(s)" not in stale.output
    one = _run(db_url, "--lang", "en", "directory", "stale", "--today", "nope")
    assert one.output.strip() == "error: invalid date “nope” (expected DD/MM/YYYY or YYYY-MM-DD)"
    out = _run(db_url, "--lang", "en", "directory", "export", str(tmp_path / "full"))
    assert "files written in" in out.output
    assert "warning: the export holds the personal contacts" in out.output
    assert "fichier" not in out.output and "(s)" not in out.output
    agreements = _run(db_url, "--lang", "en", "directory", "agreement", "list", "--today", "2026-01-01")
    assert "organisations on 01/01/2026" in agreements.output and "AUCUN" not in agreements.output
    ended = _run(db_url, "--lang", "en", "directory", "agreement", "end", "agr-nope", "--on", "2026-01-01")
    assert ended.exit_code == 1 and "error: unknown agreement “agr-nope”" in ended.output
    dry = _run(db_url, "--lang", "en", "directory", "import", str(SAMPLE_DIR), "--dry-run")
    assert "0 additions and 0 changes would be made — dry run, nothing was written." in dry.output, dry.output


def test_directory_history_in_words(db_url):
    """``mno directory history``: objects, actions and fields in words (« Places disponibles »,
    "Places available"), never column names (``available``, ``org_id``)."""
    from mno_workflow.directory import SAMPLE_DIR
    assert _run(db_url, "directory", "import", str(SAMPLE_DIR)).exit_code == 0
    fr = _run(db_url, "directory", "history", "svc-csps-soins")
    en = _run(db_url, "--lang", "en", "directory", "history", "svc-csps-soins")
    assert fr.exit_code == 0 and en.exit_code == 0, fr.output + en.output
    assert "création — Service Consultations et soins de santé primaires" in fr.output  # a name, not its id
    assert "Organisation : — → " in fr.output and "svc-csps-soins" not in fr.output
    assert "creation — Service " in en.output and "Organisation: — → " in en.output
    assert "Âge minimum" in fr.output or "Dernière vérification" in fr.output
    for raw in ("organization_id", "assured_date", "minimum_age", "create —"):
        assert raw not in fr.output and raw not in en.output, raw
    assert "1 modification" in fr.output and "1 change" in en.output


def test_lang_of_one_run_does_not_leak_into_the_next(db_url):
    """``--lang en`` is the current language only while its command runs (the CLI resets it when the
    invocation ends), so a later run, or code after it in the same process, is in French again."""
    assert current.get() == "fr"
    r = _run(db_url, "--lang", "en", "directory", "stale", "--today", "nope")
    assert r.output.startswith("error:")
    assert current.get() == "fr" and state["lang"] == "fr"
    from mno_workflow.i18n import gettext
    assert gettext("Aucun service trouvé.") == "Aucun service trouvé."
    r = _run(db_url, "directory", "stale", "--today", "nope")
    assert r.output.startswith("erreur :")


def test_case_show_names_people_and_organisations(wf, db_url):
    """``mno case show``: the case manager by name, the trail's ``@ organisation`` and a referral's
    recipient by the directory's name (French and English), not their ids."""
    from mno_workflow.engine.engine import Actor

    from ..engine.helpers import CW, to_referrals
    from .test_cli__person_export import _with_names
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, {"provider": "org-cfp", "priority": "normal", "referral_date": "2025-06-02",
                              "channel": "system"}, instance="referral:vocational_training")
    wf.fire(ref, "accept", Actor("focal.cfp", "provider", "org-cfp"),
            instance="referral:vocational_training")
    with wf.sessions.begin() as s:
        from mno_workflow.store import repository
        repository.get_case(s, ref).assignee = "mariam.kabore"
    add_users(db_url)
    _with_names(db_url)
    from sqlalchemy import update

    from mno_workflow.store.base import make_engine
    from mno_workflow.store.models import User
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == "mariam.kabore").values(display_name="Mariam Kaboré"))
    engine.dispose()
    cfp = "Centre de formation professionnelle de Bobo-Dioulasso (illustratif)"
    for args, words in ((["case", "show", ref],
                         ("Gestionnaire : Mariam Kaboré", "Référencement — Formation")),
                        (["--lang", "en", "case", "show", ref],
                         ("Case manager: Mariam Kaboré", "Referral — Vocational"))):
        r = _run(db_url, *args)
        assert r.exit_code == 0, r.output
        for w in words:
            assert w in r.output, (w, r.output)
        assert f"→ {cfp}" in r.output and "Rasmané Sanou (" in r.output and f"@ {cfp})" in r.output
        assert "@ org-" not in r.output and "→ org-" not in r.output
        assert ": mariam.kabore" not in r.output
        if "--lang" in args:  # English typography: "Label: value", never the French « Label : value »
            assert " : " not in r.output, r.output
