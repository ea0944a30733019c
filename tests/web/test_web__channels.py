"""Per-user notification channels on the web (issue 21): a user turns e-mail off, gives a phone
number (E.164, per-field error in French and English, input kept) and turns SMS on; the next
messages queued for them follow the choice (in-app always)."""

from __future__ import annotations

import html

from sqlalchemy import select

from mno_workflow.store.models import OutboxMessage, User

from .conftest import csrf_of
from .helpers import case_with_referrals


def save(c, **data):
    page = c.get("/mon-compte/notifications")
    return c.post("/mon-compte/notifications", data={"csrftoken": csrf_of(page.text), **data})


def channels_for(wf, user_id: str) -> set[str]:
    with wf.sessions() as s:
        return set(s.scalars(select(OutboxMessage.channel).where(OutboxMessage.recipient_user == user_id)))


def test_channel_preferences_drive_the_outbox(live):
    wf = live.wf
    with wf.sessions.begin() as s:
        s.get(User, "focal.masn").email = "focal@masn.example.bf"
    c = live.client("focal.masn")
    page = html.unescape(c.get("/mon-compte/notifications").text)
    assert "focal@masn.example.bf" in page and 'name="email" checked' in page

    r = save(c, phone="70 12", sms="on")
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert "numéro de téléphone invalide « 70 12 »" in text  # the page's language only (issue 18)
    assert 'value="70 12"' in text  # the input is kept
    r = save(c, phone="", sms="on")
    assert r.status_code == 422 and "Indiquez un numéro de téléphone" in html.unescape(r.text)
    with wf.sessions() as s:
        user = s.get(User, "focal.masn")
        assert (user.phone, user.notify_sms, user.notify_email) == (None, False, True)

    r = save(c, phone="70 12 34 56", sms="on")  # e-mail box left unticked: off
    assert r.status_code == 303
    with wf.sessions() as s:
        user = s.get(User, "focal.masn")
        assert (user.phone, user.notify_sms, user.notify_email) == ("+22670123456", True, False)
    assert "Préférences enregistrées" in html.unescape(c.get(r.headers["location"]).text)

    case_with_referrals(wf)  # a referral to org-masn: a task for focal.masn
    assert channels_for(wf, "focal.masn") == {"inapp", "sms"}

    assert save(c, phone="", email="on").status_code == 303
    case_with_referrals(wf)
    with wf.sessions() as s:
        last = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient_user == "focal.masn")
                         .order_by(OutboxMessage.id.desc()).limit(2)).all()
    assert {m.channel for m in last} == {"inapp", "email"}
