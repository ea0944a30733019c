"""Issue 18 leftover on the M&E officer's page: the dashboard (French and English) and its
indicators download count the declines recorded on the provider's behalf (``record_decline``)
in « Référencements refusés par le prestataire », under their reason."""

from __future__ import annotations

import re

from .helpers import MARIAM, case_with_referrals, provider


def _section(html: str, title: str) -> str:
    part = html[html.index(title):]
    return part[: part.index("</section>")]


def test_dashboard_counts_declines_recorded_on_behalf_fr_en(live):
    refs = [case_with_referrals(live.wf) for _ in range(6)]
    for ref in refs[:3]:  # on the platform
        live.wf.fire(ref, "decline", provider("org-csps"), {"reason": "no_capacity"},
                     instance="referral:medical")
    for ref in refs[3:]:  # answered by phone, recorded by the case manager
        live.wf.fire(ref, "record_decline", MARIAM,
                     {"answer_channel": "phone", "provider_contact": "Dr Kaboré",
                      "answered_at": "2025-06-02T09:00:00Z", "reason": "no_capacity"},
                     instance="referral:medical")
    me = live.client("suivi.evaluation")
    html = me.get("/tableau-de-bord", params={"periode": "2025Q2"}).text
    declined = _section(html, 'id="ind-REFERRALS_DECLINED"')
    assert re.search(r'<p class="big">6\b', declined)  # 3 alone: « < 5 »
    assert "Manque de capacité" in declined or "Capacité atteinte" in declined
    me.get("/langue/en", params={"next": "/tableau-de-bord"})
    html = me.get("/tableau-de-bord", params={"periode": "2025Q2"}).text
    declined = _section(html, 'id="ind-REFERRALS_DECLINED"')
    assert "Referrals declined by the provider" in declined and re.search(r'<p class="big">6\b', declined)
    csv_text = me.get("/tableau-de-bord/tableau/REFERRALS_DECLINED.csv",
                      params={"periode": "2025Q2"}).content.decode("utf-8-sig")
    assert any(x.split(";")[2] in ("Total",) and x.split(";")[6] == "6" for x in csv_text.splitlines()[1:])
