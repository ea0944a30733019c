"""The command line's own words (« Usage », « Options », « Show this message and exit », « Error:
Missing argument ») in the ``--lang`` language, French by default, from the gettext catalogues.

Click translates these words with the standard library's ``gettext`` (its documented way: the
application binds the ``messages`` domain). Typer (0.29) carries its own copy of Click in which
they are plain English, and only ``typer.core`` still calls ``gettext.gettext`` (« Options »,
« Arguments », « Commands », « required », « default: … », « Missing command. »…). So
:func:`install`, called once by ``mno``'s entry point, does both: it replaces ``typer.core``'s
``_`` with :func:`translate`, and gives the vendored Click a help formatter and error display
that write their words through the catalogues. The words' message ids are French (the source
language, like every sentence in code); French needs no catalogue, so ``mno --help`` loads none.

Only the standard library is imported here; Typer is imported by :func:`install`.
"""

from __future__ import annotations

from typing import Any

from . import N_, SOURCE, current, gettext

#: Click's and Typer's English words → their French message id.
WORDS: dict[str, str] = {
    "Usage: ": N_("Utilisation : "),
    "{heading}:": N_("{heading} :"),
    "Options": N_("Options"),
    "Arguments": N_("Arguments"),
    "Commands": N_("Commandes"),
    "Show this message and exit.": N_("Afficher ce message et quitter."),
    "required": N_("obligatoire"),
    "default: {default}": N_("défaut : {default}"),
    "env var: {var}": N_("variable d'environnement : {var}"),
    "(dynamic)": N_("(dynamique)"),
    "Missing command.": N_("Commande manquante."),
    "No such command {name!r}.": N_("Commande inconnue : {name!r}."),
    "Aborted!": N_("Abandon."),
}

#: The value types Typer shows in help (``<str>``, ``<list[Path]>``, ``<int range>``) → their
#: French message id: a word in the reader's language, never a Python type.
TYPES: dict[str, str] = {
    "str": N_("texte"),
    "int": N_("entier"),
    "float": N_("nombre"),
    "path": N_("chemin"),
    "Path": N_("chemin"),
    "file": N_("fichier"),
    "datetime": N_("date et heure"),
    "bool": N_("oui|non"),
}

#: Click's own usage sentences (an extra argument, an option without its value) → their French
#: message id; the groups of the pattern are its values.
USAGE: list[tuple[str, str]] = [
    (r"^Got unexpected extra argument\(s\) \((?P<args>.*)\)$",
     N_("En trop sur la ligne de commande : {args} (un texte qui contient des espaces se met entre "
        "guillemets)")),
    (r"^Option (?P<name>'[^']*') requires an argument\.$", N_("L'option {name} attend une valeur.")),
    (r"^Option (?P<name>'[^']*') requires (?P<n>\d+) arguments\.$",
     N_("L'option {name} attend {n} valeurs.")),
    (r"^Option (?P<name>'[^']*') does not take a value\.$", N_("L'option {name} ne prend pas de valeur.")),
]

#: The French message ids of the sentences :func:`error_text` writes.
ERROR = N_("Erreur : {text}")
TRY = N_("Essayez « {command} {option} » pour l'aide.")
MISSING = {"argument": N_("Argument manquant{hint}."), "option": N_("Option manquante{hint}."),
           "parameter": N_("Paramètre manquant{hint}.")}
INVALID = N_("Valeur invalide pour {hint} : {text}")
INVALID_BARE = N_("Valeur invalide : {text}")
NO_OPTION = N_("Option inconnue : {name}")
POSSIBLE = N_("(options possibles : {options})")


def _tr(msgid: str, **params: Any) -> str:
    lang = current.get()
    if lang == SOURCE:  # the message id is the French text: no catalogue loaded
        return msgid.format(**params) if params else msgid
    return gettext(msgid, lang, **params)


def translate(english: str) -> str:
    """One of Click's/Typer's English words (:data:`WORDS`) in the current language (unchanged
    when unknown). Placeholders stay unfilled: Typer fills them with ``.format``."""
    msgid = WORDS.get(english)
    return english if msgid is None else _tr(msgid)


def type_label(shown: str) -> str:
    """Typer's ``<type>`` of a value in help in words of the current language: a list shows its
    item's type (the « ... » after it says it repeats), a range its number type (the bounds are
    shown beside, « [0<=x<=130] »), a choice (``<text|json>``) and anything else unchanged."""
    if not (shown.startswith("<") and shown.endswith(">")):
        return shown
    label = shown[1:-1]
    if label.startswith("list[") and label.endswith("]"):
        label = label[5:-1]
    if label.endswith(" range"):
        label = label[:-len(" range")]
    msgid = TYPES.get(label)
    return f"<{_tr(msgid)}>" if msgid is not None else f"<{label}>"


def _hint(e: Any) -> str:
    from typer._click.exceptions import _join_param_hints
    hint = e.param_hint if e.param_hint is not None else (e.param.get_error_hint() if e.param else None)
    return _join_param_hints(hint) if hint else ""


def error_text(e: Any) -> str:
    """The message of a Click exception ``e`` in the current language (Click's own sentences
    translated; a message written by the application is kept as it is)."""
    from typer._click import exceptions as x
    if isinstance(e, x.MissingParameter):
        kind = e.param_type or (e.param.param_type_name if e.param is not None else "parameter")
        hint = _hint(e)
        text = _tr(MISSING.get(kind, MISSING["parameter"]), hint=f" {hint}" if hint else "")
        extra = e.message
        if e.param is not None:
            more = e.param.get_missing_message(ctx=e.ctx)
            extra = f"{extra}. {more}" if extra and more else (extra or more or "")
        return f"{text} {extra}" if extra else text
    if isinstance(e, x.BadParameter):
        hint = _hint(e)
        text = _converted(e)
        return _tr(INVALID, hint=hint, text=text) if hint else _tr(INVALID_BARE, text=text)
    if isinstance(e, x.NoSuchOption):
        text = e.message
        if text.startswith("No such option: "):
            text = _tr(NO_OPTION, name=e.option_name)
        if e.possibilities:
            text += " " + _tr(POSSIBLE, options=", ".join(sorted(e.possibilities)))
        return text
    message = e.format_message()
    import re
    for pattern, msgid in USAGE:
        m = re.match(pattern, message)
        if m:
            return _tr(msgid, **m.groupdict())
    return message


def _converted(e: Any) -> str:
    """The message of a bad value: Typer converts options with pydantic, whose English words
    (« Value error, 'x' is not one of 'text', 'json'. », « Input should be a valid integer »)
    are said in the current language (:mod:`mno_workflow.i18n.pydantic_words`)."""
    cause = e.__cause__
    errors = cause.errors() if callable(getattr(cause, "errors", None)) else []
    if errors:
        from .pydantic_words import said_error
        found = said_error(errors[0])
        if found is not None:
            return found.text(current.get()) if callable(getattr(found, "text", None)) else str(found)
    text = e.message
    return text[len("Value error, "):] if text.startswith("Value error, ") else text


def _show_click_exception(self: Any, file: Any = None) -> None:
    from typer._click._compat import get_text_stderr
    from typer._click.utils import echo
    echo(_tr(ERROR, text=error_text(self)), file=file or get_text_stderr(), color=self.show_color)


def _show_usage_error(self: Any, file: Any = None) -> None:
    from typer._click._compat import get_text_stderr
    from typer._click.utils import echo
    file = file or get_text_stderr()
    color = None
    if self.ctx is not None:
        hint = ""
        if self.ctx.command.get_help_option(self.ctx) is not None:
            hint = _tr(TRY, command=self.ctx.command_path, option=self.ctx.help_option_names[0]) + "\n"
        color = self.ctx.color
        echo(f"{self.ctx.get_usage()}\n{hint}", file=file, color=color)
    echo(_tr(ERROR, text=error_text(self)), file=file, color=color)


def install() -> None:
    """Route Typer's and its Click's words through the catalogues (idempotent; see module doc)."""
    import typer.core
    from typer._click import core, exceptions, formatting

    if getattr(typer.core, "_", None) is translate:
        return
    typer.core._ = translate  # typer.core: ``from gettext import gettext as _``
    typer.core.HAS_RICH = False  # every command's help through Click's formatter (as the root's)

    class Formatter(formatting.HelpFormatter):
        """Click's help formatter with « Usage: » and the help option's text translated."""

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, translate("Usage: ") if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{translate('{heading}:').format(heading=heading)}\n")

        def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
            super().write_dl([(a, translate(b) if b == "Show this message and exit." else b)
                              for a, b in rows], *args, **kwargs)

    shown = typer.core._TyperParameter.display_type
    typer.core._TyperParameter.display_type = lambda self, ctx: type_label(shown(self, ctx))
    core.Context.formatter_class = Formatter
    exceptions.ClickException.show = _show_click_exception
    exceptions.UsageError.show = _show_usage_error
