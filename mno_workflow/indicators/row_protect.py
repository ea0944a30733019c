"""The row export given to a role outside the case team (the M&E officer): the rows must not undo
the small-cell suppression of the aggregates. Dates are given to the month, needs and open steps
are masked (they stay counted in the indicators), and every combination of the quasi-identifiers
(region, sex, age group, opening and closing month) is shared by at least ``k`` rows, ``k`` the
SOP's ``indicators.suppression_threshold``; otherwise the row's values are generalised step by
step (dates to the quarter, then region, age group and sex masked) and a row still alone with
fewer than ``k`` is withheld. A note at the end of the file says what was done, in the reader's
language. docs/indicators.md, "Export ligne à ligne", states the rule.

The scheme (local recoding, then suppression): at step 0 the rows whose exact combination is
shared by ``k`` rows or more are given as they are; the others go to step 1, where their
combinations are counted again among themselves at that step's precision, and so on. Every
combination printed in the file is thus printed on at least ``k`` rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ..i18n import N_, colon, gettext

#: the word of a masked value (label columns); its code columns hold ``MASKED_CODE``
MASKED = N_("masqué")
MASKED_CODE = "*"
#: headers of the coarsened date columns (instead of « Ouvert le », « Clos le »)
OPENED_IN = N_("Ouvert en")
CLOSED_IN = N_("Clos en")

# columns of a pseudonymised row (indicators/rows.py): label and code columns by position
REGION, REGION_CODE, SEX, SEX_CODE, AGE = 1, 2, 3, 4, 5
OPENED, CLOSED, STEPS, STEP_CODES, NEEDS, NEED_CODES = 8, 9, 10, 11, 12, 13

#: the steps of generalisation, in order: what each masks on top of the previous ones
STEPS_OF = ("month", "quarter", "region", "age", "sex")

NOTE_TITLE = N_(
    "Protection des données — export pour un rôle hors de l'équipe des dossiers : aucune ligne ne "
    "doit permettre de retrouver un effectif masqué des indicateurs.")
NOTE_RULE = N_(
    "Dates au mois (ou au trimestre : 2026Q4), jamais au jour ; besoins et étapes en cours masqués "
    "(« masqué », code « * ») : ils restent comptés dans les indicateurs. Chaque combinaison région, "
    "sexe, tranche d'âge, mois d'ouverture et de clôture figure sur au moins {k} lignes ; sinon ses "
    "valeurs sont généralisées : dates au trimestre, puis région, tranche d'âge et sexe masqués ; "
    "une ligne encore seule est retenue.")
NOTE_COUNTS = {
    "quarter": N_("Lignes aux dates données au trimestre"),
    "region": N_("Lignes à la région masquée"),
    "age": N_("Lignes à la tranche d'âge masquée"),
    "sex": N_("Lignes au sexe masqué"),
}
NOTE_WITHHELD = N_("Dossiers retenus (non listés ici, comptés dans les indicateurs)")


@dataclass
class Record:
    """One case's row and its quasi-identifiers (codes; ``None`` dates when not closed)."""

    row: list[str]
    region: str
    sex: str
    age: str
    opened: datetime
    closed: datetime | None


def month(d: datetime | None) -> str:
    return d.strftime("%Y-%m") if d else ""


def quarter(d: datetime | None) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}" if d else ""


def key(r: Record, level: int) -> tuple[str, ...]:
    """The combination of ``r``'s quasi-identifiers at generalisation step ``level``."""
    dates = (month(r.opened), month(r.closed)) if level == 0 else (quarter(r.opened), quarter(r.closed))
    return (
        MASKED_CODE if level >= 2 else r.region,
        MASKED_CODE if level >= 4 else r.sex,
        MASKED_CODE if level >= 3 else r.age,
        *dates,
    )


def levels(records: list[Record], k: int) -> tuple[dict[int, int], list[int]]:
    """The generalisation step of each record (index → step) and the indexes withheld."""
    given: dict[int, int] = {}
    left = list(range(len(records)))
    for level in range(len(STEPS_OF)):
        counts = Counter(key(records[i], level) for i in left)
        for i in left:
            if counts[key(records[i], level)] >= k:
                given[i] = level
        left = [i for i in left if i not in given]
    return given, left


def _shown(r: Record, level: int, lang: str) -> list[str]:
    row = list(r.row)
    masked = gettext(MASKED, lang)
    dates = (month, month) if level == 0 else (quarter, quarter)
    row[OPENED], row[CLOSED] = dates[0](r.opened), dates[1](r.closed)
    row[STEPS], row[STEP_CODES], row[NEEDS], row[NEED_CODES] = masked, MASKED_CODE, masked, MASKED_CODE
    if level >= 2:
        row[REGION], row[REGION_CODE] = masked, MASKED_CODE
    if level >= 3:
        row[AGE] = masked
    if level >= 4:
        row[SEX], row[SEX_CODE] = masked, MASKED_CODE
    return row


def header(head: list[str], lang: str) -> list[str]:
    """The pseudonymised header with the coarsened dates' column names."""
    head = list(head)
    head[OPENED], head[CLOSED] = gettext(OPENED_IN, lang), gettext(CLOSED_IN, lang)
    return head


def protect(head: list[str], records: list[Record], k: int, lang: str = "fr") -> Iterator[list[str]]:
    """Header, the protected rows (in the order of their pseudonyms: the order of the cases would
    tell their opening order), then an empty row and the note (module doc)."""
    given, withheld = levels(records, k)
    yield header(head, lang)
    for i in sorted(given, key=lambda i: records[i].row[0]):
        yield _shown(records[i], given[i], lang)
    yield []
    yield [gettext(NOTE_TITLE, lang)]
    yield [gettext(NOTE_RULE, lang, k=k)]
    per_step = Counter(given.values())
    for level, what in enumerate(STEPS_OF):
        if what in NOTE_COUNTS:
            n = sum(c for lv, c in per_step.items() if lv >= level)
            yield [f"{gettext(NOTE_COUNTS[what], lang)}{colon(lang)}{n}"]
    yield [f"{gettext(NOTE_WITHHELD, lang)}{colon(lang)}{len(withheld)}"]


def data_rows(rows: list[list[str]]) -> int:
    """The number of case rows of an export (before the empty row that opens the note)."""
    n = 0
    for row in rows[1:]:
        if not row:
            break
        n += 1
    return n
