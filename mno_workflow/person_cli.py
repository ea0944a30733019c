"""``mno case export-person``: a person's access request, as one printable HTML file or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def case_export_person(
        reference: str,
        output: Annotated[Path, typer.Option("-o", "--output", help="Fichier à écrire (.html ou .json)")],
        fmt: Annotated[str, typer.Option("--format", help="html ou json")] = "html",
        lang: Annotated[str | None, typer.Option("--lang", help="fr ou en (défaut : la langue de mno)")]
        = None,
        actor: Annotated[str, typer.Option("--as", help="UTILISATEUR:ROLE (rôle de portée « all », "
                                                        "ex. supervisor, coordinator)")] = "") -> None:
    """Tout ce qui est détenu sur la personne d'un dossier (données, étapes, référencements, journal
    d'audit en clair, consultations), en français ou en anglais, en un fichier HTML imprimable ou
    JSON. La demande est enregistrée dans le journal des consultations.

    Everything held about the person of a case (access request), as printable HTML or JSON."""
    from .commands.common import errors as _errors
    from .commands.common import fail, fail_write, open_engine
    from .commands.common import parse_actor as _actor
    from .commands.common import state as _state
    from .person_export import person_record, render_html
    from .store import repository
    if not actor:  # parse_actor says it: « erreur : --as UTILISATEUR:ROLE est obligatoire »
        _actor(actor)
    if fmt not in ("html", "json"):
        from .commands.common import _, error_line
        fail(error_line(_("--format : html ou json")), 2)
    who = _actor(actor)  # its scope on the case is checked after its role, below
    engine = open_engine()
    language = lang or _state["lang"]
    with engine.sessions.begin() as s, _errors():
        case = repository.get_case(s, reference)
        if case is None:
            from .commands.common import _, error_line
            fail(error_line(_("Dossier introuvable : {reference}", reference=reference)))
        sop = engine.registry.for_case(case).sop
        role = sop.roles.get(who.role)
        if role is None or role.scope != "all":
            allowed = ", ".join(r for r, x in sop.roles.items() if x.scope == "all")
            from .commands.common import _, error_line
            fail(error_line(_("le rôle « {role} » ne peut pas produire les données d'une personne "
                              "(rôles : {roles})", role=who.role, roles=allowed)))
        from .cli_identity import check_case_scope
        check_case_scope(s, who, [reference])  # the web's rule: a supervisor, their region's cases
        now = engine._now()
        record = person_record(s, case, sop, language, now)
        text = (json.dumps({k: v for k, v in record.items() if k != "words"}, ensure_ascii=False,
                           indent=1) + "\n" if fmt == "json"
                else render_html(record))
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            fail_write(output, e)
        try:
            from .web.models import CaseView
        except ImportError:  # no web extra: no view log table to write to
            CaseView = None  # noqa: N806
        if CaseView is not None:
            s.add(CaseView(case_id=case.id, user_id=who.user, role=who.role,
                           organisation=who.organisation, channel="export", instance="export-person",
                           at=now))
    typer.echo(f"{reference} : {output} ({fmt}, {language}).")
