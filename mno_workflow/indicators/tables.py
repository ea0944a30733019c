"""Aggregated tables of the indicators as CSV (French Excel: BOM and ``;``) and ``.xlsx``
(openpyxl): French headers and labels, codes in extra columns, suppressed cells as shown
(« < 5 », « s »), and a sheet with the methods note. Shared by the web downloads and the CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from .present import Shown

HEADER = [
    "Indicateur",
    "Code indicateur",
    "Ventilation",
    "Code ventilation",
    "Valeur de la ventilation",
    "Code valeur",
    "Valeur",
    "Numérateur",
    "Dénominateur",
    "Nombre de valeurs",
    "Période",
    "Code période",
]
HEADER_EN = [
    "Indicator",
    "Indicator code",
    "Breakdown",
    "Breakdown code",
    "Breakdown value",
    "Value code",
    "Value",
    "Numerator",
    "Denominator",
    "Number of values",
    "Period",
    "Period code",
]


def _cell(v):
    return "" if v is None else v


def table_rows(shown: list[Shown], period_label: str, period_code: str, lang: str = "fr") -> Iterator[list]:
    """Header then one row per total and per cell of every breakdown of ``shown``."""
    yield HEADER if lang != "en" else HEADER_EN
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


SOURCE = (
    "Source : journal d'audit du système (chaque transition enregistrée), pas l'état courant des dossiers.",
    "Source: the system's audit trail (every recorded transition), not the cases' current state.",
)
SUPPRESSION = (
    "Confidentialité : les effectifs de 1 à {k1} sont masqués (« < {k} ») ; d'autres cellules sont "
    "masquées (« s ») pour qu'aucun total ne permette de les retrouver. Les pourcentages et médianes "
    "ne sont affichés que si leurs effectifs le sont.",
    'Confidentiality: counts from 1 to {k1} are hidden ("< {k}"); other cells are hidden ("s") so '
    "that no total reveals them. Percentages and medians are shown only when their counts are.",
)
CONSENT = (
    "Les dossiers dont le consentement n'inclut pas les statistiques sont comptés dans les agrégats, "
    "jamais dans les exports ligne à ligne.",
    "Cases whose consent does not include statistics are counted in aggregates, never in row exports.",
)


def methods_note(sop, threshold: int, lang: str = "fr") -> list[str]:
    """The methods note: source, suppression rule and each indicator's definition."""
    fr = lang != "en"
    k, k1 = threshold, threshold - 1
    out = [
        SOURCE[0] if fr else SOURCE[1],
        (SUPPRESSION[0] if fr else SUPPRESSION[1]).format(k=k, k1=k1),
        CONSENT[0] if fr else CONSENT[1],
    ]
    kinds = {
        "cases": ("dossiers distincts ayant l'événement dans la période", "distinct cases with the event"),
        "events": (
            "nombre d'événements dans la période (chaque référencement, y compris re-référencé)",
            "number of events in the period (every referral, re-referrals included)",
        ),
        "items": ("éléments de la liste au moment de l'événement", "items of the list at the event"),
        "within_deadline": (
            "entrées dans l'état sorties avant l'échéance / entrées sorties ou échues",
            "entries left before the due time / entries left or overdue",
        ),
        "duration": ("médiane en jours entre les deux événements", "median days between the two events"),
        "directory_verified": (
            "services actifs vérifiés récemment / services actifs",
            "active services verified recently / active services",
        ),
    }
    for ind in sop.indicators.list_ if sop.indicators else []:
        out.append(f"{ind.code} — {sop.label(ind.label, lang)} : {kinds[ind.count][0 if fr else 1]}")
    return out
