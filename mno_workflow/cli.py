"""Command line (Typer): ``mno validate``, ``mno sop``, ``mno case``, ``mno audit``, ``mno demo``.

Every command reports problems as one clear line each and a non-zero exit code, never a
traceback: 1 for invalid input or a refused action, 2 for usage errors (Typer's own).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from .audit_cli import app as audit_app
from .calendar_cli import app as calendar_app
from .case_admin_cli import case_reopen
from .db_cli import app as db_app
from .directory import organisation_known
from .directory.cli import app as directory_app
from .engine.engine import Actor, WorkflowEngine
from .engine.errors import EngineError, FormInvalid
from .engine.forms import coerce_cli_value
from .interop.cli import intake_app, xlsform_cmd
from .kit.cli import test as kit_test
from .person_cli import case_export_person
from .protection.viewlog import log_cli_view
from .reminders.cli_outbox import app as outbox_app
from .render import cli as render_cli
from .retention_cli import app as retention_app
from .retention_cli import case_erase
from .sop.diagnostics import SOPError
from .sop.diff import sop_diff
from .sop.lint import lint
from .sop.loader import load_file
from .store import repository
from .store.base import database_url, make_engine
from .store.migrate import upgrade
from .store.models import SopVersion
from .user_cli import register as _register_user_commands
from .views import audit_lines, case_as_dict, case_lines

app = typer.Typer(help="MNO Workflow — POS exécutables du mécanisme national de référencement.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
sop_app = typer.Typer(help="Charger et lister les versions de POS.", no_args_is_help=True)
case_app = typer.Typer(help="Créer, faire avancer et consulter les dossiers.", no_args_is_help=True)
app.add_typer(sop_app, name="sop")
app.add_typer(case_app, name="case")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")
case_app.command("erase")(case_erase)
case_app.command("export-person")(case_export_person)
case_app.command("reopen")(case_reopen)
app.add_typer(directory_app, name="directory",
              help="Répertoire des prestataires de services (HSDS) : import, export, recherche.")
app.add_typer(db_app, name="db")
app.add_typer(outbox_app, name="outbox")
app.command("test")(kit_test)
app.command("xlsform")(xlsform_cmd)
app.add_typer(intake_app, name="intake")
app.command("diagram")(render_cli.diagram)
app.command("handbook")(render_cli.handbook)

_state: dict[str, Any] = {"db": None, "lang": "fr"}

DbOption = Annotated[str | None, typer.Option("--db", help="URL de la base (défaut : $MNO_DATABASE_URL "
                                                           "ou sqlite:///mno.db).")]


@app.callback()
def _root(db: DbOption = None,
          lang: Annotated[str, typer.Option("--lang", help="Langue des messages : fr ou en.")] = "fr"
          ) -> None:
    _state["db"] = db
    _state["lang"] = "en" if lang == "en" else "fr"
    if db:  # sub-apps (directory, db) read the same setting
        os.environ["MNO_DATABASE_URL"] = db


def fail(message: str, code: int = 1) -> None:
    """Print ``message`` on stderr and exit with ``code``."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def open_engine(clock: Any = None) -> WorkflowEngine:
    """The workflow engine on the selected database (tables created when missing)."""
    url = database_url(_state["db"])
    shown = _safe_url(url)
    if url.rstrip("/") in ("sqlite:", "sqlite:/", "sqlite://") or ":memory:" in url:
        fail(f"Base de données inaccessible ({shown}) : une base SQLite en mémoire ne garde rien ; "
             "donnez un fichier, ex. sqlite:///mno.db")
    try:
        upgrade(url)  # Alembic: a new database is created, an older one brought up to date
        db = make_engine(url)
    except (SQLAlchemyError, ValueError, OSError, ImportError) as e:
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        fail(f"Base de données inaccessible ({shown}) : {detail.replace(url, shown)}")
    engine = WorkflowEngine(db, clock, recipient_known=organisation_known)
    from .cli_identity import os_user
    engine.via, engine.os_user = "cli", os_user()  # recorded in every audit event the CLI writes
    return engine


def _safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL has no password to hide reliably
        return url.split("@")[-1] if "@" in url else url


# -- validate ------------------------------------------------------------------------------------
@app.command()
def validate(paths: Annotated[list[Path], typer.Argument(help="Fichiers ou dossiers de POS (YAML).")],
             fmt: Annotated[str, typer.Option("--format", help="text ou json")] = "text",
             strict: Annotated[bool, typer.Option(help="Les avertissements deviennent des erreurs.")] = False,
             simulate: Annotated[bool, typer.Option(
                 help="Évalue aussi la POS sur des dossiers d'exemple générés (délais, conditions, "
                      "déclencheurs automatiques).")] = False,
             ) -> None:
    """Vérifier des POS : une ligne « chemin:ligne:col: gravité CODE message » par problème ;
    code 1 en cas d'erreur.

    Check SOP files."""
    files: list[Path] = []
    imported: dict[Path, Path] = {}
    for p in paths:
        if p.is_dir():  # every SOP under the folder (scenario and data files are not SOPs)
            found = [f for f in sorted(p.rglob("*.y*ml")) if _looks_like_sop(f)]
            imported.update(imported_by(found))  # shared options/forms: checked with their SOP
            files += [f for f in found if f.resolve() not in imported]
        else:
            files.append(p)
    results, failed = [], False
    for part, owner in sorted(imported.items()):
        if fmt != "json":
            typer.echo(f"{part}: importé par / imported by {owner} (vérifié avec elle / checked with it)")
    for f in files:
        try:
            loaded = load_file(f)
            diags = lint(loaded)
            if simulate:
                from .kit.simulate import simulate as run_simulation
                diags = sorted(diags + run_simulation(loaded), key=lambda d: (d.line, d.col, d.code))
        except SOPError as e:
            diags = e.diagnostics
        if strict:
            diags = [d if d.justified else d.__class__(**{**d.as_dict(), "severity": "error"})
                     for d in diags]  # a warning the SOP accepts with a reason stays info
        failed |= any(d.severity == "error" for d in diags)
        results.append({"path": str(f), "valid": not any(d.severity == "error" for d in diags),
                        "diagnostics": [d.as_dict() for d in diags]})
        if fmt != "json":
            for d in diags:
                typer.echo(d.format())
            if not diags:
                typer.echo(f"{f}: ok")
    if fmt == "json":
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    if not files:
        fail("Aucun fichier de POS trouvé.")
    raise typer.Exit(1 if failed else 0)


def imported_by(files: list[Path]) -> dict[Path, Path]:
    """``{imported file (resolved): the SOP importing it}`` for the ``imports:`` of ``files``."""
    from .sop.loader import parse_yaml
    out: dict[Path, Path] = {}
    for f in files:
        try:
            data, _ = parse_yaml(f.read_text(encoding="utf-8"), str(f))
        except (OSError, UnicodeDecodeError, SOPError):
            continue  # reported when the file itself is validated
        entries = data.get("imports") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            out.setdefault((f.parent / str(entry)).resolve(), f)
    return out


def _looks_like_sop(path: Path) -> bool:
    """In a folder, every YAML file is checked except scenario files (``mno test`` reads those)."""
    if "scenarios" in path.parts:
        return False
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return True
    return not any(line.startswith("scenario:") for line in head.splitlines())


# -- sop -----------------------------------------------------------------------------------------
def _load_sop_or_fail(path: Path):
    try:
        return load_file(path)
    except SOPError as e:
        for d in e.diagnostics:
            typer.echo(d.format(), err=True)
        raise typer.Exit(1) from None


def sop_id_loading(engine: WorkflowEngine, sop: str) -> str:
    """The SOP id named by ``sop``: an id as given, or a YAML file's id once that file is
    registered as a version (errors are one line, exit 1)."""
    if sop.endswith((".yaml", ".yml")) or Path(sop).is_file():
        loaded = _load_sop_or_fail(Path(sop))
        with _errors():
            engine.load_sop(loaded)
        return loaded.model.sop
    return sop


@sop_app.command("load")
def sop_load(path: Path) -> None:
    """Enregistrer une version de POS dans la base (sans effet si le texte est identique).

    Register an SOP version."""
    loaded = _load_sop_or_fail(path)
    engine = open_engine()
    with _errors():
        engine.load_sop(loaded)
    typer.echo(f"POS {loaded.model.sop} version {loaded.model.version} chargée.")


@sop_app.command("list")
def sop_list() -> None:
    """Lister les versions de POS de la base. / List SOP versions."""
    engine = open_engine()
    with engine.sessions() as s:
        for row in s.scalars(select(SopVersion).order_by(SopVersion.id)):
            typer.echo(f"{row.sop_id}\t{row.version}\t{row.loaded_at:%Y-%m-%d %H:%M}Z\t{row.title}")


sop_app.command("diff")(sop_diff)


@sop_app.command("migrate")
def sop_migrate(source: Annotated[str, typer.Argument(help="Version d'origine, ex. mnr_bf@2025.1")],
                target: Annotated[str, typer.Argument(help="Version cible, ex. mnr_bf@2025.2")],
                mapping: Annotated[list[str] | None, typer.Option(
                    "--map", help="étape.ancien_état=nouvel_état (répétable)")] = None,
                case: Annotated[list[str] | None, typer.Option("--case", help="Seulement ce dossier "
                                                                              "(répétable)")] = None,
                dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer sans rien écrire")] = False,
                actor: AsOption = "") -> None:
    """Migrer les dossiers ouverts vers une autre version de POS, avec une correspondance d'états
    explicite (refusée si un dossier tomberait dans un état qui n'existe plus ; auditée).

    Migrate open cases to another SOP version."""
    from .engine.versions import migrate_cases
    if not actor:
        fail("--as UTILISATEUR:ROLE est obligatoire", 2)
    pairs = {}
    for item in mapping or []:
        key, sep, value = item.partition("=")
        if not sep or "." not in key or not value:
            fail(f"--map attend étape.ancien_état=nouvel_état, reçu {item!r}", 2)
        pairs[key.strip()] = value.strip()
    engine = open_engine()
    with _errors():
        plan = migrate_cases(engine, source, target, pairs, _actor(actor), references=case or None,
                             dry_run=dry_run)
    for ref, moves in plan.moves.items():
        changed = [f"{k}: {a} → {b}" for k, a, b in moves if a != b]
        typer.echo(f"{ref}\t{'; '.join(changed) or 'états inchangés'}")
    verb = "seraient migrés" if dry_run else "migrés"
    typer.echo(f"{len(plan.moves)} dossier(s) {verb} de {source} vers {target}.")


# -- case ----------------------------------------------------------------------------------------
class _errors:
    """Turn engine and database errors into one clear message and exit code 1."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        lang = _state["lang"]
        if isinstance(exc, FormInvalid):
            typer.echo(f"{exc.code}: " + ("Invalid form" if lang == "en" else "Formulaire invalide")
                       + f" « {exc.form_id} »", err=True)
            for k, m in exc.errors.items():
                typer.echo(f"  {k or '-'}: {m.text(lang)}", err=True)
            raise typer.Exit(1)
        if isinstance(exc, EngineError):
            typer.echo(f"{exc.code}: {exc.text(lang)}", err=True)
            raise typer.Exit(1)
        if isinstance(exc, OperationalError):
            typer.echo(f"database error: {str(exc.orig)}", err=True)
            raise typer.Exit(1)
        from .store.auditkey import AuditKeyError
        if isinstance(exc, AuditKeyError):  # nothing was written: the transaction rolled back
            typer.echo(f"audit_key: {exc} (see docs/audit.md)", err=True)
            raise typer.Exit(1)
        return False


def _actor(text: str) -> Actor:
    """The ``--as`` actor, checked against the users table (see ``cli_identity``)."""
    from .cli_identity import resolve_actor
    try:
        Actor.parse(text) if text.strip() != "system" else None
    except ValueError as e:
        fail(str(e), 2)
    engine = open_engine()
    with engine.sessions() as s, _errors():
        return resolve_actor(s, text)


SopArg = Annotated[str, typer.Option("--sop", help="Identifiant de POS chargée, ou chemin d'un "
                                                   "fichier YAML.")]
AsOption = Annotated[str, typer.Option("--as", help="UTILISATEUR:ROLE[@ORGANISATION] d'un compte existant, "
                                                    "ou system[:ROLE] pour un script")]


@case_app.command("create")
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
    from .engine.opening import IdempotencyKeyInvalid, open_case, registration
    if not actor:
        fail("--as UTILISATEUR:ROLE est obligatoire", 2)
    who = _actor(actor)
    engine = open_engine()
    sop_id = sop_id_loading(engine, sop)
    trigger, payload = "", {}
    if data or json_file:
        with engine.sessions() as s, _errors():
            model = engine.registry.compiled(engine.registry.latest(s, sop_id)).sop
        tr = registration(model, who.role)
        if tr is None:
            fail(f"Le rôle « {who.role} » n'a pas de fiche d'enregistrement à la création.", 2)
        trigger, payload = tr.trigger, _payload(model, tr.trigger, data or [], json_file)
    with _errors():
        try:
            opened = open_case(engine, sop_id, who, payload, trigger=trigger or "", assignee=assignee,
                               idempotency_key=idempotency_key)
        except IdempotencyKeyInvalid as e:
            fail(f"--idempotency-key : {e}", 2)
    typer.echo(opened.reference)


def _payload(sop, trigger: str, data: list[str], json_file: Path | None) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if json_file:
        try:
            payload = json.loads(json_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            fail(f"{json_file}: JSON illisible : {e}")
        if not isinstance(payload, dict):
            fail(f"{json_file}: un objet JSON {{...}} est attendu")
    form_id = _form_of(sop, trigger)
    for item in data:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--data attend clé=valeur, reçu {item!r}", 2)
        payload[key] = coerce_cli_value(sop, form_id, key, value) if form_id else value
    return payload


def engine_sop(engine: WorkflowEngine, reference: str):
    with engine.sessions() as s, _errors():
        case = repository.get_case(s, reference)
        if case is None:
            fail(f"case_not_found: Dossier introuvable : {reference}")
        return engine.registry.for_case(case).sop


def _form_of(sop, trigger: str) -> str | None:
    for step in sop.steps.values():
        for t in step.transitions:
            if t.trigger == trigger and t.form:
                return t.form
    return None


@case_app.command("fire")
def case_fire(reference: str, trigger: str, actor: AsOption = "",
              data: Annotated[list[str] | None, typer.Option("--data", help="champ=valeur (répétable; "
                                                                              "listes : a,b)")] = None,
              json_file: Annotated[Path | None, typer.Option("--json", help="Fichier JSON")] = None,
              instance: Annotated[str | None, typer.Option(help="Étape:clé, ex. referral:medical")] = None,
              expected_version: Annotated[int | None, typer.Option(help="Version vue du dossier")] = None
              ) -> None:
    """Faire avancer un dossier : déclencher TRIGGER en tant que --as UTILISATEUR:ROLE, avec les
    données du formulaire.

    Fire a trigger."""
    if not actor:
        fail("--as UTILISATEUR:ROLE est obligatoire", 2)
    who = _actor(actor)
    engine = open_engine()
    sop = engine_sop(engine, reference)  # read once: the case stays on its SOP version
    payload = _payload(sop, trigger, data or [], json_file)
    with _errors():
        r = engine.fire(reference, trigger, who, payload, instance=instance,
                        expected_version=expected_version)
    lang = _state["lang"]
    st = sop.steps[r.step]
    before, after = (sop.label(st.states[x].label, lang) for x in (r.from_state, r.to_state))
    typer.echo(f"{r.reference} v{r.version} · {sop.label(st.label, lang)} [{r.instance}] : "
               f"{before} → {after}")
    for key in r.started:
        step_id = key.split(":")[0]
        typer.echo(f"  + {sop.label(sop.steps[step_id].label, lang)} [{key}]")
    if r.case_closed:
        typer.echo("  Dossier clos." if lang == "fr" else "  Case closed.")


@case_app.command("show")
def case_show(reference: str, fmt: Annotated[str, typer.Option("--format", help="text ou json")] = "text"
              ) -> None:
    """Afficher un dossier : étapes, états, données et journal d'audit. / Show a case."""
    engine = open_engine()
    with engine.sessions() as s:
        case = repository.get_case(s, reference)
        if case is None:
            fail(f"case_not_found: Dossier introuvable : {reference}")
        sop = engine.registry.for_case(case).sop
        events = repository.trail(s, case)
        log_cli_view(s, case, engine.clock.now())
        s.commit()
        if fmt == "json":
            typer.echo(json.dumps(case_as_dict(case, sop, events), ensure_ascii=False, indent=2))
        else:
            for line in case_lines(case, sop, _state["lang"]) + [""] + \
                    audit_lines(events, sop, _state["lang"]):
                typer.echo(line)


@case_app.command("list")
def case_list(fmt: Annotated[str, typer.Option("--format", help="text ou json")] = "text",
              search: Annotated[str | None, typer.Option(help="Référence ou nom (sans accents ni "
                                                               "majuscules)")] = None,
              status: str | None = None, region: str | None = None, step: str | None = None,
              state: str | None = None, assignee: str | None = None,
              overdue: Annotated[bool, typer.Option("--overdue", help="Seulement les dossiers en retard")]
              = False, limit: int = 100) -> None:
    """Lister les dossiers, les plus récents d'abord (recherche sans accents ni majuscules). / List cases."""
    engine = open_engine()
    with engine.sessions() as s:
        cases = repository.list_cases(s, search=search, status=status, region=region, step=step,
                                      state=state, assignee=assignee, limit=limit,
                                      overdue_at=engine.clock.now() if overdue else None)
        rows = []
        for c in cases:
            open_steps = [f"{i.step}:{i.key}={i.state}" for i in c.instances if not i.final]
            rows.append({"reference": c.reference, "status": c.status, "name": c.display_name,
                         "region": c.region, "assignee": c.assignee, "version": c.version,
                         "open_steps": open_steps, "updated_at": c.updated_at.isoformat()})
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['reference']}\t{r['status']}\t{r['name'] or '-'}\t{r['region'] or '-'}\t"
                   f"{' '.join(r['open_steps']) or '-'}")


@case_app.command("extend")
def case_extend(reference: str,
                instance: Annotated[str, typer.Argument(help="Étape:clé, ex. referral:medical")],
                by: Annotated[str, typer.Option("--by", help="Durée, ex. « 3 jours ouvrés », « 48 heures », "
                                                             "« 5 working days »")],
                reason: Annotated[str, typer.Option("--reason", help="Motif (obligatoire, audité)")],
                actor: AsOption = "",
                from_due: Annotated[bool, typer.Option("--from-due", help="Compter depuis l'échéance "
                                                                          "actuelle, pas depuis maintenant")]
                = False) -> None:
    """Prolonger le délai d'une étape (en cours, dépassé ou escaladé), avec un motif.

    Extend a deadline (running, overdue or escalated) with a reason; from now, or --from-due."""
    if not actor:
        fail("--as UTILISATEUR:ROLE est obligatoire", 2)
    engine = open_engine()
    with _errors():
        due = engine.extend_deadline(reference, instance, by, reason, _actor(actor), from_due=from_due)
    typer.echo(f"{reference} [{instance}] : nouveau délai {due:%Y-%m-%d %H:%M} UTC")


@case_app.command("pause")
def case_pause(reference: str,
               instance: Annotated[str, typer.Argument(help="Étape:clé, ex. referral:medical")],
               reason: Annotated[str, typer.Option("--reason", help="Motif (obligatoire, audité)")],
               actor: AsOption = "") -> None:
    """Suspendre le délai en cours d'une étape (aucun rappel jusqu'à la reprise). / Pause a deadline."""
    if not actor:
        fail("--as UTILISATEUR:ROLE est obligatoire", 2)
    engine = open_engine()
    with _errors():
        engine.pause_deadline(reference, instance, reason, _actor(actor))
    typer.echo(f"{reference} [{instance}] : délai suspendu")


@case_app.command("resume")
def case_resume(reference: str,
                instance: Annotated[str, typer.Argument(help="Étape:clé, ex. referral:medical")],
                actor: AsOption = "") -> None:
    """Reprendre un délai suspendu ; l'échéance est décalée de la durée de la suspension. / Resume."""
    if not actor:
        fail("--as UTILISATEUR:ROLE est obligatoire", 2)
    engine = open_engine()
    with _errors():
        due = engine.resume_deadline(reference, instance, _actor(actor))
    typer.echo(f"{reference} [{instance}] : nouveau délai {due:%Y-%m-%d %H:%M} UTC")


@case_app.command("reassign")
def case_reassign(references: Annotated[list[str], typer.Argument(help="Références des dossiers")],
                  to: Annotated[str, typer.Option("--to", help="Nouveau gestionnaire de cas")],
                  reason: Annotated[str, typer.Option("--reason", help="Motif (obligatoire, audité)")],
                  actor: AsOption = "") -> None:
    """Réattribuer des dossiers à un autre gestionnaire (tout ou rien, un événement d'audit par
    dossier). / Reassign cases."""
    if not actor:
        fail("--as UTILISATEUR:ROLE est obligatoire", 2)
    who = _actor(actor)
    engine = open_engine()
    with _errors():
        from .cli_identity import check_assignee
        with engine.sessions() as s:
            check_assignee(s, to, [c for c in (repository.get_case(s, r) for r in references) if c])
        changed = engine.reassign(references, to, who, reason)
    listed = f" : {', '.join(changed)}" if changed else ""
    typer.echo(f"{len(changed)} dossier(s) réattribué(s) à {to}{listed}")


# -- reminders and calendar ----------------------------------------------------------------------
def _print_sweep(report, lang: str) -> None:
    words = {"fr": ("rappel", "escalade", "déclenchement automatique", "ignoré", "échec", "en retard"),
             "en": ("reminder", "escalation", "automatic trigger", "skipped", "failed", "late")}[lang]
    for label, rows in zip(words[:5], (report.reminders, report.escalations, report.auto_fired,
                                       report.skipped, report.failed), strict=True):
        for ref, inst, state, what in rows:
            typer.echo(f"{label}\t{ref}\t{inst}\t{state}\t{what}")
    typer.echo(f"{len(report.reminders)} rappel(s), {len(report.escalations)} escalade(s), "
               f"{len(report.auto_fired)} automatique(s), {report.late} en retard"
               if lang == "fr" else
               f"{len(report.reminders)} reminder(s), {len(report.escalations)} escalation(s), "
               f"{len(report.auto_fired)} automatic, {report.late} late")


@app.command()
def remind(once: Annotated[bool, typer.Option("--once", help="Un seul passage (pour cron).")] = False,
           every: Annotated[int, typer.Option(help="Intervalle en secondes (mode continu).", min=1)] = 60,
           now: Annotated[str | None, typer.Option(help="Instant simulé ISO 8601 (tests, scénarios).")]
           = None) -> None:
    """Envoyer les rappels, escalades et déclenchements automatiques dus (une fois, ou toutes les N secondes).

    Send due reminders."""
    from datetime import datetime

    from .engine.clock import SimulatedClock
    from .reminders.scheduler import make_scheduler
    from .reminders.sweeper import sweep
    clock = None
    if now:
        try:
            instant = datetime.fromisoformat(now.replace("Z", "+00:00"))
            clock = SimulatedClock(instant)
        except ValueError:
            fail(f"--now : instant ISO 8601 avec fuseau attendu, ex. 2025-06-10T08:00:00Z ; reçu {now!r}", 2)
    engine = open_engine(clock)
    if once:
        from .reminders.notifiers import notifiers_from_env
        from .reminders.outbox import deliver
        with _errors():
            _print_sweep(sweep(engine), _state["lang"])
            d = deliver(engine, notifiers_from_env(), now=engine.clock.now())
        typer.echo(f"Messages : {len(d.sent)} remis, {len(d.failed)} en échec (nouvel essai plus tard), "
                   f"{len(d.not_configured)} courriel(s) en attente de configuration SMTP, "
                   f"{len(d.dead)} abandonné(s).")
        return
    typer.echo(f"Balayage des délais toutes les {every} s (Ctrl+C pour arrêter).")
    sched = make_scheduler(engine, every, blocking=True,
                           after=lambda r: _print_sweep(r, _state["lang"]) if r.claimed else None)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass


app.add_typer(calendar_app, name="calendar")


@app.command()
def serve(host: Annotated[str, typer.Option(help="Adresse d'écoute")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port", min=1, max=65535)] = 8000,
          demo: Annotated[bool, typer.Option(help="Charger des données fictives dans une base vide")] = False,
          sweeper_interval: Annotated[int, typer.Option(help="Secondes entre deux balayages des délais "
                                                              "(0 : aucun)", min=0)] = 60,
          demo_password: Annotated[str | None, typer.Option(
              help="Mot de passe des comptes de démonstration (sinon aléatoires, affichés)")] = None,
          secure_cookies: Annotated[bool | None, typer.Option(
              "--secure-cookies/--no-secure-cookies",
              help="Cookies Secure et HSTS (par défaut : oui sauf sur 127.0.0.1/localhost)")] = None,
          proxy_headers: Annotated[bool, typer.Option(
              help="Derrière un proxy inverse : IP du client lue dans X-Forwarded-For")] = False,
          forwarded_allow_ips: Annotated[str | None, typer.Option(
              help="Adresses des proxys de confiance (virgules), défaut 127.0.0.1")] = None) -> None:
    """Interface web, API REST et rappels dans un seul processus. / Web UI, REST API and reminders."""
    from .web.demo_safety import DemoRefused
    from .web.server import serve as run
    try:
        run(database_url(_state["db"]), host=host, port=port, demo=demo, sweeper_interval=sweeper_interval,
            demo_password=demo_password, secure_cookies=secure_cookies, proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips)
    except DemoRefused as e:
        fail(str(e))


user_app = typer.Typer(help="Comptes des utilisateurs de l'interface web.", no_args_is_help=True)
app.add_typer(user_app, name="user")
_register_user_commands(user_app)


@user_app.command("add")
def user_add(user_id: Annotated[str, typer.Argument(help="Identifiant de connexion, ex. mariam.kabore")],
             role: Annotated[str, typer.Option(help="Rôle de la POS, ex. caseworker")],
             name: Annotated[str, typer.Option(help="Nom affiché")],
             organisation: Annotated[str | None, typer.Option(help="Organisation (prestataires)")] = None,
             region: Annotated[str | None, typer.Option(help="Région (code de la POS)")] = None,
             email: Annotated[str | None, typer.Option(help="Courriel pour les rappels")] = None,
             phone: Annotated[str | None, typer.Option(help="Téléphone (ex. +226 70 12 34 56)")] = None,
             sms: Annotated[bool, typer.Option("--sms", help="Recevoir aussi les rappels par SMS")] = False,
             language: Annotated[str, typer.Option(help="fr ou en")] = "fr",
             password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                          help="Lire le mot de passe sur l'entrée standard")]
             = False) -> None:
    """Créer ou mettre à jour un compte (mot de passe haché avec argon2). / Add or update a user."""
    from .store.models import User
    from .web.security import hash_password
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        fail("Mot de passe trop court : 10 caractères au moins.")
    if language not in ("fr", "en"):
        fail("--language : fr ou en", 2)
    from .reminders.sms import e164
    try:
        phone = e164(phone) if phone else None
    except ValueError as e:
        fail(f"--phone : {e}", 2)
    if sms and not phone:
        fail("--sms demande --phone / --sms needs --phone", 2)
    engine = open_engine()
    with engine.sessions.begin() as s:
        roles = set()
        for row in s.scalars(select(SopVersion)):
            roles |= set(engine.registry.compiled(row).sop.roles)
        if roles and role not in roles:
            fail(f"Rôle inconnu « {role} » : {', '.join(sorted(roles))}")
        if role == "provider" and not organisation:
            fail("--organisation est obligatoire pour un point focal de prestataire")
        user = s.get(User, user_id) or User(id=user_id)
        if user.password_hash:  # a password change ends the user's web sessions at once
            from .web.websessions import end_all
            end_all(s, user_id, "password_changed")
        user.display_name, user.role, user.organisation, user.region = name, role, organisation, region
        user.email, user.language, user.active = email, language, True
        user.phone, user.notify_sms = phone, sms
        user.password_hash = hash_password(password)
        s.add(user)
    typer.echo(f"Compte {user_id} ({role}) enregistré.")


# -- demo ----------------------------------------------------------------------------------------
@app.command()
def demo() -> None:
    """Démonstration scriptée : un migrant de retour fictif conduit jusqu'à la clôture. / Scripted demo."""
    from .demo import run_demo
    engine = open_engine(clock=None)
    with _errors():
        for line in run_demo(engine, _state["lang"]):
            typer.echo(line)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
