"""Translations of the application's own words (web pages, CLI, errors, messages) from gettext
catalogues: ``mno_workflow/locale/<lang>/LC_MESSAGES/messages.po``, managed with Babel.

Message ids (see ``docs/translations.md``):

* **stable keys** (``"my_work"``, ``"notif_late"``) for the words of the web pages reached through
  :func:`mno_workflow.web.i18n.t` — every catalogue, French included, holds their text;
* **French source text** for sentences in code (``_("Dossier introuvable : {reference}")``,
  named ``str.format`` placeholders filled after translation) — French needs no entry.

A language is a folder under ``locale/`` holding ``messages.po``: adding one is adding a file. A
missing entry falls back to French (the source language), then to the message id itself.

The ``.po`` files are the only thing in git; each is compiled to ``.mo`` with Babel on first use
and cached by content hash under ``$MNO_CACHE_DIR/locale`` (default ``~/.cache/mno-workflow``), so a
clean clone works after ``pip install -e .`` and an edited ``.po`` is picked up at the next start.
When the cache cannot be written the catalogue is compiled in memory. Importing this module
imports only the standard library (``mno --help`` stays fast); Babel is imported to compile.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
import io
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
SOURCE = "fr"  #: the language of the source text (and of the fallback)

#: The language of the current request / command (set by the web middleware and ``mno --lang``).
current: contextvars.ContextVar[str] = contextvars.ContextVar("mno_lang", default=SOURCE)


def languages(locale_dir: Path | None = None) -> tuple[str, ...]:
    """The languages with a catalogue, French first, then sorted (``("fr", "en", ...)``)."""
    return _languages(locale_dir or LOCALE_DIR)


@lru_cache(maxsize=4)
def _languages(folder: Path) -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda lang: (lang != SOURCE, lang)))


def norm_lang(lang: object) -> str:
    """``lang`` when a catalogue exists for it (``"en"``, ``"fr"``, a third one), else French."""
    if isinstance(lang, str):
        lang = lang.strip().replace("-", "_")
        if lang in languages():
            return lang
        short = lang.split("_")[0].lower()
        if short in languages():
            return short
    return SOURCE


def best_lang(accept_language: str | None) -> str:
    """The language of an HTTP ``Accept-Language`` header that has a catalogue, by preference
    (``q`` weights; ``de, en-GB;q=0.8, fr;q=0.5`` → ``en``), else French (:data:`SOURCE`)."""
    ranked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and tag != "*" and q > 0:
            ranked.append((-q, i, tag))
    for _q, _i, tag in sorted(ranked):
        found = norm_lang(tag)
        if found != SOURCE or tag.lower().split("-")[0] == SOURCE:
            return found
    return SOURCE


def cache_dir() -> Path:
    """Where compiled catalogues are kept (``$MNO_CACHE_DIR/locale``, as the SOP cache)."""
    named = os.environ.get("MNO_CACHE_DIR")
    base = Path(named) if named else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") \
        / "mno-workflow"
    return base / "locale"


def compile_po(po_bytes: bytes, lang: str) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file's bytes (fuzzy entries left out, as ``pybabel compile``)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    catalog = read_po(io.BytesIO(po_bytes), locale=lang.replace("-", "_"), domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def mo_bytes(lang: str, locale_dir: Path | None = None) -> bytes | None:
    """The compiled catalogue of ``lang`` (from the cache, else compiled now), None without ``.po``."""
    po = (locale_dir or LOCALE_DIR) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        data = po.read_bytes()
    except OSError:
        return None
    import hashlib  # here, not at the top: loading OpenSSL costs mno --help ~15 ms
    cached = cache_dir() / f"{lang}-{hashlib.sha1(data).hexdigest()[:16]}.mo"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    compiled = compile_po(data, lang)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(compiled)
        os.replace(tmp, cached)  # atomic: a parallel process reads the old file or the new one
    except OSError:
        pass  # read-only home: compiled in memory at each start
    return compiled


@lru_cache(maxsize=16)
def catalogue(lang: str, locale_dir: Path | None = None) -> _gettext.NullTranslations:
    """The translations of ``lang`` with French, then the message id, as fallbacks."""
    data = mo_bytes(lang, locale_dir)
    found: _gettext.NullTranslations = (
        _gettext.GNUTranslations(io.BytesIO(data)) if data else _gettext.NullTranslations())
    found.add_fallback(catalogue(SOURCE, locale_dir) if lang != SOURCE else _SourcePlural())
    return found


class _SourcePlural(_gettext.NullTranslations):
    """The last fallback: a message in no catalogue is the French source text, so its plural
    follows French (« 0 jour », « 1 jour », « 2 jours »: ``plural=(n > 1)``), not the
    ``n == 1`` rule of the standard library's ``gettext``."""

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid2 if n > 1 else msgid1

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return msgid2 if n > 1 else msgid1


_texts: dict[str, dict[str, str]] = {}  # lang -> {msgid: text} with the French fallback merged in


def texts(lang: str) -> dict[str, str]:
    """``lang``'s translations as one flat dict (French entries under them), cached: a page calls
    ``t()`` ~300 times, and ``dict.get`` costs a tenth of ``GNUTranslations.gettext``."""
    found = _texts.get(lang)
    if found is None:
        if lang not in languages():  # never one cache entry per unknown string a client sends
            return texts(SOURCE) if lang != SOURCE else {}
        found = {}
        for cat in [catalogue(SOURCE)] + ([catalogue(lang)] if lang != SOURCE else []):
            found.update((k, v) for k, v in getattr(cat, "_catalog", {}).items()
                         if isinstance(k, str) and k)
        _texts[lang] = found
    return found


def translator(lang: str):
    """``lang``'s ``gettext`` function (message → text, French fallback, else the message)."""
    get = texts(lang).get
    return lambda message: get(message, message)


def clear_cache() -> None:
    """Forget the loaded catalogues (after a ``.po`` changed in a running process: tests)."""
    catalogue.cache_clear()
    _languages.cache_clear()
    _texts.clear()


def _lang(lang: str | None) -> str:
    return current.get() if lang is None else lang


def gettext(message: str, lang: str | None = None, **params: object) -> str:
    """``message`` (a key or French text) in ``lang`` (default: the current language), its named
    placeholders filled with ``params`` (``str.format``) when any are given."""
    lang = current.get() if lang is None else lang
    text = (_texts.get(lang) or texts(lang)).get(message, message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, lang: str | None = None, **params: object) -> str:
    """The singular or plural form for ``n`` (the language's plural rule); ``{n}`` is filled too."""
    text = catalogue(_lang(lang)).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def pgettext(context: str, message: str, lang: str | None = None, **params: object) -> str:
    """``message`` in ``context`` (the same French word translated two ways, e.g. « Historique »)."""
    text = catalogue(_lang(lang)).pgettext(context, message)
    return text.format(**params) if params else text


_ = gettext


def colon(lang: str | None = None) -> str:
    """The separator between a label and its value: « Libellé : valeur » in French, "Label: value"
    in English — a catalogue entry, so a new language sets its own typography."""
    # TRANSLATORS: between a label and its value: « Libellé : valeur », "Label: value"
    return gettext(" : ", lang)


#: The Babel locale of a language for numbers and dates (a region where the bare language is ambiguous).
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def babel_locale(lang: str | None = None) -> str:
    """The Babel locale that formats numbers and dates for ``lang``: ``fr_FR``, ``en_GB``, else the
    language itself when Babel knows it (``pt``), else French. Day/month order and decimal signs
    come from here, never from a ``lang == "en"`` test."""
    lang = _lang(lang)
    if lang in BABEL_LOCALES:
        return BABEL_LOCALES[lang]
    from babel import Locale, UnknownLocaleError  # here: mno --help does not import Babel
    try:
        Locale.parse(lang)
        return lang
    except (UnknownLocaleError, ValueError, TypeError):
        return BABEL_LOCALES[SOURCE]


def bare_locale(lang: str | None = None) -> str:
    """The Babel locale of the bare language (``en``: "Monday, June 2, 2025", "4/1/25"), for the
    texts that have always used it; a language Babel does not know: :func:`babel_locale`."""
    lang = norm_lang(_lang(lang))
    from babel import Locale, UnknownLocaleError
    try:
        Locale.parse(lang)
        return lang
    except (UnknownLocaleError, ValueError, TypeError):
        return babel_locale(lang)


def quoted(text: object, lang: str | None = None) -> str:
    """``text`` in the language's quotation marks: « texte » in French, “text” in English."""
    # TRANSLATORS: quotation marks around a label: “{text}” in English
    return gettext("« {text} »", lang, text=text)


def listed(parts: list[str], lang: str | None = None) -> str:
    """``parts`` joined with the language's semicolon: « a ; b » in French, "a; b" in English."""
    # TRANSLATORS: between items of a list: "; " in English
    return gettext(" ; ", lang).join(parts)


def short_date(value: object, lang: str | None = None) -> str:
    """A day as digits in the language's order: ``03/06/2025`` in French and in English (never ISO
    on a page, issue 18) — :func:`mno_workflow.i18n.dates.day_text`, the one implementation."""
    from .dates import day_text

    return day_text(value, lang)


def short_datetime(value: object, lang: str | None = None, timezone: str | None = "UTC") -> str:
    """A day and time as digits: ``03/06/2025 14:30`` (fr and en, day first), in ``timezone``
    (:func:`mno_workflow.i18n.dates.instant_text`)."""
    from .dates import instant_text

    return instant_text(value, lang, timezone)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translated where shown)."""
    return message


class Contextual(str):
    """A message id with its context (:func:`P_`): the French text itself as a string, so that it
    reads as its msgid where no catalogue is consulted."""

    context: str

    def __new__(cls, context: str, message: str) -> Contextual:
        self = super().__new__(cls, message)
        self.context = context
        return self


def P_(context: str, message: str) -> Contextual:
    """Mark ``message`` in ``context`` for extraction (the same French word translated two ways in
    one table: « Type » is *Kind* and *Type*); :class:`Words` reads it with :func:`pgettext`."""
    return Contextual(context, message)


class LazyText:
    """A message translated each time it is shown, in the language current then (module-level
    constants, CLI help built at import). ``str(x)`` or ``x.text(lang)``."""

    __slots__ = ("message", "params")

    def __init__(self, message: str, **params: object):
        self.message, self.params = message, params

    def text(self, lang: str | None = None) -> str:
        return gettext(self.message, lang, **self.params)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"LazyText({self.message!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.message)


class Words(Mapping):
    """A table of words by key — ``{"title": N_("Document de la POS"), "kind": P_("handbook",
    "Type"), …}``, French message ids (with a context where one is given) —
    read as the old ``{"fr": {…}, "en": {…}}`` dicts were: ``WORDS[lang]`` (or ``.get(lang)``) is
    ``{key: text in lang}`` from the catalogues, for any language (French where a catalogue has
    no translation); ``lang in WORDS`` is whether a catalogue exists for it."""

    def __init__(self, ids: dict[str, str]):
        self.ids = dict(ids)

    def __getitem__(self, lang: str) -> dict[str, str]:
        if not isinstance(lang, str):
            raise KeyError(lang)
        lang = lang if lang in languages() else SOURCE
        get = texts(lang).get
        return {key: pgettext(msgid.context, str(msgid), lang) if isinstance(msgid, Contextual)
                else get(msgid, msgid) for key, msgid in self.ids.items()}

    def __iter__(self):
        return iter(languages())

    def __len__(self) -> int:
        return len(languages())

    def __contains__(self, lang: object) -> bool:
        return lang in languages()


def lazy(message: str, **params: object) -> LazyText:
    """A :class:`LazyText` (extracted by ``pybabel`` like ``_``)."""
    return LazyText(message, **params)
