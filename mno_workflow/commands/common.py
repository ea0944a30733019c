"""What every ``mno`` command shares: the global options, one-line failures, the engine on the
selected database, and engine errors turned into one clear message.

Only ``typer`` is imported here at module level; the engine, SQLAlchemy and Alembic are imported
inside the functions that need them, so that ``mno --help`` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import N_, gettext
from ..i18n import ngettext as _ngettext

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.engine import Actor, WorkflowEngine

#: Global options, set by the root callback of ``mno`` (``--db``, ``--lang``, ``--log-format``).
state: dict[str, Any] = {"db": None, "lang": "fr", "log_format": "text"}

SopArg = Annotated[str, typer.Option("--sop", help="Identifiant de POS chargée, ou chemin d'un "
                                                   "fichier YAML.")]
AsOption = Annotated[str, typer.Option("--as", help="UTILISATEUR:ROLE[@ORGANISATION] d'un compte existant, "
                                                    "ou system[:ROLE] pour un script")]


class OutputFormat(StrEnum):
    """Output of a command: text lines or JSON (other values are refused with this list)."""

    text = "text"
    json = "json"


class Language(StrEnum):
    """Language of messages and labels (the two of the Burkina Faso SOP; ``--lang`` accepts more,
    see :func:`accepted_languages`)."""

    fr = "fr"
    en = "en"


def accepted_languages() -> list[str]:
    """The languages ``--lang`` accepts: those with a catalogue (``mno_workflow/locale/<lang>/``,
    French first), then those the shipped SOPs declare (``languages: [fr, en, mos]``) without one.

    A language without a catalogue shows the application's words in French (the source language)
    and the SOP's labels in that language where the SOP has them (docs/translations.md)."""
    import re

    from ..i18n import languages
    from ..resources import sops_dir
    found = list(languages())
    declared = re.compile(r"^languages:\s*\[([^\]]*)\]", re.M)
    for sop in sorted(sops_dir().glob("*/*.y*ml")):
        try:
            m = declared.search(sop.read_text(encoding="utf-8"))
        except OSError:
            continue
        for code in (m.group(1).split(",") if m else []):
            code = code.strip().strip("'\"")
            if code and code not in found:
                found.append(code)
    return found


def check_lang(value: str | None, origin: str = "--lang") -> str | None:
    """``value`` when ``--lang`` (or ``$MNO_LANG``, named by ``origin``) accepts it, else a usage
    error (exit 2) listing the accepted languages, in the reader's language: the one Click's own
    words use (``$MNO_LANG`` when ``--lang`` names a language without catalogue, else French)."""
    if value is None:
        return None
    value = value.strip()
    accepted = accepted_languages()
    if value in accepted:
        return value
    if value.replace("-", "_").split("_")[0].lower() in accepted:  # en-GB, fr_BF
        return value.replace("-", "_").split("_")[0].lower()
    shown = ", ".join(repr(a) for a in accepted)
    raise typer.BadParameter(
        gettext("langue « {value} » inconnue ; langues disponibles : {accepted}",
                state.get("argv_lang") or "fr", value=value, accepted=shown),
        param_hint=None if origin == "--lang" else origin)  # --lang: Click names it


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="text ou json")]


def fail(message: str, code: int = 1) -> None:
    """Print ``message`` on stderr and exit with ``code``."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _(message: str, **params: Any) -> str:
    """``message`` (French source text, ``{name}`` placeholders) in the ``--lang`` language."""
    return gettext(message, state["lang"], **params)


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """The singular or plural form for ``n`` (``{n}`` filled) in the ``--lang`` language."""
    return _ngettext(singular, plural, n, state["lang"], **params)


def error_text(exc: BaseException) -> str:
    """The message of ``exc`` in the ``--lang`` language when it is a catalogue message (a
    ``said_fr`` argument, an engine error), else its text; never the exception's class name."""
    from ..sop.diagnostics import text_in
    if callable(getattr(exc, "text", None)):  # EngineError
        return exc.text(state["lang"])  # type: ignore[attr-defined]
    return text_in(exc.args[0], state["lang"]) if exc.args else str(exc)


def fail_file(path: Any, exc: BaseException | None = None, code: int = 1) -> None:
    """Exit (``code``) with one line saying that ``path`` cannot be read, in the ``--lang``
    language: « erreur : Fichier introuvable : {path} [file_not_found] » (``exc`` None: the
    file does not exist), or why it cannot be read [file_unreadable]."""
    from ..i18n.files import file_error
    missing = exc is None or isinstance(exc, FileNotFoundError)
    said = file_error(path, exc).text(state["lang"])
    fail(error_line(said, "file_not_found" if missing else "file_unreadable"), code)


def fail_write(path: Any, exc: OSError, code: int = 1, *, nothing_saved: bool = False) -> None:
    """Exit (``code``) with one line saying why ``path`` cannot be written, in the ``--lang``
    language (:func:`mno_workflow.i18n.files.write_error`); ``nothing_saved``: and that nothing
    was recorded (the command's transaction is rolled back)."""
    from ..i18n.files import write_error
    said = write_error(path, exc).text(state["lang"])
    if nothing_saved:
        said += _(" ; rien n'est enregistré")
    fail(error_line(said), code)


def error_line(text: str, code: str | None = None) -> str:
    """One error line in the ``--lang`` language: « erreur : <text> » (``error: …``). ``code``, the
    stable key (``case_not_found``), is not shown: people read words, scripts read the exit code
    (and the keys of a command's ``--format json`` output)."""
    return _("erreur : {error}", error=text)


def db_detail(exc: BaseException, url: str | None = None) -> str:
    """What went wrong with the database (``url``: the one being opened, else the selected one) in
    the ``--lang`` language (:func:`mno_workflow.store.db_words.db_error`: the file or the server
    named, never the driver's English, which goes to the log)."""
    from ..store.db_words import db_error
    if url is None:
        from ..store.base import database_url
        try:
            url = database_url(state["db"])
        except ValueError:  # a configuration problem: the message names no place
            url = None
    return db_error(exc, url).text(state["lang"])


def lang() -> str:
    """The language of messages chosen with ``--lang`` (``fr``, ``en`` or another with a catalogue)."""
    return state["lang"]


def selected_url() -> str:
    """The database URL of ``--db``, else the configuration (``MNO_DATABASE_URL``, ``mno.toml``)."""
    from ..store.base import database_url
    try:
        return database_url(state["db"])
    except ValueError as e:  # config.ConfigError: e.g. an old ./mno.db next to the new default
        fail(_("Base de données : {error}", error=error_text(e)))
        raise  # unreachable


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL has no password to hide reliably
        return url.split("@")[-1] if "@" in url else url


def must_exist() -> None:
    """Exit (code 1) with « Aucune base de données ici : <file> (mno init, ou --db) » when the
    selected database is a SQLite file that does not exist: a read-only command (``case show``,
    ``case list``, ``sop list``) creates no database."""
    import os

    from sqlalchemy.engine import make_url

    from ..config import LEGACY_DB, data_dir
    if not state["db"] and not os.environ.get("MNO_DATABASE_URL"):  # the default file: not created
        target = data_dir(create=False) / "mno.db"
        if not target.exists() and not Path(LEGACY_DB).is_file():  # (an old ./mno.db: selected_url says)
            if Path("demo.db").is_file():  # make run's demonstration database, beside the user
                fail(error_line(_("Aucune base de données ici : {path} (la base de démonstration de make "
                                  "run : mno --db demo.db …)", path=target)))
            fail(error_line(_("Aucune base de données ici : {path} (mno init, ou --db)", path=target)))
    url = selected_url()
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - open_engine reports an unparsable URL
        return
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
        fail(error_line(_("Aucune base de données ici : {path} (mno init, ou --db)", path=path)))


def open_engine(clock: Any = None, read_only: bool = False) -> WorkflowEngine:
    """The workflow engine on the selected database (schema created or migrated with Alembic;
    ``read_only``: a missing SQLite file is an error, see :func:`must_exist`, not created).

    Exits with code 1 and one line (password hidden) when the database cannot be opened."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..directory import organisation_known
    from ..engine.engine import WorkflowEngine
    from ..store.base import make_engine
    from ..store.migrate import upgrade
    if read_only:
        must_exist()
    url = selected_url()
    shown = safe_url(url)
    if url.rstrip("/") in ("sqlite:", "sqlite:/", "sqlite://") or ":memory:" in url:
        fail(_("Base de données inaccessible ({url}) : une base SQLite en mémoire ne garde rien ; "
                "donnez un fichier, ex. sqlite:///mno.db", url=shown))
    try:
        upgrade(url)  # Alembic: a new database is created, an older one brought up to date
        db = make_engine(url)
    except (SQLAlchemyError, ValueError, OSError, ImportError) as e:
        fail(_("Base de données inaccessible ({url}) : {error}", url=shown,
                error=db_detail(e, url)))
    engine = WorkflowEngine(db, clock, recipient_known=organisation_known)
    from ..cli_identity import os_user
    engine.via, engine.os_user = "cli", os_user()  # recorded in every audit event the CLI writes
    return engine


#: The engine's date message names ISO (the API's shape); ``--data`` also reads the pages' shape.
CLI_DATE_ERROR = N_("Date invalide : saisir JJ/MM/AAAA ou AAAA-MM-JJ avec une date qui existe "
                    "(ex. 28/02/2025).")


class errors:
    """Context manager: engine and database errors become one clear message and exit code 1."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None:
            return False
        from sqlalchemy.exc import OperationalError

        from ..engine.errors import EngineError, FormInvalid
        language = state["lang"]
        if isinstance(exc, FormInvalid):
            typer.echo(error_line(_("Formulaire invalide « {form} »", form=exc.form_id), exc.code), err=True)
            from ..engine.forms import DATE_ERROR
            for k, m in exc.errors.items():  # a date: the command line reads both shapes
                said = _(CLI_DATE_ERROR) if m.msgid == DATE_ERROR else m.text(language)
                typer.echo(f"  {k or '-'}: {said}", err=True)
            raise typer.Exit(1)
        if isinstance(exc, EngineError):  # a refused trigger: the triggers to type (« label (name) »)
            said = getattr(exc, "typed", None)
            typer.echo(error_line(said.text(language) if said else exc.text(language), exc.code), err=True)
            raise typer.Exit(1)
        if isinstance(exc, OperationalError):
            typer.echo(error_line(_("base de données : {detail}", detail=db_detail(exc))), err=True)
            raise typer.Exit(1)
        from ..store.auditkey import AuditKeyError
        if isinstance(exc, AuditKeyError):  # nothing was written: the transaction rolled back
            from ..store.auditkey_text import cli_line
            typer.echo(cli_line(exc, state["lang"]), err=True)
            raise typer.Exit(1)
        return False


def parse_actor(text: str, references: list[str] | tuple[str, ...] = ()) -> Actor:
    """``USER:ROLE[@ORGANISATION]`` as an engine actor, checked against the users table (see
    ``cli_identity``; ``system[:ROLE]`` for scripts); usage error (exit 2) when malformed or empty.
    With ``references``: the user may also act on each of those cases, by the web's rule
    (:func:`..cli_identity.check_case_scope`; exit 1 otherwise)."""
    from ..cli_identity import check_case_scope, resolve_actor
    from ..engine.engine import Actor
    if not text:
        fail(error_line(_("--as UTILISATEUR:ROLE est obligatoire")), 2)
    try:
        Actor.parse(text) if text.strip() != "system" else None
    except ValueError as e:
        fail(error_text(e), 2)
    engine = open_engine()
    with engine.sessions() as s, errors():
        actor = resolve_actor(s, text)
        check_case_scope(s, actor, list(references))
        return actor


def load_sop_or_fail(path: Path):
    """The loaded SOP file, or its diagnostics on stderr (``file:line:col``) and exit code 1."""
    from ..sop.diagnostics import SOPError
    from ..sop.loader import load_file
    try:
        return load_file(path)
    except SOPError as e:
        for d in e.diagnostics:
            typer.echo(d.format(state["lang"]), err=True)
        raise typer.Exit(1) from None


def sop_id_loading(engine, sop: str) -> str:
    """The SOP id named by ``sop``: an id as given, or a YAML file's id once that file is
    registered as a version (errors are one line, exit 1)."""
    if sop.endswith((".yaml", ".yml")) or Path(sop).is_file():
        loaded = load_sop_or_fail(Path(sop))
        register_sop(engine, loaded)
        return loaded.model.sop
    return sop


def register_sop(engine, loaded) -> None:
    """Register ``loaded`` (idempotent) and, when it brings a new SOP to a database that had
    others, tie the accounts without SOP to the one SOP listing their region
    (:func:`~mno_workflow.user_sops.tie_by_region`), in the same transaction; what was done is
    printed, one line per account (errors: one line, exit 1, nothing written)."""
    from sqlalchemy import select

    from ..engine.clock import require_aware
    from ..store.models import SopVersion
    from ..user_sops import known_sops, tie_by_region, tied_lines
    with errors(), engine.sessions.begin() as s:
        before = set(s.scalars(select(SopVersion.sop_id).distinct()))
        engine.registry.register(s, loaded, require_aware(engine.clock.now(), "clock.now()"))
        done = tie_by_region(s, engine.registry, before)
        lines = [m.text(lang()) for m in tied_lines(done, known_sops(s, engine.registry))]
    for line in lines:
        typer.echo(line)
