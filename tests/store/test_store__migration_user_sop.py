"""Revision 0040 (``users.sop_id``, tryout 5, H24) on SQLite and PostgreSQL: an account that
exists before it keeps working in every SOP (NULL), the column takes a SOP id, and the revision
goes down and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from mno_workflow.store import migrate
from mno_workflow.store.base import make_engine


def columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("users")}
    finally:
        engine.dispose()


def run(url: str, sql: str, **params):
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            return conn.execute(text(sql), params).all() if sql.lstrip().upper().startswith("SELECT") \
                else conn.execute(text(sql), params)
    finally:
        engine.dispose()


def test_existing_accounts_keep_every_sop_and_the_revision_goes_both_ways(db_url):
    assert migrate.upgrade(db_url, "0039") == "0039"
    assert "sop_id" not in columns(db_url)
    run(db_url, "INSERT INTO users (id, display_name, role, language, active, notify_sms, notify_email) "
                "VALUES ('mariam.kabore', 'Mariam', 'caseworker', 'fr', :t, :f, :t)", t=True, f=False)
    assert migrate.upgrade(db_url, "0040") == "0040"
    assert run(db_url, "SELECT id, sop_id FROM users") == [("mariam.kabore", None)]
    run(db_url, "UPDATE users SET sop_id = 'mnr_sn' WHERE id = 'mariam.kabore'")
    assert run(db_url, "SELECT sop_id FROM users") == [("mnr_sn",)]
    command.downgrade(migrate.alembic_config(db_url), "0039")
    assert migrate.current(db_url) == "0039" and "sop_id" not in columns(db_url)
    assert run(db_url, "SELECT id FROM users") == [("mariam.kabore",)]
    assert migrate.upgrade(db_url, "0040") == "0040" and "sop_id" in columns(db_url)
