"""``mno case create|fire|prefill|show|list|extend|pause|resume|reassign|erase|export-person|reopen|correct``:
cases from the command line (erase, export-person, reopen and correct live in their own modules)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..i18n import ngettext
from .common import (
    AsOption,
    FormatOption,
    SopArg,
    _,
    error_line,
    errors,
    fail,
    fail_file,
    open_engine,
    parse_actor,
    sop_id_loading,
    state,
)

app = typer.Typer(help="Créer, faire avancer et consulter les dossiers.", no_args_is_help=True)
InstanceArg = Annotated[str, typer.Argument(help="Étape:clé, ex. referral:medical")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Motif (obligatoire, audité)")]


@app.command("create")
def case_create(sop: SopArg = "mnr_bf", actor: AsOption = "", assignee: str | None = None,
                data: Annotated[list[str] | None, typer.Option(
                    "--data", help="Fiche d'enregistrement : champ=valeur (répétable), même transaction")]
                = None,
                json_file: Annotated[Path | None, typer.Option("--json", help="Fiche en JSON")] = None,
                idempotency_key: Annotated[str | None, typer.Option(
                    help="Clé d'idempotence : une reprise avec la même clé rend le même dossier")] = None
                ) -> None:
    """Ouvrir un dossier à la première étape de la POS (avec --data/--json : et l'enregistrer, en
    une transaction) ; affiche sa référence. / Open a case."""
    from ..engine.opening import MAX_KEY, IdempotencyKeyInvalid, open_case, registration
    who = parse_actor(actor)
    engine = open_engine()
    sop_id = sop_id_loading(engine, sop)
    trigger, payload = "", {}
    if data or json_file:
        with engine.sessions() as s, errors():
            model = engine.registry.compiled(engine.registry.latest(s, sop_id)).sop
        tr = registration(model, who.role)
        if tr is None:
            fail(_("Le rôle « {role} » n'a pas de fiche d'enregistrement à la création.", role=who.role), 2)
        trigger, payload = tr.trigger, _payload(model, tr.trigger, data or [], json_file)
    with errors():
        try:
            opened = open_case(engine, sop_id, who, payload, trigger=trigger or "", assignee=assignee,
                               idempotency_key=idempotency_key)
        except IdempotencyKeyInvalid:
            fail(_("--idempotency-key : de 1 à {n} caractères", n=MAX_KEY), 2)
    typer.echo(opened.reference)


def _payload(sop, trigger: str, data: list[str], json_file: Path | None) -> dict[str, Any]:
    from ..engine.forms import coerce_cli_value
    payload: dict[str, Any] = {}
    if json_file:
        try:
            payload = json.loads(json_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            fail_file(json_file, e)
        except ValueError as e:
            fail(_("{path}: JSON illisible : {error}", path=json_file, error=e))
        if not isinstance(payload, dict):
            fail(_("{path}: un objet JSON {{...}} est attendu", path=json_file))
    forms = _form_of(sop, trigger)
    if len(forms) > 1:  # form: [a, b]: --json is {form: {...}}; --data field=value or form.field=value
        from ..engine.multiform import split_flat
        flat = {}
        for item in data:
            key, sep, value = item.partition("=")
            if not sep or not key:
                fail(_("--data attend clé=valeur, reçu {item!r}", item=item), 2)
            flat[key] = value
        for fid, part in split_flat(sop, _transition_of(sop, trigger), flat).items():
            if isinstance(part, dict) and fid in forms:
                got = payload.setdefault(fid, {})
                if not isinstance(got, dict):
                    fail(_("--json : « {form} » doit être un objet {{champ: valeur}}", form=fid), 2)
                got.update({k: coerce_cli_value(sop, fid, k, v) for k, v in part.items()})
            else:
                payload[fid] = part  # not a field of any form: the engine names it
        return payload
    form_id = forms[0] if forms else None
    for item in data:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(_("--data attend clé=valeur, reçu {item!r}", item=item), 2)
        payload[key] = coerce_cli_value(sop, form_id, key, value) if form_id else value
    return payload


def engine_sop(engine, reference: str):
    """The SOP of the case ``reference`` (exit 1 when the case does not exist)."""
    from ..store import repository
    with engine.sessions() as s, errors():
        case = repository.get_case(s, reference)
        if case is None:
            fail(error_line(_("Dossier introuvable : {reference}", reference=reference), "case_not_found"))
        return engine.registry.for_case(case).sop


def _transition_of(sop, trigger: str):
    """The first transition of ``trigger`` that has a form (None when none has)."""
    return next((t for step in sop.steps.values() for t in step.transitions
                 if t.trigger == trigger and t.forms), None)


def _form_of(sop, trigger: str) -> list[str]:
    """The form ids of ``trigger`` (``form: a`` → ``[a]``, ``form: [a, b]`` → both; ``[]``)."""
    t = _transition_of(sop, trigger)
    return t.forms if t else []


@app.command("fire")
def case_fire(reference: str, trigger: str, actor: AsOption = "",
              data: Annotated[list[str] | None, typer.Option("--data", help="champ=valeur (répétable; "
                                                                              "listes : a,b)")] = None,
              json_file: Annotated[Path | None, typer.Option("--json", help="Fichier JSON")] = None,
              instance: Annotated[str | None, typer.Option(help="Étape:clé, ex. referral:medical")] = None,
              expected_version: Annotated[int | None, typer.Option(help="Version vue du dossier")] = None,
              no_prefill: Annotated[bool, typer.Option(
                  "--no-prefill", help="Ne pas compléter avec les données du signalement")] = False
              ) -> None:
    """Faire avancer un dossier : déclencher TRIGGER en tant que --as UTILISATEUR:ROLE, avec les
    données du formulaire. Un dossier ouvert par un signalement : les champs non donnés prennent
    les valeurs du signalement, comme la page (--no-prefill : non ; « champ= » vide un champ).

    Fire a trigger (fields not given take the alert's values, as on the page)."""
    who = parse_actor(actor, [reference])
    engine = open_engine()
    sop = engine_sop(engine, reference)  # read once: the case stays on its SOP version
    payload = _payload(sop, trigger, data or [], json_file)
    prefilled: dict[str, list[str]] = {}
    if not no_prefill:  # engine/prefill.py: the same pre-fill as the page and the API
        from ..engine.prefill import complete, transition_of
        from ..store import repository
        with engine.sessions() as s:
            case = repository.get_case(s, reference)
            tr = transition_of(sop, case, trigger, who.role, instance) if case is not None else None
            if tr is not None:
                payload, prefilled = complete(sop, case, tr, payload)
    with errors():
        r = engine.fire(reference, trigger, who, payload, instance=instance,
                        expected_version=expected_version)
    lang = state["lang"]
    st = sop.steps[r.step]
    before, after = (sop.label(st.states[x].label, lang) for x in (r.from_state, r.to_state))
    from ..i18n import colon
    typer.echo(f"{r.reference} v{r.version} · {sop.label(st.label, lang)} [{r.instance}]{colon(lang)}"
               f"{before} → {after}")
    for key in r.started:
        step_id = key.split(":")[0]
        typer.echo(f"  + {sop.label(sop.steps[step_id].label, lang)} [{key}]")
    if r.case_closed:
        typer.echo("  " + _("Dossier clos."))
    for form_id, fields in prefilled.items():
        typer.echo("  " + _("Pré-rempli depuis le signalement ({form}) : {fields}", form=form_id,
                            fields=", ".join(fields)))
    if who.role != "provider":  # the warning of the case page (directory/need_check.py)
        from ..directory.need_check import warnings_after_fire
        for warning in warnings_after_fire(engine.sessions, sop, r.reference, r.step, r.instance,
                                           r.trigger, r.from_state, lang):
            typer.echo("  " + warning, err=True)


@app.command("prefill")
def case_prefill(reference: str, trigger: str, actor: AsOption = "",
                 instance: Annotated[str | None, typer.Option(help="Étape:clé")] = None) -> None:
    """Les valeurs pré-remplies du formulaire de TRIGGER (dossier ouvert par un signalement), en
    JSON {formulaire: {champ: valeur}}. / The values TRIGGER's form opens with, as JSON."""
    from ..engine.prefill import prefill, transition_of
    from ..store import repository
    who = parse_actor(actor, [reference])
    engine = open_engine()
    sop = engine_sop(engine, reference)
    with engine.sessions() as s:
        case = repository.get_case(s, reference)
        tr = transition_of(sop, case, trigger, who.role, instance)
        forms = tr.forms if tr is not None else []
        typer.echo(json.dumps({f: prefill(sop, case, f) for f in forms}, ensure_ascii=False, indent=2))


@app.command("show")
def case_show(reference: str, fmt: FormatOption = "text") -> None:
    """Afficher un dossier : étapes, états, données et journal d'audit."""
    from ..protection.viewlog import log_cli_view
    from ..store import repository
    from ..views import audit_lines, case_as_dict, case_lines, dues_of, names_for
    engine = open_engine(read_only=True)
    with engine.sessions() as s:
        case = repository.get_case(s, reference)
        if case is None:
            fail(error_line(_("Dossier introuvable : {reference}", reference=reference), "case_not_found"))
        sop = engine.registry.for_case(case).sop
        events = repository.trail(s, case)
        log_cli_view(s, case, engine.clock.now())
        s.commit()
        if fmt == "json":
            from ..directory import organisations_off_platform
            off = organisations_off_platform(s, [i.recipient for i in case.instances])
            typer.echo(json.dumps(case_as_dict(case, sop, events, off, dues_of(s, case)), ensure_ascii=False,
                                  indent=2))
        else:
            from ..engine import erasure_words
            names = names_for(s, case, events)  # the assignee, actors and organisations by name
            erasure = erasure_words.erasure_of(s, case)  # when and why, in words (F31)
            banner = [erasure_words.banner(erasure, state["lang"], sop.calendar.timezone)] if erasure else []
            from ..engine.timers import calendar_for
            lines = case_lines(case, sop, state["lang"], names, dues_of(s, case), engine.clock.now(),
                               calendar_for(s, sop, state["lang"]))
            lines[2:2] = banner  # after the name line
            for line in lines + [""] + audit_lines(events, sop, state["lang"], names):
                typer.echo(line)


class CaseStatus(StrEnum):
    """The values of ``mno case list --status`` (a case is open or closed)."""

    open = "open"
    closed = "closed"


@app.command("list")
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
              = False, limit: int = 100) -> None:
    """Lister les dossiers, les plus récents d'abord (recherche sans accents ni majuscules)."""
    from ..store import repository
    from ..views import Names
    engine = open_engine(read_only=True)
    with engine.sessions() as s:
        cases = repository.list_cases(s, search=search, status=status.value if status else None,
                                      region=region, step=step,
                                      state=state_, assignee=assignee, limit=limit,
                                      overdue_at=engine.clock.now() if overdue else None)
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


def _user_names(session, ids: set) -> dict[str, str]:
    """Display names of the users ``ids`` (those that have one)."""
    from sqlalchemy import select

    from ..store.models import User
    ids = ids - {None, ""}
    return {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))
            if u.display_name} if ids else {}


def _list_row(case, sop, names) -> list[str]:
    """One row of ``mno case list`` in words of the ``--lang`` language: the status, the region's
    and the open steps' and states' labels of the SOP, the assignee's name."""
    from ..i18n import colon, listed
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
    from ..views import name_of
    return [case.reference or "-", status, name_of(case, lang), region,
            names.user(case.assignee) if case.assignee else "-", listed(steps, lang) or "-"]


@app.command("extend")
def case_extend(reference: str, instance: InstanceArg,
                by: Annotated[str, typer.Option("--by", help="Durée, ex. « 3 jours ouvrés », « 48 heures », "
                                                             "« 5 working days »")],
                reason: ReasonOption, actor: AsOption = "",
                from_due: Annotated[bool, typer.Option("--from-due", help="Compter depuis l'échéance "
                                                                          "actuelle, pas depuis maintenant")]
                = False) -> None:
    """Prolonger le délai d'une étape (en cours, dépassé ou escaladé), avec un motif.

    Extend a deadline (running, overdue or escalated) with a reason; from now, or --from-due."""
    who = parse_actor(actor, [reference])
    engine = open_engine()
    with errors():
        due = engine.extend_deadline(reference, instance, by, reason, who, from_due=from_due)
    _new_due(engine, reference, instance, due)


@app.command("pause")
def case_pause(reference: str, instance: InstanceArg, reason: ReasonOption, actor: AsOption = "") -> None:
    """Suspendre le délai en cours d'une étape (aucun rappel jusqu'à la reprise). / Pause a deadline."""
    who = parse_actor(actor, [reference])
    engine = open_engine()
    with errors():
        engine.pause_deadline(reference, instance, reason, who)
    typer.echo(_("{reference} [{instance}] : délai suspendu", reference=reference, instance=instance))


@app.command("resume")
def case_resume(reference: str, instance: InstanceArg, actor: AsOption = "") -> None:
    """Reprendre un délai suspendu ; l'échéance est décalée de la durée de la suspension. / Resume."""
    who = parse_actor(actor, [reference])
    engine = open_engine()
    with errors():
        due = engine.resume_deadline(reference, instance, who)
    _new_due(engine, reference, instance, due)


def _new_due(engine, reference: str, instance: str, due) -> None:
    """« MNR-BF-000001 [referral:cash] : nouveau délai 10/06/2025 23:59 (Africa/Ouagadougou) »:
    the new due instant (aware UTC) in the case's SOP time zone, day first like every page."""
    from ..i18n.dates import instant_text
    tz = engine_sop(engine, reference).calendar.timezone
    typer.echo(_("{reference} [{instance}] : nouveau délai {due} ({timezone})", reference=reference,
                 instance=instance, due=instant_text(due, state["lang"], tz), timezone=tz))


@app.command("reassign")
def case_reassign(references: Annotated[list[str], typer.Argument(help="Références des dossiers")],
                  to: Annotated[str, typer.Option("--to", help="Nouveau gestionnaire de cas")],
                  reason: ReasonOption, actor: AsOption = "") -> None:
    """Réattribuer des dossiers à un autre gestionnaire (tout ou rien, un événement d'audit par
    dossier). / Reassign cases."""
    who = parse_actor(actor, references)
    engine = open_engine()
    with errors():
        from ..cli_identity import check_assignee
        from ..store import repository
        with engine.sessions() as s:
            check_assignee(s, to, [c for c in (repository.get_case(s, r) for r in references) if c])
        changed = engine.reassign(references, to, who, reason)
    listed = f" : {', '.join(changed)}" if changed else ""
    typer.echo(ngettext("{n} dossier réattribué à {user}", "{n} dossiers réattribués à {user}", len(changed),
                        state["lang"], user=to) + listed)


def _register_admin_commands() -> None:
    """``case erase``, ``case export-person`` and ``case reopen`` (their modules are small and import
    the engine only when they run)."""
    from ..case_admin_cli import case_correct, case_reopen
    from ..person_cli import case_export_person
    from ..retention_cli import case_erase
    app.command("erase")(case_erase)
    app.command("export-person")(case_export_person)
    app.command("reopen")(case_reopen)
    app.command("correct")(case_correct)


_register_admin_commands()
