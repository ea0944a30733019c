"""Issue 18 over HTTP against a real server: « Mon travail » for triage and the supervisor's
« Escalades » list, notifications as grouped and paged links in the reader's language, the
duplicate check at registration, the language kept from the login page, static files cached."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import OutboxMessage

from .helpers import AWA, IDENT, MARIAM, case_with_referrals
from .test_web__case_tools import events, post
from .test_web__user_fixes import NEW_CASE, form_token_of


def _escalated(live) -> str:
    ref = case_with_referrals(live.wf)  # sent Mon 2 June, due end of Tue 17 June
    live.clock.set(datetime(2025, 6, 18, 9, 0, tzinfo=UTC))
    assert (ref, "referral:cash", "sent", "expiry") in sweep(live.wf).escalations
    return ref


def test_escalations_list__one_click_extend_by_5_working_days_and_remind(live):
    ref = _escalated(live)
    sup = live.client("idrissa.sanou")
    page = sup.get("/travail").text
    box = page[page.index('id="work-escalations"'):]
    box = box[: box.index("</section>")]
    assert ref in box and "Escaladé" in box and "1 jour ouvré de retard" in box  # Wednesday after Tuesday
    assert "Prolonger de 5 jours ouvrés" in box and "Relancer" in box
    # the supervisor picks a reason, posted by its key, not French words (tryout 2, finding 10;
    # tryout 5, H18: a reason is chosen, not « prolongé depuis la liste »)
    assert 'name="reason_key" required' in box and 'value="extend_provider_called"' in box
    assert "Prestataire relancé par téléphone" in box
    r = post(sup, f"/dossiers/{ref}/delais/referral:cash/prolonger", by="5 working days",
             reason_key="", next="/travail")
    assert not events(live.wf, ref, "extend_deadline")  # no reason: nothing extended
    r = post(sup, f"/dossiers/{ref}/delais/referral:cash/prolonger", by="5 working days",
             reason_key="extend_provider_called", next="/travail")
    assert r.status_code == 303 and r.headers["location"] == "/travail", r.text
    (ev,) = events(live.wf, ref, "extend_deadline")
    # from now (Wed 18 June) 5 working days: Thu 19 … Wed 25 June
    assert ev.data["new_due_at"].startswith("2025-06-25")
    # kept as a message id, shown in the reader's language on the timeline
    assert ev.data["reason"] == {"msgid": "extend_provider_called", "params": {}}
    timeline = sup.get(f"/dossiers/{ref}").text.split('class="timeline"', 1)[1]
    assert "Délai prolongé : Prestataire relancé par téléphone — 5 jours ouvrables" in timeline
    sup.get("/langue/en")
    timeline = sup.get(f"/dossiers/{ref}").text.split('class="timeline"', 1)[1]
    assert "Deadline extended: Provider called — 5 working days" in timeline
    assert "relancé" not in timeline and "msgid" not in timeline
    sup.get("/langue/fr")
    r = post(sup, f"/travail/relancer/{ref}/referral:medical")
    assert r.status_code == 303
    with live.wf.sessions() as s:
        sent = s.query(OutboxMessage).filter(OutboxMessage.kind == "reminder",
                                             OutboxMessage.context["offset"].as_string() == "manual").all()
    # org-csps does not use the platform: its case manager chases it (tryout 5, H12;
    # tests/web/test_web__offplatform_reminders.py)
    assert sent and {(m.recipient_role, m.recipient_user) for m in sent} == {("caseworker", "mariam.kabore")}
    # a caseworker has no remind action
    assert post(live.client("mariam.kabore"), f"/travail/relancer/{ref}/referral:medical").status_code == 403


def test_my_work__days_late_and_in_days(live):
    """Late in working days, as the SOP counts the deadline (and as the provider's pages say it):
    due Wednesday 4 June, seen Monday 9 June, Tabaski (Friday 6) and the weekend not counted."""
    ref = case_with_referrals(live.wf, send=False)  # two referrals to send, due 4 June
    live.clock.set(datetime(2025, 6, 9, 9, 0, tzinfo=UTC))
    c = live.client("mariam.kabore")

    def overdue_group():
        page = c.get("/travail").text
        overdue = page[page.index('id="work-overdue"'):]
        return overdue[: overdue.index("</section>")]

    overdue = overdue_group()
    assert ref in overdue and "2 jours ouvrés de retard" in overdue, overdue
    assert not re.search(r"\d+ jours de retard", overdue)
    assert f'href="/dossiers/{ref}#step-referral-cash"' in overdue
    c.get("/langue/en")
    assert "2 working days overdue" in overdue_group()


def _message(live, when, kind="reminder", due="2025-06-05T23:59:59+00:00", ref="MNR-X", lang="fr"):
    return OutboxMessage(
        case_id=None, kind=kind, channel="inapp", recipient_user="mariam.kabore", recipient_role="caseworker",
        lang=lang, template=kind, status="sent", attempts=1, next_attempt_at=when, created_at=when,
        context={"reference": ref, "step": "referral", "instance": "cash", "state": "draft", "due_at": due},
    )


def test_notifications__links_groups_paging_and_reader_language(live):
    ref = case_with_referrals(live.wf, send=False)
    live.clock.set(datetime(2025, 6, 9, 9, 0, tzinfo=UTC))
    now = live.clock.now()
    with live.wf.sessions.begin() as s:
        for i in range(30):  # 30 overdue reminders (due 5 June < now)
            s.add(_message(live, now - timedelta(minutes=i), ref=ref))
        future = (now + timedelta(days=3)).isoformat()
        s.add(_message(live, now, kind="task", due=future, ref=ref, lang="en"))  # created in English
        s.add(_message(live, now, kind="escalation", ref=ref))
    c = live.client("mariam.kabore")
    html = c.get("/notifications").text
    items = re.findall(r'<li class="(?:unread|read) group-(\w+)">(.*?)</li>', html, re.S)
    assert len(items) == 25  # a page
    assert all(re.search(rf'class="note-link" href="/dossiers/{ref}#step-[a-z_]+-[a-z0-9_]+"', body)
               for _, body in items)
    assert re.search(r"1 / [23]<", html) and "page=2" in html
    late = c.get("/notifications?groupe=late").text
    assert late.count("group-late") == 25 and "group-todo" not in late
    todo = c.get("/notifications?groupe=todo").text
    assert "À faire : " in todo and "group-late" not in todo  # a future task is not « en retard »
    c.get("/langue/en")
    en = c.get("/notifications?groupe=escalated").text
    assert "Escalation: " in en and "Escalade :" not in en  # stored fr, read in English
    r = post(c, "/notifications/lu")
    assert r.status_code == 303
    assert 'class="unread' not in c.get("/notifications").text
    assert "group-" not in c.get("/notifications?non_lues=1").text  # nothing unread left


def test_duplicate_warning_then_confirmation_is_audited(live):
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    other = live.wf.create_case("mnr_bf", AWA)  # same phone, another caseworker's case
    live.wf.fire(other, "register", AWA,
                 dict(IDENT, first_name="Awa", last_name="Zongo", birth_date="1990-01-01"))
    c = live.client("mariam.kabore")
    page = c.get("/dossiers/nouveau").text
    data = {**NEW_CASE, "first_name": "AMINATA", "last_name": "Sawadogo", "phone": "70 00 00 01",
            "csrftoken": c.cookies.get("csrftoken"), "form_token": form_token_of(page)}
    r = c.post("/dossiers/nouveau", data=data)
    assert r.status_code == 409
    assert f'href="/dossiers/{ref}"' in r.text and "not_duplicate" in r.text
    assert other not in r.text and "Awa" not in r.text  # not hers: counted, never named
    assert "suivis par d&#39;autres" in r.text and ": 1</p>" in r.text
    assert 'value="Sawadogo"' in r.text  # the input is kept
    r = c.post("/dossiers/nouveau", data={**data, "not_duplicate": "1"})
    assert r.status_code == 303, r.text
    new = r.headers["location"].rsplit("/", 1)[1]
    (ev,) = events(live.wf, new, "duplicate_dismissed")
    assert ev.actor == "mariam.kabore" and ev.data == {"similar": [ref], "hidden": 1}
    assert "Doublon écarté" in c.get(f"/dossiers/{new}").text


def test_no_duplicate_no_warning(live):
    c = live.client("mariam.kabore")
    page = c.get("/dossiers/nouveau").text
    assert re.search(r'name="consent_date"|name="birth_date"', page)
    r = c.post("/dossiers/nouveau", data={**NEW_CASE, "csrftoken": c.cookies.get("csrftoken"),
                                          "form_token": form_token_of(page)})
    assert r.status_code == 303


def test_language_chosen_on_the_login_page_is_kept(live):
    from .conftest import PASSWORD

    c = live.client()
    c.get("/login")
    c.get("/langue/en?next=/login")
    r = c.post("/login", data={"username": "mariam.kabore", "password": PASSWORD,
                               "csrftoken": c.cookies.get("csrftoken")})
    assert r.status_code == 303
    assert "My work" in c.get("/travail").text


def test_static_files_fingerprinted_cached_and_gzipped(live):
    c = live.client("mariam.kabore")
    html = c.get("/travail").text
    m = re.search(r'src="(/static/htmx\.min\.([0-9a-f]{10})\.js)"', html)
    assert m, "htmx not fingerprinted"
    r = c.get(m.group(1), headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert int(r.headers["content-length"]) < len(r.content) / 2  # compressed on the wire
    plain = c.get("/static/app.css")
    assert plain.headers["cache-control"] == "public, max-age=3600"
    assert c.get("/static/app.0000000000.css").status_code == 404  # a wrong digest is not served
    page = c.get("/travail")
    assert page.headers.get("cache-control") == "no-store" and "content-encoding" not in page.headers


def test_reassign_with_nobody_else_says_so(live):
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)  # Kadiogo: Mariam is its only case manager
    html = live.client("idrissa.sanou").get(f"/dossiers/{ref}").text
    assert 'id="reassign-nobody"' in html


def test_plan_approval_shows_the_plan(live):
    from .helpers import CONSENT, NEEDS

    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    live.wf.fire(ref, "record_consent", MARIAM, CONSENT)
    live.wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
    sup = live.client("idrissa.sanou")
    page = sup.get(f"/dossiers/{ref}").text
    m = re.search(r'href="(/dossiers/[^"]+/approve_plan)"', page)
    assert m, "no approve_plan action"
    form = sup.get(m.group(1)).text
    assert 'class="in-view"' in form and "Besoin urgent d&#39;argent" in form
    assert "Assistance en espèces" in form


def test_decline_reason_in_the_referral_box_and_the_notification(live):
    from .helpers import Actor

    ref = case_with_referrals(live.wf)
    live.wf.fire(ref, "decline", Actor("focal.masn", "provider", "org-masn"), {"reason": "no_capacity"},
                 instance="referral:cash")
    page = live.client("mariam.kabore").get(f"/dossiers/{ref}").text
    box = page[page.index('id="step-referral-cash"'):]
    box = box[: box.index('id="step-referral-medical"') if 'id="step-referral-medical"' in box else None]
    assert "Motif du refus" in box and "Capacité atteinte" in box and 'data-action="re_refer"' in box
    notes = live.client("mariam.kabore").get("/notifications").text
    assert "Motif du refus : Capacité atteinte" in notes


def test_every_page_names_its_icon_and_favicon_ico_answers(live):
    """No 404 in the console on every first page (tryout 2, finding 31b): the base template links
    the fingerprinted SVG icon, and /favicon.ico (asked by some clients anyway) redirects to it."""
    anon = live.client()
    page = anon.get("/login").text
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="(/static/favicon\.[0-9a-f]{10}\.svg)">',
                     page)
    assert icon, "no icon link"
    r = anon.get(icon[1])
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in r.content
    r = anon.get("/favicon.ico")
    assert r.status_code == 301 and r.headers["location"] == icon[1]


@pytest.mark.parametrize("lang, words", [
    ("fr", ("relève de la région Yaadga", "Salif Zongo")),
    ("en", ("belongs to the region Yaadga", "Salif Zongo")),
])
def test_a_case_of_another_region_is_said_at_registration(live, lang, words):
    """Tryout 3, F35: a Kadiogo case manager registering a case whose region is Yaadga is told at
    once that its escalations go to Yaadga's supervisor, by name; a case of her own region says
    nothing of the kind."""
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    for region, told in (("yaadga", True), ("kadiogo", False)):
        page = c.get("/dossiers/nouveau").text
        r = c.post("/dossiers/nouveau", data={**NEW_CASE, "region": region, "first_name": f"Test{region}",
                                              "csrftoken": c.cookies.get("csrftoken"),
                                              "form_token": form_token_of(page)})
        assert r.status_code == 303, r.text[:300]
        shown = c.get(r.headers["location"]).text
        assert all(w in shown for w in words) is told, (region, shown[:2000])
