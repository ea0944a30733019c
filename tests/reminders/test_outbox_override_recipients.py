"""Tryout 7, J4 on the notification path: a message queued for an NGO's focal point about a
referral sent before the person withdrew consent is cancelled when the supervisor's override names
only health facilities (BF SOP 2026.8, ``share_with``), with the override's words in the reader's
language; an override naming service providers lets it go. Real SMTP server on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mno_workflow import directory
from mno_workflow.reminders.outbox import deliver
from mno_workflow.reminders.recheck import reason_text
from tests.engine.helpers import CONSENT, CW, SUP, referral, to_referrals

from .conftest import add_users
from .helpers import messages
from .test_outbox_recheck import notifiers

FOCAL = [("focal.ecoute", "provider", "org-ecoute", None, "focal@ecoute.example.bf", "fr")]


@pytest.mark.parametrize("share_with, cancelled", [(["health"], True), (["service_provider"], False)])
def test_a_queued_message_to_an_ngo_follows_the_override_recipients(users, smtp, share_with, cancelled):
    wf = users
    add_users(wf, FOCAL)
    handler, port = smtp
    with wf.sessions.begin() as s:
        directory.load_sample(s)  # org-ecoute: an NGO
    ref = to_referrals(wf, {**CONSENT, "share_with": ["service_provider", "health"]})
    wf.clock.set(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    wf.fire(ref, "send", CW, referral("org-ecoute"), instance="vocational_training")
    wf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    wf.fire(ref, "override_consent", SUP, {"legal_basis": "vital_interests", "reason": "Soins vitaux",
                                           "data_categories": ["identity"], "share_with": share_with})
    deliver(wf, notifiers(port), now=datetime(2025, 6, 2, 11, 0, tzinfo=UTC))
    to_ngo = messages(wf, recipient_user="focal.ecoute")
    assert to_ngo
    if cancelled:
        assert {m.status for m in to_ngo} == {"cancelled"}
        for m in to_ngo:
            assert "La dérogation ne couvre pas le partage avec une organisation de type « ONG ou " \
                   "association »." in reason_text(m, "fr")
            assert "The override does not cover sharing with an organisation of type “NGO or " \
                   "association”." in reason_text(m, "en")
        assert all(env[1] != ["focal@ecoute.example.bf"] for env in handler.envelopes)
    else:
        assert "cancelled" not in {m.status for m in to_ngo}
        assert any(env[1] == ["focal@ecoute.example.bf"] for env in handler.envelopes)
