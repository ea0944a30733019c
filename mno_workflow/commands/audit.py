"""``mno audit …``: verify the keyed chains (and replay them), write signed checkpoints, adopt legacy
chains.

Exit codes: 0 clean; 1 problems found (or legacy unkeyed events, unless ``--allow-legacy``);
2 usage errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import colon, ngettext
from ..sop.diagnostics import said, text_in
from .common import _, lang

app = typer.Typer(help="Journal d'audit : vérifier, points de contrôle signés, adoption des "
                       "anciennes chaînes.", no_args_is_help=True)


@app.command("verify")
def audit_verify(
        checkpoint: Annotated[Path | None, typer.Option(
            "--checkpoint", help="Fichier de point de contrôle signé (mno audit checkpoint -o)")] = None,
        allow_legacy: Annotated[bool, typer.Option(
            "--allow-legacy", help="Accepter les événements anciens non signés (avant adoption)")] = False,
        replay: Annotated[bool, typer.Option(
            "--replay/--no-replay", help="Rejouer les événements et comparer à l'état enregistré")] = True,
) -> None:
    """Vérifier le journal d'audit : chaque dossier (liens, clé, valeurs), les points de contrôle
    enregistrés et, avec --checkpoint, un point de contrôle gardé ailleurs (dossiers supprimés ou
    réécrits depuis) ; puis rejouer les événements de chaque dossier vers son état enregistré.
    Code 1 si un problème est trouvé.

    Verify the audit chains, the checkpoints, and replay every case."""
    from ..store.audit import verify_all
    from ..store.auditkey import AuditKeyError, audit_key
    from ..store.checkpoint import read_document, verify_document, verify_stored
    from .common import error_line, error_text, fail, open_engine
    from .common import errors as _errors
    doc = None
    if checkpoint is not None:
        try:
            doc = read_document(checkpoint)
        except ValueError as e:
            fail(error_line(error_text(e)), 2)
    engine = open_engine()
    with engine.sessions() as s, _errors():
        try:
            key = audit_key(s.get_bind().url)
        except AuditKeyError as e:
            fail(error_line(_("Clé d'audit illisible : {error}", error=error_text(e))))
        count, problems = verify_all(s, legacy=True)
        n_cp, cp_problems = verify_stored(s, key)
        if doc is not None:
            cp_problems += verify_document(s, doc, key, said("checkpoint {name}", name=checkpoint.name))
        replayed = []
        if replay:
            from ..engine.replay import replay_all
            replayed = replay_all(engine, s)
    legacy = [p for p in problems if p.kind == "legacy"]
    errors = [p for p in problems if p.kind != "legacy"] + cp_problems + replayed
    for p in errors:
        typer.echo(f"{text_in(p.reference, lang())} #{p.seq}{colon(lang())}{text_in(p.problem, lang())}",
                   err=True)
    legacy_cases = sorted({p.reference for p in legacy})
    if legacy:
        refs = ", ".join(legacy_cases[:10]) + (" …" if len(legacy_cases) > 10 else "")
        typer.echo(ngettext("{n} événement ancien non signé (legacy unkeyed) dans {cases} : {refs} — "
                            "l'adopter : mno audit rekey",
                            "{n} événements anciens non signés (legacy unkeyed) dans {cases} : {refs} — "
                            "les adopter : mno audit rekey", len(legacy), lang(), refs=refs,
                            cases=ngettext("{n} dossier", "{n} dossiers", len(legacy_cases), lang())),
                   err=True)
    parts = [ngettext("{n} dossier vérifié", "{n} dossiers vérifiés", count, lang()),
             ngettext("{n} problème", "{n} problèmes", len(errors), lang())]
    if legacy:
        parts.append(ngettext("{n} événement non signé", "{n} événements non signés", len(legacy), lang()))
    typer.echo(", ".join(parts) + ". "
               + _("Points de contrôle vérifiés : {n}.", n=n_cp + (doc is not None)))
    raise typer.Exit(1 if errors or (legacy and not allow_legacy) else 0)


@app.command("checkpoint")
def audit_checkpoint(
        output: Annotated[Path | None, typer.Option(
            "-o", "--output", help="Écrire aussi le point de contrôle signé dans ce fichier")] = None,
) -> None:
    """Enregistrer un point de contrôle signé de la tête de chaque dossier (détecte ensuite les
    dossiers supprimés) ; avec -o, l'écrire dans un fichier à garder ailleurs.

    Write a signed checkpoint of all case heads."""
    from datetime import UTC, datetime

    from ..cli_identity import os_user
    from ..store.auditkey import AuditKeyError
    from ..store.checkpoint import take_checkpoint, write_document
    from .common import error_line, error_text, fail, fail_write, open_engine
    from .common import errors as _errors
    engine = open_engine()
    with engine.sessions.begin() as s, _errors():
        try:
            cp = take_checkpoint(s, at=datetime.now(UTC), created_by=f"{os_user()} (cli)")
        except AuditKeyError as e:
            fail(error_line(_("Clé d'audit illisible : {error}", error=error_text(e))))
        s.flush()
        if output is not None:
            try:
                write_document(cp, output)
            except OSError as e:
                fail_write(output, e, nothing_saved=True)
        ident, n = cp.id, cp.case_count
    typer.echo(ngettext("Point de contrôle #{ident} : {n} dossier",
                        "Point de contrôle #{ident} : {n} dossiers", n, lang(), ident=ident)
               + (_(", écrit dans {path}", path=output) if output else ""))


@app.command("rekey")
def audit_rekey(
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer sans rien écrire")] = False,
) -> None:
    """Adopter les anciennes chaînes non signées : chaque dossier dont la chaîne ancienne est intacte
    est signé avec la clé d'audit ; un dossier dont la chaîne est cassée est listé et laissé tel quel.
    Prendre ensuite un nouveau point de contrôle.

    Adopt legacy (unkeyed) chains: re-sign them with the audit key after checking them."""
    from sqlalchemy import select

    from ..store.audit import rekey_case
    from ..store.models import AuditEvent, Case
    from .common import errors as _errors
    from .common import open_engine
    engine = open_engine()
    adopted_cases, adopted_events, refused = 0, 0, []
    with engine.sessions() as s, _errors():
        ids = s.scalars(select(AuditEvent.case_id).where(AuditEvent.scheme.is_(None)).distinct()).all()
        for case in s.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id)):
            n, problems = rekey_case(s, case)
            if problems:
                refused.append((case.reference, problems))
            elif n:
                adopted_cases, adopted_events = adopted_cases + 1, adopted_events + n
        if not dry_run:
            s.commit()
    for ref, problems in refused:
        for p in problems:
            typer.echo(_("{reference} #{seq} : {problem} — non adopté", reference=ref, seq=p.seq,
                         problem=text_in(p.problem, lang())), err=True)
    cases = ngettext("{n} dossier", "{n} dossiers", adopted_cases, lang())
    adopted = ngettext("{n} événement de {cases} serait adopté", "{n} événements de {cases} seraient adoptés",
                       adopted_events, lang(), cases=cases) if dry_run else \
        ngettext("{n} événement de {cases} adopté", "{n} événements de {cases} adoptés", adopted_events,
                 lang(), cases=cases)
    refused_text = ngettext("{n} dossier refusé (chaîne ancienne cassée).",
                            "{n} dossiers refusés (chaîne ancienne cassée).", len(refused), lang())
    typer.echo(adopted + " ; " + refused_text)
    raise typer.Exit(1 if refused else 0)
