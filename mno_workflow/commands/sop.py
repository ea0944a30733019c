"""``mno sop load|list|diff|export|migrate``: SOP versions in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import colon, gettext, ngettext
from ..sop.diff import sop_diff
from .common import (
    AsOption,
    _,
    error_line,
    error_text,
    errors,
    fail,
    lang,
    load_sop_or_fail,
    open_engine,
    parse_actor,
    register_sop,
)

#: The value shapes of ``--map`` / ``--deadline`` in ``--help`` (ids are typed as they are, so
#: these stay as they are: Click's metavar is not translated).
_METAVAR_MAP = "STEP.OLD=NEW"
_METAVAR_DEADLINE = "STEP.STATE=RULE"

app = typer.Typer(help="Charger, lister, comparer, migrer les versions de POS.", no_args_is_help=True)


@app.command("load")
def sop_load(path: Path) -> None:
    """Enregistrer une version de POS dans la base (sans effet si le texte est identique).

    Register an SOP version."""
    loaded = load_sop_or_fail(path)
    engine = open_engine()
    register_sop(engine, loaded)
    typer.echo(_("POS {sop} version {version} chargée.", sop=loaded.model.sop, version=loaded.model.version))


@app.command("list")
def sop_list() -> None:
    """Lister les versions de POS de la base. / List SOP versions."""
    from sqlalchemy import select

    from ..i18n.dates import instant_text
    from ..store.models import SopVersion
    engine = open_engine(read_only=True)
    with engine.sessions() as s:
        for row in s.scalars(select(SopVersion).order_by(SopVersion.id)):
            title, timezone = row.title, "UTC"
            try:  # the title in the --lang language, the time in the SOP's time zone
                model = engine.registry.compiled(row).sop
                title, timezone = model.label(model.title, lang()) or row.title, model.calendar.timezone
            except Exception:  # noqa: BLE001 - a stored text this release cannot load: as registered
                pass
            loaded = instant_text(row.loaded_at, lang(), timezone)
            typer.echo(f"{row.sop_id}\t{row.version}\t{loaded}\t{title}")


app.command("diff")(sop_diff)


@app.command("export")
def sop_export(sop_id: Annotated[str, typer.Argument(help="Identifiant de la POS, ex. mnr_bf")],
               output: Annotated[Path, typer.Option("-o", "--output", help=(
                   "Fichier YAML à écrire (les fichiers importés et de récit à côté), ou dossier existant"))],
               version: Annotated[str | None, typer.Option("--version", help="Version (défaut : la "
                                                                              "dernière chargée)")] = None
               ) -> None:
    """Écrire une version publiée de la POS en YAML, octet pour octet le texte enregistré, avec
    chaque fichier qu'elle importe (``imports:``) et chaque fichier de récit qu'elle liste
    (``narrative:``, p. ex. ``narrative.yaml`` à côté de ``mnr.yaml``) à son chemin relatif,
    octet pour octet aussi. Un dossier donné à ``-o`` reçoit le fichier principal sous son nom
    publié. Une version enregistrée avant que ses fichiers de récit le soient ne les a pas : ils
    ne sont pas écrits, avec un avertissement. Une version publiée depuis l'atelier est écrite
    avec les scénarios gardés avec elle, sous ``scenarios/`` à côté du fichier principal : ``mno
    test`` du dossier écrit les exécute."""
    from sqlalchemy import select

    from ..sop.imports import ImportPathError, content_sha256, normalize
    from ..store.models import SopVersion
    engine = open_engine()
    with engine.sessions() as s:
        q = select(SopVersion).where(SopVersion.sop_id == sop_id)
        rows = list(s.scalars(q.order_by(SopVersion.id)))
        if not rows:
            fail(error_line(gettext("POS inconnue : {sop}", lang(), sop=sop_id)), 1)
        row = rows[-1] if version is None else next((r for r in rows if r.version == version), None)
        if row is None:
            known = ", ".join(r.version for r in rows)
            fail(error_line(gettext("{sop} n'a pas de version {version} (versions : {versions})", lang(),
                                    sop=sop_id, version=version, versions=known)), 1)
        source, files, name = row.source, dict(row.files or {}), Path(row.source_path).name
        unstored = _unstored_narrative(row)
        from ..web.workbench import kept_scenarios
        scenarios = kept_scenarios(s, row) or {}  # published from the workbench: its scenarios (I10)
    if content_sha256(source, files) != row.sha256:
        why = gettext("le texte enregistré de {sop}@{version} ne correspond plus à son empreinte SHA-256",
                      lang(), sop=sop_id, version=row.version)
        fail(error_line(why), 1)
    main = output / (name or f"{sop_id}.yaml") if output.is_dir() else output
    targets = {main: source}
    for rel, text in sorted(files.items()):
        try:
            target = main.parent / normalize(rel)
        except ImportPathError as e:
            fail(error_line(f"{rel!r}{colon(lang())}{error_text(e)}"), 1)
        if target.resolve() == main.resolve():
            why = gettext("{file} porte le nom du fichier principal", lang(), file=repr(rel))
            fail(error_line(why), 1)
        targets[target] = text
    for rel, text in sorted(scenarios.items()):  # scenarios/<name>.yaml: as ``mno test`` reads them
        target = main.parent / rel
        if target not in targets:
            targets[target] = _scenario_for(text, name, main.name)
    _write_all(targets)
    size = len(source.encode("utf-8"))
    typer.echo(f"{sop_id}@{row.version} → {main} (" + ngettext("{n} octet", "{n} octets", size, lang())
               + f", sha256 {row.sha256[:12]}…)")
    for target in list(targets)[1:]:
        size = len(targets[target].encode("utf-8"))
        typer.echo(f"  + {target} (" + ngettext("{n} octet", "{n} octets", size, lang()) + ")")
    for rel in unstored:
        typer.echo(_("attention : {file} non écrit : ce fichier de récit n'a pas été enregistré avec "
                     "la version {version} (enregistrée avant que les fichiers de récit le soient ; "
                     "« mno sop load » de la même POS l'ajoute)", file=rel, version=row.version), err=True)


def _scenario_for(text: str, published: str, written: str) -> str:
    """A kept scenario's text whose ``sop: ../<published>`` names the file written instead (``-o``
    another name), so that ``mno test`` of the export plays it on that file; as kept otherwise."""
    import re
    if not published or published == written:
        return text
    line = re.compile(r"^sop:[ \t]*([\"']?)\.\./" + re.escape(published) + r"\1[ \t]*$", re.M)
    return line.sub(lambda m: f"sop: {m[1]}../{written}{m[1]}", text, count=1)


def _unstored_narrative(row) -> tuple[str, ...]:
    """The narrative files stored version ``row`` was registered without (engine/narrative_backfill.py)."""
    from ..sop.diagnostics import SOPError
    from ..sop.listed_narrative import unstored
    from ..sop.loader import load_stored
    try:
        return unstored(load_stored(row).model)
    except SOPError:  # an unloadable stored text is still exported as it is
        return ()


def _write_all(targets: dict[Path, str]) -> None:
    """Write every ``{path: text}`` byte for byte (UTF-8, line ends as stored), all or none: each
    file goes to a temporary file beside it first, then all are renamed."""
    import os
    import tempfile
    done: list[tuple[str, Path]] = []
    try:
        for target, text in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".mno-export-")
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
            done.append((tmp, target))
    except OSError as e:
        for tmp, _ in done:
            Path(tmp).unlink(missing_ok=True)
        fail(error_line(gettext("écriture impossible : {error}", lang(), error=e)), 1)
    for tmp, target in done:
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)


@app.command("migrate")
def sop_migrate(source: Annotated[str, typer.Argument(help="Version d'origine, ex. mnr_bf@2025.1")],
                target: Annotated[str, typer.Argument(help="Version cible, ex. mnr_bf@2025.2")],
                mapping: Annotated[list[str] | None, typer.Option(
                    "--map", metavar=_METAVAR_MAP, help="étape.ancien_état=nouvel_état (répétable)")] = None,
                case: Annotated[list[str] | None, typer.Option(
                    "--case", metavar="REF", help="Seulement ce dossier (répétable)")] = None,
                rule: Annotated[str, typer.Option(
                    "--deadlines", help="Délais dont la règle a changé : keep (garder l'échéance), "
                                        "recompute (recalculer depuis le début d'origine), restart "
                                        "(repartir de maintenant)")] = "recompute",
                per_state: Annotated[list[str] | None, typer.Option(
                    "--deadline", metavar=_METAVAR_DEADLINE,
                    help="étape.nouvel_état=keep|recompute|restart (répétable)")] = None,
                dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer sans rien écrire")] = False,
                actor: AsOption = "") -> None:
    """Migrer les dossiers ouverts vers une autre version de POS, avec une correspondance d'états
    explicite (refusée si un dossier tomberait dans un état qui n'existe plus, ou si une clé est
    inconnue ; auditée : un événement par dossier). Les délais gardent leur début, échéance,
    prolongations et suspensions quand la règle est la même ; sinon --deadlines décide. Les
    règles d'enchaînement s'appliquent ensuite (un dossier arrivé dans un état final avance ou
    se clôt).

    Migrate open cases to another SOP version; --dry-run prints per case what would change."""
    from ..engine.versions import migrate_cases
    who = parse_actor(actor)
    # TRANSLATORS: the shape of a --map value (step and state ids are typed as they are)
    pairs = _pairs(mapping, "--map", gettext("étape.ancien_état=nouvel_état", lang()))
    rules = _pairs(per_state, "--deadline", gettext("étape.nouvel_état=keep|recompute|restart", lang()))
    engine = open_engine()
    with errors():
        plan = migrate_cases(engine, source, target, pairs, who, references=case or None,
                             dry_run=dry_run, rule=rule, deadline_rules=rules)
    from ..engine.migrate_words import deadline_line, states_line
    from ..engine.versions import sop_of
    old, new = sop_of(engine, source), sop_of(engine, target)  # steps and states by their labels (G15)
    for ref, change in plan.cases.items():
        typer.echo(ref)
        typer.echo("  " + states_line(change.states, lang(), old, new, keys=True))
        for d in change.deadlines:
            typer.echo("  " + deadline_line(d, lang(), plan.timezone, new, keys=True))
        for eff in change.effects:
            if "started" in eff:
                typer.echo("  " + gettext("étape démarrée : {step}", lang(), step=eff["started"]))
        if change.closed:
            typer.echo("  " + gettext("dossier clos", lang()))
        for inst, actions in change.next_actions.items():
            typer.echo("  " + gettext("prochaines actions {instance} : {actions}", lang(), instance=inst,
                                      actions=", ".join(actions) or "—"))
    if dry_run:
        typer.echo(ngettext("{n} dossier serait migré de {source} vers {target} (rien n'est écrit).",
                            "{n} dossiers seraient migrés de {source} vers {target} (rien n'est écrit).",
                            len(plan.cases), lang(), source=source, target=target))
    else:
        typer.echo(ngettext("{n} dossier migré de {source} vers {target}.",
                            "{n} dossiers migrés de {source} vers {target}.", len(plan.cases), lang(),
                            source=source, target=target))


def _pairs(items: list[str] | None, option: str, shape: str) -> dict[str, str]:
    pairs = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or "." not in key or not value:
            fail(error_line(gettext("{option} attend {shape}, reçu « {item} »", lang(), option=option,
                                    shape=shape, item=item), "bad_option"), 2)
        pairs[key.strip()] = value.strip()
    return pairs
