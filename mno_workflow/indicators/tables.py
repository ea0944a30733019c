"""Aggregated tables of the indicators as CSV (French Excel: BOM and ``;``) and ``.xlsx``
(openpyxl): French headers and labels, codes in extra columns, suppressed cells as shown
(« < 5 », « s »), and a sheet with the methods note. Shared by the web downloads and the CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ..i18n import N_, colon, gettext
from .present import Shown

#: The columns of the table: French message ids (English and others: the catalogues).
HEADER = [
    N_("Indicateur"),
    N_("Code indicateur"),
    N_("Ventilation"),
    N_("Code ventilation"),
    N_("Valeur de la ventilation"),
    N_("Code valeur"),
    N_("Valeur"),
    N_("Numérateur"),
    N_("Dénominateur"),
    N_("Nombre de valeurs"),
    N_("Période"),
    N_("Code période"),
]


def _cell(v):
    return "" if v is None else v


def table_rows(shown: list[Shown], period_label: str, period_code: str, lang: str = "fr") -> Iterator[list]:
    """Header then one row per total and per cell of every breakdown of ``shown``."""
    yield [gettext(h, lang) for h in HEADER]
    for s in shown:
        t = s.total
        yield [
            s.label,
            s.code,
            t.labels[0],
            "",
            "",
            "",
            _cell(t.value),
            _cell(t.numerator),
            _cell(t.denominator),
            _cell(t.n),
            period_label,
            period_code,
        ]
        for dims, dim_labels, rows in s.tables:
            for r in rows:
                yield [
                    s.label,
                    s.code,
                    " × ".join(dim_labels),
                    "+".join(dims),
                    " × ".join(r.labels),
                    "+".join(r.codes),
                    _cell(r.value),
                    _cell(r.numerator),
                    _cell(r.denominator),
                    _cell(r.n),
                    period_label,
                    period_code,
                ]


def to_csv(rows: Iterator[list]) -> str:
    """CSV text for French Excel (BOM, ``;``); cells a spreadsheet would run as formulas are
    prefixed with ``'``."""
    from ..web.queries import csv_safe

    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, delimiter=";")
    for row in rows:
        w.writerow([csv_safe(c) for c in row])
    return buf.getvalue()


def to_xlsx(rows: Iterator[list], methods: list[str], title: str = "Indicateurs") -> bytes:
    """An ``.xlsx`` workbook: sheet ``title`` with ``rows`` (bold header, frozen first row, numbers
    as numbers) and a sheet « Méthodes » with the ``methods`` lines."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for i, row in enumerate(rows):
        ws.append([c if isinstance(c, int | float) else ("" if c is None else str(c)) for c in row])
        if i == 0:
            for c in ws[1]:
                c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKL", (50, 26, 28, 22, 34, 22, 10, 12, 12, 12, 20, 12), strict=True):
        ws.column_dimensions[col].width = width
    notes = wb.create_sheet("Méthodes")
    for line in methods:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SOURCE = N_("Source : journal d'audit du système (chaque transition enregistrée), pas l'état courant "
            "des dossiers.")
SUPPRESSION = N_(
    "Confidentialité : les effectifs de 1 à {k1} sont masqués (« < {k} ») ; d'autres cellules sont "
    "masquées (« s ») pour qu'aucun total ne permette de les retrouver. Les pourcentages et médianes "
    "ne sont affichés que si leurs effectifs le sont.")
CONSENT = N_(
    "Les dossiers dont le consentement n'inclut pas les statistiques sont comptés dans les agrégats, "
    "jamais dans les exports ligne à ligne.")
#: What each kind of count counts (``count:`` of an indicator): French message ids.
KINDS = {
    "cases": N_("dossiers distincts ayant l'événement dans la période"),
    "events": N_("nombre d'événements dans la période (chaque référencement, y compris re-référencé)"),
    "items": N_("éléments de la liste au moment de l'événement"),
    "within_deadline": N_("entrées dans l'état sorties avant l'échéance / entrées sorties ou échues"),
    "duration": N_("médiane en jours entre les deux événements"),
    "directory_verified": N_("services actifs vérifiés récemment / services actifs"),
}


def methods_note(sop, threshold: int, lang: str = "fr") -> list[str]:
    """The methods note: source, suppression rule and each indicator's definition."""
    k, k1 = threshold, threshold - 1
    out = [gettext(SOURCE, lang), gettext(SUPPRESSION, lang, k=k, k1=k1), gettext(CONSENT, lang)]
    for ind in sop.indicators.list_ if sop.indicators else []:
        out.append(f"{ind.code} — {sop.label(ind.label, lang)}{colon(lang)}{gettext(KINDS[ind.count], lang)}")
    return out
