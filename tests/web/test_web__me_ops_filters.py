"""The M&E dashboard's operational blocks (summary « Dossiers : … », « Goulots d'étranglement »,
« Retards par étape », steps per state) and their chart downloads follow the region filter and
say which filters they do not follow, in the page's language (tryout 3, F26)."""

from __future__ import annotations

from .helpers import case_with_referrals, yaadga_case


def _section(html: str, title: str) -> str:
    part = html[html.index(title) :]
    return part[: part.index("</section>")]


def test_region_filter_applies_to_the_operational_blocks(live):
    for _ in range(6):
        case_with_referrals(live.wf)  # Kadiogo
    yaadga_case(live.wf)
    me = live.client("suivi.evaluation")
    national = me.get("/tableau-de-bord", params={"periode": "2025Q2"}).text
    assert "Dossiers : 7 ouverts · 0 clos — Situation à ce jour, ensemble du pays" in national
    kadiogo = me.get("/tableau-de-bord", params={"periode": "2025Q2", "region": "kadiogo"}).text
    assert "Dossiers : 6 ouverts · 0 clos — Situation à ce jour, région Kadiogo (Ouagadougou)" in kadiogo
    liptako = me.get("/tableau-de-bord", params={"periode": "2025Q2", "region": "liptako"}).text
    assert "Dossiers : 0 ouverts · 0 clos" in liptako
    neck = _section(liptako, "Goulots d")
    assert "région Liptako (Dori)" in neck and "<svg" not in neck  # nothing waits in Liptako
    assert "<svg" in _section(kadiogo, "Goulots d")
    assert "région Liptako (Dori)" in _section(liptako, "Retards par étape")
    # the chart download follows the page's filter and says its scope
    svg = me.get("/tableau-de-bord/graphique/suivi/bottlenecks.svg",
                 params={"periode": "2025Q2", "region": "kadiogo"}).text
    assert "région Kadiogo (Ouagadougou)" in svg
    assert me.get("/tableau-de-bord/graphique/suivi/bottlenecks.svg",
                  params={"periode": "2025Q2", "region": "liptako"}).status_code == 404  # nothing to draw
    assert "ensemble du pays" in me.get("/tableau-de-bord/graphique/suivi/bottlenecks.svg").text


def test_filters_the_blocks_cannot_follow_are_named(live):
    case_with_referrals(live.wf)
    me = live.client("suivi.evaluation")
    html = me.get("/tableau-de-bord", params={"sexe": "male", "besoin": "medical"}).text
    line = "Situation à ce jour, ensemble du pays (filtres non appliqués : sexe, besoin)"
    assert html.count(line) >= 4  # summary and the three operational blocks
    me.get("/langue/en", params={"next": "/tableau-de-bord"})
    html = me.get("/tableau-de-bord", params={"age": "18-24", "region": "kadiogo"}).text
    assert "Today&#39;s situation, region Kadiogo (Ouagadougou) (filters not applied: age group)" in html

