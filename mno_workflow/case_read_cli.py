"""``mno case show`` and ``mno case list``: a case, or the cases, as the administrator sees them
(no ``--as``, or ``--as system``: every case) or as one account sees them with ``--as USER:ROLE``,
by the web's and the API's rule (:mod:`mno_workflow.web.access`, as ``export-person`` and
``erase`` apply it): a case manager the cases assigned to them, a supervisor their region's, a
coordinator every case, a provider focal point only the referrals addressed to its organisation,
with the data the consent in force covers (:mod:`.case_read_provider`); the other roles open no
case (tryout 5, G8)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from .commands.common import FormatOption, _, error_line, fail, open_engine, state

ReaderOption = Annotated[str, typer.Option(
    "--as", help="UTILISATEUR:ROLE : ce que ce compte voit, comme sur le web et l'API (sans --as : "
                 "la vue d'administration, tous les dossiers)")]


def reader(actor: str, references: list[str] | None = None) -> Any:
    """The ``users`` row ``--as`` names (checked as every command checks it), or None for the
    administrator's view (no ``--as``, or ``--as system``). A role that opens no case — neither a
    case role nor a provider — is refused here; with ``references``, a case role must be allowed
    on each (:func:`.cli_identity.check_case_scope`, the web's rule)."""
    if not actor or actor.strip() == "system":
        return None
    from .cli_identity import SYSTEM_USER, check_case_scope
    from .commands.common import errors, parse_actor
    from .engine.errors import Message, RoleName
    from .store.models import User
    from .web.access import CASE_ROLES
    who = parse_actor(actor)
    if who.user == SYSTEM_USER:
        return None
    engine = open_engine()
    with engine.sessions() as s, errors():
        user = s.get(User, who.user)
        if user.role not in CASE_ROLES | {"provider"}:  # the web: no case page, no case list
            fail(error_line(Message.t("le rôle « {role} » n'ouvre pas de dossier",
                                      role=RoleName(user.role)).text(state["lang"])))
        if user.role in CASE_ROLES and references:
            check_case_scope(s, who, references, reading=True)
        s.expunge(user)
        return user


def case_show(reference: str, fmt: FormatOption = "text", actor: ReaderOption = "") -> None:
    """Afficher un dossier : étapes, états, données et journal d'audit ; avec --as, ce que ce compte
    en voit (un point focal de prestataire : ses référencements, selon le consentement).

    Show a case; with --as, what that account sees of it (a provider: its referrals, under consent)."""
    from .protection.viewlog import log_cli_view
    from .store import repository
    from .views import audit_lines, case_as_dict, case_lines, dues_of, names_for
    user = reader(actor, [reference])
    engine = open_engine(read_only=True)
    with engine.sessions() as s:
        case = repository.get_case(s, reference)
        if case is None:
            fail(error_line(_("Dossier introuvable : {reference}", reference=reference), "case_not_found"))
        sop = engine.registry.for_case(case).sop
        if user is not None and user.role == "provider":
            from .case_read_provider import show_referrals
            show_referrals(s, sop, case, user, fmt, engine.clock.now())
            s.commit()
            return
        events = repository.trail(s, case)
        if user is None:
            log_cli_view(s, case, engine.clock.now())
        else:  # the account's read, as the API logs it
            from .web.queries import log_view
            log_view(s, user, case, "cli", engine.clock.now())
        s.commit()
        if fmt == "json":
            from .directory import organisations_off_platform
            off = organisations_off_platform(s, [i.recipient for i in case.instances], sop_id=sop.sop)
            typer.echo(json.dumps(case_as_dict(case, sop, events, off, dues_of(s, case)), ensure_ascii=False,
                                  indent=2))
        else:
            from .engine import erasure_words
            names = names_for(s, case, events)  # the assignee, actors and organisations by name
            erasure = erasure_words.erasure_of(s, case)  # when and why, in words (F31)
            banner = [erasure_words.banner(erasure, state["lang"], sop.calendar.timezone)] if erasure else []
            from .engine.timers import calendar_for
            lines = case_lines(case, sop, state["lang"], names, dues_of(s, case), engine.clock.now(),
                               calendar_for(s, sop, state["lang"]))
            lines[2:2] = banner  # after the name line
            for line in lines + [""] + audit_lines(events, sop, state["lang"], names):
                typer.echo(line)


class CaseStatus(StrEnum):
    """The values of ``mno case list --status`` (a case is open or closed)."""

    open = "open"
    closed = "closed"


def case_list(fmt: FormatOption = "text",
              search: Annotated[str | None, typer.Option(help="Référence ou nom (sans accents ni "
                                                               "majuscules)")] = None,
              status: Annotated[CaseStatus | None, typer.Option(
                  help="État du dossier : open (ouvert) ou closed (clos)")] = None,
              region: Annotated[str | None, typer.Option(help="Code de la région (ex. kadiogo)")] = None,
              step: Annotated[str | None, typer.Option(help="Étape en cours (identifiant de la POS)")] = None,
              state_: Annotated[str | None, typer.Option("--state", help="État de cette étape (identifiant "
                                                                         "de la POS)")] = None,
              assignee: Annotated[str | None, typer.Option(help="Identifiant du gestionnaire")] = None,
              overdue: Annotated[bool, typer.Option("--overdue", help="Seulement les dossiers en retard")]
              = False, limit: int = 100, actor: ReaderOption = "") -> None:
    """Lister les dossiers, les plus récents d'abord (recherche sans accents ni majuscules) ; avec
    --as, ceux que ce compte voit (un point focal de prestataire : ses référencements).

    List cases, newest first; with --as, those that account sees (a provider: its referrals)."""
    from .store import repository
    from .views import Names
    user = reader(actor)
    engine = open_engine(read_only=True)
    with engine.sessions() as s:
        _check_region(engine, s, region)
        where = None
        if user is not None:
            from .web import access
            where = access.case_clause(user) if user.role != "provider" else _referred_to(user)
        if user is not None and user.role == "provider" and search:
            # a provider may not read every name: its search matches references only, so a name
            # the consent withholds is never confirmed by a match
            from sqlalchemy import and_

            from .store.models import Case
            where, search = and_(where, Case.reference.contains(search.strip().upper())), None
        cases = repository.list_cases(s, search=search, status=status.value if status else None,
                                      region=region, step=step,
                                      state=state_, assignee=assignee, limit=limit,
                                      overdue_at=engine.clock.now() if overdue else None, where=where)
        if user is not None and user.role == "provider":
            from .case_read_provider import list_referrals
            list_referrals(s, engine, cases, user, fmt)
            s.commit()
            return
        if user is not None:  # names are personal data: the account's reads are logged (as the API)
            from .web.queries import log_views
            log_views(s, user, [c.reference for c in cases], "cli", engine.clock.now())
            s.commit()
        rows, shown = [], []
        users = _user_names(s, {c.assignee for c in cases})
        for c in cases:
            open_steps = [f"{i.step}:{i.key}={i.state}" for i in c.instances if not i.final]
            rows.append({"reference": c.reference, "status": c.status, "name": c.display_name,
                         "region": c.region, "assignee": c.assignee, "version": c.version,
                         "open_steps": open_steps, "updated_at": c.updated_at.isoformat()})
            if fmt != "json":
                shown.append(_list_row(c, engine.registry.for_case(c).sop, Names(users)))
    if fmt == "json":  # the codes, for scripts
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not shown:  # stdout stays empty for scripts
        typer.echo(_("Aucun dossier."), err=True)
        return
    typer.echo("\t".join([_("Référence"), _("État du dossier"), _("Nom"), _("Région"), _("Gestionnaire"),
                          _("Étapes en cours")]))
    for line in shown:
        typer.echo("\t".join(line))


def _referred_to(user: Any) -> Any:
    """SQL condition on ``Case``: a referral of the case is addressed to ``user``'s organisation
    (which of them the provider may see is decided per referral, :mod:`.case_read_provider`)."""
    from sqlalchemy import exists

    from .store.models import Case, StepInstance
    return exists().where(StepInstance.case_id == Case.id, StepInstance.recipient == user.organisation)


def _check_region(engine: Any, session: Any, region: str | None) -> None:
    """``--region`` must be a region code of a loaded SOP: an unknown one is named with the known
    ones (the nearest first), as ``mno user add`` does, not answered « Aucun dossier » (tryout 5,
    G18). Exit 1."""
    if not region:
        return
    from .user_checks import known_regions, region_problem
    if (problem := region_problem(region, known_regions(session, engine.registry))) is not None:
        fail(error_line(problem.text(state["lang"])))


def _user_names(session, ids: set) -> dict[str, str]:
    """Display names of the users ``ids`` (those that have one)."""
    from sqlalchemy import select

    from .store.models import User
    ids = ids - {None, ""}
    return {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))
            if u.display_name} if ids else {}


def _list_row(case, sop, names) -> list[str]:
    """One row of ``mno case list`` in words of the ``--lang`` language: the status, the region's
    and the open steps' and states' labels of the SOP, the assignee's name."""
    from .i18n import colon, listed
    lang = state["lang"]
    status = {"open": _("ouvert"), "closed": _("clos")}.get(case.status, case.status)
    region = sop.label(sop.options.get("region", {}).get(case.region or ""), lang) or case.region or "-"
    steps = []
    for inst in case.instances:
        if inst.final or inst.step not in sop.steps:
            continue
        st = sop.steps[inst.step]
        need = sop.options.get("need", {}).get(inst.key)
        words = sop.label(st.label, lang) + (f" — {sop.label(need, lang)}" if need else "")
        label = sop.label(st.states[inst.state].label, lang) if inst.state in st.states else inst.state
        steps.append(f"{words}{colon(lang)}{label}")
    from .views import name_of
    return [case.reference or "-", status, name_of(case, lang), region,
            names.user(case.assignee) if case.assignee else "-", listed(steps, lang) or "-"]
