"""Alembic migrations: an empty database upgraded to head has exactly the schema of the models.

A model change without a migration fails ``test_upgrade_matches_the_models`` with the diff.
"""

from __future__ import annotations

import re
from pprint import pformat

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect
from typer.testing import CliRunner

from mno_workflow.db_cli import app as db_app
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store import migrate, search
from mno_workflow.store.audit import verify_all
from mno_workflow.store.base import Base, make_engine

from ..engine.helpers import to_referrals

TABLES = {"sop_versions", "cases", "step_instances", "audit_events"}


def schema_diff(url: str, metadata: MetaData) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # the search index (FTS5 table, trigram indexes) is not a model: store/search.py
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True,
                                                         "include_object": search.include_object})
            return compare_metadata(ctx, metadata)
    finally:
        engine.dispose()


def test_upgrade_matches_the_models(db_url):
    assert migrate.current(db_url) is None
    assert migrate.upgrade(db_url) == migrate.head()
    engine = make_engine(db_url)
    try:
        assert TABLES | {"alembic_version"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    diff = schema_diff(db_url, Base.metadata)
    assert diff == [], "models and migrations differ; add a migration:\n" + pformat(diff)


def test_the_comparison_sees_a_model_change_without_migration(db_url):
    migrate.upgrade(db_url)
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["cases"].append_column(Column("nickname", String(50)))
    diff = schema_diff(db_url, changed)
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "nickname")]


def test_upgrade_is_idempotent_and_the_engine_works_on_it(db_url, clock, bf_loaded):
    head = migrate.upgrade(db_url)
    assert migrate.upgrade(db_url) == head == migrate.current(db_url)
    db = make_engine(db_url)
    try:
        wf = WorkflowEngine(db, clock)
        wf.load_sop(bf_loaded)
        to_referrals(wf)
        with wf.sessions() as s:
            assert verify_all(s) == (1, [])
    finally:
        db.dispose()


def test_mno_db_upgrade_and_current(db_url):
    runner = CliRunner()
    r = runner.invoke(db_app, ["current", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("aucune") and "mno db upgrade" in r.stdout
    r = runner.invoke(db_app, ["upgrade", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert f"vide → {migrate.head()}" in r.stdout
    r = runner.invoke(db_app, ["upgrade", "--db", db_url])
    assert "déjà à jour" in r.stdout
    r = runner.invoke(db_app, ["current", "--db", db_url])
    assert r.stdout.startswith(migrate.head()) and "à jour" in r.stdout


def test_mno_db_upgrade_reports_an_unreachable_database(tmp_path):
    r = CliRunner().invoke(db_app, ["upgrade", "--db", f"sqlite:///{tmp_path}/no/such/dir/x.db"])
    assert r.exit_code == 1
    # an earlier test in the same process may have configured the service log (INFO on stderr):
    # its records are not what the user is told, so only the other lines are read
    said = [x for x in r.stderr.splitlines() if not re.match(r"\d{4}-\d\d-\d\dT", x)]
    assert said and said[0].startswith("Migration impossible"), r.stderr
    assert "Traceback" not in r.output


def test_migrations_are_shipped_inside_the_package():
    assert migrate.MIGRATIONS.parent.name == "store"
    assert (migrate.MIGRATIONS / "env.py").exists()
    assert list((migrate.MIGRATIONS / "versions").glob("*.py"))
