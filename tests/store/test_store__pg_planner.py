"""PostgreSQL sessions of ``make_engine`` get MNO's planner settings (issue 15,
``store/pg_planner.py``: no JIT, ``random_page_cost`` 1.1, custom plans), and the settings of the
database URL's own ``options`` come after them and win (a ``search_path``, an operator's choice)."""

from __future__ import annotations

from sqlalchemy import make_url

from mno_workflow.store.base import make_engine
from mno_workflow.store.pg_planner import PG_OPTIONS, pg_options

SETTINGS = ("jit", "random_page_cost", "plan_cache_mode")


def shown(url: str) -> dict[str, str]:
    db = make_engine(url)
    try:
        with db.connect() as conn:
            return {k: conn.exec_driver_sql(f"SHOW {k}").scalar() for k in (*SETTINGS, "search_path")}
    finally:
        db.dispose()


def test_the_options_of_a_url_come_after_mnos():
    assert pg_options(make_url("postgresql+psycopg://u@h/db")) == PG_OPTIONS
    assert pg_options(make_url("postgresql+psycopg://u@h/db?options=-csearch_path%3Ds1")) == \
        f"{PG_OPTIONS} -csearch_path=s1"


def test_a_postgresql_session_runs_with_them(pg_url):
    """``pg_url`` names a schema in its own ``options`` (search_path): both apply."""
    got = shown(pg_url)
    assert {k: got[k] for k in SETTINGS} == {"jit": "off", "random_page_cost": "1.1",
                                              "plan_cache_mode": "force_custom_plan"}
    assert got["search_path"] == pg_url.split("search_path%3D")[1]
    mine = shown(pg_url.replace("?options=", "?options=-c%20random_page_cost%3D4%20"))
    assert mine["random_page_cost"] == "4" and mine["jit"] == "off"


def test_a_case_search_reads_with_the_default_page_cost_for_its_transaction_only(pg_url):
    """``trigram_search``: a list read with a search runs at ``random_page_cost`` 4 (the trigram
    index's guesses), to the end of its transaction; the next transaction has MNO's 1.1 again."""
    from sqlalchemy import true
    from sqlalchemy.orm import Session

    from mno_workflow.store.base import Base
    from mno_workflow.web.worklists import filtered

    db = make_engine(pg_url)
    try:
        Base.metadata.create_all(db)
        with Session(db) as s:
            s.execute(filtered(s, true(), search="ndiaye lefevre")).all()
            assert s.connection().exec_driver_sql("SHOW random_page_cost").scalar() == "4"
            s.rollback()
            assert s.connection().exec_driver_sql("SHOW random_page_cost").scalar() == "1.1"
            s.execute(filtered(s, true(), region="kadiogo")).all()
            assert s.connection().exec_driver_sql("SHOW random_page_cost").scalar() == "1.1"
    finally:
        db.dispose()
