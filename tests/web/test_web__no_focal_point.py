"""An organisation the directory marks ``uses_platform: yes`` but with no active account to answer
there (org-chr in the sample directory; org-masn once its focal point is deactivated) is followed
by the case manager, as one off the platform (tryout 6, I7): the send form marks it, the send's
answer warns in words (page and API), the case page says « suivi par le gestionnaire » with the
answers recorded as ordinary actions, the API's ``off_platform`` is true — French and English.
One predicate decides (``directory.organisations_off_platform``), the one the reminders of an
off-platform provider's referral follow too."""

from __future__ import annotations

import html
import re

from sqlalchemy import update

from mno_workflow.directory import organisations_off_platform, organisations_without_focal_point
from mno_workflow.store.models import User

from .conftest import PASSWORD
from .helpers import case_with_referrals, referral
from .test_web__case_page_consent import box, page

MARK = {"fr": "aucun point focal actif sur la plateforme : vous suivrez la réponse",
        "en": "no active focal point on the platform: you will follow up the answer"}
WARN = {"fr": "n'a aucun point focal actif sur la plateforme",
        "en": "has no active focal point on the platform"}
OFF = {"fr": "suivi par le gestionnaire", "en": "followed up by the case manager"}


def _option(form: str, org: str) -> str:
    return html.unescape(re.search(rf'<option value="{org}"[^>]*>([^<]*)<', form)[1])


def test_no_focal_point_is_followed_by_the_case_manager_on_form_api_and_page(live):
    ref = case_with_referrals(live.wf, send=False)
    c = live.client("mariam.kabore")
    for lang in ("fr", "en"):
        c.get(f"/langue/{lang}")
        form = c.get(f"/dossiers/{ref}/actions/referral:medical/send").text
        assert MARK[lang] in _option(form, "org-chr"), lang
        assert MARK[lang] not in _option(form, "org-masn"), lang  # focal.masn answers in its inbox
    c.get("/langue/fr")

    token = c.post("/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    for inst, lang in (("referral:medical", "fr"), ("referral:cash", "en")):
        r = c.post(f"/api/v1/cases/{ref}/fire", headers={**bearer, "Accept-Language": lang},
                   json={"trigger": "send", "instance": inst, "payload": referral("org-chr")})
        assert r.status_code == 200, r.text
        assert any(WARN[lang] in w and "Kaya" in w for w in r.json()["warnings"]), (lang, r.json())
    steps = c.get(f"/api/v1/cases/{ref}", headers=bearer).json()["steps"]
    assert {f"{x['step']}:{x['key']}": x["off_platform"] for x in steps if x["recipient"]} == {
        "referral:medical": True, "referral:cash": True}

    for lang in ("fr", "en"):
        medical = box(page(live, ref, lang), "step-referral-medical")
        assert OFF[lang] in medical and "data-off-platform" in medical, lang
        assert "Ce prestataire utilise la plateforme" not in medical
        assert 'data-action="record_acceptance"' in medical and "data-on-behalf" not in medical


def test_a_deactivated_focal_point_puts_its_organisation_off_the_platform(live):
    ref = case_with_referrals(live.wf)  # cash → org-masn (focal.masn), medical → org-csps
    with live.wf.sessions() as s:
        three = ["org-masn", "org-chr", "org-csps"]
        assert organisations_off_platform(s, three, sop_id="mnr_bf") == {"org-chr", "org-csps"}
        assert organisations_without_focal_point(s, three, sop_id="mnr_bf") == {"org-chr"}
    assert "data-on-behalf" in box(page(live, ref, "fr"), "step-referral-cash")  # its own inbox
    with live.wf.sessions.begin() as s:
        s.execute(update(User).where(User.id == "focal.masn").values(active=False))
    try:
        with live.wf.sessions() as s:
            assert "org-masn" in organisations_off_platform(s, ["org-masn"], sop_id="mnr_bf")
        cash = box(page(live, ref, "fr"), "step-referral-cash")
        assert OFF["fr"] in cash and "data-on-behalf" not in cash
    finally:
        with live.wf.sessions.begin() as s:
            s.execute(update(User).where(User.id == "focal.masn").values(active=True))


OFF_MARK = {"fr": "hors plateforme : vous suivrez sa réponse (téléphone, visite)",
            "en": "off the platform: you will follow up its answer (phone, visit)"}


def test_the_send_form_marks_every_organisation_the_case_page_says_is_followed(live):
    """Tryout 7, J2: org-csps (``uses_platform: no`` in the sample directory, though it has an
    active focal point) was offered unmarked on the send form, then the case page said « suivi par
    le gestionnaire ». The form marks every organisation ``organisations_off_platform`` names,
    with the words of its reason, and only those."""
    ref = case_with_referrals(live.wf, send=False)
    c = live.client("mariam.kabore")
    with live.wf.sessions() as s:
        every = ["org-csps", "org-masn", "org-chr"]
        off = organisations_off_platform(s, every, sop_id="mnr_bf")
        no_focal = organisations_without_focal_point(s, every, sop_id="mnr_bf")
    assert off == {"org-csps", "org-chr"} and no_focal == {"org-chr"}
    for lang in ("fr", "en"):
        c.get(f"/langue/{lang}")
        form = c.get(f"/dossiers/{ref}/actions/referral:medical/send").text
        assert OFF_MARK[lang] in _option(form, "org-csps"), lang
        assert OFF_MARK[lang] not in _option(form, "org-chr") and MARK[lang] in _option(form, "org-chr")
        assert OFF_MARK[lang] not in _option(form, "org-masn") and MARK[lang] not in _option(form, "org-masn")
    c.get("/langue/fr")


NO_AGREEMENT = {"fr": "sans accord de partage de données en vigueur",
                "en": "no data-sharing agreement in force"}


def test_the_send_form_marks_and_disables_organisations_without_an_agreement(live):
    """Tryout 8, K9: an organisation without a data-sharing agreement in force (org-petitspas in
    the sample directory) was offered unmarked, then the send was refused (the BF SOP requires
    one). It is marked and not selectable; one with an agreement is neither."""
    ref = case_with_referrals(live.wf, send=False)
    c = live.client("mariam.kabore")
    for lang in ("fr", "en"):
        c.get(f"/langue/{lang}")
        form = c.get(f"/dossiers/{ref}/actions/referral:medical/send").text
        assert NO_AGREEMENT[lang] in _option(form, "org-petitspas"), lang
        assert re.search(r'<option value="org-petitspas"[^>]*disabled', form), lang
        assert NO_AGREEMENT[lang] not in _option(form, "org-csps"), lang
    c.get("/langue/fr")
