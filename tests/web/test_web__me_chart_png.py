"""Issue 20: every dashboard chart can be downloaded as PNG and SVG (« Télécharger le graphique :
PNG · SVG »): the PNG is drawn on the server from the chart's SVG, decodes, has the chart's size
(SVG width × height) and is not blank; downloads are logged; small counts stay hidden in both."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from mno_workflow.web.me_charts import svg_size, to_png
from mno_workflow.web.models import ExportLog

from .helpers import case_with_referrals


def _check_png(png: bytes, svg: str) -> None:
    img = Image.open(io.BytesIO(png))
    img.load()
    assert img.format == "PNG"
    assert img.size == svg_size(svg)
    colours = img.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours and len(colours) > 2  # bars and text drawn on white, not a blank picture
    assert (0x1F, 0x5F, 0x8B) in {c for _n, c in colours}  # the bars' colour


def test_to_png_size_and_failure():
    svg = (
        '<svg class="chart" viewBox="0 0 760 40" width="760" height="40" xmlns="http://www.w3.org/2000/svg">'
        '<rect x="300" y="6" width="100" height="22" fill="#1f5f8b"/><text x="10" y="20">Santé</text></svg>'
    )
    _check_png(to_png(svg), svg)
    try:
        svg_size("<svg></svg>")
    except ValueError:
        pass
    else:
        raise AssertionError("a chart without size must be refused")


def test_every_dashboard_chart_downloads_as_png_and_svg(live):
    for _ in range(6):
        case_with_referrals(live.wf)
    me = live.client("suivi.evaluation")
    q = {"periode": "2025Q2"}
    html = me.get("/tableau-de-bord", params=q).text
    links = re.findall(r'href="(/tableau-de-bord/graphique/[^"]+)\.png([^"]*)"', html)
    bases = {b for b, _q in links}
    assert {f"/tableau-de-bord/graphique/suivi/{n}" for n in ("bottlenecks", "per_state")} <= bases
    assert "/tableau-de-bord/graphique/REFERRALS_MADE-0" in bases
    assert html.count("Télécharger le graphique :") == len(links)
    for base, query in links:
        query = query.replace("&amp;", "&")
        svg = me.get(f"{base}.svg{query}")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml"), base
        png = me.get(f"{base}.png{query}")
        assert png.status_code == 200 and png.headers["content-type"] == "image/png", base
        assert png.headers["content-disposition"].endswith('.png"')
        _check_png(png.content, svg.text)
    assert me.get("/tableau-de-bord/graphique/suivi/nope.png").status_code == 404
    assert me.get("/tableau-de-bord/graphique/REFERRALS_MADE-0.gif", params=q).status_code == 404
    assert (
        live.client("mariam.kabore").get("/tableau-de-bord/graphique/suivi/per_state.png").status_code == 403
    )
    with live.wf.sessions() as s:
        logged = [e.what for e in s.scalars(select(ExportLog))]
    assert "chart:per_state.png" in logged and "chart:REFERRALS_MADE-0.png" in logged
