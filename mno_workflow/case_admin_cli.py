"""``mno case reopen``: reopen a closed case with a reason, as the web UI and the API do."""

from __future__ import annotations

from typing import Annotated

import typer


def case_reopen(reference: str,
                reason: Annotated[str, typer.Option("--reason", help="Motif (obligatoire, audité)")],
                actor: Annotated[str, typer.Option("--as", help="UTILISATEUR:ROLE (rôles de reopen.by "
                                                                "de la POS)")] = "",
                expected_version: Annotated[int | None, typer.Option(help="Version vue du dossier")] = None
                ) -> None:
    """Rouvrir un dossier clos avec un motif (rôles prévus par la POS) ; l'étape de reprise redémarre
    et ses délais sont armés. / Reopen a closed case with a reason."""
    from .commands.common import errors as _errors
    from .commands.common import fail, open_engine
    from .commands.common import parse_actor as _actor
    from .commands.common import state as _state
    if not actor:
        fail("--as UTILISATEUR:ROLE est obligatoire", 2)
    who = _actor(actor)
    engine = open_engine()
    with _errors():
        r = engine.reopen(reference, who, reason, expected_version=expected_version)
    started = ", ".join(r.started) or "-"
    typer.echo(f"{r.reference} v{r.version} : rouvert ; redémarre : {started}" if _state["lang"] == "fr"
               else f"{r.reference} v{r.version}: reopened; restarts: {started}")
