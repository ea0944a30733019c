"""Command line ``mno`` (Typer): the root command, its global options and the list of commands.

**Adding a command** (other modules do it with a two-line hunk here):

1. write ``mno_workflow/commands/<name>.py`` (or ``<area>/cli.py``) holding either a function
   (``def mycmd(...)``, a Typer command) or a Typer sub-app (``app = typer.Typer(...)``); import
   only ``typer``/``click``/the standard library at its top and everything heavy (engine,
   SQLAlchemy, FastAPI, Alembic, Graphviz) *inside* the function bodies;
2. add one line to :data:`COMMANDS` below: ``"name": ("module:attribute", "one-line help")``.

The module is imported only when its command runs, so ``mno --help`` imports neither FastAPI,
Alembic nor the SQLAlchemy ORM (``tests/cli/test_cli__startup.py`` checks it). Shared helpers
(``open_engine``, ``fail``, ``errors``, ``parse_actor``, the global ``state``) live in
``mno_workflow/commands/common.py``.

Global options (``--db``, ``--lang``, ``--log-format``) are accepted before or after the command
(``mno --db x.db demo`` = ``mno demo --db x.db``), except for a command that has an option of the
same name itself (``mno diagram --lang en``). Every command reports problems as one clear line
each and a non-zero exit code, never a traceback: 1 for invalid input or a refused action, 2 for
usage errors (Typer's own).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from .commands.common import OutputFormat, accepted_languages, check_lang, state
from .i18n import SOURCE, current, gettext
from .i18n.cli import lang_of_argv, localise
from .i18n.click_words import install as install_click_words
from .i18n.click_words import translate

# name -> ("module:attribute", short help). The attribute is a Typer app (a group of commands) or
# a function (one command). Keep the list sorted by theme; one line per command.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("mno_workflow.commands.validate:validate", "Vérifier des POS (fichiers ou dossiers)."),
    "test": ("mno_workflow.kit.cli:test", "Exécuter les scénarios d'une POS (horloge simulée)."),
    "diagram": ("mno_workflow.render.cli:diagram", "Dessiner le flux ou une étape d'une POS."),
    "handbook": ("mno_workflow.render.cli:handbook", "Écrire le manuel de la POS (HTML, PDF)."),
    "publish": ("mno_workflow.commands.publish:publish", "Écrire tous les documents de la POS (HTML, PDF)."),
    "sop": ("mno_workflow.commands.sop:app", "Charger, lister, comparer, migrer les versions de POS."),
    "case": ("mno_workflow.commands.case:app", "Créer, faire avancer et consulter les dossiers."),
    "alert": ("mno_workflow.commands.alert:app", "Signalements des premiers intervenants (créer, lister)."),
    "audit": ("mno_workflow.commands.audit:app", "Journal d'audit."),
    "retention": ("mno_workflow.retention_cli:app",
                  "Conservation des données : purge des champs personnels après la durée de la POS."),
    "outbox": ("mno_workflow.reminders.cli_outbox:app",
               "Messages en attente, annulés ou périmés (avec leur motif)."),
    "xlsform": ("mno_workflow.interop.cli:xlsform_cmd",
                "Formulaire XLSForm (Kobo/ODK) d'un formulaire de la POS."),
    "intake": ("mno_workflow.interop.cli:intake_app", "Importer des soumissions KoboToolbox / ODK."),
    "remind": ("mno_workflow.commands.remind:remind", "Envoyer les rappels et escalades dus."),
    "calendar": ("mno_workflow.commands.calendar:app", "Calendrier : jours fériés confirmés ou déplacés."),
    "directory": ("mno_workflow.directory.cli:app",
                  "Répertoire des prestataires de services (HSDS) : import, export, recherche."),
    "user": ("mno_workflow.commands.user:app", "Comptes des utilisateurs de l'interface web."),
    "db": ("mno_workflow.db_cli:app", "Schéma de la base : migrations (Alembic)."),
    "serve": ("mno_workflow.commands.serve:serve", "Interface web, API REST et rappels."),
    "demo": ("mno_workflow.commands.demo:demo", "Démonstration scriptée (données fictives)."),
    "sandbox": ("mno_workflow.commands.sandbox:sandbox", "Bac à sable des formateurs (base fictive)."),
    "init": ("mno_workflow.commands.init:init", "Créer un dossier de travail (POS à adapter, mno.toml)."),
    "schema": ("mno_workflow.commands.schema:schema", "Afficher le schéma JSON du langage des POS."),
    "backup": ("mno_workflow.commands.backup:backup", "Sauvegarder la base SQLite pendant le service."),
    "report": ("mno_workflow.commands.report:report", "Rapport trimestriel de suivi-évaluation (HTML, PDF)."),
    "export": ("mno_workflow.commands.export:app", "Exporter les indicateurs : tableaux (CSV, xlsx), DHIS2."),
}

#: Options of the root command that may also be written after the command; all take a value.
GLOBAL_OPTIONS = ("--db", "--lang", "--log-format")


def _load(name: str) -> click.Command | None:
    """The click command of ``name`` (its module imported now), or None for an unknown name."""
    if name not in COMMANDS:
        return None
    module, _, attr = COMMANDS[name][0].partition(":")
    obj = getattr(importlib.import_module(module), attr)
    if isinstance(obj, typer.Typer):
        cmd: click.Command = typer.main.get_group(obj)  # a group even with one command
    else:
        one = typer.Typer(add_completion=False)
        one.command(name)(obj)
        cmd = typer.main.get_command(one)
    cmd.name = name
    if not cmd.help:
        cmd.help = COMMANDS[name][1]
    return localise(cmd)  # help texts in the --lang language (gettext catalogues)


class LazyGroup(TyperGroup):
    """The root group: commands loaded on first use; global options moved before the command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _load(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section(translate("Commands")):
            french = current.get() == "fr"  # the source text: no catalogue to load
            formatter.write_dl([(name, short if french else gettext(short))
                                for name, (_, short) in COMMANDS.items()])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(ctx, args))


def hoist_global_options(ctx: click.Context, args: list[str]) -> list[str]:
    """``args`` with the global options written after the command moved before it.

    An option the invoked (sub)command defines itself stays where it is."""
    i = 0
    while i < len(args) and args[i].startswith("-"):  # global options already in front
        opt = args[i].partition("=")[0]
        i += 2 if opt in GLOBAL_OPTIONS and "=" not in args[i] else 1
    if i >= len(args) or args[i] not in COMMANDS:
        return args
    rest = args[i + 1:]
    leaf = _load(args[i])
    j = 0
    # a group by what it does, not by class: Typer's groups derive from its own copy of Click, not
    # from the ``click`` imported here (an isinstance test missed every sub-command's own --db)
    while callable(getattr(leaf, "get_command", None)) and j < len(rest) and not rest[j].startswith("-"):
        sub = leaf.get_command(ctx, rest[j])
        if sub is None:
            break
        leaf, j = sub, j + 1
    own = {o for p in (leaf.params if leaf else []) for o in (*p.opts, *p.secondary_opts)}
    moved: list[str] = []
    kept: list[str] = []
    k = 0
    while k < len(rest):
        arg = rest[k]
        if arg == "--":
            kept += rest[k:]
            break
        opt, eq, value = arg.partition("=")
        if opt in GLOBAL_OPTIONS and opt not in own:
            if eq:
                moved += [opt, value]
            elif k + 1 < len(rest):
                moved += [opt, rest[k + 1]]
                k += 1
            else:
                moved.append(opt)  # click reports the missing value
            k += 1
            continue
        kept.append(arg)
        k += 1
    return args[:i] + moved + [args[i]] + kept


def _version(value: bool) -> None:
    if value:
        from . import __version__
        typer.echo(f"mno-workflow {__version__}")
        raise typer.Exit(0)


app = typer.Typer(cls=LazyGroup,
                  help="MNO Workflow — POS exécutables du mécanisme national de référencement.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None)


@app.callback()
def _root(ctx: typer.Context, db: Annotated[str | None, typer.Option(
              "--db", help="URL de la base (défaut : $MNO_DATABASE_URL, sinon data/mno.db).")] = None,
          lang: Annotated[str | None, typer.Option(
              "--lang", help="Langue des messages (défaut : $MNO_LANG, sinon fr).",
              callback=lambda value: check_lang(value))] = None,
          log_format: Annotated[OutputFormat | None, typer.Option(
              "--log-format", help="Format du journal sur stderr (défaut : $MNO_LOG_FORMAT, sinon text).")]
          = None,
          version: Annotated[bool, typer.Option(
              "--version", help="Afficher la version et quitter.", is_eager=True,
              callback=_version)] = False) -> None:
    from .config import ConfigError, apply_file
    try:
        apply_file()  # mno.toml or $MNO_CONFIG: fills the MNO_* variables that are not set
    except ConfigError as e:
        typer.echo(_config_error(e, lang), err=True)
        raise typer.Exit(2) from None
    before = {"lang": state.get("lang")}  # restored when this invocation ends
    state["db"] = db
    try:
        state["lang"] = lang or check_lang(os.environ.get("MNO_LANG") or None, "$MNO_LANG") \
            or state.get("argv_lang") or "fr"  # a command's own --lang (mno diagram --lang en)
    except typer.BadParameter:
        typer.echo(_refused("MNO_LANG", os.environ.get("MNO_LANG"), accepted_languages()), err=True)
        raise typer.Exit(2) from None
    _language_for_this_run(ctx, before)
    state["log_format"] = _choice("--log-format", log_format, "MNO_LOG_FORMAT", OutputFormat)
    if db:  # sub-apps (directory, db) read the same setting
        os.environ["MNO_DATABASE_URL"] = db
    os.environ["MNO_LOG_FORMAT"] = state["log_format"]  # the server's uvicorn logs follow it
    from .logs import configure
    # services log every transition and sweep (INFO); one-shot commands only warnings, unless asked
    service = ctx.invoked_subcommand in ("serve", "remind")
    configure(state["log_format"], os.environ.get("MNO_LOG_LEVEL") or ("INFO" if service else "WARNING"))


def _language_for_this_run(ctx: click.Context, before: dict) -> None:
    """Make ``state["lang"]`` the current language (:data:`i18n.current`) until this invocation
    ends: when the root context closes, the language before it is restored, so an in-process run
    (``CliRunner``, a script calling ``app``) with ``--lang en`` does not leave English behind."""
    token = current.set(state["lang"])

    def restore() -> None:
        try:
            current.reset(token)
        except ValueError:  # closed in another context (a thread): forget the value instead
            current.set(SOURCE)
        state["lang"] = before["lang"] or SOURCE

    ctx.call_on_close(restore)


def _choice(option: str, given, var: str, kind) -> str:
    """The command-line value, else the environment (or mno.toml), else the first accepted value."""
    if given is not None:
        return given.value if hasattr(given, "value") else given
    value = os.environ.get(var)
    accepted = [k.value for k in kind]
    if value is None:
        return accepted[0]
    if value not in accepted:
        typer.echo(_refused(var, value, accepted, state["lang"]), err=True)
        raise typer.Exit(2)
    return value


def _refused(variable: str, value: str | None, accepted: list[str], lang: str | None = None) -> str:
    """« MNO_LANG='xx' : valeurs acceptées fr, en » in ``lang``, else the command line's --lang."""
    return gettext("{variable}={value} : valeurs acceptées {accepted}",
                   lang or state.get("argv_lang") or SOURCE, variable=variable, value=repr(value),
                   accepted=", ".join(accepted))


def _config_error(e: Exception, lang: str | None) -> str:
    """The message of a ``ConfigError`` in ``lang``, else in the command line's --lang."""
    from .sop.diagnostics import text_in
    return text_in(e.args[0], lang or state.get("argv_lang") or SOURCE) if e.args else ""


def refuse_unknown_lang(args: list[str]) -> list[str]:
    """``args``, without ``--help`` when ``--lang`` names a language ``mno`` does not accept (so
    that Click reports the bad ``--lang`` rather than show help in French); exit 2 with the list of
    accepted languages when ``$MNO_LANG`` does. Cheap when the language has a catalogue."""
    from .i18n import languages
    from .i18n.cli import raw_lang
    asked = raw_lang(args)
    if asked is None or asked[1].strip().replace("-", "_").split("_")[0].lower() in languages():
        return args  # a catalogue language (or en-GB, fr_BF …): nothing to check
    try:
        check_lang(asked[1], asked[0])  # reads the shipped SOPs' languages (mos, ha …)
    except typer.BadParameter:
        if asked[0] == "$MNO_LANG":
            typer.echo(_refused("MNO_LANG", asked[1], accepted_languages()), err=True)
            raise SystemExit(2) from None
        end = args.index("--") if "--" in args else len(args)
        return [a for a in args[:end] if a != "--help"] + args[end:]
    return args


def main() -> None:
    """Console entry point."""
    state["argv_lang"] = lang_of_argv(sys.argv[1:])
    token = current.set(state["argv_lang"])  # before click builds the help (--lang en --help)
    try:
        _main()
    finally:  # an in-process call (tests) leaves no language behind
        current.reset(token)
        state["argv_lang"] = SOURCE


def _main() -> None:
    from .config import ConfigError
    install_click_words()  # « Usage », « Options », « Error: Missing argument » in that language
    args = refuse_unknown_lang(sys.argv[1:])  # --lang xx --help: refused (exit 2) as --lang xx validate
    try:
        localise(typer.main.get_command(app))(args=args, prog_name="mno")
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
    except ConfigError as e:  # any command that reaches the configuration: one line, never a traceback
        print(gettext("Configuration : {error}", state.get("argv_lang") or SOURCE,
                      error=_config_error(e, None)), file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # an unreadable audit key reached outside commands.common.errors
        from .store.auditkey import AuditKeyError
        if not isinstance(e, AuditKeyError):
            raise
        from .store.auditkey_text import cli_line
        print(cli_line(e, state.get("lang")), file=sys.stderr)
        sys.exit(1)

