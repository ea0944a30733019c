"""``mno report``: the quarterly steering-committee report (HTML with print CSS, and PDF) written to
a folder; logged in the export log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import _, errors, fail, open_engine, state
from .export import SopOpt


def report(
    period: Annotated[str, typer.Option("--period", help="2025Q2, 2025-04, 2025 ou 2025-04-01..2025-06-30")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Dossier où écrire rapport.html et rapport.pdf")
    ],
    region: Annotated[str, typer.Option(help="Code de région, ou all")] = "all",
    pdf: Annotated[bool, typer.Option(help="Écrire aussi le PDF (WeasyPrint)")] = True,
    sop_id: SopOpt = None,
) -> None:
    """Rapport trimestriel (HTML et PDF) : indicateurs, graphiques, besoins sans prestataire, annuaire,
    note méthodologique.

    Quarterly M&E report (HTML and PDF)."""
    from ..indicators import report as rep
    from ..indicators import service
    from .export import _chosen_sop, _period, log_cli_export

    p = _period(period)
    engine = open_engine(clock=None)
    with errors(), engine.sessions.begin() as s:
        sop = _chosen_sop(engine, s, sop_id)
        if region != "all" and region not in sop.options.get("region", {}):
            fail(_("Région inconnue : {region}", region=region))
        now = engine.clock.now()
        filters = {} if region == "all" else {"region": region}
        figs = service.figures(s, sop, p, now, filters=filters, lang=state["lang"], with_unmet=True)
        text = rep.html(figs, now, state["lang"])
        log_cli_export(s, "report", {"periode": period, **filters, "pdf": pdf}, len(figs.shown), now)
    output.mkdir(parents=True, exist_ok=True)
    name = f"rapport-{p.iso or period}-{region}"
    (output / f"{name}.html").write_text(text, encoding="utf-8")
    typer.echo(f"HTML → {output / (name + '.html')}")
    if pdf:
        (output / f"{name}.pdf").write_bytes(rep.pdf(text))
        typer.echo(f"PDF → {output / (name + '.pdf')}")
