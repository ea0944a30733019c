"""Interface texts of the web pages by stable key (``t("my_work", lang)``), and their dates.

The texts live in the gettext catalogues ``mno_workflow/locale/<lang>/LC_MESSAGES/messages.po``
(msgid = the key; see :mod:`mno_workflow.i18n` and ``docs/translations.md``). ``TEXTS`` and
``ROLE_LABELS`` below are the **legacy** form, still read first: a ``(fr, en)`` pair added there
works at once, and ``python -m mno_workflow.i18n.migrate`` moves it into the catalogues.

SOP labels (steps, states, fields, options) come from the SOP itself; this module only holds the
words of the interface around them. Dates show as ``15/01/2025`` in French, instants in the SOP's
time zone as ``15/01/2025 14:30``.
"""

from __future__ import annotations

from typing import Any

from .. import i18n as catalogues
from ..i18n.dates import day_text, instant_text

_TEXTS = catalogues._texts  # lang -> {key: text}, filled by catalogues.texts() (the fast path of t())
LANGS = catalogues.languages()  # ("fr", "en", …): a language is a catalogue under locale/

# Legacy (fr, en) pairs, read before the catalogues; `python -m mno_workflow.i18n.migrate` empties them.
TEXTS: dict[str, tuple[str, str]] = {}

ROLE_LABELS: dict[str, tuple[str, str]] = {}


def norm_lang(lang: Any) -> str:
    """A language with a catalogue (``fr``, ``en``, a third one), else ``fr``."""
    return catalogues.norm_lang(lang)


def t(key: str, lang: str = "fr") -> str:
    """The interface text ``key`` in ``lang`` (the key itself when unknown, never an error): the
    legacy ``TEXTS`` first, then the catalogue of ``lang`` (falling back to French)."""
    pair = TEXTS.get(key)
    if pair is not None:
        return pair[1] if lang == "en" else pair[0]
    return (_TEXTS.get(lang) or catalogues.texts(lang)).get(key, key)


def role_label(role: str, lang: str = "fr") -> str:
    """The name of a role (``caseworker`` → « Gestionnaire de cas »); the code when unknown."""
    pair = ROLE_LABELS.get(role)
    if pair is not None:
        return pair[1] if lang == "en" else pair[0]
    text = catalogues.gettext(f"role.{role}", lang)
    return role if text == f"role.{role}" else text


def fmt_date(value: Any, lang: str = "fr") -> str:
    """``15/01/2025`` (:func:`mno_workflow.i18n.dates.day_text`); ISO strings are accepted."""
    return day_text(value, lang)


def fmt_datetime(value: Any, lang: str = "fr", tz: str = "UTC") -> str:
    """``15/01/2025 14:30`` in the time zone ``tz`` (:func:`mno_workflow.i18n.dates.instant_text`);
    ISO strings are accepted."""
    return instant_text(value, lang, tz)


def due_words(days: int, lang: str = "fr") -> str:
    """« 3 jours de retard », « aujourd'hui », « dans 2 jours » (``days`` negative when late)."""
    if days < 0:
        return catalogues.ngettext("{n} jour de retard", "{n} jours de retard", -days, lang)
    if days == 0:
        return t("due_today_short", lang)
    return catalogues.ngettext("dans {n} jour", "dans {n} jours", days, lang)


