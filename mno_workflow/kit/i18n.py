"""English for ``mno --lang en test``: the language of a scenario run, and the runner's messages.

The runner writes its findings in French (the working language); :func:`english` turns the fixed
parts of those sentences into English when the run's language (:data:`LANG`, set by ``mno test``
from ``--lang``) is ``en``. Engine refusals quoted in a finding are taken in that language at the
source (``EngineError.text(LANG.get())``). Quoted values (« … ») are the author's and stay as is.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

LANG: ContextVar[str] = ContextVar("mno_test_lang", default="fr")

# (French pattern, English), applied in order; longer phrases first.
_PHRASES: list[tuple[str, str]] = [
    (r"refusé \(([^)]*)\) alors qu'un succès était attendu", r"refused (\1) where success was expected"),
    (r"refus attendu « ([^»]*) », mais l'action a réussi",
     r"expected refusal « \1 », but the action succeeded"),
    (r"refus attendu « ([^»]*) », obtenu « ([^»]*) »", r"expected refusal « \1 », got « \2 »"),
    (r"erreur attendue sur le champ « ([^»]*) », obtenue sur :",
     r"expected an error on field « \1 », got it on:"),
    (r"message attendu contenant « ([^»]*) », obtenu", r"expected a message containing « \1 », got"),
    (r"aucun dossier : commencer le scénario par une étape « create »",
     "no case: start the scenario with a « create » step"),
    (r"est avant l'instant simulé", "is before the simulated instant"),
    (r"instant simulé attendu", "expected simulated instant"),
    (r"dossier : attendu", "case: expected"),
    (r"état attendu", "expected state"),
    (r"échéance attendue", "expected due"),
    (r"rappels prévus pour", "reminders planned for"),
    (r"délai de ([^ ]+) : instance introuvable", r"deadline of \1: instance not found"),
    (r"délai de", "deadline of"),
    (r"depuis la dernière vérification", "since the last check"),
    (r"écrits depuis la dernière vérification", "written since the last check"),
    (r"messages : manquants", "messages: missing"),
    (r"manquants", "missing"),
    (r"en trop", "unexpected"),
    (r"erreur inattendue", "unexpected error"),
    (r"POS invalide", "invalid SOP"),
    (r"donnée", "data"),
    (r"\brappels\b", "reminders"),
    (r"\bmessages\b", "messages"),
    (r", à ", ", to "),
    (r", le (\d{4})", r", at \1"),
    (r"attendus", "expected"),
    (r"attendue", "expected"),
    (r"attendu", "expected"),
    (r"obtenus", "got"),
    (r"obtenue", "got"),
    (r"obtenu", "got"),
    (r"aucune", "none"),
    (r"aucun champ", "no field"),
    (r"aucun", "none"),
    (r"instances :", "instances:"),
    (r"en retard", "late"),
    (r"refusée", "refused"),
    (r"décalage", "offset"),
    (r"\bclos\b", "closed"),
    (r"\bouvert\b", "open"),
    (r"^étape (\d+) \(([^)]*)\) :", r"step \1 (\2):"),
    (r": étape (\d+) \(([^)]*)\) :", r": step \1 (\2):"),
    (r" : ", ": "),
]
_COMPILED = [(re.compile(fr), en) for fr, en in _PHRASES]


def english(text: str) -> str:
    """``text`` (a runner finding in French) with its fixed phrases in English."""
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return text


def say(text: str, lang: str | None = None) -> str:
    """``text`` in the run's language (``lang``, else :data:`LANG`)."""
    return english(text) if (lang or LANG.get()) == "en" else text
