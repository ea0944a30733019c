"""``mno serve --demo`` safety: demo data only ever goes into a database that holds nothing else,
and demo accounts get random passwords (printed at start) unless ``--demo-password`` is given.

A database is "demo only" when every user is one of the demo accounts and every case was opened
by one of them (its ``create`` audit event). Anything else — one real user or one real case —
makes :func:`check_demo_only` raise :class:`DemoRefused` with a message saying what was found.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..store.models import AuditEvent, Case, User
from .demo_data import demo_users
from .security import hash_password


class DemoRefused(Exception):
    """The database holds data that is not demo data (a ``said_fr`` message: French as a ``str``,
    other languages with ``text_in(e.args[0], lang)``); ``problems``: what was found (accounts,
    cases), for a page that words it for its own reader (the trainer's sandbox page)."""

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = problems


def check_demo_only(s: Session) -> None:
    """Raise DemoRefused when the database holds a non-demo user or case."""
    demo_ids = {u.id for u in demo_users()}
    others = list(s.scalars(select(User.id).where(User.id.not_in(demo_ids)).order_by(User.id).limit(3)))
    real_cases = s.scalar(
        select(func.count(func.distinct(AuditEvent.case_id)))
        .where(AuditEvent.action == "create", AuditEvent.actor.not_in(demo_ids)))
    orphan = s.scalar(select(func.count()).select_from(Case).where(
        ~select(AuditEvent.id).where(AuditEvent.case_id == Case.id, AuditEvent.action == "create").exists()))
    from ..engine.errors import Message
    from ..sop.diagnostics import joined, said_fr
    problems: list = []
    if others:
        problems.append(said_fr("comptes non fictifs : {accounts}",
                                accounts=", ".join(others) + (" …" if len(others) == 3 else "")))
    if real_cases or orphan:
        n = (real_cases or 0) + (orphan or 0)
        problems.append(Message.n("{n} dossier non fictif", "{n} dossiers non fictifs", n))
    if problems:  # a catalogue message: shown in the reader's language (error_text, text_in)
        found = joined(problems, " ; ")
        # what to do with *this* database, never the command that was just refused (tryout 5, H13)
        raise DemoRefused(said_fr(
            "Refus de --demo : cette base contient des données réelles ({problems}) ; rien n'a été "
            "fait. Pour une démonstration, prenez une base neuve (ex. mno --db "
            "sqlite:///demo-neuve.db serve --demo ; pour make run, supprimez d'abord demo.db) ; pour "
            "servir cette base telle quelle, lancez mno serve sans --demo.", problems=found), found)


def set_demo_passwords(s: Session, password: str | None) -> dict[str, str]:
    """Give every demo account ``password`` (one random password per account when None); returns
    ``{user id: password}`` to print. Only called on a demo-only database."""
    out: dict[str, str] = {}
    shared = hash_password(password) if password else None
    for u in demo_users():
        row = s.get(User, u.id)
        if row is None:
            continue
        pw = password or secrets.token_urlsafe(9)
        row.password_hash = shared or hash_password(pw)
        out[u.id] = pw
    return out
