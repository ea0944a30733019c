"""``mno case create|fire|prefill|show|list|extend|pause|resume|reassign|erase|export-person|reopen|correct``:
cases from the command line (show, list, erase, export-person, reopen and correct live in their own
modules)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..i18n import ngettext
from .common import (
    AsOption,
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
        except ValueError as e:  # « JSON illisible ligne 1, colonne 2 : … », never json's English
            from ..directory.read_words import json_error
            from ..i18n import colon
            from ..sop.diagnostics import text_in
            fail(f"{json_file}{colon(state['lang'])}{text_in(json_error(e), state['lang'])}")
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
    from ..case_read_provider import check_reach
    check_reach(engine, who, reference, instance, sop)  # another organisation's referral: not found
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
                                           r.trigger, r.from_state, lang, r.region_from):
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
        with engine.sessions() as s:  # the role first, then the new case manager (tryout 8, K3)
            cases = [c for c in (repository.get_case(s, r) for r in references) if c]
            check_assignee(s, to, [(c, engine.registry.for_case(c).sop) for c in cases], who.role)
        changed = engine.reassign(references, to, who, reason)
    listed = f" : {', '.join(changed)}" if changed else ""
    typer.echo(ngettext("{n} dossier réattribué à {user}", "{n} dossiers réattribués à {user}", len(changed),
                        state["lang"], user=to) + listed)


def _register_admin_commands() -> None:
    """``case show``, ``case list``, ``case erase``, ``case export-person``, ``case reopen`` and
    ``case correct`` (their modules are small and import the engine only when they run)."""
    from ..case_admin_cli import case_correct, case_reopen
    from ..case_read_cli import case_list, case_show
    from ..person_cli import case_export_person
    from ..retention_cli import case_erase
    app.command("show")(case_show)
    app.command("list")(case_list)
    app.command("erase")(case_erase)
    app.command("export-person")(case_export_person)
    app.command("reopen")(case_reopen)
    app.command("correct")(case_correct)


_register_admin_commands()
