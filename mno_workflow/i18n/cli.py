"""``mno --lang en --help``: the command line's help texts translated from the catalogues.

Typer builds click commands from plain French ``help="…"`` strings and docstrings (extracted by
:func:`mno_workflow.i18n.extract.extract_cli`); :func:`localise` replaces them in place with their
translation before click formats the help. French, the source language, is left untouched (no
catalogue is loaded, so ``mno --help`` starts as fast as before). Only the standard library and
nothing else is imported here
(Typer carries its own copy of click: commands are handled by their attributes).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from . import SOURCE, current, gettext, norm_lang


def lang_of_argv(argv: Sequence[str], environ: dict | None = None) -> str:
    """The language asked with ``--lang X``/``--lang=X`` anywhere in ``argv``, else ``$MNO_LANG``,
    else French (checked properly later by the root command; this only picks the help's language)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return norm_lang(argv[i + 1])
        if arg.startswith("--lang="):
            return norm_lang(arg.partition("=")[2])
    return norm_lang((environ if environ is not None else os.environ).get("MNO_LANG") or SOURCE)


def localise(cmd: Any, lang: str | None = None) -> Any:
    """Translate ``cmd``'s help, short help and its parameters' help into ``lang`` (default: the
    current language), in place; returns ``cmd``. Sub-commands already built are done too."""
    lang = lang or current.get()
    if lang == SOURCE:
        return cmd
    if cmd.help:
        cmd.help = gettext(cmd.help, lang)
    if cmd.short_help:
        cmd.short_help = gettext(cmd.short_help, lang)
    for param in cmd.params:
        text = getattr(param, "help", None)
        if text:
            param.help = gettext(text, lang)
    subs = getattr(cmd, "commands", None)
    if isinstance(subs, dict):  # a group's sub-commands already built (the root's are lazy: {})
        for sub in subs.values():
            localise(sub, lang)
    return cmd
