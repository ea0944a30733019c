"""``mno case reopen``: reopen a closed case with a reason, as the web UI and the API do."""

from __future__ import annotations

from typing import Annotated

import typer


def case_reopen(reference: str,
                reason: Annotated[str, typer.Option("--reason", help="Motif (obligatoire, audité)")],
                actor: Annotated[str, typer.Option("--as", help="UTILISATEUR:ROLE (rôles de reopen.by "
                                                                "de la POS)")] = "",
                expected_version: Annotated[int | None, typer.Option(help="Version vue du dossier")] = None,
                risk_level: Annotated[str | None, typer.Option(
                    "--risk-level", help="Niveau de risque du premier suivi : obligatoire si le dossier "
                                         "n'en a pas (clos à l'identification)")] = None
                ) -> None:
    """Rouvrir un dossier clos avec un motif (rôles prévus par la POS) ; l'étape de reprise redémarre
    et ses délais sont armés (le dernier niveau de risque connu, ou --risk-level). / Reopen a closed
    case with a reason."""
    from .commands.common import _, open_engine
    from .commands.common import errors as _errors
    from .commands.common import parse_actor as _actor
    if not actor:  # parse_actor says it: « erreur : --as UTILISATEUR:ROLE est obligatoire »
        _actor(actor)
    who = _actor(actor, [reference])
    engine = open_engine()
    with _errors():
        r = engine.reopen(reference, who, reason, expected_version=expected_version,
                          values={"risk_level": risk_level} if risk_level else None)
    started = ", ".join(r.started) or "-"
    typer.echo(_("{reference} v{version} : rouvert ; redémarre : {steps}", reference=r.reference,
                 version=r.version, steps=started))


def case_correct(reference: str,
                 step: Annotated[str, typer.Option("--step", help="Étape ou étape:clé (referral:medical)")],
                 to_state: Annotated[str, typer.Option("--state", help="Nouvel état de l'étape")],
                 reason: Annotated[str, typer.Option("--reason", help="Motif (obligatoire, audité)")] = "",
                 actor: Annotated[str, typer.Option("--as", help="UTILISATEUR:coordinator")] = "",
                 expected_version: Annotated[int | None, typer.Option(help="Version vue du dossier")] = None
                 ) -> None:
    """Corriger l'état d'une étape (coordination), avec un motif : audité avant/après, délais
    réarmés, règles d'enchaînement appliquées. / Correct a step's state (coordinator), audited."""
    from .commands.common import _, error_line, fail, lang, open_engine
    from .commands.common import errors as _errors
    from .commands.common import parse_actor as _actor
    from .engine.correct import correct_state
    from .i18n.dates import instant_text
    if not actor:  # parse_actor says it: « erreur : --as UTILISATEUR:ROLE est obligatoire »
        _actor(actor)
    if not reason.strip():
        fail(error_line(_("--reason est obligatoire")), 2)
    who = _actor(actor, [reference])
    engine = open_engine()
    from .engine.state_needs import StateNeedsData
    with _errors():
        try:
            r = correct_state(engine, reference, step, to_state, reason, who,
                              expected_version=expected_version)
        except StateNeedsData as e:  # one sentence (the data missing, the action recording it), not a form
            fail(error_line(e.text(lang())), 1)
    b, a = r["before"], r["after"]
    with engine.sessions() as s:  # deadlines in the time zone of the case's SOP calendar
        tz = engine.registry.for_case(engine._load_case(s, reference, lock=False)).sop.calendar.timezone
    typer.echo(_("{reference} v{version} [{instance}] : {before} → {after} ; délai {due_before} → "
                 "{due_after}", reference=r["reference"], version=r["version"], instance=r["instance"],
                 before=b["state"], after=a["state"],
                 due_before=instant_text(b["due_at"], lang(), tz) or "—",
                 due_after=instant_text(a["due_at"], lang(), tz) or "—"))
    for eff in r["effects"]:
        if "started" in eff:
            typer.echo(f"  + {eff['started']}")
        if eff.get("case_closed"):
            typer.echo("  " + _("Dossier clos."))
