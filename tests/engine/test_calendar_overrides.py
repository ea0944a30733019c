"""Administrator holiday overrides are keyed by the SOP's calendar (``BF``, ``GB-ENG``), the roles
that may change them come from the SOP (``calendar.managed_by``), each computed deadline records
the ``holidays`` version, and ``mno calendar`` works on a fresh database. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.holiday_sources import HOLIDAYS_VERSION
from mno_workflow.engine.timers import calendar_for, forget_overrides
from mno_workflow.sop.schema import Calendar
from mno_workflow.store.models import AuditEvent, HolidayOverride
from tests.cli.users import add_users

from ..conftest import BF_SOP
from .helpers import CW, IDENT

runner = CliRunner()


def _add(wf, key, day, name):
    with wf.sessions.begin() as s:
        s.add(HolidayOverride(calendar=key, day=day, name=name, action="add", decided_by="t",
                              decided_at=datetime(2025, 1, 1, tzinfo=UTC)))
    forget_overrides()


def test_overrides_apply_to_their_calendar_only(wf, bf_loaded):
    england = bf_loaded.model.model_copy(update={"calendar": Calendar(timezone="Europe/London",
                                                                      holidays="GB-ENG")})
    scotland = bf_loaded.model.model_copy(update={"calendar": Calendar(timezone="Europe/London",
                                                                       holidays="GB-SCT")})
    _add(wf, "GB-ENG", date(2025, 7, 7), "Regional day off")
    with wf.sessions() as s:
        assert calendar_for(s, england).holiday_name(date(2025, 7, 7)) == "Regional day off"
        assert calendar_for(s, scotland).holiday_name(date(2025, 7, 7)) is None
        assert calendar_for(s, bf_loaded.model).holiday_name(date(2025, 7, 7)) is None
    _add(wf, "BF", date(2025, 6, 7), "Tabaski (confirmé)")
    with wf.sessions() as s:
        assert calendar_for(s, bf_loaded.model).holiday_name(date(2025, 6, 7)) == "Tabaski (confirmé)"
        assert calendar_for(s, england).holiday_name(date(2025, 6, 7)) is None


def test_each_computed_deadline_records_the_holidays_version(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    with wf.sessions() as s:
        effects = [e for ev in s.scalars(select(AuditEvent).where(AuditEvent.action == "fire"))
                   for e in ev.effects or [] if "deadline" in e]
    assert effects, "registering must arm the consent deadline"
    for e in effects:
        assert e["deadline"]["holidays_version"] == HOLIDAYS_VERSION
        assert e["deadline"]["calendar"] == "BF"


def mno(db_url, *args):
    add_users(db_url)  # --as must name an existing account (the CLI checks it)
    r = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in r.output
    return r


def test_calendar_holidays_on_a_fresh_database(db_url):
    r = mno(db_url, "calendar", "holidays", "2025")
    assert r.exit_code == 0, r.output
    assert "15/05/2025\tJournée des coutumes et traditions" in r.stdout
    assert "06/06/2025\tJour de Tabaski (estimé)" in r.stdout


def test_calendar_set_uses_the_sop_roles_and_calendar_key(db_url, tmp_path):
    sop = tmp_path / "england.yaml"
    sop.write_text(BF_SOP.read_text(encoding="utf-8")
                   .replace("timezone: Africa/Ouagadougou", "timezone: Europe/London")
                   .replace("holidays: BF", "holidays: GB-ENG")
                   .replace("managed_by: [coordinator, supervisor]", "managed_by: [caseworker]"),
                   encoding="utf-8")
    r = mno(db_url, "calendar", "set", "2025-07-07", "--name", "Jour régional", "--sop", str(sop),
            "--as", "coord:coordinator")
    assert r.exit_code == 1 and "ne peut pas modifier le calendrier" in r.output and "GB-ENG" in r.output
    r = mno(db_url, "calendar", "set", "2025-07-07", "--name", "Jour régional", "--sop", str(sop),
            "--as", "awa:caseworker")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "calendar", "set", "2025-07-07", "--name", "x", "--sop", str(sop), "--country", "GB",
            "--as", "awa:caseworker")
    assert r.exit_code == 2 and "le calendrier de la POS" in r.output and "calendar_mismatch" not in r.output
    r = mno(db_url, "calendar", "holidays", "2025", "--sop", str(sop))
    assert "07/07/2025\tJour régional" in r.stdout and "21/04/2025\tEaster Monday" in r.stdout
    r = mno(db_url, "calendar", "holidays", "2025")  # the BF calendar does not see England's day
    assert r.exit_code == 0 and "07/07/2025" not in r.stdout
    r = mno(db_url, "calendar", "set", "2025-06-06", "--remove", "--as", "awa:caseworker")
    assert r.exit_code == 1 and "ne peut pas modifier le calendrier" in r.output  # BF: coordinator
    assert "« Gestionnaire de cas »" in r.output and "caseworker" not in r.output.split("--as")[0], r.output
    r = mno(db_url, "calendar", "set", "2025-06-06", "--remove", "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output
    assert "06/06/2025" not in mno(db_url, "calendar", "holidays", "2025").stdout


def test_an_override_made_elsewhere_applies_to_the_next_deadline_at_once(wf, bf_loaded):
    """Tryout 7, J11: a holiday confirmed by another process (``mno calendar set`` beside a running
    server; here a second engine on the same database, without ``forget_overrides``) applies to
    the very next deadline this process computes — before, it was seen up to 30 s later and the
    deadlines stored in between kept the old calendar. Mon 7 Dec 2026, in Ouagadougou."""
    from mno_workflow.engine.engine import WorkflowEngine
    from mno_workflow.store.base import make_engine

    monday = date(2026, 12, 7)
    with wf.sessions() as s:
        assert calendar_for(s, bf_loaded.model).is_working_day(monday)  # the calendar is cached now
    other = make_engine(str(wf.db.url))
    try:
        other_wf = WorkflowEngine(other, wf.clock)
        with other_wf.sessions.begin() as s:
            s.add(HolidayOverride(calendar="BF", day=monday, name="Jour exceptionnel", action="add",
                                  decided_by="coord", decided_at=datetime(2026, 12, 5, 6, 7, tzinfo=UTC)))
        with wf.sessions() as s:
            assert not calendar_for(s, bf_loaded.model).is_working_day(monday)
        with other_wf.sessions.begin() as s:
            s.query(HolidayOverride).filter_by(calendar="BF", day=monday).delete()
        with wf.sessions() as s:
            assert calendar_for(s, bf_loaded.model).is_working_day(monday)
    finally:
        other.dispose()
