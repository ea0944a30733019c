"""Case references numbered per SOP (tryout 7, J15), on SQLite and PostgreSQL: each SOP's
register counts from 1 without gaps (a creation rolled back gives its number back), a database
holding references of the old single sequence goes on after them (revision 0041, or a counter
started on first use), and two first cases of an SOP created at the same moment get two numbers.
The reference scheme is documented in docs/sop-language.md (« Références des dossiers »)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from mno_workflow.engine.errors import FormInvalid
from mno_workflow.sop.loader import load_text
from mno_workflow.store import case_numbers, migrate

from ..engine.helpers import CW, IDENT

BF = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"


def other_sop(sop_id: str = "mnr_ci"):
    return load_text(BF.read_text(encoding="utf-8").replace("sop: mnr_bf", f"sop: {sop_id}", 1), "ci.yaml")


def test_each_sop_numbers_its_own_cases_without_gaps(wf):
    wf.load_sop(other_sop())
    refs = [wf.create_case("mnr_bf", CW), wf.create_case("mnr_bf", CW), wf.create_case("mnr_ci", CW)]
    with pytest.raises(FormInvalid):  # rolled back: its number is given back
        wf.create_case("mnr_bf", CW, fire=("register", {"first_name": "x"}))
    refs += [wf.create_case("mnr_bf", CW, fire=("register", IDENT)), wf.create_case("mnr_ci", CW)]
    assert refs == ["MNR-BF-000001", "MNR-BF-000002", "MNR-CI-000001", "MNR-BF-000003", "MNR-CI-000002"]


def test_old_references_are_kept_and_the_counter_goes_on_after_them(wf):
    """A database whose references came from the single sequence (the case id) and no counter
    (made by ``create_all``): each prefix starts after its highest number; nothing is renamed."""
    wf.load_sop(other_sop())
    for _ in range(3):
        wf.create_case("mnr_bf", CW)
    wf.create_case("mnr_ci", CW)
    with wf.sessions.begin() as s:
        s.execute(text("UPDATE cases SET reference = 'MNR-BF-000053' WHERE reference = 'MNR-BF-000003'"))
        s.execute(text("UPDATE cases SET reference = 'MNR-CI-000054' WHERE reference = 'MNR-CI-000001'"))
        s.execute(text("DELETE FROM case_counters"))
    assert [wf.create_case("mnr_bf", CW), wf.create_case("mnr_ci", CW)] == ["MNR-BF-000054", "MNR-CI-000055"]
    with wf.sessions() as s:
        refs = sorted(s.execute(text("SELECT reference FROM cases")).scalars())
    assert refs == ["MNR-BF-000001", "MNR-BF-000002", "MNR-BF-000053", "MNR-BF-000054",
                    "MNR-CI-000054", "MNR-CI-000055"]


def test_revision_0041_starts_each_counter_after_the_existing_references(wf, db_url):
    wf.load_sop(other_sop())
    for sop in ("mnr_bf", "mnr_bf", "mnr_ci", "mnr_bf"):
        wf.create_case(sop, CW)
    with wf.sessions.begin() as s:  # as the single sequence numbered them
        s.execute(text("UPDATE cases SET reference = 'MNR-CI-000054' WHERE reference = 'MNR-CI-000001'"))
        s.execute(text("UPDATE cases SET reference = 'MNR-BF-000057' WHERE reference = 'MNR-BF-000003'"))
    command.stamp(migrate.alembic_config(db_url), "head")
    command.downgrade(migrate.alembic_config(db_url), "0040")
    assert migrate.upgrade(db_url) == migrate.head() >= "0041"
    with wf.sessions() as s:
        assert sorted(s.execute(text("SELECT prefix, last_number FROM case_counters")).all()) == [
            ("MNR-BF", 57), ("MNR-CI", 54)]
    assert [wf.create_case("mnr_bf", CW), wf.create_case("mnr_ci", CW)] == ["MNR-BF-000058", "MNR-CI-000055"]


def test_two_first_cases_of_an_sop_at_once_get_two_numbers(wf, monkeypatch):
    """Both creators find no counter row and read the highest number (0) before either inserts it
    (PostgreSQL; on SQLite the second waits for the first's write lock and the wait times out):
    ``ON CONFLICT DO NOTHING`` then the row lock give them 1 and 2."""
    both_read = threading.Barrier(2)
    real = case_numbers.highest_number

    def slow(conn, prefix):
        got = real(conn, prefix)
        try:
            both_read.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return got

    monkeypatch.setattr(case_numbers, "highest_number", slow)
    results: list = [None, None]

    def create(i: int) -> None:
        try:
            results[i] = wf.create_case("mnr_bf", CW)
        except Exception as e:  # noqa: BLE001 - shown by the assertion below
            results[i] = e

    threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["MNR-BF-000001", "MNR-BF-000002"], results
