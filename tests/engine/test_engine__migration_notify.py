"""A migration tells the new owner (issue 14, item 3): the provider's focal points of a referral
whose state is renamed get a ``migrated`` message, each in their own language, with the case's
link and the old state in the old version's words; an instance whose state and owner do not change
tells nobody; the notifications are audit effects of the migration event."""

from __future__ import annotations

import re

from sqlalchemy import select

from mno_workflow.engine.versions import migrate_cases
from mno_workflow.reminders.outbox import render
from mno_workflow.store.models import AuditEvent, OutboxMessage, User

from .helpers import CW, referral, to_referrals
from .test_engine__migration_time import COORD, load_v2


def _transmitted(doc):
    from .sop_variants import rename_state
    rename_state(doc, "referral", "sent", "transmitted")
    doc["steps"]["referral"]["states"]["transmitted"]["label"] = {"fr": "Transmis", "en": "Transmitted"}


def test_new_owner_is_told_in_their_language_with_a_link(wf, monkeypatch):
    monkeypatch.setenv("MNO_PUBLIC_URL", "https://mno.example.org/")
    with wf.sessions.begin() as s:
        s.add_all([User(id="focal.a.fr", display_name="A", role="provider", organisation="ong_a",
                        language="fr", email="a@example.org", active=True),
                   User(id="focal.a.en", display_name="B", role="provider", organisation="ong_a",
                        language="en", active=True),
                   User(id="focal.b", display_name="C", role="provider", organisation="ong_b",
                        language="fr", active=True)])
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")   # sent, owner: provider
    old, new = load_v2(wf, _transmitted)
    migrate_cases(wf, old, new, {"referral.sent": "transmitted"}, COORD)
    with wf.sessions() as s:
        msgs = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "migrated")
                         .order_by(OutboxMessage.id)).all()
        got = sorted((m.recipient_user, m.channel, m.lang) for m in msgs)
        assert got == [("focal.a.en", "inapp", "en"), ("focal.a.fr", "email", "fr"),
                       ("focal.a.fr", "inapp", "fr")]               # ong_b's focal point is not told
        by_lang = {m.lang: render(s, m) for m in msgs if m.channel == "inapp"}
        fr, en = by_lang["fr"], by_lang["en"]
        assert "migré vers la version 2099.9" in fr.subject and "Transmis" in fr.subject
        assert "Envoyé au prestataire → Transmis" in fr.text              # old words, then new
        # issue 18: a provider's link is its referral page (by instance id: no need named), not
        # the case page (forbidden to providers)
        assert re.search(rf"https://mno\.example\.org/prestataire/{ref}/\d+\n", fr.text)
        assert "migrated to version 2099.9" in en.subject and "→ Transmitted" in en.text
        assert re.search(rf"https://mno\.example\.org/prestataire/{ref}/\d+\n", en.text)
        assert "Awa" not in fr.text + en.text                              # no case data
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "migrate")).one()
        told = [e for e in event.effects if e.get("notified") == "owner"]
        assert told == [{"notified": "owner", "instance": "referral:psychosocial", "role": "provider",
                         "messages": 3}]


def test_unchanged_state_and_owner_tell_nobody(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    old, new = load_v2(wf, lambda doc: doc["title"].update({"en": "Renamed title"}))
    migrate_cases(wf, old, new, {}, COORD)
    with wf.sessions() as s:
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.template == "migrated")).all() == []
        assert ref
