"""``mno sop diff``: what changed between two SOP versions (exact French text and JSON), and which
open cases of the old version wait in a removed or changed state (``--db``, read-only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.sop.diff import diff_sops, sop_diff
from mno_workflow.sop.loader import load_file, load_text
from mno_workflow.store.base import Base, make_engine
from tests.conftest import BF_VERSION
from tests.engine.helpers import CW, provider, referral, to_referrals

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "fixtures" / "valid_sops" / "referral.yaml"
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"

app = typer.Typer()
app.command()(sop_diff)


def edited(text: str, *edits: tuple[str, str]) -> str:
    text = text.replace('version: "1"', 'version: "2"')
    text = text.replace(f'version: "{BF_VERSION}"', 'version: "2025.2"')
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


BASE_TEXT = BASE.read_text(encoding="utf-8")
V2 = edited(
    BASE_TEXT,
    ("    scope: recipient\noptions:\n",
     "    scope: recipient\n  coordinator:\n    label: {fr: Coordination, en: Coordination}\noptions:\n"),
    ("    medical: {fr: Soins médicaux, en: Medical care}\n",
     "    legal: {fr: Juridique, en: Legal}\n"),
    ("{id: provider, type: text, required: true, label: {fr: Prestataire, en: Provider}}\n",
     "{id: provider, type: text, required: true, max_length: 80,\n"
     "         label: {fr: Prestataire, en: Provider}}\n"
     "      - {id: urgent, type: boolean, label: {fr: Urgent, en: Urgent}}\n"),
    ("deadline: {within: 10 working days, remind: [50%], on_expiry: {escalate: supervisor}}",
     "deadline: {within: 5 working days, remind: [50%, 1 day before], on_expiry: {escalate: coordinator}}"),
    ("      declined:\n        label: {fr: Refusé, en: Declined}\n        final: true\n",
     "      refused:\n        label: {fr: Refusé, en: Declined}\n        final: true\n"),
    ("from: sent, to: declined, by: [provider]}", "from: sent, to: refused, by: [provider, supervisor]}"),
    ("{after: referral.all_final, close_case: true}", "{after: referral.any_final, close_case: true}"),
)

EXPECTED_TEXT = """\
POS mini_ref : version 1 → mini_ref 2
États :
  - suppression : referral.declined
  + ajout : referral.refused
Délais :
  ~ modification : referral.sent — délai : 10 working days → 5 working days ; rappels : [50%] → [50%, 1 day \
before] ; escalade : supervisor → coordinator
Transitions :
  ~ modification : referral : decline depuis sent — vers : declined → refused ; par : [provider] → \
[provider, supervisor]
Champs :
  ~ modification : referral.provider — longueur max : — → 80
  + ajout : referral.urgent — type : boolean
Listes d'options :
  ~ modification : need — codes supprimés : [medical] ; codes ajoutés : [legal]
Rôles :
  + ajout : coordinator
Enchaînement des étapes (flow) :
  - suppression : après referral.all_final : clore le dossier
  + ajout : après referral.any_final : clore le dossier
"""


def test_diff_text_is_exact() -> None:
    d = diff_sops(load_text(BASE_TEXT, "v1.yaml").model, load_text(V2, "v2.yaml").model)
    assert d.text_fr() == EXPECTED_TEXT
    assert d.affected_states() == {"referral": {"declined", "sent"}}


def test_no_change() -> None:
    model = load_file(BASE).model
    assert diff_sops(model, model).text_fr() == "POS mini_ref : version 1 → mini_ref 1\nAucun changement.\n"
    assert diff_sops(model, model).affected_states() == {}


def test_removed_step_added_state_and_wildcard() -> None:
    v2 = edited(BASE_TEXT,
                ("      accepted:\n", "      on_hold:\n        label: {fr: Suspendu, en: On hold}\n"
                                      "        owner: caseworker\n"
                                      "        deadline: {within: 2 days,\n"
                                      "                   on_expiry: {escalate: supervisor}}\n"
                                      "      accepted:\n"),
                ("flow:\n", "      - {trigger: hold, label: {fr: Suspendre, en: Hold}, from: \"*\",\n"
                            "         to: on_hold, by: [supervisor]}\nflow:\n"))
    d = diff_sops(load_text(BASE_TEXT, "a.yaml").model, load_text(v2, "b.yaml").model)
    assert [(c.kind, c.action, c.where) for c in d.changes] == [
        ("state", "added", "referral.on_hold"),
        ("transition", "added", "referral : hold depuis * → on_hold")]
    # a new wildcard exit changes what a case waiting in any non-final state may do
    assert d.affected_states() == {"referral": {"draft", "sent"}}


def test_cli_json_and_errors(tmp_path: Path) -> None:
    (tmp_path / "v2.yaml").write_text(V2, encoding="utf-8")
    result = CliRunner().invoke(app, [str(BASE), str(tmp_path / "v2.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["old"] == {"sop": "mini_ref", "version": "1"} and data["new"]["version"] == "2"
    assert {"kind": "state", "action": "removed", "where": "referral.declined", "details": [],
            "step": "referral", "states": ["declined"]} in data["changes"]
    assert "affected_cases" not in data
    (tmp_path / "bad.yaml").write_text("sop: x\n", encoding="utf-8")
    bad = CliRunner().invoke(app, [str(BASE), str(tmp_path / "bad.yaml")])
    assert bad.exit_code == 1 and "erreur E011" in bad.output


@pytest.fixture
def bf_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'diff.db'}"
    db = make_engine(url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    wf.load_sop(load_file(BF))
    ref = to_referrals(wf)  # two referrals in draft
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    wf.fire(ref, "accept", provider("ong_a"))
    wf.create_case("mnr_bf", CW)  # waits in identification.screening
    db.dispose()
    return url


def test_cli_lists_affected_open_cases(tmp_path: Path, bf_db: str) -> None:
    v2 = tmp_path / "mnr_v2.yaml"
    v2.write_text(edited(BF.read_text(encoding="utf-8"), ("""          within: 30 days
          remind: [1 week before]""", """          within: 21 days
          remind: [1 week before]""")), encoding="utf-8")
    before = Path(bf_db.removeprefix("sqlite:///")).read_bytes()
    result = CliRunner().invoke(app, [str(BF), str(v2), "--db", bf_db])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"POS mnr_bf : version {BF_VERSION} → mnr_bf 2025.2\n"
        "Délais :\n"
        "  ~ modification : referral.accepted — délai : 30 days → 21 days\n"
        f"Dossiers ouverts touchés (version {BF_VERSION}) : 1\n"
        "  MNR-BF-000001 — referral:psychosocial — accepted (état modifié)\n")
    assert Path(bf_db.removeprefix("sqlite:///")).read_bytes() == before  # read-only
    data = json.loads(CliRunner().invoke(app, [str(BF), str(v2), "--db", bf_db, "--format", "json"]).output)
    assert data["affected_cases"] == [{"case": "MNR-BF-000001", "step": "referral", "key": "psychosocial",
                                       "state": "accepted", "reason": "état modifié"}]


def test_cli_flow_change_affects_nobody_a_renamed_trigger_does(tmp_path: Path, bf_db: str) -> None:
    v2 = tmp_path / "mnr_v2.yaml"
    v2.write_text(edited(BF.read_text(encoding="utf-8"),
                         ("  - {after: closure.closed, close_case: true}\n",
                          "  - {after: closure.closed, close_case: true}\n"
                          "  - {after: follow_up.completed, close_case: true}\n")), encoding="utf-8")
    result = CliRunner().invoke(app, [str(BF), str(v2), "--db", bf_db])
    tail = f"Dossiers ouverts touchés (version {BF_VERSION}) : aucun.\n"
    assert result.output.endswith(tail), result.output
    v3 = tmp_path / "mnr_v3.yaml"
    v3.write_text(edited(BF.read_text(encoding="utf-8"),
                         ("      - trigger: screen_out\n", "      - trigger: reject\n")), encoding="utf-8")
    result = CliRunner().invoke(app, [str(BF), str(v3), "--db", bf_db])
    assert result.output.splitlines()[-2:] == [
        f"Dossiers ouverts touchés (version {BF_VERSION}) : 1",
        "  MNR-BF-000002 — identification:1 — screening (état modifié)"], result.output


def test_mno_sop_diff_keeps_its_own_db_option_after_the_command(tmp_path: Path, bf_db: str) -> None:
    """Tryout 3, F34: through the ``mno`` command, ``sop diff OLD NEW --db URL`` is the command's
    own ``--db`` (the open cases touched), not the global option moved before the command —
    Typer's groups are not ``click.Group`` instances, so the sub-command's options were missed."""
    from mno_workflow.cli import app as mno

    v2 = tmp_path / "mnr_v2.yaml"
    v2.write_text(edited(BF.read_text(encoding="utf-8"), ("""          within: 30 days
          remind: [1 week before]""", """          within: 21 days
          remind: [1 week before]""")), encoding="utf-8")
    result = CliRunner().invoke(mno, ["sop", "diff", str(BF), str(v2), "--db", bf_db])
    assert result.exit_code == 0, result.output
    assert "MNR-BF-000001 — referral:psychosocial — accepted" in result.output, result.output
