"""Indicator results made fit to show or export: suppressed (:mod:`.suppress`), labelled in the
user's language (option labels of the SOP, « Inconnu »), numbers formatted with Babel.

One shape for the dashboard, the CSV/xlsx exports, the quarterly report and DHIS2."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal

from ..i18n import N_, babel_locale, gettext, pgettext
from ..sop.schema import SOP
from . import suppress
from .compute import UNKNOWN, Result, median

ORG_TYPES = {  # the directory's organisation types (protection.ORGANIZATION_TYPES): French message ids
    "government": N_("Services de l'État"),
    "un_agency": N_("Agence des Nations Unies"),
    "ngo": N_("ONG"),
    "health_facility": N_("Structure de santé"),
    "private": N_("Secteur privé"),
    "community": N_("Organisation communautaire"),
}


def org_type_label(code: str, lang: str = "fr") -> str:
    """The name of an organisation type in ``lang`` (the code when unknown)."""
    return gettext(ORG_TYPES[code], lang) if code in ORG_TYPES else code


def unknown_label(lang: str = "fr") -> str:
    """The label of an unknown value in a breakdown."""
    return pgettext("indicator value", "Inconnu", lang)


def total_label(lang: str = "fr") -> str:
    """The label of a table's total row."""
    return pgettext("indicator row", "Total", lang)


@dataclass
class Row:
    """One line of a table: dimension ``codes`` and ``labels``; ``value`` the number to print
    (``int``, ``float``, « < 5 », « s », or « — » when there is nothing); ``raw`` the number to chart
    (None when hidden); ``numerator``/``denominator`` for percentages, ``n`` for medians."""

    codes: tuple[str, ...]
    labels: tuple[str, ...]
    value: Any
    raw: float | None
    numerator: Any = None
    denominator: Any = None
    n: Any = None


@dataclass
class Shown:
    """An indicator ready to show: ``total`` row and one list of rows per breakdown."""

    code: str
    label: str
    count: str
    total: Row
    tables: list[tuple[tuple[str, ...], tuple[str, ...], list[Row]]] = field(default_factory=list)
    ignored_filters: list[str] = field(default_factory=list)


def fmt(value: Any, lang: str = "fr", *, percent: bool = False) -> str:
    """« 1 234 », « 12,5 % » (fr) or "1,234", "12.5%" (en); strings (« < 5 ») unchanged."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    text = format_decimal(round(value, 1), format="#,##0.#", locale=babel_locale(lang))
    if percent:
        # TRANSLATORS: a percentage; "{value}%" in English
        return pgettext("percent", "{value}\u202f%", lang, value=text)
    return text


def value_label(
    sop: SOP, dim: str, code: str, lang: str, names: Callable[[str, str], str | None] | None = None
) -> str:
    """The label of value ``code`` of dimension ``dim``: its option label, an age group
    (« 15–17 ans »), a provider's name from ``names(dim, code)``, or the code. An SOP without
    ``indicators:`` (the case-row export still runs, tryout 9, L7) or without that dimension:
    the label in the SOP's option list named ``dim`` (« region », « need »…), else the code."""
    if code == UNKNOWN:
        return unknown_label(lang)
    d = sop.indicators.dimensions.get(dim) if sop.indicators is not None else None
    if d is None:
        named = sop.options.get(dim) or {}
        return sop.label(named[code], lang) if code in named else code
    if d.directory == "organization_type" and code in ORG_TYPES:
        return org_type_label(code, lang)
    if d.age is not None:
        text = code.replace("-", "–")
        return gettext("{ages} ans", lang, ages=text)
    opts = d.options
    if opts is None and d.field and not d.directory:
        from ..sop.lint import field_index

        f = field_index(sop).get(d.field)
        opts = f.options if f is not None else None
    if opts and code in sop.options.get(opts, {}):
        return sop.label(sop.options[opts][code], lang)
    if names is not None and (n := names(dim, code)):
        return n
    return code


def present(
    sop: SOP, res: Result, lang: str = "fr", names: Callable[[str, str], str | None] | None = None
) -> Shown:
    """Suppress and label one :class:`Result`."""
    ind, k = res.indicator, sop.indicators.suppression_threshold

    def labels(dims, codes):
        return tuple(value_label(sop, d, c, lang, names) for d, c in zip(dims, codes, strict=True))

    total_codes: tuple[str, ...] = ()

    def grid(total, of=lambda v: v):
        """The protected grid of the counts ``of(cell value)`` (total and every table)."""
        cells = [(t.dims, {c: of(v) for c, v in t.cells.items()}, t.additive) for t in res.tables]
        return suppress.protect(suppress.count_grid(total, cells), k)

    def shown_tables(row):
        """Each table with its dimensions' labels and ``row(key, codes, labels, value)`` per cell."""
        return [
            (
                t.dims,
                tuple(sop.label(sop.indicators.dimensions[d].label, lang) for d in t.dims),
                [row((t.dims, c), c, labels(t.dims, c), v) for c, v in t.cells.items()],
            )
            for t in res.tables
        ]

    if ind.count in ("cases", "events", "items"):
        g = grid(res.total)

        def row(key, codes, lbls, _value=None):
            shown = suppress.is_shown(g, key)
            return Row(codes, lbls, suppress.display(g, key, k), float(g.nodes[key].value) if shown else None)

        total = row(("total",), total_codes, (total_label(lang),))
    elif ind.count == "within_deadline":
        gn = grid(res.total[0], lambda v: v[0])
        gd = grid(res.total[1], lambda v: v[1])

        def row(key, codes, lbls, _value=None):
            num, den = gn.nodes[key].value, gd.nodes[key].value
            shown = suppress.is_shown(gn, key) and suppress.is_shown(gd, key) and den > 0
            pct = round(100 * num / den, 1) if shown else None
            return Row(
                codes,
                lbls,
                pct
                if shown
                else (
                    "—"
                    if den == 0
                    else suppress.display(gd, key, k)
                    if not suppress.is_shown(gd, key)
                    else suppress.display(gn, key, k)
                ),
                pct,
                suppress.display(gn, key, k),
                suppress.display(gd, key, k),
            )

        total = row(("total",), total_codes, (total_label(lang),))
    else:  # duration: the median is shown when its number of values is
        gc = grid(len(res.total), len)

        def row(key, codes, lbls, values):
            shown = suppress.is_shown(gc, key) and len(values) > 0
            m = median(values) if shown else None
            return Row(
                codes,
                lbls,
                m if shown else "—",  # a hidden count hides its median (n says why)
                m,
                n=suppress.display(gc, key, k),
            )

        total = row(("total",), total_codes, (total_label(lang),), res.total)
    tables = shown_tables(row)
    return Shown(ind.code, sop.label(ind.label, lang), ind.count, total, tables, res.ignored_filters)
