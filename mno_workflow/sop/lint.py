"""Checks of a loaded SOP beyond its shape: references, languages, initial states, CEL guards,
and design advice (reachability, waiting states, referrals, data disclosure, roles).

Each rule has a stable code, a severity and a fix hint written for SOP authors (protection
officers, not programmers). Errors (``E0xx``) stop loading (:func:`check_references`); warnings
(``W1xx``) are design advice reported by ``mno validate`` (:func:`lint`; ``--strict`` makes them
errors). ``W109`` has severity ``info``: it is worth a look, not always a mistake.

| code | severity | rule |
|---|---|---|
| E020 | error | unknown state |
| E021 | error | unknown role |
| E022 | error | unknown form |
| E023 | error | unknown option list |
| E024 | error | unknown step |
| E025 | error | label missing a language (or in a language not listed) |
| E026 | error | a step without exactly one initial state |
| E027 | error | CEL expression does not compile or names an unknown form |
| E028 | error | unknown field reference ``form.field`` (for_each, recipient, deadline...) |
| E029 | error | unknown trigger (``on_expiry.fire``) |
| E030 | error | French missing from ``languages`` |
| E031 | error | duplicate field id |
| E032 | error | options / sub-fields misuse |
| E033 | error | field-dependent deadline misses a choice (or names a code that is not one) |
| E034 | error | ``for_each`` is not a repeat field (or ``spawn`` targets a single step / no repeat) |
| E043 | error | ``spawn: from`` lacks the field the target step keys its instances by |
| E044 | error | an ``entries`` entry that cannot work (see ``checks/entries.py``) |
| E045 | error | ``within: {from_directory: …}`` on a step without ``recipient`` and ``service`` |
| E037 | error | an ``imports`` entry cannot be read, leaves the SOP folder, closes a cycle or holds more |
| E035 | error | data disclosed to a recipient without a guard, or ``recipient`` without ``disclosure`` |
| E036 | error | a condition reads ``form.field`` or ``item.field`` that no form defines |
| E038 | error | unknown time zone or holiday code (country / ISO 3166-2 subdivision) |
| E039 | error | a condition compares a step, state or option code that does not exist |
| E040 | error | a condition that is always false (reads no case data) |
| E041 | error | personal/sensitive field without ``category`` (SOP with ``data_protection``) |
| E042 | error | ``data_protection``/``category`` names something unknown |
| E070 | error | ``indicators``: unknown step, state or trigger (see ``indicators/lint.py``) |
| E071 | error | ``indicators``: unknown field, or ``items`` not a repeat field |
| E072 | error | ``indicators``: unknown dimension or option list |
| E073 | error | ``indicators``: duplicate indicator code |
| E074 | error | ``indicators``: ``item`` names no field of a repeat |
| W101 | warning | final state with outgoing transitions |
| W102 | warning | unreachable state |
| W104 | warning | option list never used |
| W170 | warning | ``indicators``: ``within_deadline`` on a state without deadline |
| W106 | warning | state from which no final state can be reached |
| W107 | warning | waiting state (owner, not final) without a deadline |
| W108 | warning | deadline without ``on_expiry`` (nobody is told, nothing happens) |
| W109 | info | state without owner where a case can sit forever |
| W110 | warning | referral state of a recipient without accept/decline exits or timeout |
| W111 | warning | two transitions with the same trigger from the same state, guards overlapping |
| W112 | warning | role never used |
| W113 | warning | a condition that is always true (reads no case data) |
| W114 | warning | a step that can never start (nothing starts it, or only after itself) |
| W115 | warning | no way to close a case (no reachable ``close_case`` rule) |
| W116 | warning | a final state after which nothing happens (the case stays open for ever) |
| W120 | warning | ``--simulate``: a deadline that cannot be armed for a sample case |
| W121 | warning | ``--simulate``: an automatic trigger (``on_expiry.fire``) that would be refused |
| W122 | warning | ``--simulate``: a condition that raises for a sample case |
| W123 | warning | ``--simulate``: a condition with the same value on every sample case |
| W124 | warning | ``--simulate``: a state where a case is stuck with nothing to do |
| W126 | warning | a condition shown to people without words (``when_label`` / ``relevant_label``) |
| W127 | warning | ``narrative.yaml`` found beside the SOP by name, not declared under ``narrative:`` |
| W128 | warning | a narrative file listed under ``narrative:`` does not exist |
"""

from .checks.allow import justify
from .checks.graph import can_finish_states, reachable_states, step_graph
from .diagnostics import Diagnostic
from .lint_design import check_design
from .lint_exprs import field_refs
from .lint_names import field_index
from .lint_references import check_references
from .loader import LoadedSOP

# Every code: (severity, what it means in French, in English). docs/sop-language.md lists them all.
CODES: dict[str, tuple[str, str, str]] = {
    "E000": ("error", "fichier illisible", "file cannot be read"),
    "E001": ("error", "syntaxe YAML", "YAML syntax"),
    "E002": ("error", "clé en double", "duplicate key"),
    "E003": ("error", "tabulation dans le YAML", "tab character"),
    "E004": ("error", "le fichier n'est pas un mapping YAML", "file is not a YAML mapping"),
    "E010": ("error", "clé inconnue", "unknown key"),
    "E011": ("error", "clé obligatoire manquante", "missing required key"),
    "E012": ("error", "valeur invalide", "invalid value"),
    "E020": ("error", "état inconnu", "unknown state"),
    "E021": ("error", "rôle inconnu", "unknown role"),
    "E022": ("error", "formulaire inconnu", "unknown form"),
    "E023": ("error", "liste d'options inconnue", "unknown option list"),
    "E024": ("error", "étape inconnue", "unknown step"),
    "E025": ("error", "libellé sans une des langues", "label missing a language"),
    "E026": ("error", "étape sans exactement un état initial", "step without exactly one initial state"),
    "E027": ("error", "expression CEL invalide ou nom inconnu", "CEL does not compile or unknown name"),
    "E028": ("error", "référence de champ inconnue", "unknown field reference"),
    "E029": ("error", "déclencheur inconnu", "unknown trigger"),
    "E030": ("error", "le français manque dans languages", "French missing from languages"),
    "E031": ("error", "identifiant de champ en double", "duplicate field id"),
    "E032": ("error", "options ou sous-champs mal employés", "options or sub-fields misuse"),
    "E033": ("error", "délai par champ incomplet", "field-dependent deadline misses a choice"),
    "E034": ("error", "for_each ne vise pas un groupe répété", "for_each is not a repeat field"),
    "E043": ("error", "spawn sans le champ clé des instances", "spawn lacks the instance key field"),
    "E044": ("error", "entrée (entries) impossible à exécuter", "an entry that cannot work"),
    "E045": ("error", "délai de l'annuaire sans prestataire ni service",
             "directory deadline without provider and service"),
    "E037": ("error", "import impossible (fichier absent, invalide, hors du dossier, cycle, ou autre "
                      "chose que options/forms)",
             "cannot import (missing or invalid file, outside the folder, cycle, or keys other than "
             "options/forms)"),
    "E035": ("error", "communication de données sans garde (loi 001-2021/AN)",
             "data disclosed without a guard (law 001-2021/AN)"),
    "E036": ("error", "condition lisant un champ qui n'existe pas", "condition reads an undefined field"),
    "E038": ("error", "fuseau horaire ou code de jours fériés inconnu", "unknown time zone or holiday code"),
    "E039": ("error", "condition comparant un code d'étape, d'état ou d'option inexistant",
             "condition compares a step, state or option code that does not exist"),
    "E040": ("error", "condition toujours fausse", "condition always false"),
    "E041": ("error", "champ personnel ou sensible sans catégorie de données",
             "personal or sensitive field without data category"),
    "E042": ("error", "protection des données : référence inconnue", "data protection: unknown reference"),
    "E070": ("error", "indicateurs : étape, état ou déclencheur inconnu", "indicators: unknown step, state"),
    "E071": ("error", "indicateurs : champ inconnu ou non répété", "indicators: unknown or non-repeat field"),
    "E072": ("error", "indicateurs : dimension ou liste inconnue", "indicators: unknown dimension or list"),
    "E073": ("error", "indicateurs : code en double", "indicators: duplicate code"),
    "E074": ("error", "indicateurs : clé d'élément inconnue", "indicators: unknown item key"),
    "W170": ("warning", "indicateurs : état sans délai", "indicators: state without deadline"),
    "W101": ("warning", "état final avec des sorties", "final state with exits"),
    "W102": ("warning", "état inatteignable", "unreachable state"),
    "W104": ("warning", "liste d'options jamais utilisée", "option list never used"),
    "W106": ("warning", "état d'où aucun état final n'est atteignable", "state cannot reach a final state"),
    "W107": ("warning", "état d'attente sans délai", "waiting state without a deadline"),
    "W108": ("warning", "délai sans escalade ni action à l'échéance", "deadline without on_expiry"),
    "W109": ("info", "état sans responsable où un dossier peut rester indéfiniment",
             "state without owner where a case can sit forever"),
    "W110": ("warning", "référencement sans acceptation, refus et échéance",
             "referral without accept, decline and timeout"),
    "W111": ("warning", "deux transitions identiques depuis le même état",
             "two transitions with the same trigger and overlapping guards"),
    "W112": ("warning", "rôle jamais utilisé", "role never used"),
    "W113": ("warning", "condition toujours vraie", "condition always true"),
    "W114": ("warning", "étape qui ne peut jamais démarrer", "step that can never start"),
    "W115": ("warning", "aucun moyen de clore un dossier", "no way to close a case"),
    "W116": ("warning", "état final après lequel rien ne se passe", "final state, then nothing happens"),
    # mno validate --simulate (mno_workflow.kit.simulate)
    "W120": ("warning", "délai impossible à armer", "deadline cannot be armed"),
    "W121": ("warning", "déclencheur automatique refusé", "automatic trigger would be refused"),
    "W122": ("warning", "condition en erreur sur un dossier d'exemple", "condition raises on a sample case"),
    "W123": ("warning", "condition constante sur les dossiers d'exemple", "condition constant on samples"),
    "W124": ("warning", "dossier bloqué sans rien à faire", "case stuck with nothing to do"),
    "W126": ("warning", "condition sans libellé en langage courant", "condition without plain words"),
    "W127": ("warning", "récit de la POS trouvé par son nom, non déclaré",
             "narrative found by name, not declared"),
    "W128": ("warning", "fichier de récit introuvable", "narrative file not found"),
}


def lint(loaded: LoadedSOP) -> list[Diagnostic]:
    """Every diagnostic (errors, warnings, info) of an SOP that loaded, in file order; warnings a
    state accepts (``lint: {allow, reason}``) come as ``info`` with ``justified`` set."""
    diags = justify(loaded, check_references(loaded) + check_design(loaded))
    return sorted(diags, key=lambda d: (d.line, d.col, d.code))


__all__ = ["CODES", "can_finish_states", "check_design", "check_references", "field_index", "field_refs",
           "lint", "reachable_states", "step_graph"]
