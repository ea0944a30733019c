"""Tryout 2 #11 on the command line (SQLite file and PostgreSQL): ``mno case reassign`` tells the
new case manager, as the pages and the API do — one ``reassigned`` notification in-app and by
e-mail, naming who reassigned (by name) and why, with the case's link."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.reminders.outbox import render
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import AuditEvent, OutboxMessage, User

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()
PEOPLE = [("awa", "caseworker", None, "kadiogo"), ("ines", "caseworker", None, "kadiogo"),
          ("sup", "supervisor", None, None)]
IDENT = ["--data", "first_name=Zoé", "--data", "last_name=Kaboré", "--data", "sex=female",
         "--data", "estimated_age=30", "--data", "return_date=2025-01-10", "--data", "region=kadiogo"]


def mno(db_url, *args):
    r = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in r.output
    return r


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_case_reassign_tells_the_new_case_manager(db_url):
    add_users(db_url, PEOPLE)
    db = make_engine(db_url)
    with Session(db) as s, s.begin():
        s.get(User, "sup").display_name = "Idrissa Sanou"
        s.get(User, "ines").email = "ines@example.org"
    ref = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    assert mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker", *IDENT).exit_code == 0
    r = mno(db_url, "case", "reassign", ref, "--to", "ines", "--reason", "Congé de Zoé",
            "--as", "sup:supervisor")
    assert r.exit_code == 0, r.output
    with Session(db) as s:
        msgs = list(s.scalars(select(OutboxMessage).where(OutboxMessage.template == "reassigned")))
        assert {(m.recipient_user, m.channel) for m in msgs} == {("ines", "inapp"), ("ines", "email")}
        mail = render(s, next(m for m in msgs if m.channel == "email"))
        en = render(s, type("M", (), {**{c: getattr(msgs[0], c) for c in ("id", "context", "template",
                                                                          "case_id", "recipient_role")},
                                      "lang": "en"})())
    db.dispose()
    assert mail.subject == f"{ref} vous a été réattribué par Idrissa Sanou"
    assert "par Idrissa Sanou ; le motif est sur la page du dossier." in mail.text
    assert f"/dossiers/{ref}" in mail.text
    assert "by Idrissa Sanou; the reason is on the case page." in en.text
    for said in (mail.subject, mail.text, en.subject, en.text, str(msgs[0].context)):
        assert "Congé" not in said and "Zoé" not in said, said  # typed free text: not in a message
    db = make_engine(db_url)
    with Session(db) as s:  # kept in the case's history (shown on its page)
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "reassign")).one()
        assert ev.data["reason"] == "Congé de Zoé"
    db.dispose()


@pytest.mark.migrated
def test_case_reassign_tells_the_former_case_manager_without_case_data(db_url):
    add_users(db_url, PEOPLE)
    db = make_engine(db_url)
    with Session(db) as s, s.begin():
        s.get(User, "sup").display_name = "Idrissa Sanou"
        s.get(User, "ines").display_name = "Inès Zongo"
        awa = s.get(User, "awa")
        awa.email, awa.language = "awa@example.org", "en"
    ref = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    assert mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker", *IDENT).exit_code == 0
    r = mno(db_url, "case", "reassign", ref, "--to", "ines", "--reason", "Congé de Zoé",
            "--as", "sup:supervisor")
    assert r.exit_code == 0, r.output
    with Session(db) as s:
        msgs = list(s.scalars(select(OutboxMessage).where(OutboxMessage.template == "reassigned_away")))
        assert {(m.recipient_user, m.channel, m.lang) for m in msgs} == {("awa", "inapp", "en"),
                                                                          ("awa", "email", "en")}
        mail = render(s, next(m for m in msgs if m.channel == "email"))
        fr = render(s, type("M", (), {**{c: getattr(msgs[0], c) for c in ("id", "context", "template",
                                                                          "case_id", "recipient_role")},
                                      "lang": "fr"})())
    db.dispose()
    assert mail.subject == f"Case {ref} was handed over to Inès Zongo"
    assert fr.text.startswith(f"Bonjour,\n\nLe dossier {ref} a été confié à Inès Zongo par Idrissa Sanou.")
    for secret in ("Zoé", "Kaboré", "female", "2025-01-10", "kadiogo", "Congé"):  # the person, the reason
        assert secret not in mail.subject + mail.text + fr.text, secret
