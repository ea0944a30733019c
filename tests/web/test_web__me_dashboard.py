"""The M&E dashboard of issue 20 on a live server: findings 4 (bottlenecks without standing
states), 5 (row export) and 6 (« ouverts », no French space before a colon in English), filters,
small-cell suppression on the page, the downloads (SVG, CSV, xlsx) and their export log."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from mno_workflow.indicators.present import fmt
from mno_workflow.web.models import ExportLog

from .helpers import CONSENT, IDENT, case_with_referrals, provider, yaadga_case


def _section(html: str, title: str) -> str:
    part = html[html.index(title) :]
    return part[: part.index("</section>")]


def test_dashboard_filters_bottlenecks_and_suppression(live):
    refs = [case_with_referrals(live.wf) for _ in range(6)]
    live.wf.fire(
        refs[0], "decline", provider("org-csps"), {"reason": "no_capacity"}, instance="referral:medical"
    )
    yaadga_case(live.wf)
    me = live.client("suivi.evaluation")
    html = me.get("/tableau-de-bord", params={"periode": "2025Q2"}).text
    assert "Dossiers : 7 ouverts · 0 clos" in html  # finding 6
    neck = _section(html, "Goulots d")
    neck = re.sub(r"</tspan><tspan[^>]*>", " ", neck[neck.index("<svg") :])  # labels wrapped on two lines
    assert "Consentement donné" not in neck  # finding 4: a standing state is no backlog
    assert "Envoyé au prestataire" in neck
    made = _section(html, 'id="ind-REFERRALS_MADE"')
    assert re.search(r'<p class="big">12\b', made)  # 6 cases × 2 referrals
    declined = _section(html, 'id="ind-REFERRALS_DECLINED"')
    assert "&lt; 5" in declined and '<p class="big">1<' not in declined  # one decline: hidden
    regs = _section(html, 'id="ind-PERSONS_REGISTERED"')
    # 6 women and 1 man: the man is « < 5 » and the women « s » (complementary): 7 = women + man
    # with women ≥ 5 leaves the man 1 or 2
    assert '<p class="big">7' in regs and '<td class="num">&lt; 5</td>' in regs
    assert '<td>Féminin</td><td class="num">s</td>' in regs and ">&lt; 5</text>" in regs
    # filters: sex and region; a supervisor sees only their region
    html = me.get("/tableau-de-bord", params={"periode": "2025Q2", "sexe": "male"}).text
    assert "&lt; 5" in _section(html, 'id="ind-PERSONS_REGISTERED"')
    html = me.get("/tableau-de-bord", params={"periode": "2025Q2", "region": "kadiogo", "age": "18-24"}).text
    assert '<p class="big">6' in _section(html, 'id="ind-PERSONS_REGISTERED"')
    html = me.get("/tableau-de-bord", params={"periode": "2024Q2"}).text
    assert '<p class="big">0' in _section(html, 'id="ind-PERSONS_REGISTERED"')
    bad = me.get("/tableau-de-bord", params={"periode": "2025Q9"})
    assert bad.status_code == 200 and "Période invalide" in bad.text and "Traceback" not in bad.text


def test_english_page_has_no_space_before_colon(live):
    case_with_referrals(live.wf)
    me = live.client("suivi.evaluation")
    me.get("/langue/en", params={"next": "/tableau-de-bord"})
    html = me.get("/tableau-de-bord").text
    # one open case: a small count, hidden since issue 20's small-cell fix of the dashboard
    assert "Cases: &lt; 5 open · 0 closed" in html and "Cases :" not in html
    assert "Bottlenecks" in html


def test_downloads_are_french_suppressed_and_logged(live):
    for _ in range(5):
        case_with_referrals(live.wf)
    yaadga_case(live.wf)  # one man registered: a small cell
    me = live.client("suivi.evaluation")
    q = {"periode": "2025-06"}
    svg = me.get("/tableau-de-bord/graphique/REFERRALS_MADE-0.svg", params=q)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text and "Formation" not in svg.text and "Soins médicaux" in svg.text
    csv_text = me.get("/tableau-de-bord/tableau/REFERRALS_MADE.csv", params=q).content.decode("utf-8-sig")
    head, *lines = csv_text.splitlines()
    assert head.startswith("Indicateur;Code indicateur;Ventilation;Code ventilation")
    assert any(x.endswith(";Total;;;;10;;;;juin 2025;202506") for x in lines)  # 5 cases × 2 referrals
    assert any(";Type de prestataire;provider_type;Structure de santé;health_facility;5;" in x for x in lines)
    xlsx = me.get("/tableau-de-bord/indicateurs.xlsx", params=q)
    wb = load_workbook(io.BytesIO(xlsx.content))
    ws = wb["Indicateurs"]
    assert ws["A1"].value == "Indicateur" and ws["G1"].value == "Valeur"
    values = {(r[1], r[2]): r[6] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert values[("PERSONS_REGISTERED", "Total")] == "s"  # complementary: 5 women + 1 man
    assert all(v in (None, "", "< 5", "s", "—") or isinstance(v, int | float) for v in values.values())
    sexes = {
        r[4]: r[6]
        for r in ws.iter_rows(min_row=2, values_only=True)
        if r[1] == "PERSONS_REGISTERED" and r[3] == "sex"
    }
    assert sexes == {"Féminin": "s", "Masculin": "< 5"}
    assert values[("REFERRALS_MADE", "Total")] == 10
    assert "Confidentialité" in wb["Méthodes"]["A2"].value
    assert me.get("/tableau-de-bord/tableau/NOPE.csv", params=q).status_code == 404
    with live.wf.sessions() as s:
        logged = [(e.user_id, e.what, e.names) for e in s.scalars(select(ExportLog).order_by(ExportLog.id))]
    assert logged == [
        ("suivi.evaluation", "chart:REFERRALS_MADE-0.svg", False),
        ("suivi.evaluation", "table:REFERRALS_MADE.csv", False),
        ("suivi.evaluation", "indicators.xlsx", False),
    ]


def test_row_export_has_person_columns_and_counts_declines(live):
    """Finding 5 (and 2): French headers, codes, sex, age group, need, priority; every region."""
    stats = {**CONSENT, "purposes": ["referral", "follow_up", "statistics"]}  # a row only with it (G19)
    ref = case_with_referrals(live.wf, consent=stats)
    live.wf.fire(ref, "decline", provider("org-csps"), {"reason": "no_capacity"}, instance="referral:medical")
    sup = live.client("idrissa.sanou")
    rows = [
        r.split(";")
        for r in sup.get("/tableau-de-bord/export.csv?noms=1").content.decode("utf-8-sig").splitlines()
    ]
    head, row = rows[0], next(r for r in rows if r[0] == ref)
    cell = dict(zip(head, row, strict=True))
    assert cell["Région"] == "Kadiogo (Ouagadougou)" and cell["code_region"] == "kadiogo"
    assert cell["Sexe"] == "Féminin" and cell["Tranche d'âge"] == "18–24 ans"
    assert cell["codes_besoins"] == "cash medical" and cell["Statut"] == "Ouvert"
    assert cell["Référencements refusés par le prestataire"] == "1"
    assert cell["Référencements envoyés (y compris re-référencements)"] == "2"
    assert IDENT["last_name"] in cell["Nom"]


def test_french_number_formatting():
    assert fmt(1234.5) == "1\u202f234,5" and fmt(1234.5, "en") == "1,234.5"
    assert fmt(12.5, percent=True) == "12,5\u202f%" and fmt("< 5") == "< 5" and fmt(None) == "—"


def test_report_page_and_pdf_are_logged(live):
    case_with_referrals(live.wf)
    me = live.client("suivi.evaluation")
    page = me.get("/rapport", params={"periode": "2025Q2"})
    assert page.status_code == 200 and "Rapport trimestriel" in page.text and "@media print" in page.text
    pdf = me.get("/rapport.pdf", params={"periode": "2025Q2", "region": "kadiogo"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert me.get("/rapport", params={"periode": "2025Q9"}).status_code == 400
    assert live.client("mariam.kabore").get("/rapport").status_code == 403  # caseworkers: no dashboard
    with live.wf.sessions() as s:
        logged = [(e.what, e.filters) for e in s.scalars(select(ExportLog).order_by(ExportLog.id))]
    assert logged == [("report.html", {"periode": "2025Q2"}),
                      ("report.pdf", {"periode": "2025Q2", "region": "kadiogo"})]


def test_the_row_export_speaks_the_readers_language_like_the_indicators_csv(live):
    """The pseudonymised export in an English session: English headers, labels and status (the
    code columns keep their names); French by default."""
    from .helpers import CONSENT
    # five alike: the M&E officer's rows keep region and sex only on combinations of 5 rows (k)
    refs = [case_with_referrals(live.wf, consent={**CONSENT, "purposes": ["referral", "statistics"]})
            for _ in range(5)]
    me = live.client("suivi.evaluation")
    me.get("/langue/en")
    text = me.get("/tableau-de-bord/export.csv").content.decode("utf-8-sig")
    rows = [r.split(";") for r in text.splitlines()]
    head, end = rows[0], rows.index([""])
    assert head[:3] == ["Case (pseudonym)", "Region", "code_region"], head
    assert "Status" in head and "Statut" not in head and "Étapes en cours" not in head, head
    assert "Opened in" in head and "Closed in" in head, head
    cells = [dict(zip(head, r, strict=True)) for r in rows[1:end]]
    assert len(cells) == 5 and {c["Status"] for c in cells} <= {"Open", "Closed"}, cells[:2]
    assert all(c["Region"] == "Kadiogo (Ouagadougou)" and c["Sex"] == "Female" for c in cells), cells[:2]
    assert {c["Needs"] for c in cells} == {"hidden"}, cells[:2]
    assert rows[end + 1][0].startswith("Data protection"), rows[end + 1:]
    assert all(ref not in r for r in rows[1:] for ref in refs)  # pseudonymised


def test_age_filter_options_in_words(live):
    """The age filter says its groups as the CSV export does, never the codes (tryout 2, finding 12)."""
    import re
    me = live.client("suivi.evaluation")
    for lang, words in (("fr", ("0–14 ans", "60+ ans", "Âge inconnu")),
                        ("en", ("0–14 years", "60+ years", "Unknown age"))):
        me.get(f"/langue/{lang}", params={"next": "/tableau-de-bord"})
        page = me.get("/tableau-de-bord").text
        select = re.search(r'<select name="age">.*?</select>', page, re.S).group(0)
        options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select))
        assert options["unknown"] == words[2] and options["0-14"] == words[0], options
        assert words[1] in options.values(), options
        assert not any(code == text for code, text in options.items()), options


def _options(html: str) -> list[tuple[str, str, bool]]:
    box = html[html.index('<select name="periode">'):]
    box = box[: box.index("</select>")]
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', box)
    return [(v, w, bool(sel)) for v, sel, w in found]


def test_period_is_chosen_in_words_most_recent_first_fr_then_en(live):
    """The period is a list in words (« 2e trimestre 2025 », "Q2 2025"), quarters then months then
    years, most recent first; the values stay the codes API clients send (``?periode=2025Q2``);
    a range is typed in « Autre période » and shown chosen by itself."""
    me = live.client("suivi.evaluation")
    html = me.get("/tableau-de-bord").text  # the live clock: Monday 2 June 2025
    assert '<input name="periode"' not in html
    opts = _options(html)
    assert opts[:3] == [("2025Q2", "2e trimestre 2025", True), ("2025Q1", "1er trimestre 2025", False),
                        ("2024Q4", "4e trimestre 2024", False)]
    assert ("2023Q3", "3e trimestre 2023", False) in opts and ("2025-06", "juin 2025", False) in opts
    assert [v for v, _w, _s in opts][-3:] == ["2025", "2024", "2023"]
    assert [w for _v, w, s in _options(me.get("/tableau-de-bord", params={"periode": "2024-11"}).text)
            if s] == ["novembre 2024"]
    page = me.get("/tableau-de-bord", params={"autre": "01/04/2025..15/05/2025"}).text
    assert _options(page)[0] == ("01/04/2025..15/05/2025", "du 01/04/2025 au 15/05/2025", True)
    assert "periode=01%2F04%2F2025..15%2F05%2F2025" in page  # the downloads' links keep the code form
    me.get("/langue/en")
    opts = _options(me.get("/tableau-de-bord", params={"periode": "2025Q1"}).text)
    assert opts[:2] == [("2025Q2", "Q2 2025", False), ("2025Q1", "Q1 2025", True)]
    assert ("2025-06", "June 2025", False) in opts
