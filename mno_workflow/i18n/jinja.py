"""Jinja2's ``i18n`` extension wired to the catalogues: ``{{ _("Texte") }}``, ``{% trans %}`` and
``{% pluralize %}`` in a template are translated into the template's ``lang`` variable (the
page's or the recipient's language), else the current language of :mod:`mno_workflow.i18n`."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, pass_context

from . import current, gettext, ngettext, pgettext


def _lang(ctx: Any) -> str:
    lang = ctx.get("lang")
    return lang if isinstance(lang, str) and lang else current.get()


@pass_context
def _gettext(ctx: Any, message: str) -> str:
    return gettext(message, _lang(ctx))


@pass_context
def _ngettext(ctx: Any, singular: str, plural: str, n: int) -> str:
    from . import catalogue
    return catalogue(_lang(ctx)).ngettext(singular, plural, n)


@pass_context
def _pgettext(ctx: Any, context: str, message: str) -> str:
    return pgettext(context, message, _lang(ctx))


@pass_context
def _npgettext(ctx: Any, context: str, singular: str, plural: str, n: int) -> str:
    from . import catalogue
    return catalogue(_lang(ctx)).npgettext(context, singular, plural, n)


def install(env: Environment) -> Environment:
    """Add the ``i18n`` extension to ``env`` with the catalogue callables (newstyle: ``%(name)s``
    placeholders are filled by keyword, ``{{ _("… %(n)s …", n=3) }}``); returns ``env``."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True, pgettext=_pgettext,
                                  npgettext=_npgettext)
    return env


__all__ = ["install", "ngettext"]
