"""The coordinator's page of messages not sent (/messages-annules): cancelled, stale and dead
messages with their reason — here referral messages cancelled because consent was withdrawn after
they were queued (issue 11); other roles get 403."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier
from mno_workflow.reminders.outbox import deliver
from mno_workflow.store.models import User

from .helpers import MARIAM, case_with_referrals


def test_coordinator_sees_cancelled_messages_with_their_reason(live):
    wf = live.wf
    ref = case_with_referrals(wf)  # referrals sent to org-masn and org-csps: messages queued
    other = case_with_referrals(wf)
    wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    report = deliver(wf, {"inapp": InAppNotifier(), "log": LogNotifier()},
                     now=datetime(2025, 6, 2, 11, 0, tzinfo=UTC))
    assert report.cancelled, "the withdrawal cancels the messages to the providers"

    coord = live.client("coord.mnr")
    page = html.unescape(coord.get("/messages-annules").text)
    assert 'id="messages"' in page
    assert page.count("La personne a retiré son consentement.") == len(report.cancelled)
    with wf.sessions() as s:  # recipients by name, never by login (tryout 2, finding 27)
        names = [s.get(User, u).display_name for u in ("focal.masn", "focal.csps")]
    assert all(n in page for n in names) and ref in page
    assert "focal.masn" not in page and "focal.csps" not in page
    assert other not in page  # the other case's messages were delivered
    # channels and kinds by their words, not the stored codes (issue 18 tryout 5)
    rows = page.split('id="messages"')[1]
    assert "<td>inapp</td>" not in rows and "<td>task</td>" not in rows and "<td>notify</td>" not in rows
    assert "<td>application</td>" in rows or "<td>courriel</td>" in rows
    only = html.unescape(coord.get(f"/messages-annules?statut=stale&dossier={ref}").text)
    assert "retiré son consentement" not in only and 'id="messages"' not in only
    by_case = html.unescape(coord.get(f"/messages-annules?dossier={ref.lower()}").text)
    assert by_case.count("retiré son consentement") == len(report.cancelled)
    assert 'href="/messages-annules"' in coord.get("/travail").text  # in the menu
    # the reasons in the reader's language (issue 18): stored as message ids, never bilingual
    assert "withdrew consent" not in page and "Message to the referral" not in page
    coord.get("/langue/en")
    english = html.unescape(coord.get("/messages-annules").text)
    assert english.count("Message to the referral's recipient cancelled.") == len(report.cancelled)
    assert "retiré son consentement" not in english and "Message au destinataire" not in english
    coord.get("/langue/fr")

    for user in ("mariam.kabore", "idrissa.sanou", "focal.masn", "suivi.evaluation", "formateur"):
        r = live.client(user).get("/messages-annules")
        assert r.status_code == 403, user
        assert "retiré son consentement" not in r.text
