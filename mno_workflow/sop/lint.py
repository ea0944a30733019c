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
| E034 | error | ``for_each`` is not a repeat field (or ``spawn``, ``rows_from`` target a single step) |
| E043 | error | ``spawn: from`` lacks the field the target step keys its instances by |
| E044 | error | an ``entries`` entry that cannot work (see ``checks/entries.py``) |
| E045 | error | ``within: {from_directory: …}`` on a step without ``recipient`` and ``service`` |
| E046 | error | a narrative file (``narrative.yaml``) given to ``mno validate`` is unreadable or malformed |
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
| W171 | warning | ``calendar``: the holidays are another country's than the time zone's |
| W172 | warning | ``indicators``: an answer recorded on behalf (``effective_at``) left out of a count |
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
| W117 | warning | a ``recipient`` step no state of which is withheld (provider keeps data after a decline) |
| W118 | warning | a consent override without the override form (no reason, no legal basis, covers all) |
| W119 | warning | an answer only the provider's focal point can give (off the platform: nobody records it) |
| W120 | warning | ``--simulate``: a deadline that cannot be armed for a sample case |
| W121 | warning | ``--simulate``: an automatic trigger (``on_expiry.fire``) that would be refused |
| W122 | warning | ``--simulate``: a condition that raises for a sample case |
| W123 | warning | ``--simulate``: a condition with the same value on every sample case |
| W124 | warning | ``--simulate``: a state where a case is stuck with nothing to do |
| W126 | warning | a condition shown to people without words (``when_label``, ``relevant_label``…) |
| W127 | warning | ``narrative.yaml`` found beside the SOP by name, not declared under ``narrative:`` |
| W128 | warning | a narrative file listed under ``narrative:`` does not exist |
"""

from .checks.allow import justify
from .checks.graph import can_finish_states, reachable_states, step_graph
from .diagnostics import Diagnostic, Said, said
from .lint_design import check_design
from .lint_exprs import field_refs
from .lint_names import field_index
from .lint_references import check_references
from .loader import LoadedSOP

# Every code: (severity, what it means: an English catalogue message, French in fr/…/messages.po,
# shown with ``meaning(code, lang)``). docs/sop-language.md lists them all.
CODES: dict[str, tuple[str, Said]] = {
    "E000": ("error", said("file cannot be read")),
    "E001": ("error", said("YAML syntax")),
    "E002": ("error", said("duplicate key")),
    "E003": ("error", said("tab character")),
    "E004": ("error", said("file is not a YAML mapping")),
    "E010": ("error", said("unknown key")),
    "E011": ("error", said("missing required key")),
    "E012": ("error", said("invalid value")),
    "E020": ("error", said("unknown state")),
    "E021": ("error", said("unknown role")),
    "E022": ("error", said("unknown form")),
    "E023": ("error", said("unknown option list")),
    "E024": ("error", said("unknown step")),
    "E025": ("error", said("label missing a language")),
    "E026": ("error", said("step without exactly one initial state")),
    "E027": ("error", said("CEL does not compile or unknown name")),
    "E028": ("error", said("unknown field reference")),
    "E029": ("error", said("unknown trigger")),
    "E030": ("error", said("French missing from languages")),
    "E031": ("error", said("duplicate field id")),
    "E032": ("error", said("options or sub-fields misuse")),
    "E033": ("error", said("field-dependent deadline misses a choice")),
    "E034": ("error", said("for_each is not a repeat field")),
    "E043": ("error", said("spawn lacks the instance key field")),
    "E044": ("error", said("an entry that cannot work")),
    "E045": ("error", said("directory deadline without provider and service")),
    "E046": ("error", said("narrative file cannot be read or is malformed")),
    "E037": ("error", said(
        "cannot import (missing or invalid file, outside the folder, cycle, or keys other than "
        "options/forms)")),
    "E035": ("error", said("data disclosed without a guard (law 001-2021/AN)")),
    "E036": ("error", said("condition reads an undefined field")),
    "E038": ("error", said("unknown time zone or holiday code")),
    "E039": ("error", said("condition compares a step, state or option code that does not exist")),
    "E040": ("error", said("condition always false")),
    "E041": ("error", said("personal or sensitive field without data category")),
    "E042": ("error", said("data protection: unknown reference")),
    "E070": ("error", said("indicators: unknown step, state")),
    "E071": ("error", said("indicators: unknown or non-repeat field")),
    "E072": ("error", said("indicators: unknown dimension or list")),
    "E073": ("error", said("indicators: duplicate code")),
    "E074": ("error", said("indicators: unknown item key")),
    "W170": ("warning", said("indicators: state without deadline")),
    "W171": ("warning", said("calendar: holidays of another country than the time zone")),
    "W172": ("warning", said("indicators: an answer recorded on behalf not counted")),
    "W101": ("warning", said("final state with exits")),
    "W102": ("warning", said("unreachable state")),
    "W104": ("warning", said("option list never used")),
    "W106": ("warning", said("state cannot reach a final state")),
    "W107": ("warning", said("waiting state without a deadline")),
    "W108": ("warning", said("deadline without on_expiry")),
    "W109": ("info", said("state without owner where a case can sit forever")),
    "W110": ("warning", said("referral without accept, decline and timeout")),
    "W111": ("warning", said("two transitions with the same trigger and overlapping guards")),
    "W112": ("warning", said("role never used")),
    "W113": ("warning", said("condition always true")),
    "W114": ("warning", said("step that can never start")),
    "W115": ("warning", said("no way to close a case")),
    "W116": ("warning", said("final state, then nothing happens")),
    "W117": ("warning", said("provider keeps personal data after a decline")),
    "W118": ("warning", said("consent override without reason nor legal basis")),
    "W119": ("warning", said("provider answer nobody can record off the platform")),
    "W120": ("warning", said("deadline cannot be armed")),
    "W121": ("warning", said("automatic trigger would be refused")),
    "W122": ("warning", said("condition raises on a sample case")),
    "W123": ("warning", said("condition constant on samples")),
    "W124": ("warning", said("case stuck with nothing to do")),
    "W126": ("warning", said("condition without plain words")),
    "W127": ("warning", said("narrative found by name, not declared")),
    "W128": ("warning", said("narrative file not found")),
}


def meaning(code: str, lang: str | None = None) -> str:
    """What lint ``code`` (``"E043"``) means, in ``lang`` (English when None); KeyError for an
    unknown code."""
    return CODES[code][1].text(lang)


def lint(loaded: LoadedSOP) -> list[Diagnostic]:
    """Every diagnostic (errors, warnings, info) of an SOP that loaded, in file order; warnings a
    state accepts (``lint: {allow, reason}``) come as ``info`` with ``justified`` set."""
    diags = justify(loaded, check_references(loaded) + check_design(loaded))
    return sorted(diags, key=lambda d: (d.line, d.col, d.code))


__all__ = ["CODES", "can_finish_states", "check_design", "check_references", "field_index", "field_refs",
           "lint", "meaning", "reachable_states", "step_graph"]
