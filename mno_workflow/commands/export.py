"""``mno export``: aggregated indicator tables (CSV, xlsx) and DHIS2 data values (dataValueSets
JSON or ADX XML, pushed with ``--post``). Every export is written to the export log."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import _, error_line, error_text, errors, fail, ngettext, open_engine, state

app = typer.Typer(
    help="Exporter les indicateurs (tableaux, DHIS2).", no_args_is_help=True
)

PeriodOpt = Annotated[str, typer.Option("--period", help="2025Q2, 2025-04, 2025 ou 2025-04-01..2025-06-30")]
SopOpt = Annotated[str | None, typer.Option(
    "--sop", help="Identifiant de la POS (défaut : la seule POS chargée, ou la seule avec indicators:).")]


def _period(text: str):
    from ..indicators.periods import PeriodError, parse

    try:
        return parse(text)
    except PeriodError as e:
        fail(e.text(state["lang"]))


def _chosen_sop(engine, s, sop_id: str | None):
    """The SOP the indicators are read from, chosen as the web dashboard chooses
    (:func:`mno_workflow.engine.sop_choice.for_indicators`): ``--sop``, else the only registered
    SOP, else the only one with ``indicators:``; else one line naming the SOPs (exit 1)."""
    from ..engine import sop_choice
    from ..engine.errors import EngineError, Message

    try:
        return sop_choice.for_indicators(s, engine.registry, sop_id,
                                         hint=Message.t("Choisissez-en une avec --sop ID.")).sop
    except EngineError as e:
        fail(error_line(e.text(state["lang"])))


def log_cli_export(s, what: str, filters: dict, rows: int, now) -> None:
    """One export-log row for a CLI export (user ``cli:<system account>``)."""
    from ..cli_identity import os_user
    from ..web.models import ExportLog

    s.add(
        ExportLog(
            at=now,
            user_id=f"cli:{os_user()}",
            role="cli",
            what=what,
            filters=filters,
            row_count=rows,
            names=False,
        )
    )


@app.command("tables")
def tables_cmd(
    period: PeriodOpt,
    output: Annotated[Path, typer.Option("-o", "--output", help="Fichier .csv ou .xlsx")],
    region: Annotated[str, typer.Option(help="Code de région, ou all")] = "all",
    sop_id: SopOpt = None,
) -> None:
    """Tableaux agrégés des indicateurs (en-têtes et libellés en français, codes en colonnes).

    Aggregated indicator tables (CSV or xlsx by the file's extension)."""
    from ..indicators import service
    from ..indicators import tables as itables

    p = _period(period)
    if output.suffix not in (".csv", ".xlsx"):
        fail(_("L'extension doit être .csv ou .xlsx"))
    engine = open_engine(clock=None)
    with errors(), engine.sessions.begin() as s:
        sop = _chosen_sop(engine, s, sop_id)
        now = engine.clock.now()
        filters = {} if region == "all" else {"region": region}
        figs = service.figures(s, sop, p, now, filters=filters, lang=state["lang"], with_directory=False)
        rows = list(itables.table_rows(figs.shown, p.label(state["lang"]), p.iso or period, state["lang"]))
        log_cli_export(s, f"indicators{output.suffix}", {"periode": period, **filters}, len(rows) - 1, now)
        output.parent.mkdir(parents=True, exist_ok=True)
        if output.suffix == ".csv":
            output.write_text(itables.to_csv(iter(rows)), encoding="utf-8")
        else:
            output.write_bytes(
                itables.to_xlsx(iter(rows), itables.methods_note(sop, figs.threshold, state["lang"]))
            )
    typer.echo(ngettext("{n} ligne → {path}", "{n} lignes → {path}", len(rows) - 1, path=output))


@app.command("dhis2")
def dhis2_cmd(
    period: PeriodOpt,
    mapping: Annotated[Path, typer.Option(help="Fichier de correspondance DHIS2 (YAML)")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Fichier écrit (JSON ou XML)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json (dataValueSets) ou adx")] = "json",
    post: Annotated[str | None, typer.Option(help="URL du serveur DHIS2 (POST /api/dataValueSets)")] = None,
    user: Annotated[
        str | None, typer.Option(help="Utilisateur DHIS2 (mot de passe : $MNO_DHIS2_PASSWORD)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="dryRun=true : DHIS2 vérifie sans importer")
    ] = False,
    sop_id: SopOpt = None,
) -> None:
    """Valeurs DHIS2 (dataValueSets JSON ou ADX XML) des indicateurs ; --post les envoie.

    DHIS2 data values of the indicators; suppressed cells are never sent (listed as warnings)."""
    from ..indicators import dhis2, history
    from ..indicators.service import organisations
    from ..sop.diagnostics import SOPError

    p = _period(period)
    if fmt not in ("json", "adx"):
        fail(_("--format json ou adx"))
    if post and fmt != "json":
        fail(_("--post envoie du JSON (dataValueSets)"))
    if not mapping.is_file():
        fail(_("Fichier introuvable : {path}", path=mapping))
    engine = open_engine(clock=None)
    with errors(), engine.sessions.begin() as s:
        sop = _chosen_sop(engine, s, sop_id)
        try:
            m = dhis2.load_mapping(mapping, sop)
        except SOPError as e:
            for d in e.diagnostics:
                typer.echo(d.format(state["lang"]), err=True)
            raise typer.Exit(1) from None
        now = engine.clock.now()
        _names, types = organisations(s)
        exp = dhis2.build(history.load(s), sop, m, p, now, org_type=types.get)
        log_cli_export(
            s,
            f"dhis2.{fmt}",
            {"periode": period, "mapping": str(mapping), "post": bool(post)},
            len(exp.values),
            now,
        )
    payload = dhis2.data_value_sets(exp)
    for w in exp.warnings:
        typer.echo(_("attention : {warning}", warning=w), err=True)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "adx":
            if not exp.values:  # the ADX schema requires at least one group with one dataValue
                fail(_("Aucune valeur à écrire (ADX exige au moins une valeur)"))
            output.write_bytes(dhis2.adx(exp, m))
        else:
            output.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        typer.echo(ngettext("{n} valeur → {path}", "{n} valeurs → {path}", len(exp.values), path=output))
    if post:
        if not user:
            fail(_("--user est requis avec --post"))
        password = os.environ.get("MNO_DHIS2_PASSWORD")
        if not password:
            fail(_("Mot de passe absent : définissez MNO_DHIS2_PASSWORD"))
        try:
            summary = dhis2.post(post, payload, user, password, dry_run=dry_run)
        except Exception as e:  # network or server refusal: one line, exit 1
            fail(_("Envoi DHIS2 impossible : {error}", error=error_text(e)))
        counts = summary.get("importCount") or (summary.get("response") or {}).get("importCount") or {}
        status = summary.get("status") or (summary.get("response") or {}).get("status")
        counted = ", ".join(_import_count(k, v) for k, v in counts.items())
        typer.echo(_("Réponse de DHIS2 (essai, dryRun) : {status} ; {counts}", status=status, counts=counted)
                   if dry_run else _("Réponse de DHIS2 : {status} ; {counts}", status=status, counts=counted))
        if status not in ("SUCCESS", "OK", "WARNING"):
            raise typer.Exit(1)


def _import_count(key: str, n: Any) -> str:
    """One count of DHIS2's import summary in words (« 3 importées »); a key DHIS2 adds later is
    shown as DHIS2 names it."""
    if not isinstance(n, int):
        return f"{key} {n}"
    if key == "imported":
        return ngettext("{n} importée", "{n} importées", n)
    if key == "updated":
        return ngettext("{n} mise à jour", "{n} mises à jour", n)
    if key == "ignored":
        return ngettext("{n} ignorée", "{n} ignorées", n)
    if key == "deleted":
        return ngettext("{n} supprimée", "{n} supprimées", n)
    return f"{key} {n}"
