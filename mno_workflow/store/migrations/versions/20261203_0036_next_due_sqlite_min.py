"""next_due_sqlite_min: the SQLite triggers keeping ``cases.next_due_at`` made again with
``min(+d.due_at)`` (``mno_workflow/store/next_due.py``, ``min_due_sql``): with ``min(d.due_at)``
SQLite's min/max shortcut walked the index of every case's running deadlines in due order for
each trigger run instead of the case's own rows — a cost growing with the whole database on every
transition that arms or cancels a deadline (issue 15). Same values; PostgreSQL unchanged.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03
"""
from collections.abc import Sequence

from alembic import op

from mno_workflow.store import next_due

revision: str = '0036'
down_revision: str | Sequence[str] | None = '0035'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        next_due.install(conn)


def downgrade() -> None:
    pass  # the triggers of 0036 compute the same values as those of 0025/0032: nothing to undo
