"""Issue 20, small cells: the operational aggregates (``GET /api/v1/stats``, the dashboard's
summary line, bottlenecks, overdue and per-state charts) hide counts from 1 to k-1 and the counts
that would reveal them, like the indicators; the referral tables by provider and by region are
protected together (both sum to the same number of referrals per state)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mno_workflow.indicators import suppress
from mno_workflow.web import ops_stats, queries

from .conftest import PASSWORD
from .helpers import case_with_referrals, provider, yaadga_case

K = 5


def _raw(by_provider, by_region, totals=None, per_state=None, overdue=None, median=None, median_n=None):
    return {
        "totals": totals or {},
        "per_state": per_state or {},
        "overdue": overdue or {},
        "median": median or {},
        "median_n": median_n or {},
        "by_provider": by_provider,
        "by_region": by_region,
    }


def test_provider_and_region_tables_are_protected_together():
    # 10 + 2 referrals sent; all 12 in one region: showing 12 and 10 would give 2 by subtraction
    ops = ops_stats.protect(_raw({"A": {"sent": 10}, "B": {"sent": 2}}, {"r1": {"sent": 12}}), K)
    body = ops_stats.api_body(ops)
    assert body["referrals_by_provider"]["B"] == {"sent": None}
    hidden = [body["referrals_by_provider"]["A"]["sent"], body["referrals_by_region"]["r1"]["sent"]]
    assert None in hidden  # complementary cell
    assert {"path": ["referrals_by_provider", "B", "sent"], "reason": "primary"} in body["suppressed"]
    assert any(c["reason"] == "complementary" for c in body["suppressed"])
    # two small cells, one per table: neither total is derivable, nothing else is hidden
    both = ops_stats.api_body(
        ops_stats.protect(
            _raw({"A": {"sent": 10}, "B": {"sent": 2}}, {"r1": {"sent": 3}, "r2": {"sent": 9}}), K
        )
    )
    assert both["referrals_by_provider"] == {"A": {"sent": 10}, "B": {"sent": None}}
    assert both["referrals_by_region"] == {"r1": {"sent": None}, "r2": {"sent": 9}}


def test_medians_of_few_values_totals_and_zero():
    d = _raw(
        {},
        {},
        totals={"open": 3, "closed": 0},
        per_state={("consent", "given"): 7},
        overdue={"referral": 1},
        median={"consent": 1.0, "referral": 4.5},
        median_n={"consent": 2, "referral": 9},
    )
    body = ops_stats.api_body(ops_stats.protect(d, K))
    assert body["totals"] == {"closed": 0, "open": None}  # zero is shown
    assert body["open_by_step_state"] == [{"step": "consent", "state": "given", "count": 7}]
    assert body["overdue_by_step"] == {"referral": None}
    assert body["median_days_by_step"] == {"consent": None, "referral": 4.5}
    assert {"path": ["median_days_by_step", "consent"], "reason": "few_values"} in body["suppressed"]
    assert body["suppression_threshold"] == K


counts = st.integers(min_value=0, max_value=12)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from("ABCD"),
        st.dictionaries(st.sampled_from(["sent", "declined"]), counts, min_size=1),
        max_size=4,
    ),
    st.lists(st.sampled_from(["r1", "r2", "-"]), min_size=1, max_size=3),
    st.integers(min_value=3, max_value=6),  # k = 2: « < 2 » is 1 by definition
)
def test_no_small_referral_cell_can_be_recomputed(by_provider, regions, k):
    """For random provider tables spread over regions: every count in 1..k-1 is hidden, and no
    hidden small cell is pinned by the equations between the two tables."""
    by_region: dict[str, dict[str, int]] = {}
    for i, (_p, cells) in enumerate(sorted(by_provider.items())):
        for state, n in cells.items():
            r = regions[i % len(regions)]
            by_region.setdefault(r, {}).setdefault(state, 0)
            by_region[r][state] += n
    ops = ops_stats.protect(_raw(by_provider, by_region), k)
    g = ops.grid
    for key, node in g.nodes.items():
        if 0 < node.value < k and key[0] != "referral_state":
            assert node.hidden is not None, key
    known = suppress.derived(g)
    for eq in g.equations:
        assert not suppress.pinned(g, eq, k, known), eq


def _auth(c, user):
    token = c.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _ints(body) -> list[int]:
    """Every count of a /stats body (not the threshold)."""
    out = list(body["totals"].values()) + [x["count"] for x in body["open_by_step_state"]]
    out += list(body["overdue_by_step"].values())
    for table in ("referrals_by_provider", "referrals_by_region"):
        out += [v for cells in body[table].values() for v in cells.values()]
    return [v for v in out if v is not None]


def test_api_stats_hides_small_cells_for_every_role(live):
    refs = [case_with_referrals(live.wf) for _ in range(6)]
    live.wf.fire(
        refs[0], "decline", provider("org-csps"), {"reason": "no_capacity"}, instance="referral:medical"
    )
    yaadga_case(live.wf)
    with live.wf.sessions() as s:
        raw = queries.dashboard(s, live.wf.clock.now())
    assert raw["by_provider"]["org-csps"]["declined"] == 1  # the small cell exists before suppression
    for user in ("suivi.evaluation", "idrissa.sanou"):
        c = live.client(user)
        r = c.get("/api/v1/stats", headers=_auth(c, user))
        assert r.status_code == 200, r.text
        body = r.json()
        assert all(v == 0 or v >= K for v in _ints(body)), (user, body)
        assert body["suppression_threshold"] == K
        if user == "suivi.evaluation":
            assert body["referrals_by_provider"]["org-csps"]["declined"] is None
            assert body["totals"] == {"open": 7}
            paths = {tuple(c["path"]): c["reason"] for c in body["suppressed"]}
            assert paths[("referrals_by_provider", "org-csps", "declined")] == "primary"


def test_dashboard_charts_and_summary_hide_small_cells(live):
    case_with_referrals(live.wf)
    case_with_referrals(live.wf)
    me = live.client("suivi.evaluation")
    html = me.get("/tableau-de-bord").text
    assert "Dossiers : &lt; 5 ouverts · 0 clos" in html
    for title in ("Goulots d", "Dossiers par étape et état"):
        part = html[html.index(title) :]
        svg = part[part.index("<svg") : part.index("</svg>")]
        values = re.findall(r'font-size="13" fill="#222">([^<]*)</text>', svg)
        assert values and all(v in ("&lt; 5", "s") or int(v.replace("\u202f", "")) >= K for v in values), (
            values
        )
    assert "Durée médiane" not in html  # the old per-step median chart is gone (finding 3)
    # the indicator paths of the page: chart, one table, all tables, report (4 referrals made)
    q = {"periode": "2025Q2"}
    svg = me.get("/tableau-de-bord/graphique/REFERRALS_MADE-0.svg", params=q).text
    assert ">&lt; 5</text>" in svg and not re.search(r">[1-4]</text>", svg)
    for url in ("/tableau-de-bord/tableau/REFERRALS_MADE.csv", "/tableau-de-bord/indicateurs.csv"):
        rows = me.get(url, params=q).content.decode("utf-8-sig").splitlines()
        total = next(r.split(";") for r in rows if r.startswith("Référencements envoyés") and ";Total;" in r)
        assert total[6] == "< 5", (url, total)
    report = me.get("/rapport", params=q).text
    assert re.search(r'<td>REFERRALS_MADE</td><td class="num">&lt; 5</td>', report)
