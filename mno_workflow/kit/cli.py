"""``mno test``: run SOP scenarios on a simulated clock and print results and coverage.

The command function :func:`test` is mounted on the main Typer app as ``mno test``; ``app`` is a
one-command Typer app for running it on its own (``python -m mno_workflow.kit.cli``) and in tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import ngettext
from .i18n import LANG
from .report import coverage_failures, json_report, text_report
from .runner import discover, run


def test(paths: Annotated[list[Path], typer.Argument(
             help="Scénarios (YAML) ou dossiers ; un dossier de POS exécute son sous-dossier scenarios/.")],
         fmt: Annotated[str, typer.Option("--format", help="text ou json")] = "text",
         min_coverage: Annotated[float | None, typer.Option(
             "--min-coverage", help="Échoue si la couverture des états ou des transitions est "
                                    "inférieure à N %.", min=0, max=100)] = None,
         ) -> None:
    """Exécute les scénarios d'une POS sur une horloge simulée ; affiche les échecs et la couverture.

    Code de sortie 0 si tout passe (et la couverture atteint --min-coverage), 1 sinon."""
    from ..commands.common import _, error_line, lang
    if fmt not in ("text", "json"):
        typer.echo(_("--format : text ou json."), err=True)
        raise typer.Exit(2)
    missing = [p for p in paths if not p.exists()]
    if missing:
        from ..i18n.files import file_error
        for p in missing:
            typer.echo(error_line(file_error(p).text(lang()), "file_not_found"), err=True)
        raise typer.Exit(1)
    if not discover(paths):
        typer.echo(_("Aucun scénario trouvé (fichiers YAML commençant par « scenario: »)."), err=True)
        raise typer.Exit(1)
    from ..commands.common import state as _state  # --lang of the main app (mno --lang en test)
    token = LANG.set(_state.get("lang", "fr"))
    try:
        result = run(paths)
        typer.echo(json_report(result, min_coverage) if fmt == "json" else text_report(result, min_coverage))
        failed = not result.ok or bool(coverage_failures(result, min_coverage))
        if fmt != "json":
            for line in simulation_lines(result):
                typer.echo(line)
    finally:
        LANG.reset(token)
    raise typer.Exit(1 if failed else 0)


def simulation_lines(result) -> list[str]:
    """``mno validate --simulate`` findings of each SOP the scenarios ran on (advice: they do not
    change the exit code; ``mno validate --simulate --strict`` does)."""
    from ..sop.diagnostics import SOPError
    from ..sop.loader import load_file
    from .simulate import simulate
    lines: list[str] = []
    for cov in result.coverage:
        try:
            found = simulate(load_file(cov.path))
        except SOPError:
            continue  # reported as a failed scenario already
        lines.append("")
        lines.append(ngettext("Simulation de {path} : {n} constat", "Simulation de {path} : {n} constats",
                              len(found), LANG.get(), path=cov.path))
        lines += [f"  {d.format(LANG.get())}" for d in found]
    return lines


app = typer.Typer(add_completion=False, help="Tests de POS par scénarios.")
app.command(name="test")(test)


if __name__ == "__main__":  # pragma: no cover
    app()
