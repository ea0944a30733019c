"""The referral form's directory service (``referral.service_id``, issue 18): a select of the
directory's services by name — those matched for the need and region first — never a box asking
for an identifier; the value posted is still the service id (API clients unchanged)."""

from __future__ import annotations

import html
import re

from .conftest import csrf_of
from .helpers import case_with_referrals


def test_the_send_form_offers_services_by_name(live):
    wf = live.wf
    ref = case_with_referrals(wf, send=False)
    c = live.client("mariam.kabore")
    for lang, label in (("fr", "Service de l'annuaire"), ("en", "Directory service")):
        c.get(f"/langue/{lang}")
        page = c.get(f"/dossiers/{ref}/actions/referral:cash/send").text
        select = re.search(r'<select id="f-service_id" name="service_id".*?</select>', page, re.S)
        assert select, page[:2000]
        options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
        values = [v for v, _ in options if v]
        assert values and all(v.startswith("svc-") for v in values)
        texts = [html.unescape(t) for v, t in options if v]
        assert not any("svc-" in t for t in texts) and all(" — " in t for t in texts)
        assert label in html.unescape(page), lang
        assert "(identifiant)" not in page and "(identifier)" not in page and "svc-csps-soins :" not in page
    c.get("/langue/fr")
    form = c.get(f"/dossiers/{ref}/actions/referral:cash/send").text
    sid = re.search(r'<select id="f-service_id".*?<option value="(svc-[^"]+)"', form, re.S).group(1)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    r = c.post(f"/dossiers/{ref}/actions/referral:cash/send", data={
        "csrftoken": csrf_of(form), "version": version, "provider": "org-masn", "service_id": sid,
        "priority": "normal", "referral_date": "02/06/2025", "channel": "system", "reason": "Motif"},
        follow_redirects=False)
    assert r.status_code in (200, 303), r.text[:500]
    from mno_workflow.store import repository
    with wf.sessions() as s:
        inst = next(i for i in repository.get_case(s, ref).instances if i.label_key == "referral:cash")
        assert (inst.data or {}).get("referral", {}).get("service_id") == sid, inst.data
    # the case page shows the chosen service by its name, never its id (tryout, issue 18)
    from sqlalchemy import select

    from mno_workflow.directory.tables import TABLES
    with wf.sessions() as s:
        name = s.scalar(select(TABLES["service"].c.name).where(TABLES["service"].c.id == sid))
    page = html.unescape(c.get(f"/dossiers/{ref}").text)
    assert name in page and sid not in page, (name, sid)


def test_directory_page_gives_the_reasons_in_the_readers_language(live):
    """The matching's reasons (« Zone : … », « Coût : gratuit ») on ``/repertoire`` and beside
    the referral form's provider choice are catalogue messages, shown in English for an English
    reader; an unknown region is said in that language too."""
    c = live.client("mariam.kabore")
    fr = html.unescape(c.get("/repertoire?need=cash&region=kadiogo").text)
    assert "Zone :" in fr and "Area:" not in fr
    c.get("/langue/en")
    en = html.unescape(c.get("/repertoire?need=cash&region=kadiogo").text)
    assert "Area:" in en and "Zone :" not in en and "Coût" not in en and "Type de service" not in en
    bad = html.unescape(c.get("/repertoire?need=cash&region=Atlantide").text)
    assert "unknown region “Atlantide”" in bad and "région inconnue" not in bad
    ref = case_with_referrals(live.wf, send=False)
    form = html.unescape(c.get(f"/dossiers/{ref}/actions/referral:cash/send").text)
    reasons = form.split('class="reasons"')[1].split("</details>")[0]
    assert "Area:" in reasons and "Zone :" not in reasons and "Coût" not in reasons
    c.get("/langue/fr")
