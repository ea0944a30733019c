"""Work-list columns kept by the database itself (issue 15): the case's next due instant
``cases.next_due_at``, and the case's assignee on its expiry deadline rows, ``deadlines.assignee``.

``next_due_at`` is the earliest ``due_at`` of the case's *running* expiry deadlines: ``kind =
'expiry'``, status one of :data:`RUNNING` (every status but ``cancelled``), of the state its step
instance is still in (same ``state`` and ``entered_at``, instance not final); NULL when there is
none. A caseworker's « Mon travail » walks their open cases in that order from one index
(``ix_cases_assignee_next_due``) instead of reading every deadline of their cases; a case is
overdue when it is open and ``next_due_at < now`` (``ix_cases_next_due``).

Kept up to date by triggers (SQLite ``CREATE TRIGGER``, PostgreSQL PL/pgSQL), so that every writer
keeps it — the engine's Core write path, the ORM (extensions, pauses, reopening, migrations), the
sweeper, bulk tools — with no Python on the write path:

- ``deadlines``: after an insert or a delete of an expiry row, and after an update of an expiry
  row that changes its due instant, state, entry instant or whether it is running (the sweeper's
  ``pending`` → ``done`` changes none of them: no trigger, no lock on the case row);
- ``step_instances``: after an update of ``state``, ``entered_at`` or ``final``.

``deadlines.assignee`` (expiry rows only; NULL on reminder rows) is the case's ``assignee``:
copied when the row is inserted, and to every expiry row of the case when the case's assignee
changes (creation with an assignee, reassignment). A caseworker's « Mon travail » reads their
deadlines from ``ix_deadlines_assignee_owner_kind_status_due`` in due order, as a supervisor's
reads the role's index, instead of every deadline of every caseworker.

``deadlines.region`` (expiry rows only; revision 0032) is the case's ``region``, kept the same
way (the insert trigger copies both columns in one statement; a change of the case's region is
copied to its expiry rows). A supervisor's « Mon travail » reads their region's deadlines from
``ix_deadlines_region_owner_kind_status_due`` in due order: the role's index holds every region's
rows, so a group the region has few of was read across every region (linear in the cases).

Each trigger recomputes the case's value from its own rows (``ix_deadlines_case_expiry``,
a few rows); on PostgreSQL it writes the case row only when the value changed (no row lock
otherwise). Like the search index, the triggers are not models:
:func:`install` creates them (``create_all`` through :func:`register`, the Alembic revision 0025,
which also fills the column), :func:`uninstall` drops them (``bench/gen_cases.py`` copies rows
in bulk without them, then installs them again).
"""

from __future__ import annotations

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection

RUNNING = ("pending", "done", "waiting", "paused", "extended")
_RUNNING_SQL = ", ".join(f"'{s}'" for s in RUNNING)


def min_due_sql(case_id: str, dialect: str = "postgresql") -> str:
    """SQL expression: the next due instant of the case whose id is the SQL expression
    ``case_id`` (see the module doc), NULL when none.

    On SQLite the argument of ``min`` is written ``+d.due_at``: with a plain column SQLite's
    min/max shortcut walks ``ix_deadlines_kind_status_due_at`` in due order across every case
    and filters for this one (each trigger run read every running expiry row of the database);
    the unary ``+`` leaves the value unchanged and makes it read the case's own rows through
    ``ix_deadlines_case_expiry``. PostgreSQL has no unary ``+`` for timestamps (nor the
    shortcut's problem)."""
    due = "+d.due_at" if dialect == "sqlite" else "d.due_at"
    return (
        f"(SELECT min({due}) FROM deadlines d JOIN step_instances si ON si.id = d.instance_id "
        f"WHERE d.case_id = {case_id} AND d.kind = 'expiry' AND d.status IN ({_RUNNING_SQL}) "
        "AND si.final = false AND si.state = d.state AND si.entered_at = d.entered_at)"
    )


FILL = f"UPDATE cases SET next_due_at = {min_due_sql('cases.id')}"  # every case (the backfill)
FILL_SQLITE = f"UPDATE cases SET next_due_at = {min_due_sql('cases.id', 'sqlite')}"

_DL_CHANGED = (  # an update of an expiry row that may change the case's value
    "NEW.kind = 'expiry' AND (OLD.due_at <> NEW.due_at OR OLD.state <> NEW.state "
    f"OR OLD.entered_at <> NEW.entered_at "
    f"OR (OLD.status IN ({_RUNNING_SQL})) <> (NEW.status IN ({_RUNNING_SQL})))"
)
_SI_CHANGED = "OLD.state <> NEW.state OR OLD.entered_at <> NEW.entered_at OR OLD.final <> NEW.final"

SQLITE_TRIGGERS = {  # name: (event, WHEN, the case id)
    "cases_next_due_dl_insert": ("AFTER INSERT ON deadlines", "NEW.kind = 'expiry'", "NEW.case_id"),
    "cases_next_due_dl_update": ("AFTER UPDATE ON deadlines", _DL_CHANGED, "NEW.case_id"),
    "cases_next_due_dl_delete": ("AFTER DELETE ON deadlines", "OLD.kind = 'expiry'", "OLD.case_id"),
    "cases_next_due_si_update": ("AFTER UPDATE OF state, entered_at, final ON step_instances", _SI_CHANGED,
                                 "NEW.case_id"),
}


def _sqlite_assignee(region: bool) -> dict[str, str]:
    """The SQLite triggers of the copied case columns: ``assignee``, and ``region`` too when
    ``region`` (revision 0032 on; before it the column does not exist)."""
    cols = "(assignee, region) = (SELECT assignee, region" if region else "assignee = (SELECT assignee"
    out = {
        "deadlines_assignee_insert": "CREATE TRIGGER IF NOT EXISTS deadlines_assignee_insert AFTER INSERT ON "
        f"deadlines FOR EACH ROW WHEN NEW.kind = 'expiry' BEGIN UPDATE deadlines SET {cols} "
        "FROM cases WHERE id = NEW.case_id) WHERE id = NEW.id; END",
        "cases_assignee_deadlines": "CREATE TRIGGER IF NOT EXISTS cases_assignee_deadlines AFTER UPDATE OF "
        "assignee ON cases FOR EACH ROW WHEN NEW.assignee IS NOT OLD.assignee BEGIN UPDATE deadlines "
        "SET assignee = NEW.assignee WHERE case_id = NEW.id AND kind = 'expiry'; END",
    }
    if region:
        out["cases_region_deadlines"] = (
            "CREATE TRIGGER IF NOT EXISTS cases_region_deadlines AFTER UPDATE OF region ON cases "
            "FOR EACH ROW WHEN NEW.region IS NOT OLD.region BEGIN UPDATE deadlines SET region = NEW.region "
            "WHERE case_id = NEW.id AND kind = 'expiry'; END")
    return out


SQLITE_ASSIGNEE = _sqlite_assignee(True)
FILL_ASSIGNEE = ("UPDATE deadlines SET assignee = "
                 "(SELECT assignee FROM cases WHERE cases.id = deadlines.case_id) WHERE kind = 'expiry'")
FILL_REGION = ("UPDATE deadlines SET region = "
               "(SELECT region FROM cases WHERE cases.id = deadlines.case_id) WHERE kind = 'expiry'")


def _sqlite_ddl(region: bool = True) -> list[str]:
    out = list(_sqlite_assignee(region).values())
    for name, (on, when, cid) in SQLITE_TRIGGERS.items():
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS {name} {on} FOR EACH ROW WHEN {when} BEGIN "
            f"UPDATE cases SET next_due_at = {min_due_sql(cid, 'sqlite')} WHERE id = {cid}; END"
        )
    return out


PG_FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION mno_case_next_due(cid integer) RETURNS void LANGUAGE sql AS $$ "
    f"UPDATE cases SET next_due_at = s.v FROM (SELECT {min_due_sql('cid')} AS v) s "
    "WHERE cases.id = cid AND cases.next_due_at IS DISTINCT FROM s.v $$",
    "CREATE OR REPLACE FUNCTION mno_next_due_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' THEN PERFORM mno_case_next_due(OLD.case_id); RETURN OLD; END IF; "
    "PERFORM mno_case_next_due(NEW.case_id); RETURN NEW; END $$",
    "CREATE OR REPLACE FUNCTION mno_case_assignee() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE deadlines SET assignee = NEW.assignee WHERE case_id = NEW.id AND kind = 'expiry'; "
    "RETURN NEW; END $$",
]
_PG_COPY = {  # the insert trigger's function: before revision 0032, and from it on (with region)
    False: "CREATE OR REPLACE FUNCTION mno_deadline_assignee() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.assignee := (SELECT assignee FROM cases WHERE id = NEW.case_id); RETURN NEW; END $$",
    True: "CREATE OR REPLACE FUNCTION mno_deadline_assignee() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "SELECT assignee, region INTO NEW.assignee, NEW.region FROM cases WHERE id = NEW.case_id; "
    "RETURN NEW; END $$",
}
PG_REGION_FUNCTION = (
    "CREATE OR REPLACE FUNCTION mno_case_region() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE deadlines SET region = NEW.region WHERE case_id = NEW.id AND kind = 'expiry'; "
    "RETURN NEW; END $$")
PG_ASSIGNEE = {  # name: (event, WHEN, function)
    "deadlines_assignee_insert": ("BEFORE INSERT ON deadlines", "NEW.kind = 'expiry'",
                                  "mno_deadline_assignee"),
    "cases_assignee_deadlines": ("AFTER UPDATE OF assignee ON cases",
                                 "OLD.assignee IS DISTINCT FROM NEW.assignee", "mno_case_assignee"),
}
PG_REGION = {"cases_region_deadlines": ("AFTER UPDATE OF region ON cases",
                                        "OLD.region IS DISTINCT FROM NEW.region", "mno_case_region")}
PG_TRIGGERS = {
    "cases_next_due_dl_insert": ("AFTER INSERT ON deadlines", "NEW.kind = 'expiry'"),
    "cases_next_due_dl_update": ("AFTER UPDATE ON deadlines", _DL_CHANGED.replace("<>", "IS DISTINCT FROM")),
    "cases_next_due_dl_delete": ("AFTER DELETE ON deadlines", "OLD.kind = 'expiry'"),
    "cases_next_due_si_update": ("AFTER UPDATE OF state, entered_at, final ON step_instances",
                                 _SI_CHANGED.replace("<>", "IS DISTINCT FROM")),
}


def install(conn: Connection, *, fill: bool = False, region: bool = True) -> None:
    """Create the triggers (idempotent; the insert trigger of the copied columns is made again);
    ``fill``: then compute ``next_due_at`` of every case and ``assignee`` (and ``region``) of every
    expiry deadline. ``region`` False: the schema before revision 0032 (no ``deadlines.region``)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS deadlines_assignee_insert")  # its columns vary
        for name in SQLITE_TRIGGERS:  # made again: revision 0036 changed their min (see min_due_sql)
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        for ddl in _sqlite_ddl(region):
            conn.exec_driver_sql(ddl)
    elif conn.dialect.name == "postgresql":
        for ddl in [*PG_FUNCTIONS, _PG_COPY[region], *([PG_REGION_FUNCTION] if region else [])]:
            conn.exec_driver_sql(ddl)
        for name, (on, when) in PG_TRIGGERS.items():
            table = on.rsplit(" ", 1)[1]
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {on} FOR EACH ROW WHEN ({when}) "
                                 "EXECUTE FUNCTION mno_next_due_trigger()")
        for name, (on, when, function) in {**PG_ASSIGNEE, **(PG_REGION if region else {})}.items():
            table = on.rsplit(" ", 1)[1]
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {on} FOR EACH ROW WHEN ({when}) "
                                 f"EXECUTE FUNCTION {function}()")
    else:
        return
    if fill:
        conn.exec_driver_sql(FILL_SQLITE if conn.dialect.name == "sqlite" else FILL)
        conn.exec_driver_sql(FILL_ASSIGNEE)
        if region:
            conn.exec_driver_sql(FILL_REGION)


def uninstall_region(conn: Connection) -> None:
    """Undo revision 0032: the triggers of ``deadlines.region`` dropped, the insert trigger made
    again without it."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS cases_region_deadlines")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS cases_region_deadlines ON cases")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS mno_case_region()")
    install(conn, region=False)


def uninstall(conn: Connection) -> None:
    """Drop the triggers (the columns stay; the downgrade of revision 0025 drops them)."""
    if conn.dialect.name == "sqlite":
        for name in [*SQLITE_TRIGGERS, *SQLITE_ASSIGNEE]:  # (with the region's)
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    elif conn.dialect.name == "postgresql":
        for name, (on, _when) in PG_TRIGGERS.items():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {on.rsplit(' ', 1)[1]}")
        for name, (on, _when, _f) in {**PG_ASSIGNEE, **PG_REGION}.items():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {on.rsplit(' ', 1)[1]}")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS mno_case_region()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS mno_deadline_assignee()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS mno_case_assignee()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS mno_next_due_trigger()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS mno_case_next_due(integer)")


def register(deadlines: Table) -> None:
    """Create the triggers whenever ``create_all`` creates ``deadlines`` (after ``cases`` and
    ``step_instances``, which it references)."""
    event.listen(deadlines, "after_create", lambda target, connection, **kw: install(connection))
