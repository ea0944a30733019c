"""Case references numbered per SOP: ``MNR-BF-000001``, ``MNR-CI-000001``… (tryout 7, J15: one
sequence for every SOP left gaps in each country's register, which read like deleted cases).

The prefix comes from the SOP id (``mnr_bf`` → ``MNR-BF``); the number is the next one of that
prefix's counter (table ``case_counters``), taken in the case-creation transaction: a case whose
creation is rolled back gives its number back, so a register has no gaps. Concurrency: the
counter row is bumped by one ``UPDATE … RETURNING`` (PostgreSQL: the row lock holds a second
creator until the first commits; SQLite: the write transaction already holds the database's
write lock, ``BEGIN IMMEDIATE``). A prefix with no counter yet (a new SOP, or a database made
with ``create_all`` that already holds cases) starts after the highest number its references
carry, its row inserted with ``ON CONFLICT DO NOTHING`` so that two first creators do not clash.
References written before revision 0041 (one sequence, the case id) are kept as they are.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .models import Case, CaseCounter

_TABLE = CaseCounter.__table__


def prefix_of(sop_id: str) -> str:
    """``mnr_bf`` → ``MNR-BF``."""
    return sop_id.upper().replace("_", "-")


def highest_number(conn: Connection, prefix: str) -> int:
    """The highest number among the references ``PREFIX-<digits>`` already written (0: none)."""
    refs = conn.execute(select(Case.reference).where(Case.reference.like(prefix + "-%"))).scalars()
    tails = (r[len(prefix) + 1:] for r in refs if r)
    return max((int(t) for t in tails if t.isdigit()), default=0)


def _bump(conn: Connection, prefix: str) -> int | None:
    stmt = (update(_TABLE).where(_TABLE.c.prefix == prefix)
            .values(last_number=_TABLE.c.last_number + 1).returning(_TABLE.c.last_number))
    return conn.execute(stmt).scalar()


def next_reference(conn: Connection, sop_id: str) -> str:
    """The reference of a new case of ``sop_id``, its number taken in the caller's transaction
    (see the module text)."""
    prefix = prefix_of(sop_id)
    number = _bump(conn, prefix)
    if number is None:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        conn.execute(insert(_TABLE).values(prefix=prefix, last_number=highest_number(conn, prefix))
                     .on_conflict_do_nothing(index_elements=["prefix"]))
        number = _bump(conn, prefix)
    assert number is not None
    return f"{prefix}-{number:06d}"
