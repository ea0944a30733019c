"""Retention and erasure: personal fields become tombstones in case data and audit events, the
audit chain (and replay) still verifies, anonymous statistics do not change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import CaseErased, CaseOpen, FormInvalid, RoleNotAllowed
from mno_workflow.engine.retention import erase_case, personal_spec, purge_due, run_retention
from mno_workflow.i18n import gettext
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.audit import TOMBSTONE_KEY, verify_all
from mno_workflow.store.models import AuditEvent, Case
from mno_workflow.web import queries
from tests.cli.users import add_users

from ..conftest import BF_SOP, BF_VERSION
from .helpers import CONSENT, CW, IDENT, NEEDS, SUP, close_now, refuse_and_close, to_referrals

runner = CliRunner()
SYSTEM = Actor("mno.retention", "system")


def mno(db_url, *args):
    add_users(db_url)
    r = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in r.output, r.output
    return r


def close_case(wf) -> str:
    # Issue 13: a refusal no longer closes the case; it is closed by the direct-assistance path.
    return refuse_and_close(wf, ident={**IDENT, "phone": "+226 70 11 22 33"})


def statistics(wf, now):
    with wf.sessions() as s:
        dash = queries.dashboard(s, now)
        rows = list(queries.export_rows(s, secret="s" * 32, with_names=False))
    return canonical(dash), rows


def canonical(value):
    """``value`` with every mapping (dict, Counter) as its items sorted by key: the dashboard's
    GROUP BY queries have no ORDER BY, so the order of keys is the query plan's, not a fact."""
    if isinstance(value, dict):
        return repr(sorted(((repr(k), canonical(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return repr([canonical(v) for v in value])
    return repr(value)


def all_event_text(wf, ref) -> str:
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return json.dumps([ev.data for ev in repository.trail(s, case)], ensure_ascii=False)


def test_retention_purges_closed_cases_after_the_period_and_keeps_audit_and_statistics(wf, db_url, clock):
    closed = [close_case(wf) for _ in range(2)]
    open_ref = to_referrals(wf)
    later = datetime(2030, 6, 2, 8, 0, tzinfo=UTC)  # closed 2 June 2025 08:00 + 5 years
    before = statistics(wf, later)
    assert "Aminata" in all_event_text(wf, closed[0])

    r = mno(db_url, "retention", "run", "--now", "2030-06-02T07:59:00Z")  # one minute too early
    assert r.exit_code == 0 and "0 dossier purgé" in r.stdout, r.output
    r = mno(db_url, "retention", "run", "--dry-run", "--now", "2030-06-02T08:00:00Z")
    assert r.exit_code == 0 and "2 dossiers seraient purgés" in r.stdout, r.output
    assert "Aminata" in all_event_text(wf, closed[0])  # dry run wrote nothing

    r = mno(db_url, "retention", "run", "--now", "2030-06-02T08:00:00Z")
    assert r.exit_code == 0, r.output
    # first/last name, birth date, phone: in the case data and in the register event
    assert f"{closed[0]}\t8 valeurs remplacées (données et journal)" in r.stdout
    assert "2 dossiers purgés" in r.stdout
    for ref in closed:
        text = all_event_text(wf, ref)
        assert "Aminata" not in text and "Sawadogo" not in text and "70 11 22 33" not in text
        assert "2001-03-14" not in text
        with wf.sessions() as s:
            case = repository.get_case(s, ref)
            ident = case.data["identification"]
            assert ident["first_name"][TOMBSTONE_KEY] == "2030-06-02T08:00:00+00:00"
            assert ident["sex"] == "female" and ident["region"] == "kadiogo"  # shareable: kept
            assert case.display_name is None and case.purged_at is not None
            last = repository.trail(s, case)[-1]
            assert (last.action, last.data["rule"], last.via) == ("purge", "retention", "cli")
    assert "Aminata" in all_event_text(wf, open_ref)  # an open case is not touched
    assert statistics(wf, later) == before
    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "retention", "run", "--now", "2031-01-01T00:00:00Z")  # idempotent
    assert "0 dossier purgé" in r.stdout


def test_erasure_at_a_persons_request_of_a_case_with_referrals(wf, db_url):
    needs = json.loads(json.dumps(NEEDS))
    needs["needs"][0]["description"] = "Ancienne couturière à Bobo (SECRET)"
    ref = to_referrals(wf, CONSENT, needs)
    with pytest.raises(RoleNotAllowed):
        erase_case(wf, ref, CW, "demande de la personne")
    with pytest.raises(FormInvalid):
        erase_case(wf, ref, SUP, "  ")
    # tryout 9, L9: the case is open (referrals to answer, deadlines): refused, how to close said
    version = _version(wf, ref)
    with pytest.raises(CaseOpen) as e:
        erase_case(wf, ref, SUP, "demande écrite de la personne du 3 juin 2025")
    assert e.value.http_status == 409
    assert e.value.text("fr") == (
        f"Le dossier {ref} est encore ouvert : clôturez-le d'abord (étape « Clôture du dossier » : Proposer "
        "la clôture (Gestionnaire de cas) → Approuver la clôture (Superviseur)), puis effacez les données de "
        "la personne. Effacées sur un dossier ouvert, ses référencements, délais et rappels continueraient "
        "sans elles.")
    assert e.value.text("en").startswith(
        f"Case {ref} is still open: close it first (step 'Case closure': Propose closure (Case manager) → "
        "Approve closure (Supervisor)), then erase the person's data.")
    assert _version(wf, ref) == version and "SECRET" in all_event_text(wf, ref)  # nothing written
    close_now(wf, ref)
    before = statistics(wf, wf.clock.now())
    n = erase_case(wf, ref, SUP, "demande écrite de la personne du 3 juin 2025")
    assert n >= 5
    text = all_event_text(wf, ref)
    assert "SECRET" not in text and "Aminata" not in text
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.key == "vocational_training")
        assert TOMBSTONE_KEY in inst.item["description"]
        assert case.data["needs_assessment"]["needs"][0]["need"] == "vocational_training"
        assert verify_all(s) == (1, [])
    assert statistics(wf, wf.clock.now()) == before
    r = mno(db_url, "audit", "verify")  # chains and replay
    assert r.exit_code == 0, r.output
    # an erased case is not reopened: a person who comes back gets a new case
    with pytest.raises(CaseErased) as e:
        wf.reopen(ref, SUP, "la personne revient")
    assert "ne peut plus être rouvert" in e.value.text("fr")
    assert "can no longer be reopened" in e.value.text("en")
    with wf.sessions() as s:
        assert repository.get_case(s, ref).status == "closed"


def _version(wf, ref) -> int:
    with wf.sessions() as s:
        return repository.get_case(s, ref).version


def test_cli_erase_checks_role_and_reason(wf, db_url):
    ref = close_case(wf)
    r = mno(db_url, "case", "erase", ref, "--reason", "demande", "--as", "awa:caseworker")
    assert r.exit_code == 1 and "rôle" in r.stderr and "role_not_allowed" not in r.stderr
    r = mno(db_url, "case", "erase", ref, "--reason", "demande du 3 juin", "--as", "idrissa:supervisor")
    assert r.exit_code == 0 and f"{ref} : 8 valeurs effacées." in r.stdout, r.output
    with wf.sessions() as s:
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (ev.action, ev.data["rule"], ev.data["reason"]) == ("purge", "erasure", "demande du 3 juin")
    assert mno(db_url, "audit", "verify").exit_code == 0


def test_run_retention_without_rule_reports_the_case(wf, clock, bf_loaded):
    text = BF_SOP.read_text(encoding="utf-8")
    start = text.index("\nretention:")
    end = text.index("\n\n", start + 1)
    no_rule = text[:start] + text[end:]
    no_rule = no_rule.replace(f'version: "{BF_VERSION}"', 'version: "2025.9"', 1)
    wf.load_sop(load_text(no_rule, "no-retention.yaml"))
    ref = close_case(wf)
    clock.set(datetime(2040, 1, 1, tzinfo=UTC))
    report = run_retention(wf, SYSTEM)
    assert report.cases == {} and report.skipped[ref] == "sa version de POS n'a pas de règle de conservation"
    assert gettext(report.skipped[ref], "en") == "its SOP version has no retention rule"


def _sop_with(period: str):
    text = BF_SOP.read_text(encoding="utf-8").replace("purge_after_closure: 5 years",
                                                        f"purge_after_closure: {period}")
    return load_text(text, "x.yaml").model


@pytest.mark.parametrize(("closed", "period", "due"), [
    ("2024-02-29T10:00:00+00:00", "1 year", "2025-02-28T10:00:00+00:00"),
    ("2024-02-29T10:00:00+00:00", "4 years", "2028-02-29T10:00:00+00:00"),
    ("2025-01-31T23:30:00+00:00", "1 month", "2025-02-28T23:30:00+00:00"),
    ("2025-12-15T00:00:00+00:00", "3 months", "2026-03-15T00:00:00+00:00"),
    ("2025-06-02T08:00:00+00:00", "30 days", "2025-07-02T08:00:00+00:00"),
    ("2025-06-02T08:00:00+00:00", "5 years", "2030-06-02T08:00:00+00:00"),
])
def test_purge_due_in_calendar_units(closed, period, due):
    assert purge_due(datetime.fromisoformat(closed), _sop_with(period)) == datetime.fromisoformat(due)


SOP_MONTHS = _sop_with("18 months")


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)))
def test_purge_due_is_18_months_later_within_the_month_lengths(closed):
    due = purge_due(closed, SOP_MONTHS)
    assert due.time() == closed.time() and due.day <= closed.day
    assert (due.year * 12 + due.month) - (closed.year * 12 + closed.month) == 18
    assert timedelta(days=18 * 28) <= due - closed <= timedelta(days=18 * 31)


def test_personal_spec_of_the_bf_sop(bf_loaded):
    spec = personal_spec(bf_loaded.model)
    assert spec["identification"]["first_name"] is True and "sex" not in spec["identification"]
    assert spec["needs_assessment"]["needs"] == {"description": True}
    with pytest.raises(KeyError):
        _ = spec["consent"]["given"]
    assert Case is not None
