"""``mno --lang en --help``: the command line's help texts translated from the catalogues.

Typer builds click commands from plain French ``help="…"`` strings and docstrings (extracted by
:func:`mno_workflow.i18n.extract.extract_cli`); :func:`localise` replaces them in place with their
translation before click formats the help. French, the source language, loads no catalogue (``mno
--help`` starts as fast as before). Older help texts are bilingual (« Texte. / Text. »): each reader
sees one half only — the French half in French (:func:`french_half`), the catalogue's translation
in another language (the French half when the catalogue has none). Only the standard library and
nothing else is imported here
(Typer carries its own copy of click: commands are handled by their attributes).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

from . import SOURCE, current, gettext, languages, norm_lang


def lang_of_argv(argv: Sequence[str], environ: dict | None = None) -> str:
    """The language asked with ``--lang X``/``--lang=X`` anywhere in ``argv`` when it has a
    catalogue, else ``$MNO_LANG``, else French (checked properly later by the root command; this
    picks the language of the help and of the usage errors, « --lang pt » refused included)."""
    asked = raw_lang(argv, {})
    if asked is not None and asked[1].strip().replace("-", "_").split("_")[0].lower() in languages():
        return norm_lang(asked[1])
    return norm_lang((environ if environ is not None else os.environ).get("MNO_LANG") or SOURCE)


def raw_lang(argv: Sequence[str], environ: dict | None = None) -> tuple[str, str] | None:
    """``("--lang", value)`` as written in ``argv`` (before ``--``), else ``("$MNO_LANG", value)``
    when that variable is set, else None: the value before any check, to refuse an unknown
    language even with ``--help`` (which Click handles before ``--lang``'s own check)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return "--lang", argv[i + 1]
        if arg.startswith("--lang="):
            return "--lang", arg.partition("=")[2]
    value = (environ if environ is not None else os.environ).get("MNO_LANG")
    return ("$MNO_LANG", value) if value else None


#: where a bilingual help text (« Texte. / Text. ») turns English
_HALF = ". / "
#: a French word or sign: a paragraph without any is taken as an English translation
_FRENCH = re.compile(r"\b(le|la|les|des|du|une|un|et|ou|pour|avec|dans|sur|est|sont|de|au|aux|en|par|"
                     r"sans|à|exemple)\b|[éèàùêçôî«»]| [:;?!]", re.I)


def french_half(text: str) -> str:
    """The French half of a bilingual help text: « Texte français. / English text. » or a French
    paragraph followed by an English one (a last paragraph without French words or signs, after a
    French one); ``text`` itself otherwise (« KoboToolbox / ODK » stays whole)."""
    cut = text.find(_HALF)
    if cut > 0:
        return text[:cut + 1]
    head, sep, last = text.rstrip().rpartition("\n\n")
    english = not _FRENCH.search(last) and not last.lstrip().startswith(("`", "mno "))
    if sep and english and _FRENCH.search(head):
        return head
    return text


#: reST literal markup of docstrings (« ``calendar.managed_by`` »), which a help must not show
_LITERAL = re.compile(r"``(.+?)``", re.S)


def plain(text: str, lang: str) -> str:
    """``text`` without reST literal markup: ``x`` quoted as the reader's language quotes (« x »
    in French, “x” otherwise) — tryout 5, G18."""
    quote = "« {} »" if lang == SOURCE else "“{}”"
    return _LITERAL.sub(lambda m: quote.format(m.group(1)), text)


def _in(text: str, lang: str) -> str:
    if lang == SOURCE:
        return plain(french_half(text), lang)
    found = gettext(text, lang)
    return plain(french_half(found) if found == text else found, lang)


def localise(cmd: Any, lang: str | None = None) -> Any:
    """Translate ``cmd``'s help, short help and its parameters' help into ``lang`` (default: the
    current language), in place; returns ``cmd``. Sub-commands already built are done too. In
    French only the French half of a bilingual text is kept (no catalogue is read)."""
    lang = lang or current.get()
    if cmd.help:
        cmd.help = _in(cmd.help, lang)
    if cmd.short_help:
        cmd.short_help = _in(cmd.short_help, lang)
    for param in cmd.params:
        text = getattr(param, "help", None)
        if text:
            param.help = _in(text, lang)
    subs = getattr(cmd, "commands", None)
    if isinstance(subs, dict):  # a group's sub-commands already built (the root's are lazy: {})
        for sub in subs.values():
            localise(sub, lang)
    return cmd
