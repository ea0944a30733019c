"""Directory names in the reader's language: an organisation's or a service's name as the
directory's translations give it (``translations.<lang>.yaml`` beside the shipped sample directory,
French text → text in that language, the file the printed directory already reads), else as the
directory writes it (French). Pages, printed slips and the M&E report call :func:`in_lang`."""

from __future__ import annotations

from functools import lru_cache

from ..i18n import norm_lang


@lru_cache(maxsize=8)
def _translations(lang: str) -> dict[str, str]:
    from ..render.directory_data import read_translations
    from ..resources import sample_directory

    try:
        return read_translations(sample_directory(), lang)
    except (OSError, ValueError):
        return {}


def in_lang(name: str | None, lang: str | None = None) -> str:
    """``name`` in ``lang`` when the directory's translations have it, else ``name`` itself."""
    if not name:
        return name or ""
    return _translations(norm_lang(lang)).get(name, name)


def names_in(names: dict[str, str], lang: str | None = None) -> dict[str, str]:
    """``{id: name}`` with every name in ``lang`` (:func:`in_lang`)."""
    table = _translations(norm_lang(lang))
    return {k: table.get(v, v) for k, v in names.items()} if table else names
