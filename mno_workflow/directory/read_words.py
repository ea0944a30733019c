"""Why a directory file cannot be read, in words of the catalogues: Python's JSON and CSV readers'
English (« Expecting ',' delimiter: line 3 column 5 (char 40) », « new-line character seen in
unquoted field ») becomes a sentence with the line and column, in the reader's language; the
reader's own text is logged (INFO).

Each function returns a ``said_fr`` message (a :class:`~mno_workflow.directory.problems.Problem`'s
message is shown with ``text_in(message, lang)``).
"""

from __future__ import annotations

import logging
from typing import Any

from ..i18n import N_

log = logging.getLogger(__name__)

#: the start of the ``json`` module's message → what is wrong there, in words
_JSON = (
    ("Expecting value", N_("valeur attendue (texte entre guillemets, nombre, true, false, null, "
                           "[…] ou {…})")),
    ("Expecting property name", N_("nom de clé entre guillemets doubles attendu (virgule en trop "
                                   "avant la fin de l'objet ?)")),
    ("Expecting ':' delimiter", N_("deux-points « : » attendus après le nom de clé")),
    ("Expecting ',' delimiter", N_("virgule « , » attendue entre deux éléments")),
    ("Unterminated string", N_("texte sans guillemet fermant")),
    ("Invalid control character", N_("retour à la ligne ou tabulation dans un texte (écrire \\n ou "
                                     "\\t)")),
    ("Invalid \\escape", N_("barre oblique inverse « \\ » non valide dans un texte")),
    ("Invalid \\u", N_("séquence \\u non valide dans un texte")),
    ("Extra data", N_("texte en trop après la fin du document JSON")),
    ("Illegal trailing comma", N_("virgule en trop avant la fin de la liste ou de l'objet")),
)

#: the start of the ``csv`` module's message → what is wrong there, in words
_CSV = (
    ("line contains NUL", N_("caractère nul dans la ligne (fichier binaire, ou pas un CSV ?)")),
    ("new-line character seen in unquoted field",
     N_("retour à la ligne inattendu dans une cellule (guillemets mal fermés ?)")),
    ("field larger than field limit", N_("cellule trop longue (guillemet non fermé ?)")),
    ("unexpected end of data", N_("fin de fichier dans une cellule entre guillemets")),
)


def json_error(exc: ValueError) -> Any:
    """« JSON illisible ligne 3, colonne 5 : virgule « , » attendue entre deux éléments » for a
    ``json.JSONDecodeError`` (« JSON illisible : … » without a position for another ValueError)."""
    from ..sop.diagnostics import said_fr
    log.info("JSON error: %s", exc)
    raw = str(getattr(exc, "msg", exc))
    what = next((words for start, words in _JSON if raw.startswith(start)), None)
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if isinstance(exc, UnicodeDecodeError):
        return said_fr("JSON illisible : ce n'est pas un texte UTF-8 (octet invalide à la position "
                       "{position})", position=exc.start)
    if line is None:
        return said_fr("JSON illisible")
    if what is None:
        return said_fr("JSON illisible ligne {line}, colonne {column}", line=line, column=column)
    return said_fr("JSON illisible ligne {line}, colonne {column} : {error}", line=line,
                   column=column, error=said_fr(what))


def csv_error(exc: Exception, line: int | None = None) -> Any:
    """« CSV illisible ligne 4 : retour à la ligne inattendu dans une cellule … » for a
    ``csv.Error`` met at ``line`` (the file's line; None: not known)."""
    from ..sop.diagnostics import said_fr
    log.info("CSV error (line %s): %s", line, exc)
    raw = str(exc)
    what = next((words for start, words in _CSV if raw.startswith(start)), None)
    if what is None:
        return said_fr("CSV illisible ligne {line}", line=line) if line else said_fr("CSV illisible")
    if line:
        return said_fr("CSV illisible ligne {line} : {error}", line=line, error=said_fr(what))
    return said_fr("CSV illisible : {error}", error=said_fr(what))


def one_column(header: list[str], known: Any) -> Any:
    """The problem of a header read as one column that is no known column (the separator is not
    ``,``, ``;`` nor a tab: ``|``, spaces…), else None: one sentence instead of every required
    column said missing."""
    from ..sop.diagnostics import said_fr
    if len(header) != 1 or header[0] in known:
        return None
    return said_fr("une seule colonne lue dans l'en-tête « {header} » : séparer les colonnes par "
                   "« , », « ; » ou une tabulation", header=header[0][:60])
